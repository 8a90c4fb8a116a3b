/**
 * Reads over the RPC methods the node serves: a collection, a social token, a block, and the paged
 * lookups: the identities an address owns, the tokens it holds, the collections it created, the
 * transactions that name it, a collection's assets, the grantees of a data asset. Human-readable
 * by default, `--json` for scripts; one JSON-RPC call each (rpc.ts), no SDK loaded.
 */
import type { Command } from "commander";
import { formatUnits } from "../amount.js";
import { print, UsageError } from "../output.js";
import { rpcRead } from "../rpc.js";
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

/** A 0x address argument, lower-cased; anything else is a usage error naming it. */
export function addressParam(v: string, what: string): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(v)) throw new UsageError(`${what} must be a 0x address (40 hex digits), got "${v}"`);
  return v.toLowerCase();
}

/** A 0x bytes32 id argument (collection, token, data asset), lower-cased. */
export function idParam(v: string, what: string): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(v)) throw new UsageError(`${what} must be a 0x id (64 hex digits), got "${v}"`);
  return v.toLowerCase();
}

type TokenHoldings = {
  holder: string;
  tokens: { tokenId: string; balance: string; name: string | null; symbol: string | null; decimals: number | null }[];
  nextCursor: string | null;
};

/** Each token an address holds: its balance in the token's own decimals with its symbol, the name, the id. */
export function describeHoldings(p: TokenHoldings): string {
  const rows = p.tokens.map(
    (t) =>
      `${t.decimals === null ? t.balance : formatUnits(t.balance, t.decimals)} ${t.symbol ?? "?"}  ${t.name ?? "(unknown token)"}  ${t.tokenId}`,
  );
  return [...(rows.length === 0 ? ["no tokens"] : rows), ...more(p.nextCursor)].join("\n");
}

type CollectionPage = { collections: Collection[]; nextCursor: string | null };

export function describeCollections(p: CollectionPage): string {
  const rows = p.collections.map(
    (c) => `${c.id}  ${c.name} (${c.symbol})  ${c.minted} minted of ${c.maxSupply}, royalty ${c.royaltyBps / 100}%`,
  );
  return [...(rows.length === 0 ? ["no collections"] : rows), ...more(p.nextCursor)].join("\n");
}

type CollectionAssets = {
  collectionId: string;
  assets: { tokenId: string; owner: string; contentCid: string; burned: boolean }[];
  nextCursor: string | null;
};

export function describeCollectionAssets(p: CollectionAssets): string {
  const rows = p.assets.map((a) => `#${a.tokenId}  ${a.burned ? "burned" : a.owner}  ${a.contentCid}`);
  return [...(rows.length === 0 ? ["no assets"] : rows), ...more(p.nextCursor)].join("\n");
}

type TxPage = {
  transactions: { hash: string; blockNumber: string; index: number; kind: number; status: number; code: number }[];
  nextCursor: string | null;
};

/** The transactions that name an address, newest first: block.position, kind by name, outcome, hash. */
export function describeTransactions(p: TxPage, kindName: (kind: number) => string): string {
  const rows = p.transactions.map(
    (t) =>
      `${t.blockNumber}.${t.index}  ${kindName(t.kind)}  ${t.status === 1 ? "ok" : `failed (code ${t.code})`}  ${t.hash}`,
  );
  return [...(rows.length === 0 ? ["no transactions"] : rows), ...more(p.nextCursor)].join("\n");
}

const PAGE_HELP = "at most n (1–500, default 50)";
const CURSOR_HELP = "the page after this one (the last page's `more: --cursor …`)";

export function registerReadCommands(g: {
  program: Command;
  asset: Command;
  token: Command;
  identity: Command;
  data: Command;
  tx: Command;
}): void {
  withCommon(
    g.identity
      .command("list")
      .description("the identities an address owns (id and handle)")
      .argument("[owner]", "the owner's 0x address (or --owner)"),
    false,
  )
    .option("--owner <address>", "the owner's 0x address")
    .option("--limit <n>", PAGE_HELP)
    .option("--cursor <cursor>", CURSOR_HELP)
    .action((arg: string | undefined, o: ClientOpts & PageOpts & { owner?: string }) => {
      const owner = arg ?? o.owner;
      if (owner === undefined) throw new UsageError("Name the owner: `filverse identity list <address>`");
      return read(
        o,
        "filverse_getIdentitiesByOwner",
        [addressParam(owner, "The owner"), pageParam(o)],
        describeIdentities,
      );
    });
  withCommon(
    g.token
      .command("holdings")
      .description("the social tokens an address holds: balance, symbol, name, id")
      .argument("<address>", "the holder's 0x address"),
    false,
  )
    .option("--limit <n>", PAGE_HELP)
    .option("--cursor <cursor>", CURSOR_HELP)
    .action((holder: string, o: ClientOpts & PageOpts) =>
      read(o, "filverse_getTokensByHolder", [addressParam(holder, "The holder"), pageParam(o)], describeHoldings),
    );
  withCommon(
    g.asset
      .command("collections")
      .description("the collections an address created: id, name, supply, royalty")
      .argument("<creator>", "the creator's 0x address"),
    false,
  )
    .option("--limit <n>", PAGE_HELP)
    .option("--cursor <cursor>", CURSOR_HELP)
    .action((creator: string, o: ClientOpts & PageOpts) =>
      read(
        o,
        "filverse_getCollectionsByCreator",
        [addressParam(creator, "The creator"), pageParam(o)],
        describeCollections,
      ),
    );
  withCommon(
    g.asset
      .command("collection-assets")
      .description("a collection's assets by token id, burned ones too: owner and content CID")
      .argument("<collectionId>"),
    false,
  )
    .option("--limit <n>", PAGE_HELP)
    .option("--cursor <cursor>", CURSOR_HELP)
    .action((id: string, o: ClientOpts & PageOpts) =>
      read(
        o,
        "filverse_getAssetsByCollection",
        [idParam(id, "The collection id"), pageParam(o)],
        describeCollectionAssets,
      ),
    );
  withCommon(
    g.tx
      .command("list")
      .description("the transactions and deposits that name an address, newest first")
      .argument("<address>"),
    false,
  )
    .option("--limit <n>", PAGE_HELP)
    .option("--cursor <cursor>", CURSOR_HELP)
    .action(async (address: string, o: ClientOpts & PageOpts) => {
      const page = (await rpcRead(o.rpc, "filverse_getTransactionsByAddress", [
        addressParam(address, "The address"),
        pageParam(o),
      ])) as TxPage;
      // Kind names only for people: @filverse/types is loaded only then.
      const names = o.json ? null : await kindNames();
      print(o, page, () => describeTransactions(page, (k) => names?.get(k) ?? `kind ${k}`));
    });
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

/** The name of each transaction kind number (TxKind), loaded when a person reads a list. */
async function kindNames(): Promise<Map<number, string>> {
  const { TxKind } = await import("@filverse/types");
  return new Map(
    Object.entries(TxKind)
      .filter((e): e is [string, number] => typeof e[1] === "number")
      .map(([name, k]) => [k, name]),
  );
}
