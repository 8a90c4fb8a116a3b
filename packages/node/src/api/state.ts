/**
 * Reads of the head state (accounts at a recent block): accounts, collections, assets, tokens,
 * data assets.
 */
import { expectParamCount, paramBlockTag, paramHex, paramObject, paramUint, RpcError } from "@filverse/rpc";
import { accessGrantObjectId, assetObjectId, tokenBalanceObjectId } from "@filverse/state";
import { Asset, Collection, DataAsset, Namespace, RpcErrorCode, Token } from "@filverse/types";
import { fromHex } from "@filverse/utils";
import { stateAtTag } from "./reads.js";
import type { ApiModules, RpcHandlers } from "./types.js";

export type StateApi = Pick<
  RpcHandlers,
  | "filverse_getAccount"
  | "filverse_getCollection"
  | "filverse_getAsset"
  | "filverse_getAssetsByOwner"
  | "filverse_getToken"
  | "filverse_getTokenBalance"
  | "filverse_getDataAsset"
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
  };
}

/** The largest `page.limit` of filverse_getAssetsByOwner. */
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
