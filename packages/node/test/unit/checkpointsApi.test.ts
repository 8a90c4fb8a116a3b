/**
 * filverse_getCheckpoint(s)' error mapping: a failure of the L1 (viem's transport and contract
 * errors) is -32017 UNAVAILABLE; any other error is the node's own bug and is not disguised as an
 * unavailable L1 (the server answers it -32603).
 */
import { RpcError } from "@filverse/rpc";
import { RpcErrorCode } from "@filverse/types";
import { ContractFunctionExecutionError, HttpRequestError, InvalidAddressError } from "viem";
import { describe, expect, it } from "vitest";
import { createRpcHandlers } from "../../src/api/index.js";
import type { CheckpointReader } from "../../src/api/types.js";

const ctx = {} as never;

/** A reader whose every read fails with `err`. */
function failing(err: Error) {
  const reader: CheckpointReader = {
    get: async () => {
      throw err;
    },
    page: async () => {
      throw err;
    },
    withdrawal: async () => {
      throw err;
    },
  };
  return createRpcHandlers({} as never, null, null, null, reader);
}

describe("checkpoint reads: which failures are the L1's", () => {
  it.each([
    ["an HTTP failure", new HttpRequestError({ url: "http://127.0.0.1:1", details: "connection refused" })],
    [
      "a reverted call",
      new ContractFunctionExecutionError(new Error("execution reverted") as never, {
        abi: [],
        functionName: "getCheckpoint",
      }),
    ],
  ])("%s is -32017", async (_what, err) => {
    const rpc = failing(err);
    const calls: (() => unknown)[] = [
      () => rpc.filverse_getCheckpoint(["0"], ctx),
      () => rpc.filverse_getCheckpoints([], ctx),
    ];
    for (const call of calls) {
      const thrown = await Promise.resolve()
        .then(call)
        .catch((e: unknown) => e);
      expect(thrown).toBeInstanceOf(RpcError);
      expect((thrown as RpcError).code).toBe(RpcErrorCode.UNAVAILABLE);
    }
  });

  it.each([
    ["a TypeError", new TypeError("Cannot read properties of undefined")],
    ["viem refusing an argument the node built", new InvalidAddressError({ address: "0x12" })],
  ])("%s is not (it stays the node's error, -32603)", async (_what, err) => {
    const rpc = failing(err);
    const thrown = await Promise.resolve()
      .then(() => rpc.filverse_getCheckpoint(["0"], ctx))
      .catch((e: unknown) => e);
    expect(thrown).toBe(err);
  });
});
