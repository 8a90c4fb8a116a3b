/** FilverseRollup: validator set by epoch, checkpoint quorum (weight = collateral, ≥ 2/3), signature rules, linking, digest parity. */
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
import { deployFilverse } from "../../src/deploy.js";
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
    expect(await setId()).toBe(0n);
    expect(await env.read<bigint>(env.rollup, rollupAbi, "totalWeight")).toBe(30n * FIL);
    const cp = makeCheckpoint({ index: 0, validatorSetId: 0 });
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
    const cp = makeCheckpoint({ index: 1, validatorSetId: 0 });
    const sigs = [v3!, v1!, v2!, v3!].map((k) => signCheckpoint(cp, env.domain, k.priv));
    const ordered = orderCheckpointSignatures(cp, env.domain, sigs).map((s) => toHex(s) as Hex);
    expect(ordered).toEqual(signSorted(env, cp, [v1!, v2!, v3!]));
    await submitCheckpoint(env, cp, ordered);
    expect(await nextIndex()).toBe(2n);
  });

  it("rejects a signature set below 2/3 (NoQuorum) and an empty one", async () => {
    const cp = makeCheckpoint({ index: 2, validatorSetId: 0 });
    const err = await expectRevert(submitCheckpoint(env, cp, signSorted(env, cp, [v2!])), "NoQuorum");
    expect(err.data?.args).toEqual([10n * FIL, 30n * FIL]);
    await expectRevert(submitCheckpoint(env, cp, []), "NoQuorum");
  });

  it("rejects a wrong index and a wrong validator set id", async () => {
    for (const index of [0, 1, 3]) {
      const cp = makeCheckpoint({ index, validatorSetId: 0 });
      await expectRevert(submitCheckpoint(env, cp, signSorted(env, cp, [v1!, v2!, v3!])), "WrongIndex");
    }
    const cp = makeCheckpoint({ index: 2, validatorSetId: 1 });
    await expectRevert(submitCheckpoint(env, cp, signSorted(env, cp, [v1!, v2!, v3!])), "WrongValidatorSet");
    // Checkpoint 2 must begin right after checkpoint 1 (block 65) and not end before it begins.
    for (const range of [
      { firstBlock: 64, lastBlock: 96 },
      { firstBlock: 66, lastBlock: 96 },
      { firstBlock: 65, lastBlock: 64 },
    ]) {
      const unlinked = makeCheckpoint({ index: 2, validatorSetId: 0, ...range });
      await expectRevert(submitCheckpoint(env, unlinked, signSorted(env, unlinked, [v1!, v2!, v3!])), "NotLinked");
    }
    // ...and on top of it: its parent is checkpoint 1's last block.
    const forked = makeCheckpoint({ index: 2, validatorSetId: 0, parentHash: new Uint8Array(32).fill(0xab) });
    const err = await expectRevert(
      submitCheckpoint(env, forked, signSorted(env, forked, [v1!, v2!, v3!])),
      "ParentHashMismatch",
    );
    expect(err.data?.args).toEqual([toHex(new Uint8Array(32).fill(0xaa)), toHex(forked.parentHash)]);
  });

  it("rejects unsorted or duplicate signers, a non-validator, a high-s and a malformed signature", async () => {
    const cp = makeCheckpoint({ index: 2, validatorSetId: 0 });
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

  it("a join takes effect at the first epoch boundary a challenge window away, within the epoch's cap", async () => {
    await env.fund(v4!.address);
    // The cap: a third of the total weight (30 FIL) per epoch.
    await expectRevert(env.send(v4!.account, env.rollup, rollupAbi, "register", [], 10n * FIL + 1n), "JoinCapExceeded");
    const receipt = await env.send(v4!.account, env.rollup, rollupAbi, "register", [], 10n * FIL);
    const [log] = parseEventLogs({ abi: rollupAbi, logs: receipt.logs, eventName: "ValidatorRegistered" });
    const epoch = (log!.args as { effectiveEpoch: bigint }).effectiveEpoch;
    const genesis = await env.read<bigint>(env.rollup, rollupAbi, "genesisTime");
    const block = await env.publicClient.getBlock({ blockNumber: receipt.blockNumber });
    const effectiveAt = genesis + epoch * BigInt(DEFAULT_PARAMS.challengeWindowSec);
    expect(effectiveAt - block.timestamp >= BigInt(DEFAULT_PARAMS.challengeWindowSec)).toBe(true);
    // Nothing changes before then: the set id, the total, v4's signature.
    expect(await setId()).toBe(0n);
    expect(await env.read<bigint>(env.rollup, rollupAbi, "totalWeight")).toBe(30n * FIL);
    const early = makeCheckpoint({ index: 2, validatorSetId: 0 });
    await expectRevert(submitCheckpoint(env, early, signSorted(env, early, [v4!, v1!, v2!])), "NotValidator");
    // The joining weight counts against that epoch's cap.
    const k = makeKey(51);
    await env.fund(k.address);
    await expectRevert(env.send(k.account, env.rollup, rollupAbi, "register", [], 10n * FIL), "JoinCapExceeded");

    await env.advance(Number(effectiveAt - block.timestamp));
    expect(await setId()).toBe(1n);
    expect(await env.read<bigint>(env.rollup, rollupAbi, "totalWeight")).toBe(40n * FIL);
    const cp = makeCheckpoint({ index: 2, validatorSetId: 1 });
    const err = await expectRevert(submitCheckpoint(env, cp, signSorted(env, cp, [v1!, v2!])), "NoQuorum");
    expect(err.data?.args).toEqual([20n * FIL, 40n * FIL]);
    await submitCheckpoint(env, cp, signSorted(env, cp, [v4!, v1!, v2!]));
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
    await expectRevert(
      env.send(env.deployer, env.rollup, rollupAbi, "registerGenesis", [k.address], 10n * FIL),
      "GenesisClosed",
    );
    await expectRevert(env.send(k.account, env.rollup, rollupAbi, "setAllowed", [k.address, true]), "NotOwner");
  });

  it("an exit takes effect at an epoch boundary; the collateral stays until every checkpoint it signed is final", async () => {
    await env.send(v4!.account, env.rollup, rollupAbi, "requestExit");
    // Still in the set until the boundary: the set id and the total are unchanged.
    expect(await setId()).toBe(1n);
    expect(await env.read<bigint>(env.rollup, rollupAbi, "totalWeight")).toBe(40n * FIL);
    type Info = readonly [bigint, bigint, bigint, bigint, bigint, bigint, boolean];
    const info = () => env.read<Info>(env.rollup, rollupAbi, "validatorInfo", [v4!.address]);
    const [, weight, nextWeight, nextEpoch, exitRequestedAt] = await info();
    expect([weight, nextWeight]).toEqual([10n * FIL, 0n]);
    const genesis = await env.read<bigint>(env.rollup, rollupAbi, "genesisTime");
    const exitAt = genesis + nextEpoch * BigInt(DEFAULT_PARAMS.challengeWindowSec);
    // v4 signs one more checkpoint just before its exit takes effect.
    const now = (await env.publicClient.getBlock()).timestamp;
    await env.advance(Number(exitAt - now) - 10);
    const cp3 = makeCheckpoint({ index: 3, validatorSetId: 1 });
    await submitCheckpoint(env, cp3, signSorted(env, cp3, [v4!, v1!, v2!]));
    await expectRevert(env.send(v4!.account, env.rollup, rollupAbi, "withdrawCollateral"), "ExitDelayNotPassed");
    await env.advance(Number(exitRequestedAt + BigInt(DEFAULT_PARAMS.exitDelaySec) - exitAt) + 20);
    expect(await setId()).toBe(2n);
    expect(await env.read<bigint>(env.rollup, rollupAbi, "totalWeight")).toBe(30n * FIL);
    const cp4 = makeCheckpoint({ index: 4, validatorSetId: 2 });
    await expectRevert(submitCheckpoint(env, cp4, signSorted(env, cp4, [v4!, v1!])), "NotValidator");
    // The exit delay has passed, but checkpoint 3 is not final yet.
    if (!(await env.read<boolean>(env.rollup, rollupAbi, "isFinal", [3n]))) {
      await expectRevert(env.send(v4!.account, env.rollup, rollupAbi, "withdrawCollateral"), "CollateralLocked");
    }
    const [, , , , , withdrawableAt] = await info();
    const { acceptedAt } = await env.read<{ acceptedAt: bigint }>(env.rollup, rollupAbi, "getCheckpoint", [3n]);
    expect(withdrawableAt).toBe(
      [
        exitRequestedAt + BigInt(DEFAULT_PARAMS.exitDelaySec),
        exitAt,
        acceptedAt + BigInt(DEFAULT_PARAMS.challengeWindowSec),
      ].reduce((a, b) => (a > b ? a : b)),
    );
    const t = (await env.publicClient.getBlock()).timestamp;
    if (withdrawableAt > t) await env.advance(Number(withdrawableAt - t));
    const before = await env.publicClient.getBalance({ address: v4!.address });
    const receipt = await env.send(v4!.account, env.rollup, rollupAbi, "withdrawCollateral");
    const after = await env.publicClient.getBalance({ address: v4!.address });
    expect(after - before).toBe(10n * FIL - receipt.gasUsed * receipt.effectiveGasPrice);
    await expectRevert(env.send(v4!.account, env.rollup, rollupAbi, "withdrawCollateral"), "NotExiting");
    // The remaining three equal validators still checkpoint at 2/3.
    await submitCheckpoint(env, cp4, signSorted(env, cp4, [v2!, v3!]));
  });
});

describe("admission", () => {
  it("allowlist mode: only owner-approved addresses register, until the owner opens admission for good", async () => {
    const { rollup } = await deployFilverse(env, env.deployer, {
      ...env.params,
      allowlist: true,
      genesisValidators: [{ address: v1!.address, collateral: 30n * FIL }],
    });
    const [a, b] = [makeKey(60), makeKey(61)];
    for (const k of [a, b]) await env.fund(k.address);
    const register = (k: typeof a) => env.send(k.account, rollup, rollupAbi, "register", [], 10n * FIL);
    expect(await env.read<boolean>(rollup, rollupAbi, "allowlistMode")).toBe(true);
    await expectRevert(register(a), "NotAllowed");
    await expectRevert(env.send(a.account, rollup, rollupAbi, "setAllowed", [a.address, true]), "NotOwner");
    await env.send(env.deployer, rollup, rollupAbi, "setAllowed", [a.address, true]);
    await register(a);
    await expectRevert(register(b), "NotAllowed");
    await env.send(env.deployer, rollup, rollupAbi, "openAdmission");
    expect(await env.read<boolean>(rollup, rollupAbi, "allowlistMode")).toBe(false);
    // Open, but still capped per epoch: a's 10 FIL already fills this epoch's third of 30 FIL.
    await expectRevert(register(b), "JoinCapExceeded");
  });

  it("the join cap counts exits at the same boundary: joiners never hold more than 1/4 of the set they join", async () => {
    const { rollup } = await deployFilverse(env, env.deployer, {
      ...env.params,
      genesisValidators: [v1!, v2!, v3!].map((v) => ({ address: v.address, collateral: 30n * FIL })),
    });
    const joiner = makeKey(62);
    await env.fund(joiner.address);
    const epoch = await env.read<bigint>(rollup, rollupAbi, "effectiveEpochOfRequest");
    expect(await env.read<bigint>(rollup, rollupAbi, "joinCapAt", [epoch])).toBe(30n * FIL);
    // v1 leaves at that boundary: the set will hold 60 FIL without the joiners, so 20 FIL may join
    // (before, the cap read the 90 FIL in force now and let 30 FIL join a 60 FIL set: a third of it).
    await env.send(v1!.account, rollup, rollupAbi, "requestExit");
    expect(await env.read<bigint>(rollup, rollupAbi, "joinCapAt", [epoch])).toBe(20n * FIL);
    const err = await expectRevert(
      env.send(joiner.account, rollup, rollupAbi, "register", [], 20n * FIL + 1n),
      "JoinCapExceeded",
    );
    expect(err.data?.args).toEqual([20n * FIL + 1n, 20n * FIL]);
    await env.send(joiner.account, rollup, rollupAbi, "register", [], 20n * FIL);
    // Its own joining weight is not part of the base it is measured against.
    expect(await env.read<bigint>(rollup, rollupAbi, "joinCapAt", [epoch])).toBe(20n * FIL);
  });
});
