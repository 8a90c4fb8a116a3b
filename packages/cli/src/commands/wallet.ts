/**
 * Wallet commands against a node's JSON-RPC (--rpc): keys, FIL, assets, tokens, identities, data
 * assets, transaction status, a generic `send` for every kind, and the `demo` walkthrough.
 */
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createFilverseClient, type FilverseClient } from "@filverse/client";
import { privateKeyToAddress } from "@filverse/crypto";
import { loadConfig, readDevAccounts, writeSecretFile } from "@filverse/node";
import { isHex, toHex } from "@filverse/utils";
import type { Command } from "commander";
import { privateKeyToAccount } from "viem/accounts";
import { type OutputOpts, print, UsageError } from "../output.js";
import { runDemo } from "./demo.js";
import { DEFAULT_DEV_DIR } from "./node.js";

type ClientOpts = OutputOpts & { rpc: string; keyFile?: string; wait?: string };

const DEFAULT_RPC = process.env.FILVERSE_RPC ?? "http://127.0.0.1:8645";

function readKey(path: string | undefined): `0x${string}` {
  const file = path ?? process.env.FILVERSE_KEY_FILE;
  if (!file)
    throw new UsageError("This command signs: pass --key-file <file> (or set FILVERSE_KEY_FILE)", [
      "Create one with `filverse wallet new --out <file>`.",
    ]);
  if (!existsSync(file)) throw new UsageError(`Key file ${file} does not exist`);
  const text = readFileSync(file, "utf8").trim();
  if (!isHex(text, 32)) throw new UsageError(`Key file ${file} does not hold a 0x-prefixed 32-byte hex key`);
  return text as `0x${string}`;
}

function client(o: ClientOpts, signer = true): FilverseClient {
  return createFilverseClient({ url: o.rpc, ...(signer ? { account: privateKeyToAccount(readKey(o.keyFile)) } : {}) });
}

async function withClient<T>(o: ClientOpts, signer: boolean, fn: (c: FilverseClient) => Promise<T>): Promise<T> {
  const c = client(o, signer);
  try {
    return await fn(c);
  } finally {
    await c.close();
  }
}

/** Send, optionally wait, and print the hash (and created ids). */
async function sendAndReport(
  o: ClientOpts,
  fn: (c: FilverseClient) => Promise<{ hash: string } & Record<string, unknown>>,
): Promise<void> {
  await withClient(o, true, async (c) => {
    const sent = await fn(c);
    const status =
      o.wait && o.wait !== "none"
        ? await c.waitForTransaction(sent.hash as `0x${string}`, { status: o.wait as "sequenced" })
        : null;
    print(o, { ...sent, status }, () =>
      [
        `tx ${sent.hash}`,
        ...Object.entries(sent)
          .filter(([k]) => k !== "hash" && k !== "nonce")
          .map(([k, v]) => `${k} ${String(v)}`),
        status
          ? `status ${status.status}${status.result ? ` (${status.result}${status.code ? `, code ${status.code}` : ""})` : ""}${
              status.blockNumber !== undefined ? `\nblock  ${status.blockNumber} index ${status.index}` : ""
            }`
          : "",
      ]
        .filter(Boolean)
        .join("\n"),
    );
  });
}

function withCommon(cmd: Command, signs = true): Command {
  cmd.option("--rpc <url>", "node JSON-RPC URL (http:// or ws://)", DEFAULT_RPC).option("--json", "print JSON");
  if (signs) {
    cmd
      .option("--key-file <file>", "the signing key (0x hex, mode 0600); default $FILVERSE_KEY_FILE")
      .option(
        "--wait <status>",
        "wait for: none, pending, preconfirmed, sequenced, checkpointed, stored, finalized",
        "sequenced",
      );
  }
  return cmd;
}

const intArg = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number, got "${v}"`);
  return v;
};

export function registerWalletCommands(program: Command): void {
  const wallet = program.command("wallet").description("keys and FIL");
  wallet
    .command("new")
    .description("create a key file (mode 0600) and print its address")
    .requiredOption("--out <file>", "where to write the key")
    .option("--json", "print JSON")
    .action((o: { out: string } & OutputOpts) => {
      if (existsSync(o.out)) throw new UsageError(`${o.out} already exists; refusing to overwrite a key`);
      const key = randomBytes(32);
      writeSecretFile(o.out, `${toHex(key)}\n`);
      const address = toHex(privateKeyToAddress(key));
      print(o, { address, keyFile: resolve(o.out) }, () => `address ${address}\nkey     ${resolve(o.out)} (mode 0600)`);
    });
  withCommon(
    wallet.command("balance").description("an account's balance and nonce").argument("<address>"),
    false,
  ).action((address: string, o: ClientOpts) =>
    withClient(o, false, async (c) => {
      const a = await c.getAccount({ address: address as `0x${string}` });
      print(o, a, () => `balance ${a.balance} attoFIL\nnonce   ${a.nonce} (next ${a.pendingNonce})`);
    }),
  );
  withCommon(wallet.command("transfer").description("send FIL on the L2"))
    .requiredOption("--to <address>")
    .requiredOption("--amount <attoFIL>", "amount in attoFIL", intArg("amount"))
    .action((o: ClientOpts & { to: string; amount: string }) =>
      sendAndReport(o, (c) => c.transfer({ to: o.to as `0x${string}`, amount: o.amount })),
    );
  withCommon(wallet.command("withdraw").description("burn L2 FIL into the withdrawals tree, claimable on L1"))
    .requiredOption("--to <l1Address>")
    .requiredOption("--amount <attoFIL>", "amount in attoFIL", intArg("amount"))
    .action((o: ClientOpts & { to: string; amount: string }) =>
      sendAndReport(o, (c) => c.withdraw({ l1Recipient: o.to as `0x${string}`, amount: o.amount })),
    );

  const asset = program.command("asset").description("NFT collections and assets");
  withCommon(asset.command("create-collection"))
    .requiredOption("--name <name>")
    .requiredOption("--symbol <symbol>")
    .option("--royalty-bps <bps>", "royalty in basis points", intArg("royalty-bps"), "0")
    .requiredOption("--max-supply <n>", "supply cap", intArg("max-supply"))
    .option("--immutable", "forbid metadata updates")
    .action(
      (o: ClientOpts & { name: string; symbol: string; royaltyBps: string; maxSupply: string; immutable?: boolean }) =>
        sendAndReport(o, (c) =>
          c.createCollection({
            name: o.name,
            symbol: o.symbol,
            royaltyBps: Number(o.royaltyBps),
            maxSupply: Number(o.maxSupply),
            metadataMutable: !o.immutable,
          }),
        ),
    );
  withCommon(asset.command("mint"))
    .requiredOption("--collection <id>")
    .requiredOption("--token-id <n>", "token id", intArg("token-id"))
    .requiredOption("--to <address>")
    .requiredOption("--cid <cid>", "content CID")
    .action((o: ClientOpts & { collection: string; tokenId: string; to: string; cid: string }) =>
      sendAndReport(o, (c) =>
        c.mintAsset({
          collectionId: o.collection as `0x${string}`,
          tokenId: Number(o.tokenId),
          to: o.to as `0x${string}`,
          contentCid: o.cid,
        }),
      ),
    );
  withCommon(asset.command("transfer"))
    .requiredOption("--collection <id>")
    .requiredOption("--token-id <n>", "token id", intArg("token-id"))
    .requiredOption("--to <address>")
    .action((o: ClientOpts & { collection: string; tokenId: string; to: string }) =>
      sendAndReport(o, (c) =>
        c.transferAsset({
          collectionId: o.collection as `0x${string}`,
          tokenId: Number(o.tokenId),
          to: o.to as `0x${string}`,
        }),
      ),
    );
  withCommon(asset.command("get"), false)
    .requiredOption("--collection <id>")
    .requiredOption("--token-id <n>", "token id", intArg("token-id"))
    .action((o: ClientOpts & { collection: string; tokenId: string }) =>
      withClient(o, false, async (c) =>
        print(o, await c.getAsset({ collectionId: o.collection as `0x${string}`, tokenId: Number(o.tokenId) })),
      ),
    );
  withCommon(asset.command("list").argument("<owner>"), false)
    .option("--cursor <cursor>")
    .action((owner: string, o: ClientOpts & { cursor?: string }) =>
      withClient(o, false, async (c) =>
        print(o, await c.getAssetsByOwner({ owner: owner as `0x${string}`, cursor: o.cursor })),
      ),
    );

  const token = program.command("token").description("social tokens");
  withCommon(token.command("create"))
    .requiredOption("--name <name>")
    .requiredOption("--symbol <symbol>")
    .option("--decimals <n>", "decimals", intArg("decimals"), "18")
    .requiredOption("--cap <amount>", "supply cap (base units)", intArg("cap"))
    .action((o: ClientOpts & { name: string; symbol: string; decimals: string; cap: string }) =>
      sendAndReport(o, (c) =>
        c.createToken({ name: o.name, symbol: o.symbol, decimals: Number(o.decimals), cap: o.cap }),
      ),
    );
  for (const [name, action] of [
    ["mint", "mintToken"],
    ["transfer", "transferToken"],
  ] as const) {
    withCommon(token.command(name))
      .requiredOption("--token <id>")
      .requiredOption("--to <address>")
      .requiredOption("--amount <n>", "amount (base units)", intArg("amount"))
      .action((o: ClientOpts & { token: string; to: string; amount: string }) =>
        sendAndReport(o, (c) =>
          c[action]({ tokenId: o.token as `0x${string}`, to: o.to as `0x${string}`, amount: o.amount }),
        ),
      );
  }
  withCommon(token.command("balance"), false)
    .requiredOption("--token <id>")
    .requiredOption("--holder <address>")
    .action((o: ClientOpts & { token: string; holder: string }) =>
      withClient(o, false, async (c) =>
        print(o, await c.getTokenBalance({ tokenId: o.token as `0x${string}`, holder: o.holder as `0x${string}` })),
      ),
    );

  const identity = program.command("identity").description("identities, handles, delegates, DIDs");
  withCommon(identity.command("create"))
    .requiredOption("--handle <handle>", "[a-z0-9_]{3,32}")
    .requiredOption("--profile-cid <cid>")
    .action((o: ClientOpts & { handle: string; profileCid: string }) =>
      sendAndReport(o, (c) => c.createIdentity({ handle: o.handle, profileCid: o.profileCid })),
    );
  withCommon(identity.command("add-delegate").description("authorize a session key"))
    .requiredOption("--identity <id>")
    .requiredOption("--delegate <address>")
    .option("--scope <scope>", "assets, identity or all", "all")
    .option("--expires-in <seconds>", "lifetime", intArg("expires-in"), "3600")
    .action((o: ClientOpts & { identity: string; delegate: string; scope: string; expiresIn: string }) => {
      const scope = { assets: 1, identity: 2, all: 3 }[o.scope];
      if (!scope) throw new UsageError(`--scope must be assets, identity or all, got "${o.scope}"`);
      return sendAndReport(o, (c) =>
        c.addDelegate({
          identityId: o.identity as `0x${string}`,
          delegate: o.delegate as `0x${string}`,
          scope,
          expiresAt: Math.floor(Date.now() / 1000) + Number(o.expiresIn),
        }),
      );
    });
  withCommon(identity.command("get").argument("<handle-or-id>"), false).action((ref: string, o: ClientOpts) =>
    withClient(o, false, async (c) =>
      print(o, await c.getIdentity(ref.startsWith("0x") ? { identityId: ref as `0x${string}` } : { handle: ref })),
    ),
  );
  withCommon(identity.command("resolve").argument("<did>"), false).action((did: string, o: ClientOpts) =>
    withClient(o, false, async (c) => print(o, await c.resolveDid({ did }))),
  );

  const data = program.command("data").description("data assets and access grants");
  withCommon(data.command("register"))
    .requiredOption("--content-cid <cid>")
    .requiredOption("--piece-cid <cid>")
    .requiredOption("--size <bytes>", "size", intArg("size"))
    .requiredOption("--license <license>")
    .action((o: ClientOpts & { contentCid: string; pieceCid: string; size: string; license: string }) =>
      sendAndReport(o, (c) =>
        c.registerDataAsset({
          contentCid: o.contentCid,
          pieceCid: o.pieceCid,
          size: Number(o.size),
          license: o.license,
        }),
      ),
    );
  withCommon(data.command("grant"))
    .requiredOption("--data-asset <id>")
    .requiredOption("--grantee <address>")
    .option("--expires-in <seconds>", "lifetime", intArg("expires-in"), "86400")
    .action((o: ClientOpts & { dataAsset: string; grantee: string; expiresIn: string }) =>
      sendAndReport(o, (c) =>
        c.grantAccess({
          dataAssetId: o.dataAsset as `0x${string}`,
          grantee: o.grantee as `0x${string}`,
          expiresAt: Math.floor(Date.now() / 1000) + Number(o.expiresIn),
        }),
      ),
    );
  withCommon(data.command("get").argument("<id>"), false).action((id: string, o: ClientOpts) =>
    withClient(o, false, async (c) => print(o, await c.getDataAsset({ dataAssetId: id as `0x${string}` }))),
  );

  const tx = program.command("tx").description("transactions");
  withCommon(tx.command("status").argument("<hash>"), false).action((hash: string, o: ClientOpts) =>
    withClient(o, false, async (c) => print(o, await c.getTransactionStatus({ hash: hash as `0x${string}` }))),
  );
  withCommon(
    program
      .command("send")
      .description("sign and send any transaction kind")
      .argument("<primaryType>", "e.g. Transfer, AssetMint"),
  )
    .requiredOption("--message <json>", "the message fields as JSON (nonce and fee are filled in)")
    .action((primaryType: string, o: ClientOpts & { message: string }) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(o.message) as Record<string, unknown>;
      } catch {
        throw new UsageError("--message is not valid JSON");
      }
      return sendAndReport(o, (c) => c.sendTransaction({ primaryType, message } as never));
    });

  withCommon(
    program
      .command("demo")
      .description("walk through the L2 against a running devnet: collection, mint, transfer, identity, session key"),
    false,
  )
    .option("--data-dir <dir>", "the devnet data dir (for its funded dev accounts)", DEFAULT_DEV_DIR)
    .action((o: ClientOpts & { dataDir: string }) => {
      const dir = resolve(o.dataDir);
      const accounts = readDevAccounts(dir, loadConfig(dir));
      if (accounts.length < 2)
        throw new UsageError(`No dev accounts in ${join(dir, "dev-accounts.json")}`, [
          "Start a devnet first: npm run dev",
        ]);
      return runDemo({ rpc: o.rpc, json: o.json, accounts });
    });
}
