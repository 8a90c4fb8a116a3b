/** The checkpoints the L1 rollup accepted, newest first (docs/rpc.md, filverse_getCheckpoints). */
import { expectParamCount, paramUint, RpcError } from "@filverse/rpc";
import { RpcErrorCode } from "@filverse/types";
import type { ApiModules, RpcHandlers } from "./types.js";

export type CheckpointsApi = Pick<RpcHandlers, "filverse_getCheckpoints">;

/** Checkpoints per page: each costs two L1 reads. */
export const MAX_CHECKPOINTS_PER_PAGE = 50;
export const DEFAULT_CHECKPOINTS_PER_PAGE = 10;

export function checkpointsApi({ checkpoints, settlement }: ApiModules): CheckpointsApi {
  return {
    filverse_getCheckpoints: async (p) => {
      expectParamCount(p, 0, 2);
      const limit = paramUint(p, 0, "limit", { optional: true }) ?? DEFAULT_CHECKPOINTS_PER_PAGE;
      if (limit < 1 || limit > MAX_CHECKPOINTS_PER_PAGE) {
        throw new RpcError(RpcErrorCode.INVALID_PARAMS, {
          message: `limit must be 1 to ${MAX_CHECKPOINTS_PER_PAGE}, got ${limit}`,
          data: { max: MAX_CHECKPOINTS_PER_PAGE },
        });
      }
      const before = paramUint(p, 1, "before", { optional: true }) ?? null;
      if (!checkpoints) {
        throw new RpcError(RpcErrorCode.UNAVAILABLE, {
          message: "This node follows no L1 rollup (no l1.rollup in its config)",
        });
      }
      let page: Awaited<ReturnType<typeof checkpoints.page>>;
      try {
        page = await checkpoints.page(before, limit);
      } catch (err) {
        throw new RpcError(RpcErrorCode.UNAVAILABLE, { message: "The rollup could not be read from L1", cause: err });
      }
      const stored = settlement?.storedBlock?.() ?? null;
      const lowest = page.checkpoints[page.checkpoints.length - 1];
      return {
        checkpoints: page.checkpoints.map((c) => ({
          index: String(c.index),
          firstBlock: String(c.firstBlock),
          lastBlock: String(c.lastBlock),
          stateRoot: c.stateRoot,
          withdrawalsRoot: c.withdrawalsRoot,
          lastBlockHash: c.lastBlockHash,
          pieceCid: c.pieceCid,
          acceptedAt: String(c.acceptedAt),
          final: c.final,
          stored: stored === null ? null : c.lastBlock <= stored,
          l1TxHash: c.l1TxHash,
          l1BlockNumber: c.l1BlockNumber === null ? null : String(c.l1BlockNumber),
        })),
        count: String(page.count),
        next: lowest && lowest.index > 0 ? String(lowest.index) : null,
      };
    },
  };
}
