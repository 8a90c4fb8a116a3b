/** FilverseRollup: validator set, checkpoint quorum (weight = collateral, ≥ 2/3), signature rules, digest parity. */
import { toHex } from "@filverse/utils";
import { type Hex, parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkpointContentHash,
  checkpointDigest,
  checkpointToAbi,
  orderCheckpointSignatures,
  signCheckpoint,
} from "../../src/checkpoint.js";
import {
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

const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const [v1, v2, v3, v4] = [makeKey(1), makeKey(2), makeKey(3), makeKey(4)];
const outsider = makeKey(99);

let env: Env;
beforeAll(async () => {
  env = await setupEnv();
  await registerValidators(env, [v1!, v2!, v3!]);
}, 60_000);
afterAll(async () => {
  await env?.l1.stop();
});

const setId = () => env.read<bigint>(env.rollup, rollupAbi, "validatorSetId");
const nextIndex = () => env.read<bigint>(env.rollup, rollupAbi, "nextCheckpointIndex");

describe("FilverseRollup checkpoints", () => {
  it("computes the same digest as checkpointDigest in TypeScript", async () => {
    for (const cp of [
      makeCheckpoint(),
      makeCheckpoint({ index: 7, pieceCid: "", payloadCid: "x", depositCursor: 2 ** 53 - 1, validatorSetId: 12 }),
    ]) {
      const onChain = await env.read<Hex>(env.rollup, rollupAbi, "checkpointDigest", [checkpointToAbi(cp)]);
      expect(onChain).toBe(toHex(checkpointDigest(cp, env.domain)));
      const content = await env.read<Hex>(env.rollup, rollupAbi, "checkpointContentHash", [checkpointToAbi(cp)]);
      expect(content).toBe(toHex(checkpointContentHash(cp)));
      // The content leaves out the validator set id, and only it.
      expect(toHex(checkpointContentHash({ ...cp, validatorSetId: cp.validatorSetId + 1 }))).toBe(content);
      expect(toHex(checkpointContentHash({ ...cp, depositCursor: cp.depositCursor + 1 }))).not.toBe(content);
    }
    expect(() => checkpointDigest(makeCheckpoint({ chainId: 1 }), env.domain)).toThrow(/L2 chain 1/);
  });

  it("accepts a checkpoint signed by exactly 2/3 of equal weights", async () => {
    expect(await setId()).toBe(3n);
    expect(await env.read<bigint>(env.rollup, rollupAbi, "totalWeight")).toBe(30n * FIL);
    const cp = makeCheckpoint({ index: 0, validatorSetId: 3 });
    const receipt = await submitCheckpoint(env, cp, signSorted(env, cp, [v1!, v3!]));
    const [log] = parseEventLogs({ abi: rollupAbi, logs: receipt.logs, eventName: "CheckpointSubmitted" });
    expect(log!.args).toEqual({
      index: 0n,
      stateRoot: toHex(cp.stateRoot),
      withdrawalsRoot: toHex(cp.withdrawalsRoot),
      lastBlock: 32n,
      pieceCid: cp.pieceCid,
    });
    const stored = await env.read<Record<string, unknown>>(env.rollup, rollupAbi, "getCheckpoint", [0n]);
    expect(stored).toMatchObject({
      stateRoot: toHex(cp.stateRoot),
      lastBlockHash: toHex(cp.lastBlockHash),
      withdrawalsRoot: toHex(cp.withdrawalsRoot),
      lastBlock: 32n,
      depositCursor: 0n,
      pieceCid: cp.pieceCid,
    });
    expect(await nextIndex()).toBe(1n);
    expect(await env.read<boolean>(env.rollup, rollupAbi, "isFinal", [0n])).toBe(false);
  });

  it("orders signatures by signer with orderCheckpointSignatures", async () => {
    const cp = makeCheckpoint({ index: 1, validatorSetId: 3 });
    const sigs = [v3!, v1!, v2!, v3!].map((k) => signCheckpoint(cp, env.domain, k.priv));
    const ordered = orderCheckpointSignatures(cp, env.domain, sigs).map((s) => toHex(s) as Hex);
    expect(ordered).toEqual(signSorted(env, cp, [v1!, v2!, v3!]));
    await submitCheckpoint(env, cp, ordered);
    expect(await nextIndex()).toBe(2n);
  });

  it("rejects a signature set below 2/3 (NoQuorum) and an empty one", async () => {
    const cp = makeCheckpoint({ index: 2, validatorSetId: 3 });
    const err = await expectRevert(submitCheckpoint(env, cp, signSorted(env, cp, [v2!])), "NoQuorum");
    expect(err.data?.args).toEqual([10n * FIL, 30n * FIL]);
    await expectRevert(submitCheckpoint(env, cp, []), "NoQuorum");
  });

  it("rejects a wrong index and a wrong validator set id", async () => {
    for (const index of [0, 1, 3]) {
      const cp = makeCheckpoint({ index, validatorSetId: 3 });
      await expectRevert(submitCheckpoint(env, cp, signSorted(env, cp, [v1!, v2!, v3!])), "WrongIndex");
    }
    const cp = makeCheckpoint({ index: 2, validatorSetId: 2 });
    await expectRevert(submitCheckpoint(env, cp, signSorted(env, cp, [v1!, v2!, v3!])), "WrongValidatorSet");
  });

  it("rejects unsorted or duplicate signers, a non-validator, a high-s and a malformed signature", async () => {
    const cp = makeCheckpoint({ index: 2, validatorSetId: 3 });
    const sorted = signSorted(env, cp, [v1!, v2!, v3!]);
    await expectRevert(submitCheckpoint(env, cp, [...sorted].reverse()), "UnsortedOrDuplicateSigners");
    await expectRevert(submitCheckpoint(env, cp, [sorted[0]!, sorted[0]!, sorted[1]!]), "UnsortedOrDuplicateSigners");

    const withOutsider = signSorted(env, cp, [v1!, v2!, outsider]);
    const err = await expectRevert(submitCheckpoint(env, cp, withOutsider), "NotValidator");
    expect(String(err.data?.args?.[0]).toLowerCase()).toBe(outsider.address.toLowerCase());

    // The same signature with s' = n − s and v flipped recovers to the same key: malleable, refused.
    const low = Buffer.from(sorted[0]!.slice(2), "hex");
    const s = BigInt(`0x${low.subarray(32, 64).toString("hex")}`);
    const high = Buffer.concat([
      low.subarray(0, 32),
      Buffer.from((N - s).toString(16).padStart(64, "0"), "hex"),
      Buffer.from([low[64] === 27 ? 28 : 27]),
    ]);
    await expectRevert(
      submitCheckpoint(env, cp, [`0x${high.toString("hex")}`, sorted[1]!, sorted[2]!]),
      "SignatureHighS",
    );
    await expectRevert(submitCheckpoint(env, cp, [sorted[0]!.slice(0, 130) as Hex]), "InvalidSignature");
    expect(await nextIndex()).toBe(2n);
  });

  it("weighs validators by collateral: 2/3 of the weight, not of the count", async () => {
    // Weights 10, 10, 10, 30 FIL: total 60, quorum exactly 40.
    await registerValidators(env, [v4!], 30n * FIL);
    expect(await setId()).toBe(4n);
    const cp = makeCheckpoint({ index: 2, validatorSetId: 4 });
    await expectRevert(submitCheckpoint(env, cp, signSorted(env, cp, [v1!, v2!, v3!])), "NoQuorum");
    await submitCheckpoint(env, cp, signSorted(env, cp, [v4!, v1!]));
    expect(await nextIndex()).toBe(3n);
  });

  it("refuses collateral below the minimum and a second registration", async () => {
    const k = makeKey(50);
    await env.fund(k.address);
    await expectRevert(
      env.send(k.account, env.rollup, rollupAbi, "register", [], DEFAULT_PARAMS.minCollateral - 1n),
      "InsufficientCollateral",
    );
    await expectRevert(env.send(v1!.account, env.rollup, rollupAbi, "register", [], 10n * FIL), "AlreadyRegistered");
  });

  it("lets a validator exit: out of the set at once, collateral back after exitDelay", async () => {
    await env.send(v4!.account, env.rollup, rollupAbi, "requestExit");
    expect(await setId()).toBe(5n);
    expect(await env.read<bigint>(env.rollup, rollupAbi, "totalWeight")).toBe(30n * FIL);
    const cp = makeCheckpoint({ index: 3, validatorSetId: 5 });
    await expectRevert(submitCheckpoint(env, cp, signSorted(env, cp, [v4!, v1!])), "NotValidator");
    await expectRevert(env.send(v4!.account, env.rollup, rollupAbi, "withdrawCollateral"), "ExitDelayNotPassed");
    await env.advance(DEFAULT_PARAMS.exitDelaySec);
    const before = await env.publicClient.getBalance({ address: v4!.address });
    const receipt = await env.send(v4!.account, env.rollup, rollupAbi, "withdrawCollateral");
    const after = await env.publicClient.getBalance({ address: v4!.address });
    expect(after - before).toBe(30n * FIL - receipt.gasUsed * receipt.effectiveGasPrice);
    await expectRevert(env.send(v4!.account, env.rollup, rollupAbi, "withdrawCollateral"), "NotExiting");
    // The remaining three equal validators still checkpoint at 2/3.
    await submitCheckpoint(env, cp, signSorted(env, cp, [v2!, v3!]));
  });
});
