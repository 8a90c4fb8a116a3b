/**
 * Reads of the head state (accounts at a recent block): accounts, collections, assets, tokens,
 * data assets, and the lists the database indexes in each block's own batch (identities by owner,
 * grantees of a data asset, collections by creator, assets of a collection, tokens by holder, the
 * transactions that name an address). A page is read from one database snapshot.
 */
import { LookupKind } from "@filverse/db";
import { expectParamCount, paramBlockTag, paramHex, paramObject, paramUint, RpcError } from "@filverse/rpc";
import { accessGrantObjectId, assetObjectId, tokenBalanceObjectId } from "@filverse/state";
import {
  type AccessGrantRecord,
  Asset,
  Collection,
  DataAsset,
  Identity,
  Namespace,
  RpcErrorCode,
  Token,
  type TokenBalance,
} from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
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
  | "filverse_getTokensByHolder"
>;

export function stateApi({ node }: ApiModules): StateApi {
  const db = () => node.db;
  /** A page of a database lookup index; a cursor of the wrong width is a bad param. */
  const lookupPage = async (
    kind: LookupKind,
    scope: Uint8Array,
    page: { cursor: string | null; limit: number | undefined },
  ) => {
    try {
      return await db().getLookupPage(kind, scope, page);
    } catch (err) {
      if (err instanceof RangeError) throw badCursor();
      throw err;
    }
  };
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
    filverse_getAssetsByCollection: async (p) => {
      expectParamCount(p, 1, 2);
      const collectionId = paramHex(p, 0, "collectionId", 32);
      const pageOpts = pageParam(p, 1);
      if (!node.state.get(Namespace.Collection, fromHex(collectionId))) return null;
      // The cursor is the last token id as u64be hex (16 digits).
      const page = await lookupPage(LookupKind.AssetsByCollection, fromHex(collectionId), pageOpts);
      return {
        collectionId,
        assets: page.items.map((i) => Asset.toJson(i.value as Asset)),
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
    filverse_getIdentitiesByOwner: async (p) => {
      expectParamCount(p, 1, 2);
      const owner = paramHex(p, 0, "owner", 20);
      const page = await lookupPage(LookupKind.IdentitiesByOwner, fromHex(owner), pageParam(p, 1));
      return {
        identities: page.items.map((i) => ({ id: toHex(i.id), ...Identity.toJson(i.value as Identity) })),
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
    filverse_getCollectionsByCreator: async (p) => {
      expectParamCount(p, 1, 2);
      const creator = paramHex(p, 0, "creator", 20);
      const page = await lookupPage(LookupKind.CollectionsByCreator, fromHex(creator), pageParam(p, 1));
      return {
        collections: page.items.map((i) => ({ id: toHex(i.id), ...Collection.toJson(i.value as Collection) })),
        nextCursor: page.nextCursor,
      };
    },
    filverse_getDataAssetGrantees: async (p) => {
      expectParamCount(p, 1, 2);
      const id = paramHex(p, 0, "dataAssetId", 32);
      const pageOpts = pageParam(p, 1);
      if (!node.state.get(Namespace.DataAsset, fromHex(id))) return null;
      const page = await lookupPage(LookupKind.GranteesOfDataAsset, fromHex(id), pageOpts);
      const now = Math.floor(Date.now() / 1000);
      return {
        dataAssetId: id,
        grantees: page.items.map((i) => {
          const { expiresAt } = i.value as AccessGrantRecord;
          return { grantee: toHex(i.ref), expiresAt: String(expiresAt), active: now < expiresAt };
        }),
        nextCursor: page.nextCursor,
      };
    },
    filverse_getTokensByHolder: async (p) => {
      expectParamCount(p, 1, 2);
      const holder = paramHex(p, 0, "holder", 20);
      const page = await lookupPage(LookupKind.TokensByHolder, fromHex(holder), pageParam(p, 1));
      const state = node.state;
      return {
        holder,
        tokens: page.items.map((i) => {
          // A token is never deleted, so the head state has the token of every balance.
          const t = state.get(Namespace.Token, i.ref);
          return {
            tokenId: toHex(i.ref),
            balance: (i.value as TokenBalance).balance.toString(),
            name: t?.name ?? null,
            symbol: t?.symbol ?? null,
            decimals: t?.decimals ?? null,
          };
        }),
        nextCursor: page.nextCursor,
      };
    },
  };
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

function badCursor(): RpcError {
  return new RpcError(RpcErrorCode.INVALID_PARAMS, {
    message: "page.cursor must be a cursor returned by a previous page",
    data: { param: "page.cursor", index: 1, expected: "a nextCursor" },
  });
}
