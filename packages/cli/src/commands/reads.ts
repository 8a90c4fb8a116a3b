/**
 * Reads over the RPC methods the node serves: a collection, a social token, a block, the identities
 * an address owns, the grantees of a data asset. Human-readable
 * by default, `--json` for scripts; one JSON-RPC call each (rpc.ts), no SDK loaded.
 */
import type { Command } from "commander";
import { UsageError } from "../output.js";
import { type ClientOpts, read, withCommon } from "./common.js";

type Collection = {
  id: string;
  creator: string;
  name: string;
  symbol: string;
  royaltyBps: number;
  maxSupply: string;
  minted: string;
  burned: string;
  metadataMutable: boolean;
};

type Block = {
  hash: string;
  header: { number: string; parentHash: string; timestamp: string; proposer: string; stateRoot: string };
  deposits?: unknown[];
  transactions?: unknown[];
};

/** A block ref: "latest" (default), a block number, or a 32-byte block hash. */
export function blockRef(ref: string | undefined): { method: string; params: unknown[] } {
  const r = (ref ?? "latest").trim();
  if (/^0x[0-9a-fA-F]{64}$/.test(r)) return { method: "filverse_getBlockByHash", params: [r.toLowerCase()] };
  if (r === "latest" || /^\d+$/.test(r)) return { method: "filverse_getBlockByNumber", params: [r] };
  throw new UsageError(`A block is "latest", a number or a 0x block hash, got "${ref}"`);
}

export function describeBlock(b: Block): string {
  const h = b.header;
  const lines = [
    `block      ${h.number}`,
    `hash       ${b.hash}`,
    `parent     ${h.parentHash}`,
    `time       ${new Date(Number(h.timestamp) * 1000).toISOString()} (${h.timestamp})`,
    `proposer   ${h.proposer}`,
    `stateRoot  ${h.stateRoot}`,
    `deposits   ${b.deposits?.length ?? 0}`,
    `txs        ${b.transactions?.length ?? 0}`,
  ];
  for (const t of b.transactions ?? []) lines.push(`  ${typeof t === "string" ? t : JSON.stringify(t)}`);
  return lines.join("\n");
}

export function describeCollection(c: Collection): string {
  return [
    `collection  ${c.id}`,
    `name        ${c.name} (${c.symbol})`,
    `creator     ${c.creator}`,
    `royalty     ${(c.royaltyBps / 100).toString()}% (${c.royaltyBps} bps)`,
    `supply      ${c.minted} minted of ${c.maxSupply}, ${c.burned} burned`,
    `metadata    ${c.metadataMutable ? "mutable" : "immutable"}`,
  ].join("\n");
}

type IdentityPage = { identities: { id: string; handle?: string; profileCid?: string }[]; nextCursor: string | null };
type GranteePage = {
  dataAssetId: string;
  grantees: { grantee: string; expiresAt: string; active: boolean }[];
  nextCursor: string | null;
} | null;

/** One page of a paged read: `--limit` (1–500) and `--cursor` (the last page's `nextCursor`). */
type PageOpts = { limit?: string; cursor?: string };
function pageParam(o: PageOpts): { limit?: number; cursor?: string } {
  const page: { limit?: number; cursor?: string } = {};
  if (o.limit !== undefined) {
    const n = Number(o.limit);
    if (!Number.isInteger(n) || n < 1 || n > 500) throw new UsageError(`--limit is 1 to 500, got "${o.limit}"`);
    page.limit = n;
  }
  if (o.cursor !== undefined) page.cursor = o.cursor;
  return page;
}
const more = (next: string | null) => (next ? [`more: --cursor ${next}`] : []);

export function describeIdentities(p: IdentityPage): string {
  const rows = p.identities.map((i) => `${i.id}  ${i.handle ?? ""}`.trimEnd());
  return [...(rows.length === 0 ? ["no identities"] : rows), ...more(p.nextCursor)].join("\n");
}

export function describeGrantees(p: NonNullable<GranteePage>): string {
  const rows = p.grantees.map(
    (g) =>
      `${g.grantee}  ${g.active ? "active" : "expired"}  until ${new Date(Number(g.expiresAt) * 1000).toISOString()} (${g.expiresAt})`,
  );
  return [...(rows.length === 0 ? ["no grantees"] : rows), ...more(p.nextCursor)].join("\n");
}

export function registerReadCommands(g: {
  program: Command;
  asset: Command;
  token: Command;
  identity: Command;
  data: Command;
}): void {
  withCommon(g.identity.command("list").description("the identities an address owns (id and handle)"), false)
    .requiredOption("--owner <address>", "the owner's 0x address")
    .option("--limit <n>", "at most n (1–500, default 50)")
    .option("--cursor <cursor>", "the page after this one (the last page's `more: --cursor …`)")
    .action((o: ClientOpts & PageOpts & { owner: string }) =>
      read(o, "filverse_getIdentitiesByOwner", [o.owner, pageParam(o)], describeIdentities),
    );
  withCommon(
    g.data
      .command("grantees")
      .description("who holds a grant on a data asset, and until when")
      .argument("<dataAssetId>"),
    false,
  )
    .option("--limit <n>", "at most n (1–500, default 50)")
    .option("--cursor <cursor>", "the page after this one")
    .action((id: string, o: ClientOpts & PageOpts) =>
      read(o, "filverse_getDataAssetGrantees", [id, pageParam(o)], describeGrantees),
    );
  withCommon(
    g.asset.command("collection").description("a collection: name, creator, royalty, supply").argument("<id>"),
    false,
  ).action((id: string, o: ClientOpts) => read(o, "filverse_getCollection", [id], describeCollection));
  withCommon(
    g.token.command("get").description("a social token: name, decimals, supply and cap").argument("<id>"),
    false,
  ).action((id: string, o: ClientOpts) => read(o, "filverse_getToken", [id]));
  withCommon(
    g.program
      .command("block")
      .description("a block: number, hash, time, proposer, its deposits and transactions")
      .argument("[block]", '"latest" (default), a number or a 0x block hash'),
    false,
  )
    .option("--full", "the transactions in full (default: their hashes)")
    .action((ref: string | undefined, o: ClientOpts & { full?: boolean }) => {
      const { method, params } = blockRef(ref);
      return read(o, method, o.full ? [...params, true] : params, describeBlock);
    });
}
