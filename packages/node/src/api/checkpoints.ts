/**
 * Checkpoints on the L1 rollup with their L1 transaction, status and deal state (docs/rpc.md,
 * filverse_getCheckpoint and filverse_getCheckpoints); both read through node/checkpointReader.ts.
 */
import { expectParamCount, paramUint, RpcError } from "@filverse/rpc";
import { RpcErrorCode } from "@filverse/types";
import type { ApiModules, CheckpointReader, RpcHandlers } from "./types.js";

export type CheckpointsApi = Pick<RpcHandlers, "filverse_getCheckpoint" | "filverse_getCheckpoints">;

/** Checkpoints per page: each is several L1 reads. */
export const MAX_CHECKPOINTS_PER_PAGE = 50;
export const DEFAULT_CHECKPOINTS_PER_PAGE = 10;

function reader(checkpoints: CheckpointReader | null): CheckpointReader {
  if (!checkpoints) {
    throw new RpcError(RpcErrorCode.UNAVAILABLE, {
      message: "This node has no L1 rollup (no `l1.rollup` in its config)",
    });
  }
  return checkpoints;
}

async function fromL1<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    throw new RpcError(RpcErrorCode.UNAVAILABLE, { message: "The checkpoint could not be read from L1", cause: err });
  }
}

export function checkpointsApi({ checkpoints }: ApiModules): CheckpointsApi {
  return {
    filverse_getCheckpoint: async (p) => {
      expectParamCount(p, 0, 1);
      const index = p[0] === undefined || p[0] === null || p[0] === "latest" ? null : paramUint(p, 0, "index");
      const r = reader(checkpoints);
      return fromL1(() => r.get(index));
    },
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
      const r = reader(checkpoints);
      const page = await fromL1(() => r.page(before, limit));
      const lowest = page.checkpoints[page.checkpoints.length - 1];
      return {
        checkpoints: page.checkpoints.map((c) => ({
          ...c,
          final: c.status === "final",
          stored: c.storage ? c.storage.stored : null,
        })),
        count: String(page.count),
        next: lowest && lowest.index !== "0" ? lowest.index : null,
      };
    },
  };
}
