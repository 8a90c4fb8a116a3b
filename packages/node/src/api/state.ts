/**
 * Reads of the head state (accounts at a recent block): accounts, collections, assets, tokens,
 * data assets, and the lists the chain indexes (identities by owner, grantees of a data asset,
 * collections by creator) and the transactions that name an address (a database index).
 */
import { expectParamCount, paramBlockTag, paramHex, paramObject, paramUint, RpcError } from "@filverse/rpc";
import { accessGrantObjectId, assetObjectId, tokenBalanceObjectId } from "@filverse/state";
import { Asset, Collection, DataAsset, Identity, Namespace, RpcErrorCode, Token } from "@filverse/types";
import { fromHex, type Hex, toHex } from "@filverse/utils";
import { stateAtTag } from "./reads.js";
import type { ApiModules, RpcHandlers } from "./types.js";

export type StateApi = Pick<
  RpcHandlers,
  | "filverse_getAccount"
  | "filverse_getCollection"
  | "filverse_getAsset"
  | "filverse_getAssetsByOwner"
  | "filverse_getAssetsByCollection"
  | "filverse_getToken"
  | "filverse_getTokenBalance"
  | "filverse_getDataAsset"
  | "filverse_getIdentitiesByOwner"
  | "filverse_getDataAssetGrantees"
  | "filverse_getCollectionsByCreator"
  | "filverse_getTransactionsByAddress"
>;

export function stateApi({ node }: ApiModules): StateApi {
  const db = () => node.db;
  const stateAt = (tag: number | "latest") => stateAtTag(node, tag);
  return {
    filverse_getAccount: (p) => {
      expectParamCount(p, 1, 2);
      const address = paramHex(p, 0, "address", 20);
      const { state } = stateAt(p.length > 1 ? paramBlockTag(p, 1) : "latest");
      const a = state.get(Namespace.Account, fromHex(address)) ?? { balance: 0n, nonce: 0 };
      const pendingNonce = node.pendingNonce(fromHex(address));
      return { address, balance: a.balance.toString(), nonce: String(a.nonce), pendingNonce: String(pendingNonce) };
    },
    filverse_getCollection: (p) => {
      expectParamCount(p, 1, 1);
      const id = paramHex(p, 0, "collectionId", 32);
      const c = node.state.get(Namespace.Collection, fromHex(id));
      return c ? { id, ...Collection.toJson(c) } : null;
    },
    filverse_getAsset: (p) => {
      expectParamCount(p, 2, 2);
      const collectionId = paramHex(p, 0, "collectionId", 32);
      const tokenId = paramUint(p, 1, "tokenId");
      const a = node.state.get(Namespace.Asset, assetObjectId(fromHex(collectionId), tokenId));
      return a ? Asset.toJson(a) : null;
    },
    filverse_getAssetsByOwner: async (p) => {
      expectParamCount(p, 1, 2);
      const owner = paramHex(p, 0, "owner", 20);
      const { cursor, limit } = pageParam(p, 1);
      let page_: Awaited<ReturnType<ReturnType<typeof db>["getAssetsByOwner"]>>;
      try {
        page_ = await db().getAssetsByOwner(fromHex(owner), { cursor, limit });
      } catch (err) {
        if (err instanceof RangeError)
          throw new RpcError(RpcErrorCode.INVALID_PARAMS, {
            message: "page.cursor is not a cursor returned by a previous page",
          });
        throw err;
      }
      const { assets, nextCursor } = page_;
      return { assets: assets.map((a) => Asset.toJson(a)), nextCursor };
    },
    // From the LookupIndex and the head state in one synchronous call, so a page describes one block.
    filverse_getAssetsByCollection: (p) => {
      expectParamCount(p, 1, 2);
      const collectionId = paramHex(p, 0, "collectionId", 32);
      const pageOpts = pageParam(p, 1);
      const state = node.state;
      if (!state.get(Namespace.Collection, fromHex(collectionId))) return null;
      // Keys are 8-byte big-endian token ids, so the cursor is the last token id as 16 hex digits.
      const page = indexPage(node.lookups.assetsOf(collectionId), pageOpts, 8);
      const collection = fromHex(collectionId);
      return {
        collectionId,
        assets: page.items.flatMap((key) => {
          const a = state.get(Namespace.Asset, assetObjectId(collection, Number.parseInt(key.slice(2), 16)));
          return a ? [Asset.toJson(a)] : [];
        }),
        nextCursor: page.nextCursor,
      };
    },
    filverse_getToken: (p) => {
      expectParamCount(p, 1, 1);
      const id = paramHex(p, 0, "tokenId", 32);
      const t = node.state.get(Namespace.Token, fromHex(id));
      return t ? { id, ...Token.toJson(t) } : null;
    },
    filverse_getTokenBalance: (p) => {
      expectParamCount(p, 2, 2);
      const tokenId = paramHex(p, 0, "tokenId", 32);
      const holder = paramHex(p, 1, "holder", 20);
      const b = node.state.get(Namespace.TokenBalance, tokenBalanceObjectId(fromHex(tokenId), fromHex(holder)));
      return { tokenId, holder, balance: (b?.balance ?? 0n).toString() };
    },
    filverse_getDataAsset: (p) => {
      expectParamCount(p, 1, 2);
      const id = paramHex(p, 0, "dataAssetId", 32);
      const d = node.state.get(Namespace.DataAsset, fromHex(id));
      if (!d) return null;
      const out: Record<string, unknown> = { id, ...DataAsset.toJson(d) };
      if (p.length > 1) {
        const grantee = paramHex(p, 1, "grantee", 20);
        const g = node.state.get(Namespace.AccessGrant, accessGrantObjectId(fromHex(id), fromHex(grantee)));
        out.grant = g
          ? { grantee, expiresAt: String(g.expiresAt), active: Math.floor(Date.now() / 1000) < g.expiresAt }
          : null;
      }
      return out;
    },
    // Both lists come from the chain's LookupIndex and the head state in one synchronous call, so
    // a page always describes one block.
    filverse_getIdentitiesByOwner: (p) => {
      expectParamCount(p, 1, 2);
      const owner = paramHex(p, 0, "owner", 20);
      const page = indexPage(node.lookups.identitiesOf(owner), pageParam(p, 1), 32);
      const state = node.state;
      return {
        identities: page.items.flatMap((id) => {
          const identity = state.get(Namespace.Identity, fromHex(id));
          return identity ? [{ id, ...Identity.toJson(identity) }] : [];
        }),
        nextCursor: page.nextCursor,
      };
    },
    filverse_getTransactionsByAddress: async (p) => {
      expectParamCount(p, 1, 2);
      const address = paramHex(p, 0, "address", 20);
      const { cursor, limit } = pageParam(p, 1);
      let page: Awaited<ReturnType<ReturnType<typeof db>["getTransactionsByAddress"]>>;
      try {
        page = await db().getTransactionsByAddress(fromHex(address), { cursor, limit });
      } catch (err) {
        if (err instanceof RangeError)
          throw new RpcError(RpcErrorCode.INVALID_PARAMS, {
            message: "page.cursor must be a cursor returned by a previous page",
            data: { param: "page.cursor", index: 1, expected: "a nextCursor" },
          });
        throw err;
      }
      // One receipts read per block on the page (a page holds at most 500 entries).
      const receipts = new Map<number, Awaited<ReturnType<ReturnType<typeof db>["getReceipts"]>>>();
      for (const { blockNumber } of page.items) {
        if (!receipts.has(blockNumber)) receipts.set(blockNumber, await db().getReceipts(blockNumber));
      }
      return {
        transactions: page.items.flatMap(({ hash, blockNumber, index }) => {
          // A block a rewind removed between the two reads is left out, not half shown.
          const r = receipts.get(blockNumber)?.[index];
          if (!r || toHex(r.txHash) !== toHex(hash)) return [];
          return [
            {
              hash: toHex(hash),
              blockNumber: String(blockNumber),
              index,
              kind: r.kind,
              status: r.status,
              code: r.code,
            },
          ];
        }),
        nextCursor: page.nextCursor,
      };
    },
    filverse_getCollectionsByCreator: (p) => {
      expectParamCount(p, 1, 2);
      const creator = paramHex(p, 0, "creator", 20);
      const page = indexPage(node.lookups.collectionsOf(creator), pageParam(p, 1), 32);
      const state = node.state;
      return {
        collections: page.items.flatMap((id) => {
          const c = state.get(Namespace.Collection, fromHex(id));
          return c ? [{ id: id as Hex, ...Collection.toJson(c) }] : [];
        }),
        nextCursor: page.nextCursor,
      };
    },
    filverse_getDataAssetGrantees: (p) => {
      expectParamCount(p, 1, 2);
      const id = paramHex(p, 0, "dataAssetId", 32);
      const pageOpts = pageParam(p, 1);
      const state = node.state;
      if (!state.get(Namespace.DataAsset, fromHex(id))) return null;
      const page = indexPage(node.lookups.granteesOf(id), pageOpts, 20);
      const now = Math.floor(Date.now() / 1000);
      return {
        dataAssetId: id,
        grantees: page.items.flatMap((grantee) => {
          const g = state.get(Namespace.AccessGrant, accessGrantObjectId(fromHex(id), fromHex(grantee)));
          return g ? [{ grantee: grantee as Hex, expiresAt: String(g.expiresAt), active: now < g.expiresAt }] : [];
        }),
        nextCursor: page.nextCursor,
      };
    },
  };
}

/** The default `page.limit` of the index-backed lists (as filverse_getAssetsByOwner). */
const DEFAULT_PAGE_LIMIT = 50;

/**
 * One page of an ascending list of hex keys of `keyBytes` bytes: the keys after the cursor (the last
 * key of the previous page; it need not still be in the list). nextCursor is null on the last page.
 */
function indexPage(
  sorted: string[],
  { cursor, limit }: { cursor: string | null; limit: number | undefined },
  keyBytes: number,
): { items: string[]; nextCursor: string | null } {
  if (cursor !== null && cursor.length !== 2 + 2 * keyBytes) {
    throw new RpcError(RpcErrorCode.INVALID_PARAMS, {
      message: "page.cursor must be a cursor returned by a previous page",
      data: { param: "page.cursor", index: 1, expected: "a nextCursor" },
    });
  }
  let start = 0;
  if (cursor !== null) {
    let hi = sorted.length;
    while (start < hi) {
      const mid = (start + hi) >>> 1;
      if (sorted[mid]! <= cursor) start = mid + 1;
      else hi = mid;
    }
  }
  const n = limit ?? DEFAULT_PAGE_LIMIT;
  const items = sorted.slice(start, start + n);
  const more = start + n < sorted.length;
  return { items, nextCursor: more ? items[items.length - 1]! : null };
}

/** The largest `page.limit` of filverse_getAssetsByOwner and the other paged lists. */
const MAX_PAGE_LIMIT = 500;

/**
 * The optional page `{cursor?: string | null, limit?: number}`: exactly what docs/rpc.md says, no
 * coercion (`true`, `"5"` and `[[5]]` are not limits) and no other key.
 */
function pageParam(p: unknown[], index: number): { cursor: string | null; limit: number | undefined } {
  const page = p.length > index ? paramObject(p, index, "page", { optional: true }) : undefined;
  if (page === undefined) return { cursor: null, limit: undefined };
  const bad = (param: string, expected: string, message: string) =>
    new RpcError(RpcErrorCode.INVALID_PARAMS, { message, data: { param, index, expected } });
  for (const key of Object.keys(page)) {
    if (key !== "cursor" && key !== "limit") {
      throw bad(`page.${key}`, "no such key (cursor, limit)", `page has no key "${key.slice(0, 40)}"`);
    }
  }
  const { cursor, limit } = page;
  if (
    limit !== undefined &&
    (typeof limit !== "number" || !Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT)
  ) {
    throw bad("page.limit", `an integer from 1 to ${MAX_PAGE_LIMIT}`, "page.limit must be an integer from 1 to 500");
  }
  if (cursor !== undefined && cursor !== null && (typeof cursor !== "string" || !/^0x[0-9a-f]*$/.test(cursor))) {
    throw bad("page.cursor", "a nextCursor", "page.cursor must be a cursor returned by a previous page");
  }
  return { cursor: cursor ?? null, limit };
}
