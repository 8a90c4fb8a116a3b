/**
 * BlockExecutor.finishInSlices (a sequencer sealing in pieces, its event loop served between them)
 * gives exactly finish()'s result: the same roots, objects and withdrawals, however small the slices.
 */
import { makeKey, sequencer, TestChain } from "@filverse/test-utils";
import { TxKind } from "@filverse/types";
import { toHex } from "@filverse/utils";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type BlockExecutionResult, BlockExecutor } from "../../src/executor.js";
import { validateTransaction } from "../../src/validate.js";

const CHAIN_ID = 3_141_592_601;
const keys = Array.from({ length: 6 }, (_, i) => makeKey(10 + i, `user${i}`));

/** One block of transfers and withdrawals among the keys, executed by a fresh executor on `chain`'s head. */
function execute(chain: TestChain, moves: [number, number, number][]): BlockExecutor {
  const ex = new BlockExecutor(chain.state, {
    chainId: CHAIN_ID,
    timestamp: chain.timestamp + 1,
    proposer: sequencer.address,
    minTxFee: 1n,
  });
  for (const tx of signed(chain, moves)) ex.applyTransaction(validateTransaction(tx, CHAIN_ID));
  return ex;
}

/** The signed transactions of `moves`, signed once per chain (nonces advance as they are signed). */
const signedCache = new WeakMap<TestChain, ReturnType<TestChain["sign"]>[]>();
function signed(chain: TestChain, moves: [number, number, number][]): ReturnType<TestChain["sign"]>[] {
  let txs = signedCache.get(chain);
  if (!txs) {
    txs = moves.map(([from, to, kind]) =>
      kind === 0
        ? chain.sign(keys[from]!, TxKind.Withdraw, { l1Recipient: keys[to]!.address, amount: 1n + BigInt(to) })
        : chain.sign(keys[from]!, TxKind.Transfer, { to: makeKey(100 + to * 7 + kind, "new").address, amount: 3n }),
    );
    signedCache.set(chain, txs);
  }
  return txs;
}

function summary(r: BlockExecutionResult) {
  const hex = (b: Uint8Array) => toHex(b);
  return {
    roots: Object.fromEntries(Object.entries(r.roots).map(([k, v]) => [k, hex(v)])),
    objects: r.state.objects.size,
    changes: r.changes.map((c) => hex(c.key)),
    withdrawals: r.withdrawals.map((w) => w.index),
    stateWithdrawals: Array.from(
      { length: r.state.globals().withdrawalCount },
      (_, i) => r.state.withdrawal(i)?.amount,
    ),
    fees: r.fees,
  };
}

describe("BlockExecutor.finishInSlices", () => {
  it("gives finish()'s roots, objects and withdrawals for any slice size, pausing between the pieces", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(5), fc.nat(5), fc.nat(3)), { minLength: 0, maxLength: 24 }),
        fc.integer({ min: 1, max: 8 }),
        async (moves, slice) => {
          const chain = new TestChain();
          chain.fund(keys);
          const whole = execute(chain, moves).finish();
          let pauses = 0;
          const sliced = await execute(chain, moves).finishInSlices(async () => {
            pauses++;
            await new Promise((r) => setImmediate(r));
          }, slice);
          expect(summary(sliced)).toEqual(summary(whole));
          // One pause per full slice before the last piece, then before each root.
          expect(pauses).toBe(Math.max(0, Math.ceil(whole.changes.length / slice) - 1) + 2);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("refuses a slice that is not a positive integer", async () => {
    const chain = new TestChain();
    chain.fund(keys);
    await expect(execute(chain, []).finishInSlices(async () => {}, 0)).rejects.toThrow(RangeError);
  });
});
