/** A checkpoint on the L1 rollup with its L1 transaction, finality and deal state (docs/rpc.md, filverse_getCheckpoint). */
import { expectParamCount, paramUint, RpcError } from "@filverse/rpc";
import { RpcErrorCode } from "@filverse/types";
import type { ApiModules, RpcHandlers } from "./types.js";

export type CheckpointsApi = Pick<RpcHandlers, "filverse_getCheckpoint">;

export function checkpointsApi({ checkpoints }: ApiModules): CheckpointsApi {
  return {
    filverse_getCheckpoint: async (p) => {
      expectParamCount(p, 0, 1);
      const index = p[0] === undefined || p[0] === null || p[0] === "latest" ? null : paramUint(p, 0, "index");
      if (!checkpoints) {
        throw new RpcError(RpcErrorCode.UNAVAILABLE, {
          message: "This node has no L1 rollup (no `l1.rollup` in its config)",
        });
      }
      try {
        return await checkpoints.get(index);
      } catch (err) {
        throw new RpcError(RpcErrorCode.UNAVAILABLE, {
          message: "The checkpoint could not be read from L1",
          cause: err,
        });
      }
    },
  };
}
