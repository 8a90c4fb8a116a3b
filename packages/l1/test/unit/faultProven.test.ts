/**
 * FilverseRollup with the dispute game wired in (docs/fault-proofs.md, Outcome): the owner sets the
 * game once, only one with an executor that reads this rollup; an open game holds its checkpoint
 * and every later one back from finality and keeps collateral in; a proven fault removes the
 * checkpoint and the later ones, halts, and lets anyone slash its signers (a share to the
 * challenger) and the sequencer that sealed the block; a failed challenge leaves the checkpoint
 * to become final. Without a game nothing of this applies (the other rollup tests).
 */
import { signDigest } from "@filverse/crypto";
import { MAX_BLOCK_DEPOSITS, MAX_BLOCK_TXS } from "@filverse/params";
import { createGenesis } from "@filverse/state";
import { blockHash, blockHashesRoot, type Checkpoint } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import { type Abi, type Address, encodeFunctionData, type Hex, parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadArtifact } from "../../src/artifacts.js";
import { checkpointDigest, checkpointToAbi } from "../../src/checkpoint.js";
import { deployOneStepExecutor as deployExecutorSet, deployFilverse, genesisBlockHashOf } from "../../src/deploy.js";
import { readSubmissionSignatures, slashForFault } from "../../src/dispute/slashing.js";
import {
  BLOCK_HASHES_DEPTH,
  type Chain,
  challengeOf,
  headerToAbi,
  chainAfter as linkedChain,
  linkOnto,
  makeChain,
  merkle,
} from "./disputeFixture.js";
import {
  DEFAULT_PARAMS,
  type Env,
  expectRevert,
  GENESIS_TIMESTAMP,
  type Key,
  L2_CHAIN_ID,
  rollupAbi,
  signSorted,
  submitCheckpoint,
} from "./fixture.js";
import {
  type Artifacts,
  CHALLENGE_BOND,
  chainCheckpoint,
  type GameEnv,
  MAX_CLOCK_SEC,
  MOVE_BOND,
  setupGameEnv,
  submitChain,
} from "./gameFixture.js";

const ZERO: Address = "0x0000000000000000000000000000000000000000";

let env: Env;
let gameAbi: Abi;
let artifacts: Artifacts;
let game: Address;
let executor: Address;
let validators: Key[];
let challenger: Address;
let defender: Address;
let deploy: GameEnv["deploy"];
let deployGame: GameEnv["deployGame"];
let chain0: Chain;
const openedBefore: bigint[] = [];
let cp0: Checkpoint;

/** The one-step executor as built (contracts/OneStepExecutor.sol and its kind executors), for this chain. */
async function deployOneStepExecutor(): Promise<Address> {
  const { executor } = await deployExecutorSet(env, env.deployer, {
    l2ChainId: L2_CHAIN_ID,
    maxBlockTxs: MAX_BLOCK_TXS,
    maxBlockDeposits: MAX_BLOCK_DEPOSITS,
    minTxFee: 0n,
    bridge: env.bridge,
  });
  return executor;
}

beforeAll(async () => {
  ({ env, gameAbi, artifacts, game, executor, validators, challenger, defender, deploy, deployGame } =
    await setupGameEnv({ wire: false }));
}, 120_000);
afterAll(async () => {
  await env?.l1.stop();
});

/**
 * Checkpoint `index` of `chain` (its roots from the last header), signed by every validator and
 * submitted, directly or (`via`) through a Forwarder contract, so that the transaction's calldata is
 * not the rollup's.
 */
async function submit(chain: Chain, index: number, via?: Address): Promise<{ cp: Checkpoint; signatures: Hex[] }> {
  const cp = await chainCheckpoint(env, chain, index);
  const signatures = signSorted(env, cp, validators);
  if (via) {
    const data = encodeFunctionData({
      abi: rollupAbi,
      functionName: "submitCheckpoint",
      args: [checkpointToAbi(cp), signatures],
    });
    await env.send(env.deployer, via, artifacts.Forwarder!.abi, "forward", [env.rollup, data]);
  } else await submitCheckpoint(env, cp, signatures);
  return { cp, signatures };
}

/** A rollup of its own (the validators its genesis set) with a game of its own wired in: an Env for it, and the game. */
async function freshRollup(): Promise<{ fresh: Env; freshGame: Address }> {
  const deployment = await deployFilverse(env, env.deployer, {
    ...env.params,
    genesisValidators: validators.map((v) => ({ address: v.address, collateral: DEFAULT_PARAMS.minCollateral })),
  });
  const freshGame = await deployGame(
    deployment.rollup,
    await deploy("MockOneStepExecutor", [true, deployment.bridge, BigInt(L2_CHAIN_ID)]),
  );
  await env.send(env.deployer, deployment.rollup, rollupAbi, "setDisputeGame", [freshGame]);
  return { fresh: { ...env, ...deployment, domain: { ...env.domain, rollup: deployment.rollup } }, freshGame };
}

/** The genesis block of the chain the fixture's rollup was deployed for (its hash is the rollup's genesisBlockHash). */
function genesisBlock(): Chain["blocks"][number] {
  const g = createGenesis(
    { chainId: L2_CHAIN_ID },
    { timestamp: GENESIS_TIMESTAMP, proposer: fromHex(env.sequencer.address) },
  );
  // Block 0 is never challenged (a challenge names a block of the range): its items root is not needed.
  return {
    header: g.header,
    objectsRoot: g.state.roots().objectsRoot,
    itemsListRoot: new Uint8Array(32),
    itemCount: 0,
  };
}

/**
 * A chain for checkpoint `index` (blocks 4·index+1 .. 4·index+4) whose entry 0 is `previous`'s last
 * block, or for checkpoint 0 the genesis block.
 */
function chainAfter(index: number, previous: Chain | null): Chain {
  if (previous) return linkedChain(index, previous);
  const genesis = genesisBlock();
  return linkOnto(makeChain(4 * index + 1, 4 * index + 4), genesis, blockHash(genesis.header));
}

const STATUS = { Unknown: 0, Pending: 1, Final: 2 };
const statusOf = async (index: number) =>
  (await env.read<[number, Hex]>(env.rollup, rollupAbi, "checkpointStatus", [BigInt(index)]))[0];

describe("setting the game", () => {
  it("only the owner sets it, once, to a game with an executor that reads this rollup", async () => {
    // A report from anything but the game changes nothing (and does not revert, so a game that is
    // not the rollup's can still end).
    await env.send(challenger, env.rollup, rollupAbi, "onFaultProven", [
      0n,
      `0x${"00".repeat(32)}`,
      1n,
      `0x${"00".repeat(32)}`,
      challenger,
    ]);
    expect(await env.read<bigint>(env.rollup, rollupAbi, "lastFaultAt")).toBe(0n);
    const dryRun = await deployGame(env.rollup, ZERO);
    await expectRevert(
      env.send(env.deployer, env.rollup, rollupAbi, "setDisputeGame", [dryRun]),
      "GameWithoutExecutor",
    );
    const incomplete = await deploy("MockOneStepExecutor", [false, env.bridge, BigInt(L2_CHAIN_ID)]);
    await expectRevert(
      env.send(env.deployer, env.rollup, rollupAbi, "setDisputeGame", [await deployGame(env.rollup, incomplete)]),
      "GameWithoutExecutor",
    );
    // The one-step executor as built is refused while its complete() is false (kinds or forced
    // transactions missing), and accepted once it is true (simulated: the game below is the one set).
    const oneStep = await deployOneStepExecutor();
    const oneStepGame = await deployGame(env.rollup, oneStep);
    const setOneStep = () =>
      env.publicClient.simulateContract({
        account: env.deployer,
        address: env.rollup,
        abi: rollupAbi,
        functionName: "setDisputeGame",
        args: [oneStepGame],
      } as never);
    if (await env.read<boolean>(oneStep, loadArtifact("OneStepExecutor").abi, "complete")) await setOneStep();
    else await expectRevert(setOneStep(), "GameWithoutExecutor");
    const mock = await deploy("MockCheckpoints", [3_600n]);
    const other = await deployGame(mock, executor);
    await expectRevert(env.send(env.deployer, env.rollup, rollupAbi, "setDisputeGame", [other]), "GameOfAnotherRollup");
    // Its executor must check this rollup's bridge, for this rollup's chain.
    for (const [bridge, chainId] of [
      [challenger, BigInt(L2_CHAIN_ID)],
      [env.bridge, BigInt(L2_CHAIN_ID) + 1n],
    ] as const) {
      const elsewhere = await deploy("MockOneStepExecutor", [true, bridge, chainId]);
      await expectRevert(
        env.send(env.deployer, env.rollup, rollupAbi, "setDisputeGame", [await deployGame(env.rollup, elsewhere)]),
        "GameExecutorOfAnotherRollup",
      );
    }
    await expectRevert(env.send(challenger, env.rollup, rollupAbi, "setDisputeGame", [game]), "NotOwner");
    // A game that already has games is refused: they held nothing back.
    chain0 = chainAfter(0, null);
    ({ cp: cp0 } = await submit(chain0, 0));
    const played = await deployGame(env.rollup, executor);
    await env.send(challenger, played, gameAbi, "challenge", [challengeOf(chain0, 0, 2)], CHALLENGE_BOND);
    await expectRevert(env.send(env.deployer, env.rollup, rollupAbi, "setDisputeGame", [played]), "GameAlreadyPlayed");
    await env.send(env.deployer, env.rollup, rollupAbi, "setDisputeGame", [game]);
    expect((await env.read<Address>(env.rollup, rollupAbi, "disputeGame")).toLowerCase()).toBe(game.toLowerCase());
    await expectRevert(
      env.send(env.deployer, env.rollup, rollupAbi, "setDisputeGame", [game]),
      "DisputeGameAlreadySet",
    );
  });
});

describe("a challenge proven wrong", () => {
  it("the TypeScript blockHashesRoot is the list the game proves headers against", () => {
    const chain = makeChain(1, 4);
    expect(toHex(blockHashesRoot(chain.blocks.slice(1).map((b) => b.header)))).toBe(toHex(chain.root));
  });

  it("the rollup gives the game what it signed: digest, blockHashesRoot, roots, range", async () => {
    const d = await env.read<Record<string, unknown>>(env.rollup, rollupAbi, "disputableCheckpoint", [0n]);
    // Checkpoint 0's parent is the genesis block, whose hash deployFilverse gave the rollup.
    const genesis = toHex(blockHash(genesisBlock().header));
    expect(genesisBlockHashOf(env.params)).toBe(genesis);
    expect(await env.read<Hex>(env.rollup, rollupAbi, "genesisBlockHash")).toBe(genesis);
    expect(d).toMatchObject({
      digest: toHex(checkpointDigest(cp0, env.domain)),
      blockHashesRoot: toHex(chain0.root),
      parentHash: genesis,
      lastBlockHash: toHex(cp0.lastBlockHash),
      stateRoot: toHex(cp0.stateRoot),
      withdrawalsRoot: toHex(cp0.withdrawalsRoot),
      firstBlock: 1n,
      lastBlock: 4n,
    });
    expect(
      (await env.read<{ acceptedAt: bigint }>(env.rollup, rollupAbi, "disputableCheckpoint", [9n])).acceptedAt,
    ).toBe(0n);
  });

  it("the game's T[0] is the one-step executor's initialStepState of header k - 1", async () => {
    const oneStep = await deployOneStepExecutor();
    const c = challengeOf(chain0, 0, 3);
    const id = await env.read<bigint>(game, gameAbi, "gameCount");
    await env.send(challenger, game, gameAbi, "challenge", [c], CHALLENGE_BOND);
    const root = await env.read<{ pre: Hex }>(game, gameAbi, "getNode", [id, 0n]);
    const initial = await env.read<Hex>(oneStep, loadArtifact("OneStepExecutor").abi, "initialStepState", [
      c.parent,
      c.parentObjectsRoot,
    ]);
    expect(root.pre).toBe(initial);
    // The defender answers it (proposals cost a bond each), and it ends in the defender's favour below.
    await env.send(defender, game, gameAbi, "propose", [id, 0n, toHex(new Uint8Array(32).fill(6))], MOVE_BOND);
    openedBefore.push(id);
  });

  it("holds the checkpoint back while open; once the defender wins, it is final and the checkpoint stays", async () => {
    const id = await env.read<bigint>(game, gameAbi, "gameCount");
    await env.send(challenger, game, gameAbi, "challenge", [challengeOf(chain0, 0, 2)], CHALLENGE_BOND);
    // The defender answers; the challenger goes silent.
    await env.send(defender, game, gameAbi, "propose", [id, 0n, toHex(new Uint8Array(32).fill(5))], MOVE_BOND);
    await env.advance(DEFAULT_PARAMS.challengeWindowSec + 1);
    expect(await statusOf(0)).toBe(STATUS.Pending);
    await expectRevert(env.read(env.rollup, rollupAbi, "withdrawalsRootIfFinal", [0n]), "NotFinal");
    await env.send(challenger, game, gameAbi, "resolve", [id, 1n]);
    await env.send(challenger, game, gameAbi, "resolve", [id, 0n]);
    // The game of the T[0] check above is still open: it holds the checkpoint too.
    expect(await statusOf(0)).toBe(STATUS.Pending);
    for (const other of openedBefore) {
      await env.send(challenger, game, gameAbi, "resolve", [other, 1n]);
      await env.send(challenger, game, gameAbi, "resolve", [other, 0n]);
    }
    expect(await statusOf(0)).toBe(STATUS.Final);
    expect(await env.read<bigint>(env.rollup, rollupAbi, "nextCheckpointIndex")).toBe(1n);
    expect(await env.read<bigint>(game, gameAbi, "credit", [defender])).toBe(2n * (CHALLENGE_BOND + MOVE_BOND));
  });
});

describe("a checkpoint proven wrong", () => {
  let chain1: Chain;
  let cp1: Checkpoint;
  let sigs1: Hex[];
  let gameId: bigint;

  it("an open game holds the checkpoint and every later one back from finality", async () => {
    chain1 = chainAfter(1, chain0);
    // Through another contract: its signers are still found by the rollup's log (below).
    ({ cp: cp1, signatures: sigs1 } = await submit(chain1, 1, await deploy("Forwarder")));
    gameId = await env.read<bigint>(game, gameAbi, "gameCount");
    await env.send(challenger, game, gameAbi, "challenge", [challengeOf(chain1, 1, 7)], CHALLENGE_BOND);
    await submit(chainAfter(2, chain1), 2);
    // A signer that leaves cannot take its collateral out while a game is open, however long.
    await env.send(validators[0]!.account, env.rollup, rollupAbi, "requestExit", []);
    await env.advance(DEFAULT_PARAMS.exitDelaySec + 2 * DEFAULT_PARAMS.challengeWindowSec);
    await expectRevert(env.send(validators[0]!.account, env.rollup, rollupAbi, "withdrawCollateral", []), "GamesOpen");
    expect(await statusOf(0)).toBe(STATUS.Final);
    expect(await statusOf(1)).toBe(STATUS.Pending);
    expect(await statusOf(2)).toBe(STATUS.Pending);
    expect(await env.read<boolean>(env.rollup, rollupAbi, "isFinal", [2n])).toBe(false);
  });

  it("a silent defender loses: checkpoints 1 and 2 are removed and the rollup halts", async () => {
    // The clocks ran out during the window above.
    const receipt = await env.send(challenger, game, gameAbi, "resolve", [gameId, 0n]);
    const logs = parseEventLogs({ abi: rollupAbi, logs: receipt.logs });
    expect(logs.map((l) => l.eventName)).toEqual(["FaultProven", "CheckpointsInvalidated", "Halted"]);
    expect(await env.read<bigint>(env.rollup, rollupAbi, "nextCheckpointIndex")).toBe(1n);
    expect(await statusOf(0)).toBe(STATUS.Final);
    expect(await env.read<boolean>(env.rollup, rollupAbi, "halted")).toBe(true);
    expect(await env.read<boolean>(env.rollup, rollupAbi, "acceptingMessages")).toBe(false);
    const digest = toHex(checkpointDigest(cp1, env.domain));
    expect(await env.read<Address>(env.rollup, rollupAbi, "faultyDigest", [digest])).toBe(challenger);
    // Nor right after the fault: its signers are slashed first, with their public signatures.
    await expectRevert(
      env.send(validators[0]!.account, env.rollup, rollupAbi, "withdrawCollateral", []),
      "SlashingPeriod",
    );
    expect(await env.read<bigint>(env.rollup, rollupAbi, "faultyBlock", [toHex(chain1.hashes[3]!)])).toBe(8n);
  });

  it("anyone slashes its signers with their signatures; the challenger gets its share", async () => {
    const digest = toHex(checkpointDigest(cp1, env.domain));
    // The signatures are in the rollup's CheckpointSignatures log, found by index and digest as
    // players find them, although checkpoint 1 was submitted through a Forwarder contract.
    const where = { rollup: env.rollup, index: 1, digest, startBlock: 0n };
    expect(await readSubmissionSignatures(where, env)).toEqual(sigs1);
    expect(await readSubmissionSignatures({ ...where, digest: toHex(new Uint8Array(32).fill(2)) }, env)).toEqual([]);
    const done = await slashForFault(where, { ...env, account: defender });
    expect(done).toEqual({ slashed: sigs1, sequencer: false });
    // Again: every key is slashed already, so nothing is sent and nothing fails.
    expect(await slashForFault(where, { ...env, account: defender })).toEqual({ slashed: [], sequencer: false });
    for (const v of validators) {
      const info = await env.read<readonly unknown[]>(env.rollup, rollupAbi, "validatorInfo", [v.address]);
      expect(info[0]).toBe(0n); // collateral
      expect(info[6]).toBe(true); // slashed
    }
    await expectRevert(
      env.send(defender, env.rollup, rollupAbi, "slashFaultySigner", [digest, sigs1[0]]),
      "NothingToSlash",
    );
    const other = toHex(signDigest(new Uint8Array(32).fill(1), validators[0]!.priv));
    await expectRevert(
      env.send(defender, env.rollup, rollupAbi, "slashFaultySigner", [toHex(new Uint8Array(32).fill(1)), other]),
      "NotProvenFaulty",
    );
    const reward = (3n * DEFAULT_PARAMS.minCollateral * 1_000n) / 10_000n;
    expect(await env.read<bigint>(env.rollup, rollupAbi, "rewards", [challenger])).toBe(reward);
    const before = await env.publicClient.getBalance({ address: challenger });
    const receipt = await env.send(challenger, env.rollup, rollupAbi, "claimReward", []);
    const gas = receipt.gasUsed * receipt.effectiveGasPrice;
    expect(await env.publicClient.getBalance({ address: challenger })).toBe(before + reward - gas);
    await expectRevert(env.send(challenger, env.rollup, rollupAbi, "claimReward", []), "NothingToClaim");
  });

  it("the sequencer's bond burns for the disproven block it sealed", async () => {
    const hash = chain1.hashes[3]!;
    const sealDigest = await env.read<Hex>(env.rollup, rollupAbi, "sealDigest", [7n, toHex(hash)]);
    const seal = toHex(signDigest(fromHex(sealDigest), env.sequencer.priv));
    // Not the disproven block: another height, or a hash never proven wrong.
    await expectRevert(
      env.send(defender, env.rollup, rollupAbi, "slashSequencerForFaultyBlock", [8n, toHex(hash), seal]),
      "NotProvenFaulty",
    );
    await expectRevert(
      env.send(defender, env.rollup, rollupAbi, "slashSequencerForFaultyBlock", [7n, toHex(chain1.hashes[2]!), seal]),
      "NotProvenFaulty",
    );
    const notSequencer = toHex(signDigest(fromHex(sealDigest), validators[0]!.priv));
    await expectRevert(
      env.send(defender, env.rollup, rollupAbi, "slashSequencerForFaultyBlock", [7n, toHex(hash), notSequencer]),
      "NotSequencer",
    );
    await env.send(defender, env.rollup, rollupAbi, "slashSequencerForFaultyBlock", [7n, toHex(hash), seal]);
    expect(await env.read<bigint>(env.rollup, rollupAbi, "sequencerBond")).toBe(0n);
  });
});

describe("checkpoint 0's entry 0", () => {
  const entry0 = (chain: Chain) => [
    0n,
    true,
    toHex(chain.hashes[0]!),
    merkle(chain.hashes, BLOCK_HASHES_DEPTH, 0).siblings.map(toHex),
  ];

  it("is the genesis block's hash: another entry 0 is a fault at once, the genesis block's is not", async () => {
    // A rollup of its own: the one above has lost its checkpoints and its signers.
    const { fresh, freshGame } = await freshRollup();
    const submitFresh = (chain: Chain) => submitChain(fresh, validators, chain, 0);

    // A list that starts from a block 0 other than the genesis block: proven at once, no bond.
    const madeUp = makeChain(1, 4);
    await submitFresh(madeUp);
    const id = await env.read<bigint>(freshGame, gameAbi, "gameCount");
    const receipt = await env.send(challenger, freshGame, gameAbi, "proveListEndFault", entry0(madeUp));
    const logs = parseEventLogs({ abi: rollupAbi, logs: receipt.logs });
    expect(logs.map((l) => l.eventName)).toEqual(["FaultProven", "CheckpointsInvalidated", "Halted"]);
    expect((await env.read<{ outcome: number }>(freshGame, gameAbi, "getGame", [id])).outcome).toBe(3);
    expect(await env.read<bigint>(fresh.rollup, rollupAbi, "nextCheckpointIndex")).toBe(0n);

    // The same range from the genesis block: its entry 0 is no fault.
    const honest = chainAfter(0, null);
    await submitFresh(honest);
    expect(await env.read<bigint>(fresh.rollup, rollupAbi, "nextCheckpointIndex")).toBe(1n);
    await expectRevert(env.send(challenger, freshGame, gameAbi, "proveListEndFault", entry0(honest)), "NoFault");
    // Nor is anything else: the made-up entry 0 is not this checkpoint's (no proof of it verifies).
    const wrongEntry = [
      0n,
      true,
      toHex(madeUp.hashes[0]!),
      merkle(honest.hashes, BLOCK_HASHES_DEPTH, 0).siblings.map(toHex),
    ];
    await expectRevert(
      env.send(challenger, freshGame, gameAbi, "proveListEndFault", wrongEntry),
      "HeaderNotInCheckpoint",
    );
  });
});

describe("an answered reveal after the window", () => {
  it("holds its checkpoint and every later one back from finality for one more clock, then no longer", async () => {
    // A rollup of its own, with two honest checkpoints.
    const { fresh, freshGame } = await freshRollup();
    const chains = [chainAfter(0, null)];
    chains.push(chainAfter(1, chains[0]!));
    for (const [index, chain] of chains.entries()) await submitChain(fresh, validators, chain, index);
    const status = async (index: number) =>
      (await env.read<[number, Hex]>(fresh.rollup, rollupAbi, "checkpointStatus", [BigInt(index)]))[0];
    const acceptedAt = async (index: number) =>
      (await env.read<{ acceptedAt: bigint }>(fresh.rollup, rollupAbi, "getCheckpoint", [BigInt(index)])).acceptedAt;
    const closesAt = (await acceptedAt(0)) + BigInt(DEFAULT_PARAMS.challengeWindowSec);
    // Block 3 of checkpoint 0 asked for in the window's last second, answered in its clock's last second.
    await env.testClient.setNextBlockTimestamp({ timestamp: closesAt - 1n });
    const id = await env.read<bigint>(freshGame, gameAbi, "gameCount");
    await env.send(challenger, freshGame, gameAbi, "requestHeader", [0n, 3n], CHALLENGE_BOND);
    const { revealBy } = await env.read<{ revealBy: bigint }>(freshGame, gameAbi, "getGame", [id]);
    await env.testClient.setNextBlockTimestamp({ timestamp: revealBy });
    const c0 = chains[0]!;
    await env.send(defender, freshGame, gameAbi, "revealHeader", [
      id,
      headerToAbi(c0.blocks[3]!.header),
      merkle(c0.hashes, BLOCK_HASHES_DEPTH, 3).siblings.map(toHex),
      toHex(c0.hashes[2]!),
      merkle(c0.hashes, BLOCK_HASHES_DEPTH, 2).siblings.map(toHex),
    ]);
    const until = await env.read<bigint>(freshGame, gameAbi, "challengeableUntil", [0n]);
    expect(until).toBe(revealBy + BigInt(MAX_CLOCK_SEC));
    // Both windows are over and no game is open, but checkpoint 0 can still be challenged: a fault
    // proven on it would remove checkpoint 1 too, so neither is final.
    expect(revealBy).toBeGreaterThan((await acceptedAt(1)) + BigInt(DEFAULT_PARAMS.challengeWindowSec));
    expect(await env.read<bigint>(freshGame, gameAbi, "openGames", [0n])).toBe(0n);
    expect([await status(0), await status(1)]).toEqual([STATUS.Pending, STATUS.Pending]);
    await expectRevert(env.read(fresh.rollup, rollupAbi, "withdrawalsRootIfFinal", [0n]), "NotFinal");
    expect(await env.read<boolean>(fresh.rollup, rollupAbi, "isFinal", [1n])).toBe(false);
    await env.testClient.setNextBlockTimestamp({ timestamp: until - 5n });
    await env.testClient.mine({ blocks: 1 });
    expect([await status(0), await status(1)]).toEqual([STATUS.Pending, STATUS.Pending]);
    // The extension over, with nothing open: both final.
    await env.testClient.setNextBlockTimestamp({ timestamp: until + 1n });
    await env.testClient.mine({ blocks: 1 });
    expect([await status(0), await status(1)]).toEqual([STATUS.Final, STATUS.Final]);
    expect(await env.read<boolean>(fresh.rollup, rollupAbi, "isFinal", [1n])).toBe(true);
    await expectRevert(
      env.send(challenger, freshGame, gameAbi, "requestHeader", [0n, 3n], CHALLENGE_BOND),
      "ChallengeWindowClosed",
    );
  });
});
