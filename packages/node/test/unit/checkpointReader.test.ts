/**
 * filverse_getCheckpoint's reader against a real rollup on the hardhat L1 with the dispute game wired
 * in (as rewindWatcher.test.ts wires it): a checkpoint's stored fields and the transaction that
 * submitted it, its challenge window with the seconds left, a game on it (disputed), a game on an
 * earlier one holding it back once its window is over, and final; the RPC method's typed errors.
 */

import { toHex } from "@filverse/utils";
import { type Abi, type Address, HttpRequestError } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Chain, chainAfter, challengeOf } from "../../../l1/test/unit/disputeFixture.js";
import { DEFAULT_PARAMS, type Env, type Key, rollupAbi } from "../../../l1/test/unit/fixture.js";
import { CHALLENGE_BOND, setupGameEnv, submitChain } from "../../../l1/test/unit/gameFixture.js";
import { createRpcHandlers } from "../../src/api/index.js";
import { createCheckpointReader } from "../../src/node/checkpointReader.js";

let env: Env;
let gameAbi: Abi;
let game: Address;
let validators: Key[];
let challenger: Address;

beforeAll(async () => {
  ({ env, gameAbi, game, validators, challenger } = await setupGameEnv({ wire: true }));
}, 180_000);
afterAll(async () => {
  await env?.l1.stop();
});

/** Checkpoint `index` over `chain`, signed by every validator and submitted: its receipt. */
const submit = async (chain: Chain, index: number) => (await submitChain(env, validators, chain, index)).receipt;

describe("createCheckpointReader", () => {
  it("reads a checkpoint's submission, its window, a game on it, a game holding it back, and finality", async () => {
    const reader = createCheckpointReader({ rollup: env.rollup, startBlock: 0n }, { l1: env, deals: () => null });
    expect(await reader.get(null)).toBe(null);
    const chain0 = chainAfter(0, null);
    const chain1 = chainAfter(1, chain0);
    const chain2 = chainAfter(2, chain1);
    const receipts = [await submit(chain0, 0), await submit(chain1, 1), await submit(chain2, 2)];

    const first = (await reader.get(0))!;
    const window = DEFAULT_PARAMS.challengeWindowSec;
    expect(first).toMatchObject({
      index: "0",
      count: "3",
      firstBlock: "1",
      lastBlock: "4",
      lastBlockHash: toHex(chain0.hashes.at(-1)!),
      l1TxHash: receipts[0]!.transactionHash,
      l1BlockNumber: String(receipts[0]!.blockNumber),
      status: "pending",
      challengeWindowEnds: String(BigInt(first.acceptedAt) + BigInt(window)),
      openDisputes: 0,
      lowestDisputed: null,
      storage: null,
    });
    // Its signers, recovered from the submission's CheckpointSignatures log, weighed by the rollup.
    const weights = await Promise.all(
      validators.map((k) => env.read<bigint>(env.rollup, rollupAbi, "weightOf", [k.address])),
    );
    const expectedSigners = validators
      .map((k, i) => ({ address: k.address.toLowerCase(), weight: String(weights[i]) }))
      .sort((a, b) => (a.address < b.address ? -1 : 1));
    expect(weights.every((w) => w > 0n)).toBe(true);
    expect(first.signers).toEqual(expectedSigners);
    expect(first.signedWeight).toBe(String(weights.reduce((a, b) => a + b, 0n)));
    expect(first.totalWeight).toBe(String(await env.read<bigint>(env.rollup, rollupAbi, "totalWeight")));
    expect(first.secondsLeft).toBe(Number(first.challengeWindowEnds) - Number(first.l1Time));
    expect(first.secondsLeft).toBeGreaterThan(window - 60);
    const latest = (await reader.get(null))!;
    expect(latest).toMatchObject({ index: "2", l1TxHash: receipts[2]!.transactionHash, firstBlock: "9" });
    expect(await reader.get(3)).toBe(null);

    // A game on checkpoint 1: it is disputed; 0 is not; 2 is still in its window.
    await env.send(challenger, game, gameAbi, "challenge", [challengeOf(chain1, 1, 7)], CHALLENGE_BOND);
    expect(await reader.get(1)).toMatchObject({ status: "disputed", openDisputes: 1, lowestDisputed: "1" });
    expect(await reader.get(0)).toMatchObject({ status: "pending", openDisputes: 0, lowestDisputed: "1" });
    expect(await reader.get(2)).toMatchObject({ status: "pending", openDisputes: 0 });

    // Past the window: 0 is final; the open game on 1 holds 2 back.
    await env.advance(window + 10);
    expect(await reader.get(0)).toMatchObject({
      status: "final",
      secondsLeft: 0,
      l1TxHash: receipts[0]!.transactionHash,
    });
    expect(await reader.get(1)).toMatchObject({ status: "disputed", openDisputes: 1, secondsLeft: 0 });
    expect(await reader.get(2)).toMatchObject({ status: "disputed", openDisputes: 0, lowestDisputed: "1" });

    // A checkpoint of another length than the interval (the rollup takes any range that links):
    // its range is read from the rollup, not guessed from the interval.
    await submit(chainAfter(3, chain2, 13, 14), 3);
    expect(await reader.get(3)).toMatchObject({ index: "3", firstBlock: "13", lastBlock: "14" });

    // A page: newest first, each as get() reads it, from one L1 view; a fresh reader (no cache) too.
    const cold = createCheckpointReader({ rollup: env.rollup, startBlock: 0n }, { l1: env, deals: () => null });
    for (const r of [reader, cold]) {
      const page = await r.page(null, 10);
      expect(page.count).toBe(4);
      expect(page.checkpoints.map((c) => c.index)).toEqual(["3", "2", "1", "0"]);
      expect(page.checkpoints.map((c) => c.l1TxHash)).toEqual([
        (await reader.get(3))!.l1TxHash,
        ...[2, 1, 0].map((i) => receipts[i]!.transactionHash),
      ]);
      expect(page.checkpoints.every((c) => c.signers?.length === 3 && c.l1Head === page.checkpoints[0]!.l1Head)).toBe(
        true,
      );
      expect((await r.page(2, 1)).checkpoints.map((c) => c.index)).toEqual(["1"]);
    }

    // A withdrawal on the bridge: none finalized here; a reader without the bridge does not read it.
    const withBridge = createCheckpointReader(
      { rollup: env.rollup, bridge: env.bridge, startBlock: 0n },
      { l1: env, deals: () => null },
    );
    expect(await withBridge.withdrawal(0)).toMatchObject({ finalized: false, queued: null });
    expect(await reader.withdrawal(0)).toBe(null);

    // Over the RPC: the same answer; a bad index and a node without a rollup get typed errors.
    const ctx = {} as never;
    const rpc = createRpcHandlers({} as never, null, null, null, reader);
    expect(await rpc.filverse_getCheckpoint(["0"], ctx)).toMatchObject({ index: "0", status: "final" });
    expect(await rpc.filverse_getCheckpoint(["latest"], ctx)).toMatchObject({ index: "3" });
    expect(await rpc.filverse_getCheckpoint(["7"], ctx)).toBe(null);
    await expect(Promise.resolve().then(() => rpc.filverse_getCheckpoint(["-1"], ctx))).rejects.toMatchObject({
      code: -32602,
    });
    const none = createRpcHandlers({} as never);
    await expect(Promise.resolve().then(() => none.filverse_getCheckpoint([], ctx))).rejects.toMatchObject({
      code: -32017,
    });
  }, 180_000);

  it("finds the submission across null rounds (L1 epochs with no block, which Lotus answers with an error)", async () => {
    // Checkpoint 0, submitted by the test above, as a reader that sees every block reads it.
    const plain = createCheckpointReader({ rollup: env.rollup, startBlock: 0n }, { l1: env, deals: () => null });
    const { l1TxHash, l1BlockNumber } = (await plain.get(0))!;
    const head = await env.publicClient.getBlockNumber();
    // Every block but the submission's and the head is a null round.
    const isNull = (n: bigint) => n !== BigInt(l1BlockNumber!) && n !== head;
    const publicClient = new Proxy(env.publicClient, {
      get(target, key, receiver) {
        const v = Reflect.get(target, key, receiver);
        if (key === "getBlockNumber") return async () => head;
        if (key !== "getBlock") return typeof v === "function" ? v.bind(target) : v;
        return async (args: { blockNumber?: bigint; blockTag?: string }) => {
          if (args.blockNumber === undefined) return target.getBlock({ blockNumber: head });
          if (isNull(args.blockNumber)) {
            throw new Error(`requested epoch was a null round (${args.blockNumber})`);
          }
          return target.getBlock(args as never);
        };
      },
    });
    const reader = createCheckpointReader(
      { rollup: env.rollup, startBlock: 0n },
      { l1: { ...env, publicClient } as never, deals: () => null },
    );
    expect(await reader.get(0)).toMatchObject({ index: "0", l1TxHash, l1BlockNumber });
    expect(l1TxHash).not.toBe(null);
  }, 180_000);

  it("shows a checkpoint without signers when the L1 cannot weigh them at the submission's block, and weighs them later", async () => {
    let pruned = true;
    const publicClient = new Proxy(env.publicClient, {
      get(target, key, receiver) {
        const v = Reflect.get(target, key, receiver);
        if (key !== "readContract") return typeof v === "function" ? v.bind(target) : v;
        return async (args: { functionName: string }) => {
          if (pruned && args.functionName === "weightOf") {
            throw new HttpRequestError({ url: "http://127.0.0.1", details: "state pruned" });
          }
          return target.readContract(args as never);
        };
      },
    });
    const reader = createCheckpointReader(
      { rollup: env.rollup, startBlock: 0n },
      { l1: { ...env, publicClient } as never, deals: () => null },
    );
    const first = (await reader.get(0))!;
    expect(first.l1TxHash).not.toBe(null);
    expect(first).toMatchObject({ signers: null, signedWeight: null, totalWeight: null });
    pruned = false;
    expect((await reader.get(0))!.signers).toHaveLength(3);
  }, 180_000);
});
