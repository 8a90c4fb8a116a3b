/** L1 errors for a person: a revert names the contract's decoded reason, an unfunded account and a down L1 say so. */
import {
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  encodeErrorResult,
  HttpRequestError,
  InsufficientFundsError,
  parseAbi,
} from "viem";
import { describe, expect, it, vi } from "vitest";
import { L1RevertedError, onL1, revertReason } from "../../src/commands/bridge.js";
import { EXIT, reportError } from "../../src/output.js";

const abi = parseAbi([
  "function finalizeWithdrawal(uint64 index)",
  "error NotFinal(uint64 checkpointIndex)",
  "error AlreadyFinalized()",
  "error Error(string)",
]);

function reverted(data: `0x${string}`): Error {
  const cause = new ContractFunctionRevertedError({ abi, data, functionName: "finalizeWithdrawal" });
  return new ContractFunctionExecutionError(cause, { abi, functionName: "finalizeWithdrawal", args: [7n] });
}

const failWith = (err: Error) => onL1(() => Promise.reject(err));

describe("L1 errors", () => {
  it("a custom error with its arguments, one without, and a require message", async () => {
    const notFinal = reverted(encodeErrorResult({ abi, errorName: "NotFinal", args: [3n] }));
    expect(revertReason(notFinal)).toBe("NotFinal: checkpointIndex 3");
    await expect(failWith(notFinal)).rejects.toMatchObject({
      code: "CLI_USAGE",
      shortMessage: expect.stringMatching(/^L1: .*reverted.* \(NotFinal: checkpointIndex 3\)$/),
    });
    const done = reverted(encodeErrorResult({ abi, errorName: "AlreadyFinalized" }));
    await expect(failWith(done)).rejects.toMatchObject({
      shortMessage: expect.stringMatching(/^L1: .*\(AlreadyFinalized\)$/),
    });
    const req = reverted(encodeErrorResult({ abi, errorName: "Error", args: ["bridge paused"] }));
    expect(revertReason(req)).toBe("bridge paused");
    await expect(failWith(req)).rejects.toMatchObject({ shortMessage: expect.stringContaining("(bridge paused)") });
  });

  it("an account that cannot pay for gas, an L1 that is down, anything else as viem says it", async () => {
    await expect(failWith(new InsufficientFundsError())).rejects.toMatchObject({
      shortMessage: "L1: the account cannot pay for gas: its L1 balance is too low",
    });
    const down = new HttpRequestError({ url: "http://127.0.0.1:1", details: "fetch failed" });
    await expect(failWith(down)).rejects.toMatchObject({
      shortMessage: "L1: cannot reach the L1 node at http://127.0.0.1:1",
    });
    expect(revertReason(down)).toBeNull();
    // Not a viem error: passed on untouched (a bug, exit 2).
    const bug = new TypeError("x is undefined");
    await expect(failWith(bug)).rejects.toBe(bug);
  });

  it("a mined transaction that reverted exits 4 like a failed L2 transaction; a refusal before sending exits 1", () => {
    const write = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const mined = new L1RevertedError(
        "L1_TX_REVERTED",
        "L1: finalizeWithdrawal was mined in L1 block 9 but reverted",
        {
          details: { l1TxHash: "0x01", reason: "AlreadyFinalized" },
        },
      );
      expect(reportError(mined, true)).toBe(EXIT.TX_FAILED);
      expect(JSON.parse(String(write.mock.calls.at(-1)![0]))).toMatchObject({
        error: { code: "L1_TX_REVERTED", details: { l1TxHash: "0x01", reason: "AlreadyFinalized" } },
      });
      expect(reportError(mined, false)).toBe(4);
      expect(String(write.mock.calls.at(-2)![0])).toBe(
        "error: L1: finalizeWithdrawal was mined in L1 block 9 but reverted\n",
      );
    } finally {
      write.mockRestore();
    }
  });
});
