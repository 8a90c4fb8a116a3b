/**
 * Checkpoints on the L1 rollup with their L1 transaction, status and deal state (docs/rpc.md,
 * filverse_getCheckpoint and filverse_getCheckpoints); both read through node/checkpointReader.ts.
 */
import { expectParamCount, paramUint, RpcError } from "@filverse/rpc";
import { RpcErrorCode } from "@filverse/types";
import { BaseError } from "viem";
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

/**
 * Runs an L1 read: a failure of the L1 node or the contract call (viem's errors: transport, RPC,
 * reverted or undecodable call) is -32017, the L1 being unavailable; anything else is our bug and
 * goes on as it is (-32603). viem's own argument-encoding errors are ours too.
 */
export async function fromL1<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof BaseError && !isEncodingError(err)) {
      throw new RpcError(RpcErrorCode.UNAVAILABLE, { message: "The checkpoint could not be read from L1", cause: err });
    }
    throw err;
  }
}

/** viem's errors for arguments it cannot encode: the caller's (our) bug, not the L1's. */
function isEncodingError(err: BaseError): boolean {
  return (
    err.walk((e) =>
      /^(AbiEncoding|InvalidAddress|InvalidAbiEncodingType|IntegerOutOfRange)/.test((e as Error).name),
    ) !== null
  );
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
