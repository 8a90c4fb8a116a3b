/**
 * Wallet commands against a node's JSON-RPC (--rpc): keys, FIL, assets, tokens, identities, data
 * assets, transaction status, a generic `send` for every kind, and the `demo` walkthrough.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { AMOUNT_HELP, filAmountArg, formatFil } from "../amount.js";
import { DEFAULT_DEV_DIR } from "../constants.js";
import { parsePrivateKey, warnIfExposed, writeKeyFile } from "../keys.js";
import { type OutputOpts, print, UsageError } from "../output.js";
import { type ClientOpts, intArg, read, readStdin, sendAndReport, withCommon } from "./common.js";
import { registerKindCommands } from "./kinds.js";
import { registerReadCommands } from "./reads.js";

// Heavy modules (the SDK, viem, the node package) are imported inside the actions that need them,
// so `--help` and reads start about as fast as node itself (docs/benchmarks.md, cli_startup_ms).

export function registerWalletCommands(program: Command): void {
  const wallet = program.command("wallet").description("keys and FIL");
  wallet
    .command("new")
    .description("create a key file (mode 0600) and print its address")
    .requiredOption("--out <file>", "where to write the key")
    .option("--json", "print JSON")
    .action(async (o: { out: string } & OutputOpts) => {
      if (existsSync(o.out)) throw new UsageError(`${o.out} already exists; refusing to overwrite a key`);
      const { generatePrivateKey, privateKeyToAddress } = await import("viem/accounts");
      const key = generatePrivateKey();
      writeKeyFile(o.out, key);
      const address = privateKeyToAddress(key).toLowerCase();
      print(o, { address, keyFile: resolve(o.out) }, () => `address ${address}\nkey     ${resolve(o.out)} (mode 0600)`);
    });
  wallet
    .command("import")
    .description("write a private key you have (from stdin, or --from <file>) into a new key file with mode 0600")
    .requiredOption("--out <file>", "the key file to create (never overwritten)")
    .option("--from <file>", "read the key from this file instead of stdin (64 hex digits, with or without 0x)")
    .option("--json", "print JSON")
    .action(async (o: { out: string; from?: string } & OutputOpts) => {
      if (existsSync(o.out)) throw new UsageError(`${o.out} already exists; refusing to overwrite a key`);
      let text: string;
      if (o.from !== undefined && o.from !== "-") {
        if (!existsSync(o.from)) throw new UsageError(`${o.from} does not exist`);
        warnIfExposed(o.from);
        text = readFileSync(o.from, "utf8");
      } else text = await readStdin();
      const key = parsePrivateKey(text, o.from && o.from !== "-" ? o.from : "stdin");
      const { privateKeyToAddress } = await import("viem/accounts");
      writeKeyFile(o.out, key);
      const address = privateKeyToAddress(key).toLowerCase();
      print(o, { address, keyFile: resolve(o.out) }, () => `address ${address}\nkey     ${resolve(o.out)} (mode 0600)`);
    });
  withCommon(
    wallet.command("balance").description("an account's balance and nonce").argument("<address>"),
    false,
  ).action((address: string, o: ClientOpts) =>
    read(
      o,
      "filverse_getAccount",
      [address],
      (a: { balance: string; nonce: string; pendingNonce: string }) =>
        `balance ${formatFil(a.balance)} (${a.balance} attoFIL)\nnonce   ${a.nonce} (next ${a.pendingNonce})`,
    ),
  );
  withCommon(wallet.command("transfer").description("send FIL on the L2"))
    .requiredOption("--to <address>")
    .requiredOption("--amount <amount>", AMOUNT_HELP, filAmountArg("amount"))
    .action((o: ClientOpts & { to: string; amount: string }) =>
      sendAndReport(o, (c) => c.transfer({ to: o.to as `0x${string}`, amount: o.amount })),
    );
  withCommon(wallet.command("withdraw").description("burn L2 FIL into the withdrawals tree, claimable on L1"))
    .requiredOption("--to <l1Address>")
    .requiredOption("--amount <amount>", AMOUNT_HELP, filAmountArg("amount"))
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
      read(o, "filverse_getAsset", [o.collection, o.tokenId]),
    );
  withCommon(asset.command("list").argument("<owner>"), false)
    .option("--cursor <cursor>")
    .action((owner: string, o: ClientOpts & { cursor?: string }) =>
      read(o, "filverse_getAssetsByOwner", o.cursor ? [owner, { cursor: o.cursor }] : [owner]),
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
      read(o, "filverse_getTokenBalance", [o.token, o.holder]),
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
    read(o, "filverse_getIdentity", [ref]),
  );
  withCommon(identity.command("resolve").argument("<did>"), false).action((did: string, o: ClientOpts) =>
    read(o, "filverse_resolveDid", [did]),
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
    read(o, "filverse_getDataAsset", [id]),
  );

  registerKindCommands({ asset, token, identity, data });
  const tx = program.command("tx").description("transactions");
  registerReadCommands({ program, asset, token, identity, data, tx });

  withCommon(tx.command("status").argument("<hash>"), false).action((hash: string, o: ClientOpts) =>
    read(o, "filverse_getTransactionStatus", [hash]),
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
    .action(async (o: ClientOpts & { dataDir: string }) => {
      const [{ loadConfig, readDevAccounts }, { runDemo }] = await Promise.all([
        import("@filverse/node"),
        import("./demo.js"),
      ]);
      const dir = resolve(o.dataDir);
      const accounts = readDevAccounts(dir, loadConfig(dir));
      if (accounts.length < 2)
        throw new UsageError(`No dev accounts in ${join(dir, "dev-accounts.json")}`, [
          "Start a devnet first: npm run dev",
        ]);
      return runDemo({ rpc: o.rpc, json: o.json, accounts });
    });
}
