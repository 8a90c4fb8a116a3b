/** Evidence on L1: a validator signing two checkpoints at one index, the sequencer sealing two blocks at one height; the halt and the resume. */
import { blockSigningDigest, signBlockHeader } from "@filverse/crypto";
import { type BlockHeader, blockHash } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import { type Address, type Hex, parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkpointToAbi } from "../../src/checkpoint.js";
import { deployFilverse } from "../../src/deploy.js";
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
import { L2Chain } from "./l2.js";

const validators = [makeKey(1), makeKey(2), makeKey(3)];
const [v1, v2] = validators;
const outsider = makeKey(99);
const alice = makeKey(21);
const recipient = makeKey(31);

let env: Env;
beforeAll(async () => {
  env = await setupEnv();
  await registerValidators(env, validators);
}, 60_000);
afterAll(async () => {
  await env?.l1.stop();
});

const sig = (cp: ReturnType<typeof makeCheckpoint>, k = v1!) => signSorted(env, cp, [k])[0]!;

describe("checkpoint equivocation", () => {
  it("refuses evidence that is not a conflict by one validator", async () => {
    const a = makeCheckpoint({ index: 5 });
    const b = makeCheckpoint({ index: 5, stateRoot: new Uint8Array(32).fill(1) });
    const prove = (x: typeof a, sx: Hex, y: typeof a, sy: Hex) =>
      env.send(env.deployer, env.rollup, rollupAbi, "proveCheckpointEquivocation", [
        checkpointToAbi(x),
        sx,
        checkpointToAbi(y),
        sy,
      ]);
    await expectRevert(prove(a, sig(a), a, sig(a)), "NotConflicting");
    // The same content signed again for a changed validator set is a legitimate re-sign.
    const resigned = makeCheckpoint({ index: 5, validatorSetId: a.validatorSetId + 1 });
    await expectRevert(prove(a, sig(a), resigned, sig(resigned)), "NotConflicting");
    const c = makeCheckpoint({ index: 6, stateRoot: new Uint8Array(32).fill(1) });
    await expectRevert(prove(a, sig(a), c, sig(c)), "NotConflicting");
    await expectRevert(prove(a, sig(a), b, sig(b, v2!)), "SignerMismatch");
    await expectRevert(prove(a, sig(a, outsider), b, sig(b, outsider)), "NothingToSlash");
    expect(await env.read<boolean>(env.rollup, rollupAbi, "halted")).toBe(false);
  });

  it("slashes the signer and halts: final checkpoints still pay, pending ones are invalidated, the rest re-sign", async () => {
    // A real withdrawal in a final checkpoint.
    const l2 = new L2Chain(env.sequencer);
    l2.block([
      {
        l1Nonce: 1,
        l1BlockNumber: 1,
        l1TxHash: new Uint8Array(32).fill(1),
        from: fromHex(alice.address),
        to: fromHex(alice.address),
        amount: 10n * FIL,
        forcedTx: new Uint8Array(0),
      },
    ]);
    l2.block([], [{ from: alice, l1Recipient: recipient.address, amount: 2n * FIL }]);
    await env.send(env.deployer, env.bridge, bridgeAbi, "deposit", [alice.address], 10n * FIL);
    const cp0 = makeCheckpoint({ index: 0, withdrawalsRoot: l2.state.roots().withdrawalsRoot, depositCursor: 1 });
    await submitCheckpoint(env, cp0, signSorted(env, cp0, validators));
    await env.advance(DEFAULT_PARAMS.challengeWindowSec);
    expect(await env.read<boolean>(env.rollup, rollupAbi, "isFinal", [0n])).toBe(true);
    // Checkpoint 1 is accepted and still in its window when the evidence arrives.
    const a = makeCheckpoint({ index: 1, depositCursor: 1 });
    await submitCheckpoint(env, a, signSorted(env, a, validators));

    // v1 signed a different checkpoint 1 as well.
    const b = makeCheckpoint({ index: 1, depositCursor: 1, withdrawalsRoot: new Uint8Array(32).fill(9) });
    const receipt = await env.send(env.deployer, env.rollup, rollupAbi, "proveCheckpointEquivocation", [
      checkpointToAbi(a),
      sig(a),
      checkpointToAbi(b),
      sig(b),
    ]);
    const [invalidated] = parseEventLogs({ abi: rollupAbi, logs: receipt.logs, eventName: "CheckpointsInvalidated" });
    expect(invalidated!.args).toEqual({ fromIndex: 1n, toIndex: 2n });
    type Info = readonly [bigint, bigint, bigint, bigint, bigint, bigint, boolean];
    const [collateral, weight, , , , , slashed] = await env.read<Info>(env.rollup, rollupAbi, "validatorInfo", [
      v1!.address,
    ]);
    expect([collateral, weight, slashed]).toEqual([0n, 0n, true]);
    expect(await env.read<bigint>(env.rollup, rollupAbi, "burnedCollateral")).toBe(DEFAULT_PARAMS.minCollateral);
    expect(await env.read<bigint>(env.rollup, rollupAbi, "totalWeight")).toBe(2n * DEFAULT_PARAMS.minCollateral);
    // The set id changes only at epoch boundaries, so the others' signatures under it keep counting.
    expect(await env.read<bigint>(env.rollup, rollupAbi, "validatorSetId")).toBe(0n);
    expect(await env.read<boolean>(env.rollup, rollupAbi, "halted")).toBe(true);
    expect(await env.read<bigint>(env.rollup, rollupAbi, "nextCheckpointIndex")).toBe(1n);
    await expectRevert(env.read(env.rollup, rollupAbi, "withdrawalsRootIfFinal", [1n]), "UnknownCheckpoint");
    // The same evidence again has nothing left to slash.
    await expectRevert(
      env.send(env.deployer, env.rollup, rollupAbi, "proveCheckpointEquivocation", [
        checkpointToAbi(a),
        sig(a),
        checkpointToAbi(b),
        sig(b),
      ]),
      "NothingToSlash",
    );

    // Final before the evidence: still final and claimable.
    expect(await env.read<boolean>(env.rollup, rollupAbi, "isFinal", [0n])).toBe(true);
    const p = l2.proof(0);
    await env.send(env.deployer, env.bridge, bridgeAbi, "finalizeWithdrawal", [0n, p.abi, p.siblings]);
    expect(await env.publicClient.getBalance({ address: recipient.address })).toBe(2n * FIL);
    // No new L1 messages while halted.
    await expectRevert(env.send(env.deployer, env.bridge, bridgeAbi, "deposit", [alice.address], FIL), "RollupHalted");
    await expectRevert(env.send(env.deployer, env.bridge, bridgeAbi, "forceTransaction", ["0x01"]), "RollupHalted");

    // The remaining set signs the range again (v1's signature no longer counts); the rollup resumes.
    await expectRevert(submitCheckpoint(env, a, signSorted(env, a, [v1!, v2!])), "NotValidator");
    const resumed = await submitCheckpoint(env, a, signSorted(env, a, validators.slice(1)));
    expect(parseEventLogs({ abi: rollupAbi, logs: resumed.logs, eventName: "Resumed" })).toHaveLength(1);
    expect(await env.read<boolean>(env.rollup, rollupAbi, "halted")).toBe(false);
    await env.send(env.deployer, env.bridge, bridgeAbi, "deposit", [alice.address], FIL);
  });
});

describe("block equivocation", () => {
  const header = (stateByte: number, number = 5): BlockHeader => ({
    chainId: 3_141_592_601,
    number,
    parentHash: new Uint8Array(32).fill(4),
    timestamp: 1_700_000_005,
    proposer: fromHex(env.sequencer.address),
    txRoot: new Uint8Array(32),
    receiptsRoot: new Uint8Array(32),
    stateRoot: new Uint8Array(32).fill(stateByte),
    withdrawalsRoot: new Uint8Array(32),
    l1DepositNonce: 0,
  });

  it("halts and burns the bond of a sequencer that sealed two blocks at one height", async () => {
    // A fresh deployment with a 10 FIL bond, the sequencer also a (genesis) validator.
    const fresh = await deployFilverse(env, env.deployer, {
      ...env.params,
      genesisValidators: [{ address: env.sequencer.address, collateral: 20n * FIL }],
    });
    const rollup: Address = fresh.rollup;
    expect(await env.read<bigint>(rollup, rollupAbi, "sequencerBond")).toBe(DEFAULT_PARAMS.minCollateral);

    const [ha, hb] = [header(1), header(2)];
    const onChain = await env.read<Hex>(rollup, rollupAbi, "sealDigest", [5n, toHex(blockHash(ha))]);
    expect(onChain).toBe(toHex(blockSigningDigest(ha)));

    const sa = toHex(signBlockHeader(ha, env.sequencer.priv));
    const sb = toHex(signBlockHeader(hb, env.sequencer.priv));
    const prove = (n: bigint, hashA: Hex, sigA: Hex, hashB: Hex, sigB: Hex) =>
      env.send(env.deployer, rollup, rollupAbi, "proveBlockEquivocation", [n, hashA, sigA, hashB, sigB]);
    const [hashA, hashB] = [toHex(blockHash(ha)), toHex(blockHash(hb))];

    await expectRevert(prove(5n, hashA, sa, hashA, sa), "NotConflicting");
    const forged = toHex(signBlockHeader(hb, outsider.priv));
    await expectRevert(prove(5n, hashA, sa, hashB, forged), "NotSequencer");
    // Seals for different heights are no evidence: at number 5 the height-6 seal recovers to someone else.
    const s6 = toHex(signBlockHeader(header(2, 6), env.sequencer.priv));
    await expectRevert(prove(5n, hashA, sa, toHex(blockHash(header(2, 6))), s6), "NotSequencer");
    expect(await env.read<boolean>(rollup, rollupAbi, "halted")).toBe(false);

    await prove(5n, hashA, sa, hashB, sb);
    expect(await env.read<boolean>(rollup, rollupAbi, "halted")).toBe(true);
    expect(await env.read<bigint>(rollup, rollupAbi, "sequencerBond")).toBe(0n);
    expect(await env.read<bigint>(rollup, rollupAbi, "burnedCollateral")).toBe(30n * FIL);
    const [collateral] = await env.read<[bigint]>(rollup, rollupAbi, "validatorInfo", [env.sequencer.address]);
    expect(collateral).toBe(0n);
    // Unbonded now: the same evidence pauses nothing more, and no checkpoint is accepted until it bonds again.
    await expectRevert(prove(5n, hashA, sa, hashB, sb), "StaleBlockEvidence");
    const cp = makeCheckpoint({ index: 0 });
    await expectRevert(
      env.send(env.deployer, rollup, rollupAbi, "submitCheckpoint", [checkpointToAbi(cp), []]),
      "SequencerNotBonded",
    );
    // Someone bonds the sequencer again to resume: the public seals behind the halt, or an older
    // pair, cannot burn the new bond; a new equivocation above the proven height still can.
    await env.send(env.deployer, rollup, rollupAbi, "bondSequencer", [], DEFAULT_PARAMS.minCollateral);
    await expectRevert(prove(5n, hashA, sa, hashB, sb), "StaleBlockEvidence");
    const [h4a, h4b] = [header(1, 4), header(2, 4)];
    const s4a = toHex(signBlockHeader(h4a, env.sequencer.priv));
    const s4b = toHex(signBlockHeader(h4b, env.sequencer.priv));
    await expectRevert(prove(4n, toHex(blockHash(h4a)), s4a, toHex(blockHash(h4b)), s4b), "StaleBlockEvidence");
    expect(await env.read<bigint>(rollup, rollupAbi, "sequencerBond")).toBe(DEFAULT_PARAMS.minCollateral);
    const [h9a, h9b] = [header(1, 9), header(2, 9)];
    const s9a = toHex(signBlockHeader(h9a, env.sequencer.priv));
    const s9b = toHex(signBlockHeader(h9b, env.sequencer.priv));
    await prove(9n, toHex(blockHash(h9a)), s9a, toHex(blockHash(h9b)), s9b);
    expect(await env.read<bigint>(rollup, rollupAbi, "sequencerBond")).toBe(0n);
  });
});

describe("genesis after a halt", () => {
  it("a halt that invalidates checkpoint 0 does not reopen the owner's instant genesis registration", async () => {
    const own = await setupEnv();
    try {
      await registerValidators(own, validators);
      const cp0 = makeCheckpoint({ index: 0 });
      await submitCheckpoint(own, cp0, signSorted(own, cp0, validators));
      const other = makeCheckpoint({ index: 0, withdrawalsRoot: new Uint8Array(32).fill(7) });
      const [sa] = signSorted(own, cp0, [v1!]);
      const [sb] = signSorted(own, other, [v1!]);
      await own.send(own.deployer, own.rollup, rollupAbi, "proveCheckpointEquivocation", [
        checkpointToAbi(cp0),
        sa,
        checkpointToAbi(other),
        sb,
      ]);
      expect(await own.read<bigint>(own.rollup, rollupAbi, "nextCheckpointIndex")).toBe(0n);
      await own.fund(outsider.address);
      await expectRevert(
        own.send(own.deployer, own.rollup, rollupAbi, "registerGenesis", [outsider.address], 100n * FIL),
        "GenesisClosed",
      );
    } finally {
      await own.l1.stop();
    }
  });
});

describe("equivocation by a key whose signature never counted", () => {
  it("a pending joiner is slashed for two checkpoints at one index, and the rollup does not halt", async () => {
    const own = await setupEnv();
    try {
      await registerValidators(own, validators);
      await own.fund(outsider.address);
      await own.send(outsider.account, own.rollup, rollupAbi, "register", [], DEFAULT_PARAMS.minCollateral);
      const a = makeCheckpoint({ index: 0 });
      const b = makeCheckpoint({ index: 0, withdrawalsRoot: new Uint8Array(32).fill(7) });
      const [sa] = signSorted(own, a, [outsider]);
      const [sb] = signSorted(own, b, [outsider]);
      await own.send(own.deployer, own.rollup, rollupAbi, "proveCheckpointEquivocation", [
        checkpointToAbi(a),
        sa,
        checkpointToAbi(b),
        sb,
      ]);
      type Info = readonly [bigint, bigint, bigint, bigint, bigint, bigint, boolean];
      const info = await own.read<Info>(own.rollup, rollupAbi, "validatorInfo", [outsider.address]);
      expect(info[6]).toBe(true);
      expect(await own.read<boolean>(own.rollup, rollupAbi, "halted")).toBe(false);
      const cp0 = makeCheckpoint({ index: 0 });
      await submitCheckpoint(own, cp0, signSorted(own, cp0, validators));
    } finally {
      await own.l1.stop();
    }
  });
});
