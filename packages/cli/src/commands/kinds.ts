/**
 * A subcommand for every transaction kind that `asset`, `token`, `identity` and `data` did not
 * have yet, each a thin layer over its SDK action (the SDK checks and normalizes the fields: a bad
 * id or address is a one-line error, exit 1, nothing sent). Asset, token and data kinds take
 * `--on-behalf-of <identityId>` for a session key acting for an identity's owner.
 */
import { existsSync, readFileSync } from "node:fs";
import type { Command } from "commander";
import { UsageError } from "../output.js";
import { type ClientOpts, intArg, sendAndReport, withCommon } from "./common.js";

type Hex = `0x${string}`;
type Delegable = { onBehalfOf?: string };

const ZERO_ADDRESS: Hex = `0x${"00".repeat(20)}`;

/** `--on-behalf-of` as the SDK's optional onBehalfOf. */
const behalf = (o: Delegable) => (o.onBehalfOf ? { onBehalfOf: o.onBehalfOf as Hex } : {});

function delegable(cmd: Command): Command {
  return cmd.option(
    "--on-behalf-of <identityId>",
    "act for this identity's owner as its session key (default: as the signer)",
  );
}

/** Seconds from now as unix seconds; "0" or "never" is 0 (no expiry). */
function expiresAt(v: string | undefined): number {
  if (v === undefined || v === "0" || v === "never") return 0;
  return Math.floor(Date.now() / 1000) + Number(v);
}

const expiresInArg = (v: string) => {
  if (v !== "never" && !/^\d+$/.test(v)) throw new UsageError(`--expires-in must be seconds or "never", got "${v}"`);
  return v;
};

/** --cid given several times, or --cids-file with one CID a line. */
function cidList(o: { cid?: string[]; cidsFile?: string }): string[] {
  const cids = [...(o.cid ?? [])];
  if (o.cidsFile) {
    if (!existsSync(o.cidsFile)) throw new UsageError(`${o.cidsFile} does not exist`);
    for (const line of readFileSync(o.cidsFile, "utf8").split(/\r?\n/)) if (line.trim()) cids.push(line.trim());
  }
  if (cids.length === 0) throw new UsageError("Pass the content CIDs: --cid <cid> (repeatable) or --cids-file <file>");
  return cids;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerKindCommands(g: { asset: Command; token: Command; identity: Command; data: Command }): void {
  const { asset, token, identity, data } = g;

  delegable(withCommon(asset.command("batch-mint").description("mint consecutive token ids, one per CID")))
    .requiredOption("--collection <id>")
    .requiredOption("--first-token-id <n>", "the first token id", intArg("first-token-id"))
    .requiredOption("--to <address>")
    .option("--cid <cid>", "a content CID (repeat for each token)", collect)
    .option("--cids-file <file>", "content CIDs, one a line")
    .action(
      (
        o: ClientOpts &
          Delegable & { collection: string; firstTokenId: string; to: string; cid?: string[]; cidsFile?: string },
      ) =>
        sendAndReport(o, (c) =>
          c.batchMintAssets({
            collectionId: o.collection as Hex,
            firstTokenId: o.firstTokenId,
            to: o.to as Hex,
            contentCids: cidList(o),
            ...behalf(o),
          }),
        ),
    );
  delegable(withCommon(asset.command("burn").description("destroy an asset (its token id can never be minted again)")))
    .requiredOption("--collection <id>")
    .requiredOption("--token-id <n>", "token id", intArg("token-id"))
    .action((o: ClientOpts & Delegable & { collection: string; tokenId: string }) =>
      sendAndReport(o, (c) => c.burnAsset({ collectionId: o.collection as Hex, tokenId: o.tokenId, ...behalf(o) })),
    );
  delegable(
    withCommon(asset.command("set-metadata").description("point an asset at new content (mutable collections)")),
  )
    .requiredOption("--collection <id>")
    .requiredOption("--token-id <n>", "token id", intArg("token-id"))
    .requiredOption("--cid <cid>", "the new content CID")
    .action((o: ClientOpts & Delegable & { collection: string; tokenId: string; cid: string }) =>
      sendAndReport(o, (c) =>
        c.updateAssetMetadata({
          collectionId: o.collection as Hex,
          tokenId: o.tokenId,
          contentCid: o.cid,
          ...behalf(o),
        }),
      ),
    );
  delegable(withCommon(asset.command("approve").description("let one address transfer one asset (--clear: nobody)")))
    .requiredOption("--collection <id>")
    .requiredOption("--token-id <n>", "token id", intArg("token-id"))
    .option("--approved <address>", "the address to approve")
    .option("--clear", "clear the approval")
    .action(
      (o: ClientOpts & Delegable & { collection: string; tokenId: string; approved?: string; clear?: boolean }) => {
        if (!o.clear === !o.approved) throw new UsageError("Pass one of --approved <address> or --clear");
        return sendAndReport(o, (c) =>
          c.approveAsset({
            collectionId: o.collection as Hex,
            tokenId: o.tokenId,
            approved: (o.clear ? ZERO_ADDRESS : o.approved) as Hex,
            ...behalf(o),
          }),
        );
      },
    );
  delegable(
    withCommon(
      asset
        .command("set-operator")
        .description("let an operator transfer all your assets of a collection (--revoke: stop)"),
    ),
  )
    .requiredOption("--collection <id>")
    .requiredOption("--operator <address>")
    .option("--revoke", "withdraw the operator's approval")
    .action((o: ClientOpts & Delegable & { collection: string; operator: string; revoke?: boolean }) =>
      sendAndReport(o, (c) =>
        c.setOperator({
          collectionId: o.collection as Hex,
          operator: o.operator as Hex,
          approved: !o.revoke,
          ...behalf(o),
        }),
      ),
    );

  delegable(withCommon(token.command("burn").description("destroy some of your tokens")))
    .requiredOption("--token <id>")
    .requiredOption("--amount <n>", "amount (base units)", intArg("amount"))
    .action((o: ClientOpts & Delegable & { token: string; amount: string }) =>
      sendAndReport(o, (c) => c.burnToken({ tokenId: o.token as Hex, amount: o.amount, ...behalf(o) })),
    );

  withCommon(identity.command("update").description("point an identity at a new profile"))
    .requiredOption("--identity <id>")
    .requiredOption("--profile-cid <cid>")
    .action((o: ClientOpts & { identity: string; profileCid: string }) =>
      sendAndReport(o, (c) => c.updateIdentity({ identityId: o.identity as Hex, profileCid: o.profileCid })),
    );
  withCommon(identity.command("set-attribute").description("set a key/value attribute on an identity's DID document"))
    .requiredOption("--identity <id>")
    .requiredOption("--key <key>")
    .requiredOption("--value <value>")
    .option("--expires-in <seconds>", 'lifetime, or "never"', expiresInArg, "never")
    .action((o: ClientOpts & { identity: string; key: string; value: string; expiresIn: string }) =>
      sendAndReport(o, (c) =>
        c.setAttribute({
          identityId: o.identity as Hex,
          key: o.key,
          value: o.value,
          expiresAt: expiresAt(o.expiresIn),
        }),
      ),
    );
  withCommon(identity.command("remove-attribute"))
    .requiredOption("--identity <id>")
    .requiredOption("--key <key>")
    .action((o: ClientOpts & { identity: string; key: string }) =>
      sendAndReport(o, (c) => c.removeAttribute({ identityId: o.identity as Hex, key: o.key })),
    );
  withCommon(identity.command("revoke-delegate").description("withdraw a session key"))
    .requiredOption("--identity <id>")
    .requiredOption("--delegate <address>")
    .action((o: ClientOpts & { identity: string; delegate: string }) =>
      sendAndReport(o, (c) => c.revokeDelegate({ identityId: o.identity as Hex, delegate: o.delegate as Hex })),
    );
  withCommon(identity.command("transfer").description("give an identity (and its handle) to a new owner"))
    .requiredOption("--identity <id>")
    .requiredOption("--new-owner <address>")
    .action((o: ClientOpts & { identity: string; newOwner: string }) =>
      sendAndReport(o, (c) => c.transferIdentity({ identityId: o.identity as Hex, newOwner: o.newOwner as Hex })),
    );

  delegable(withCommon(data.command("revoke").description("withdraw a grantee's access")))
    .requiredOption("--data-asset <id>")
    .requiredOption("--grantee <address>")
    .action((o: ClientOpts & Delegable & { dataAsset: string; grantee: string }) =>
      sendAndReport(o, (c) =>
        c.revokeAccess({ dataAssetId: o.dataAsset as Hex, grantee: o.grantee as Hex, ...behalf(o) }),
      ),
    );
}
