/**
 * The devnet's adversarial findings (issue 13), one test each: buying the validator set, stalling it,
 * freezing the rollup for good, unlinked checkpoints, a slashed key returning, and a payout that a
 * recipient's revert blocks forever. Each test performs the attack and expects it to be stopped.
 */
import { signBlockHeader } from "@filverse/crypto";
import { type BlockHeader, blockHash, type Checkpoint } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import { type Address, BaseError, ContractFunctionRevertedError, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkpointToAbi } from "../../src/checkpoint.js";
import {
  bridgeAbi,
  DEFAULT_PARAMS,
  type Env,
  FIL,
  type Key,
  makeCheckpoint,
  makeKey,
  registerValidators,
  rollupAbi,
  setupEnv,
  signSorted,
  submitCheckpoint,
} from "./fixture.js";
import { L2Chain } from "./l2.js";

const honest = [makeKey(1), makeKey(2), makeKey(3)];
const [v1, v2, v3] = honest as [Key, Key, Key];
const outsider = makeKey(66);
const alice = makeKey(21);
const recipient = makeKey(31);
const HONEST_WEIGHT = 3n * DEFAULT_PARAMS.minCollateral;
const BLOCKS = 4;

/** Fresh contracts and three honest genesis validators. */
async function freshEnv(): Promise<Env> {
  const env = await setupEnv();
  await registerValidators(env, honest);
  await env.fund(outsider.address);
  return env;
}

const setId = async (env: Env) => Number(await env.read<bigint>(env.rollup, rollupAbi, "validatorSetId"));

/** Checkpoint `index` of a chain of BLOCKS-block checkpoints, under the set in force now. */
async function linked(env: Env, index: number, fields: Partial<Checkpoint> = {}): Promise<Checkpoint> {
  return makeCheckpoint({
    index,
    firstBlock: index * BLOCKS + 1,
    lastBlock: (index + 1) * BLOCKS,
    validatorSetId: await setId(env),
    ...fields,
  });
}

/** Send and return the error name of a revert, or null when the transaction succeeded. */
async function attempt(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (err) {
    const revert =
      err instanceof BaseError
        ? (err.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null)
        : null;
    return revert?.data?.errorName ?? String(err).slice(0, 300);
  }
}

describe("attack 1: buying the validator set", () => {
  let env: Env;
  beforeAll(async () => {
    env = await freshEnv();
  }, 60_000);
  afterAll(async () => {
    await env?.l1.stop();
  });

  it("an outsider registering 2 × total weight + 1 FIL cannot sign a checkpoint alone", async () => {
    // A real withdrawal tree in which the outsider pays itself what the bridge holds.
    await env.send(env.deployer, env.bridge, bridgeAbi, "deposit", [alice.address], 100n * FIL);
    const l2 = new L2Chain(env.sequencer);
    l2.block([
      {
        l1Nonce: 1,
        l1BlockNumber: 1,
        l1TxHash: new Uint8Array(32).fill(1),
        from: fromHex(alice.address),
        to: fromHex(outsider.address),
        amount: 100n * FIL,
        forcedTx: new Uint8Array(0),
      },
    ]);
    l2.block([], [{ from: outsider, l1Recipient: outsider.address, amount: 100n * FIL }]);

    // Soft expectations: against contracts without the defences, each step's outcome is reported.
    const bought = await attempt(
      env.send(outsider.account, env.rollup, rollupAbi, "register", [], 2n * HONEST_WEIGHT + FIL),
    );
    expect.soft(bought).toBe("JoinCapExceeded");
    // What the cap lets in does not count before its epoch boundary, at least a challenge window away.
    if (bought !== null) await env.send(outsider.account, env.rollup, rollupAbi, "register", [], HONEST_WEIGHT / 3n);

    const cp = await linked(env, 0, {
      lastBlock: 2,
      withdrawalsRoot: l2.state.roots().withdrawalsRoot,
      depositCursor: 1,
    });
    expect.soft(await attempt(submitCheckpoint(env, cp, signSorted(env, cp, [outsider])))).toBe("NotValidator");
    await env.advance(2 * DEFAULT_PARAMS.challengeWindowSec);
    const p = l2.proof(0);
    const drained = await attempt(
      env.send(env.deployer, env.bridge, bridgeAbi, "finalizeWithdrawal", [0n, p.abi, p.siblings]),
    );
    expect.soft(drained, "the outsider's withdrawal is paid").toBe("UnknownCheckpoint");

    // Once its join is in force it holds a quarter of the weight: still no quorum alone.
    const later = await linked(env, 0, {
      lastBlock: 2,
      withdrawalsRoot: l2.state.roots().withdrawalsRoot,
      depositCursor: 1,
    });
    expect(await attempt(submitCheckpoint(env, later, signSorted(env, later, [outsider])))).toBe("NoQuorum");
    expect(await env.read<bigint>(env.rollup, rollupAbi, "nextCheckpointIndex")).toBe(0n);
  });
});

describe("attack 2: stalling the honest set", () => {
  let env: Env;
  beforeAll(async () => {
    env = await freshEnv();
  }, 60_000);
  afterAll(async () => {
    await env?.l1.stop();
  });

  it("an outsider with more than half the honest weight cannot make honest checkpoints fail with NoQuorum", async () => {
    await attempt(env.send(outsider.account, env.rollup, rollupAbi, "register", [], HONEST_WEIGHT / 2n + FIL));
    const cp = await linked(env, 0);
    expect(await attempt(submitCheckpoint(env, cp, signSorted(env, cp, honest)))).toBeNull();
  });

  it("a front-running register does not make an in-flight submission fail with WrongValidatorSet", async () => {
    const front = makeKey(67);
    await env.fund(front.address);
    const index = Number(await env.read<bigint>(env.rollup, rollupAbi, "nextCheckpointIndex"));
    const cp = await linked(env, index);
    const signatures = signSorted(env, cp, honest);
    await env.send(front.account, env.rollup, rollupAbi, "register", [], DEFAULT_PARAMS.minCollateral);
    expect(await attempt(submitCheckpoint(env, cp, signatures))).toBeNull();
  });
});

describe("attack 3: a permanent freeze", () => {
  let env: Env;
  let l2: L2Chain;
  beforeAll(async () => {
    env = await freshEnv();
  }, 60_000);
  afterAll(async () => {
    await env?.l1.stop();
  });

  it("after proven checkpoint equivocation, final withdrawals pay, deposits are refused, the set checkpoints again", async () => {
    await env.send(env.deployer, env.bridge, bridgeAbi, "deposit", [alice.address], 10n * FIL);
    l2 = new L2Chain(env.sequencer);
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
    const cp0 = await linked(env, 0, { withdrawalsRoot: l2.state.roots().withdrawalsRoot, depositCursor: 1 });
    await submitCheckpoint(env, cp0, signSorted(env, cp0, honest));
    await env.advance(DEFAULT_PARAMS.challengeWindowSec);
    const cp1 = await linked(env, 1, { depositCursor: 1 });
    await submitCheckpoint(env, cp1, signSorted(env, cp1, honest));

    // v1 signs a second, different checkpoint 1 and anyone proves it.
    const other = await linked(env, 1, { depositCursor: 1, stateRoot: new Uint8Array(32).fill(7) });
    const [sa] = signSorted(env, cp1, [v1]);
    const [sb] = signSorted(env, other, [v1]);
    await env.send(env.deployer, env.rollup, rollupAbi, "proveCheckpointEquivocation", [
      checkpointToAbi(cp1),
      sa,
      checkpointToAbi(other),
      sb,
    ]);

    // The final checkpoint still pays.
    const p = l2.proof(0);
    expect(
      await attempt(env.send(env.deployer, env.bridge, bridgeAbi, "finalizeWithdrawal", [0n, p.abi, p.siblings])),
    ).toBeNull();
    expect(await env.publicClient.getBalance({ address: recipient.address })).toBe(2n * FIL);
    // New FIL is not taken in while the rollup cannot checkpoint.
    expect(await attempt(env.send(env.deployer, env.bridge, bridgeAbi, "deposit", [alice.address], FIL))).toBe(
      "RollupHalted",
    );
    expect(await attempt(env.send(env.deployer, env.bridge, bridgeAbi, "forceTransaction", ["0x01"]))).toBe(
      "RollupHalted",
    );
    // The remaining set signs the range again and the rollup resumes.
    const again = await linked(env, 1, { depositCursor: 1 });
    expect(await attempt(submitCheckpoint(env, again, signSorted(env, again, [v2, v3])))).toBeNull();
    expect(await attempt(env.send(env.deployer, env.bridge, bridgeAbi, "deposit", [alice.address], FIL))).toBeNull();
  });

  it("a slashed key never registers again", async () => {
    await env.fund(v1.address);
    expect(
      await attempt(env.send(v1.account, env.rollup, rollupAbi, "register", [], DEFAULT_PARAMS.minCollateral)),
    ).toBe("SlashedKey");
  });

  it("an unbonded sequencer key cannot freeze or pause anything with two of its own seals", async () => {
    const bare = await setupEnv({ sequencerBond: 0n } as never);
    try {
      const header = (stateByte: number): BlockHeader => ({
        chainId: 3_141_592_601,
        number: 5,
        parentHash: new Uint8Array(32).fill(4),
        timestamp: 1_700_000_005,
        proposer: fromHex(bare.sequencer.address),
        txRoot: new Uint8Array(32),
        receiptsRoot: new Uint8Array(32),
        stateRoot: new Uint8Array(32).fill(stateByte),
        withdrawalsRoot: new Uint8Array(32),
        l1DepositNonce: 0,
      });
      const [ha, hb] = [header(1), header(2)];
      const args = [
        5n,
        toHex(blockHash(ha)) as Hex,
        toHex(signBlockHeader(ha, bare.sequencer.priv)) as Hex,
        toHex(blockHash(hb)) as Hex,
        toHex(signBlockHeader(hb, bare.sequencer.priv)) as Hex,
      ];
      expect(await attempt(bare.send(bare.deployer, bare.rollup, rollupAbi, "proveBlockEquivocation", args))).toBe(
        "NothingToSlash",
      );
      expect(await bare.read<boolean>(bare.rollup, rollupAbi, "halted")).toBe(false);
      // Once it bonds, it can be slashed; before that the rollup took no checkpoint and no deposit.
      expect(await attempt(bare.send(bare.deployer, bare.bridge, bridgeAbi, "deposit", [alice.address], FIL))).toBe(
        "RollupHalted",
      );
      await bare.send(bare.deployer, bare.rollup, rollupAbi, "bondSequencer", [], DEFAULT_PARAMS.minCollateral);
      expect(
        await attempt(bare.send(bare.deployer, bare.bridge, bridgeAbi, "deposit", [alice.address], FIL)),
      ).toBeNull();
    } finally {
      await bare.l1.stop();
    }
  });
});

describe("attack 4: smaller gaps", () => {
  let env: Env;
  beforeAll(async () => {
    env = await freshEnv();
  }, 60_000);
  afterAll(async () => {
    await env?.l1.stop();
  });

  it("checkpoint i must begin right after checkpoint i−1 ends", async () => {
    const cp0 = await linked(env, 0);
    await submitCheckpoint(env, cp0, signSorted(env, cp0, honest));
    const gap = await linked(env, 1, { firstBlock: BLOCKS + 5, lastBlock: BLOCKS + 9 });
    expect(await attempt(submitCheckpoint(env, gap, signSorted(env, gap, honest)))).toBe("NotLinked");
    const overlap = await linked(env, 1, { firstBlock: 2 });
    expect(await attempt(submitCheckpoint(env, overlap, signSorted(env, overlap, honest)))).toBe("NotLinked");
    const fork = await linked(env, 1, { parentHash: new Uint8Array(32).fill(0x01) });
    expect(await attempt(submitCheckpoint(env, fork, signSorted(env, fork, honest)))).toBe("ParentHashMismatch");
  });

  it("a withdrawal to a recipient that rejects FIL is kept for it to pull", async () => {
    const rejecting: Address = "0x00000000000000000000000000000000000bad01";
    await env.testClient.setCode({ address: rejecting, bytecode: "0x60006000fd" }); // PUSH1 0 PUSH1 0 REVERT
    await env.send(env.deployer, env.bridge, bridgeAbi, "deposit", [alice.address], 10n * FIL);
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
    l2.block([], [{ from: alice, l1Recipient: rejecting, amount: 3n * FIL }]);
    const index = Number(await env.read<bigint>(env.rollup, rollupAbi, "nextCheckpointIndex"));
    const cp = await linked(env, index, { withdrawalsRoot: l2.state.roots().withdrawalsRoot, depositCursor: 1 });
    await submitCheckpoint(env, cp, signSorted(env, cp, honest));
    await env.advance(DEFAULT_PARAMS.challengeWindowSec);
    const p = l2.proof(0);
    const finalize = [BigInt(index), p.abi, p.siblings];
    expect(await attempt(env.send(env.deployer, env.bridge, bridgeAbi, "finalizeWithdrawal", finalize))).toBeNull();
    expect(await env.read<bigint>(env.bridge, bridgeAbi, "owed", [rejecting])).toBe(3n * FIL);
    // The recipient (a contract, impersonated here) pulls it to an address that accepts FIL.
    await env.testClient.impersonateAccount({ address: rejecting });
    await env.fund(rejecting, FIL);
    await env.send(rejecting, env.bridge, bridgeAbi, "claimOwed", [recipient.address]);
    expect(await env.publicClient.getBalance({ address: recipient.address })).toBe(3n * FIL);
  });
});
