/**
 * Forced inclusion on L1: FilverseBridge.forceTransaction queues a signed L2 transaction in the same
 * nonce sequence as deposits, and FilverseRollup rejects a checkpoint whose last block is past a
 * forced transaction's deadline without having consumed it. Also the other L1-message rules of
 * submitCheckpoint (cursor bounds and order, no checkpoint from the future) and the deploy pairing.
 */
import { type Hex, parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadArtifact } from "../../src/artifacts.js";
import {
  bridgeAbi,
  DEFAULT_PARAMS,
  type Env,
  expectRevert,
  FIL,
  makeCheckpoint,
  makeKey,
  registerValidators,
  rollupAbi,
  setupEnv,
  signSorted,
  submitCheckpoint,
} from "./fixture.js";

const [v1, v2, v3] = [makeKey(1), makeKey(2), makeKey(3)];
const user = makeKey(10);
const DELAY = DEFAULT_PARAMS.forceInclusionDelaySec;

let env: Env;
beforeAll(async () => {
  env = await setupEnv();
  await registerValidators(env, [v1!, v2!, v3!]);
  await env.fund(user.address);
}, 60_000);
afterAll(async () => {
  await env?.l1.stop();
});

const now = async () => Number((await env.publicClient.getBlock()).timestamp);
const signed = (index: number, fields: Parameters<typeof makeCheckpoint>[0]) => {
  const cp = makeCheckpoint({
    index,
    validatorSetId: 0,
    firstBlock: index * 32 + 1,
    lastBlock: (index + 1) * 32,
    ...fields,
  });
  return { cp, sigs: signSorted(env, cp, [v1!, v2!, v3!]) };
};

describe("forced inclusion", () => {
  let forcedNonce = 0n;
  let deadline = 0n;

  it("queues a forced transaction in the deposits' nonce sequence, with a deadline", async () => {
    await env.send(user.account, env.bridge, bridgeAbi, "deposit", [user.address], 5n * FIL);
    const bytes: Hex = `0x${"ab".repeat(300)}`;
    const receipt = await env.send(user.account, env.bridge, bridgeAbi, "forceTransaction", [bytes]);
    const [log] = parseEventLogs({ abi: bridgeAbi, logs: receipt.logs, eventName: "TransactionForced" });
    const block = await env.publicClient.getBlock({ blockNumber: receipt.blockNumber });
    const args = log!.args as { nonce: bigint; from: Hex; deadline: bigint; signedTx: Hex };
    expect(args).toEqual({ nonce: 2n, from: user.address, deadline: block.timestamp + BigInt(DELAY), signedTx: bytes });
    expect(await env.read<bigint>(env.bridge, bridgeAbi, "depositCount")).toBe(2n);
    expect(await env.read<bigint>(env.bridge, bridgeAbi, "forcedCount")).toBe(1n);
    forcedNonce = args.nonce;
    deadline = args.deadline;
    // A later deposit takes the next nonce.
    await env.send(user.account, env.bridge, bridgeAbi, "deposit", [user.address], 1n * FIL);
    expect(await env.read<bigint>(env.bridge, bridgeAbi, "depositCount")).toBe(3n);
  });

  it("finds the first forced transaction after any cursor", async () => {
    const first = (cursor: number) => env.read<[bigint, bigint]>(env.bridge, bridgeAbi, "firstForcedAfter", [cursor]);
    expect(await first(0)).toEqual([forcedNonce, deadline]);
    expect(await first(1)).toEqual([forcedNonce, deadline]);
    expect(await first(2)).toEqual([0n, 0n]);
    expect(await first(3)).toEqual([0n, 0n]);
  });

  it("refuses an empty or oversized forced transaction", async () => {
    const max = Number(await env.read<bigint>(env.bridge, bridgeAbi, "MAX_FORCED_TX_BYTES"));
    await expectRevert(
      env.send(user.account, env.bridge, bridgeAbi, "forceTransaction", ["0x"]),
      "BadForcedTransaction",
    );
    await expectRevert(
      env.send(user.account, env.bridge, bridgeAbi, "forceTransaction", [`0x${"00".repeat(max + 1)}`]),
      "BadForcedTransaction",
    );
  });

  it("refuses a checkpoint from the future or past the bridge's queue", async () => {
    const t = await now();
    const future = signed(0, { lastBlockTimestamp: t + 3_600, depositCursor: 1 });
    await expectRevert(submitCheckpoint(env, future.cp, future.sigs), "CheckpointFromFuture");
    const tooFar = signed(0, { lastBlockTimestamp: t, depositCursor: 4 });
    await expectRevert(submitCheckpoint(env, tooFar.cp, tooFar.sigs), "UnknownMessages");
  });

  it("accepts a checkpoint of blocks made before the deadline that has not consumed it (a backlog)", async () => {
    const { cp, sigs } = signed(0, { lastBlockTimestamp: await now(), depositCursor: 1 });
    expect(cp.lastBlockTimestamp).toBeLessThanOrEqual(Number(deadline));
    await submitCheckpoint(env, cp, sigs);
  });

  it("rejects a checkpoint whose last block is past the deadline without the forced transaction", async () => {
    await env.advance(DELAY + 10);
    const t = await now();
    expect(t).toBeGreaterThan(Number(deadline));
    const { cp, sigs } = signed(1, { lastBlockTimestamp: t, depositCursor: 1 });
    const revert = await expectRevert(submitCheckpoint(env, cp, sigs), "ForcedInclusionMissed");
    expect(revert.data?.args).toEqual([forcedNonce, deadline]);
  });

  it("refuses a cursor that goes back", async () => {
    const { cp, sigs } = signed(1, { lastBlockTimestamp: Number(deadline), depositCursor: 0 });
    await expectRevert(submitCheckpoint(env, cp, sigs), "CursorWentBack");
  });

  it("accepts the checkpoint once it has consumed the forced transaction", async () => {
    const { cp, sigs } = signed(1, { lastBlockTimestamp: await now(), depositCursor: 2 });
    await submitCheckpoint(env, cp, sigs);
    expect(await env.read<bigint>(env.rollup, rollupAbi, "nextCheckpointIndex")).toBe(2n);
  });
});

describe("deployment pairing", () => {
  it("the bridge refuses a rollup that names another bridge", async () => {
    const { abi, bytecode } = loadArtifact("FilverseBridge");
    const err = await env.walletClient
      .deployContract({
        abi,
        bytecode: bytecode as Hex,
        args: [env.rollup, 60n, 0n],
        account: env.deployer,
        chain: env.walletClient.chain,
      })
      .then(
        () => null,
        (e: unknown) => e as Error,
      );
    expect(err?.message).toMatch(/RollupMismatch|reverted/);
    expect((await env.read<Hex>(env.rollup, rollupAbi, "bridge")).toLowerCase()).toBe(env.bridge.toLowerCase());
  });
});
