/** The fault-proof games of the dispute game this node plays, read from L1 (docs/rpc.md, filverse_getDisputes). */
import { expectParamCount, paramUint, RpcError } from "@filverse/rpc";
import { type DisputeJson, RpcErrorCode } from "@filverse/types";
import type { ApiModules, RpcHandlers } from "./types.js";

export type DisputesApi = Pick<RpcHandlers, "filverse_getDisputes" | "filverse_getDispute">;

/** Games per filverse_getDisputes page: each is one L1 read. */
export const MAX_DISPUTES_PER_PAGE = 100;
export const DEFAULT_DISPUTES_PER_PAGE = 20;
/** Nodes returned per game by filverse_getDispute: each is two L1 reads (an honest game has at most 36). */
export const MAX_DISPUTE_NODES = 256;

export function disputesApi({ disputes }: ApiModules): DisputesApi {
  const need = () => {
    if (!disputes) {
      throw new RpcError(RpcErrorCode.UNAVAILABLE, {
        message: "This node plays no dispute game (no `dispute` section in its config)",
      });
    }
    return disputes;
  };
  const l1Failed = (err: unknown) =>
    new RpcError(RpcErrorCode.UNAVAILABLE, { message: "The dispute game could not be read from L1", cause: err });
  return {
    filverse_getDisputes: async (p) => {
      expectParamCount(p, 0, 2);
      const from = paramUint(p, 0, "fromId", { optional: true }) ?? 0;
      const limit = paramUint(p, 1, "limit", { optional: true }) ?? DEFAULT_DISPUTES_PER_PAGE;
      if (limit < 1 || limit > MAX_DISPUTES_PER_PAGE) {
        throw new RpcError(RpcErrorCode.INVALID_PARAMS, {
          message: `limit must be 1 to ${MAX_DISPUTES_PER_PAGE}, got ${limit}`,
          data: { max: MAX_DISPUTES_PER_PAGE },
        });
      }
      const d = need();
      try {
        const { games, count } = await d.list(from, limit);
        const next = from + games.length < count ? String(from + games.length) : null;
        return { disputes: games, next };
      } catch (err) {
        throw l1Failed(err);
      }
    },
    filverse_getDispute: async (p) => {
      expectParamCount(p, 1);
      const id = paramUint(p, 0, "id");
      const d = need();
      try {
        return await d.get(id, MAX_DISPUTE_NODES);
      } catch (err) {
        throw l1Failed(err);
      }
    },
  };
}

export type { DisputeJson };
