/**
 * The L1 set-ups of the dispute game's tests (here and in packages/node/test): the test contracts of
 * DisputeGameMocks.sol compiled, a contract deployed, a checkpoint over a dispute chain, the rollup
 * with the game wired in (setupGameEnv), and the game on a mock checkpoint contract with the
 * one-step executor as built (setupMockCheckpointsGame).
 */
import { MAX_BLOCK_DEPOSITS } from "@filverse/params";
import type { Checkpoint, Deposit } from "@filverse/types";
import type { Abi, Address, Hex } from "viem";
import { expect } from "vitest";
import { loadArtifact } from "../../src/artifacts.js";
import { createL1Clients, type L1Clients } from "../../src/clients.js";
import { deployFilverse, deployOneStepExecutor } from "../../src/deploy.js";
import { type LocalL1, startLocalL1, writeL1MessageRecords } from "../../src/devL1.js";
import type { Chain } from "./disputeFixture.js";
import {
  type Env,
  FIL,
  type Key,
  L2_CHAIN_ID,
  makeCheckpoint,
  makeKey,
  registerValidators,
  rollupAbi,
  setupEnv,
  signSorted,
  submitCheckpoint,
} from "./fixture.js";
import { compileTestContracts } from "./harness.js";

export const CHALLENGE_BOND = 5n * FIL;
export const MOVE_BOND = FIL;
export const MAX_CLOCK_SEC = 1_000;
export const EXTENSION_SEC = 100;

export type Artifacts = Awaited<ReturnType<typeof compileTestContracts>>;

/** Every contract of test/contracts/DisputeGameMocks.sol: the mocks, FilverseDisputeGame and what it imports. */
export const compileDisputeGameMocks = (): Promise<Artifacts> =>
  compileTestContracts("DisputeGameMocks", [
    "FilverseDisputeGame.sol",
    "IOneStepExecutor.sol",
    "Ssz.sol",
    "SszObjects.sol",
    "StateProofs.sol",
    "StepProofStore.sol",
  ]);

/** Deploy `artifact` from `from` with `args`: its address. */
export async function deployArtifact(
  clients: L1Clients,
  from: Address,
  artifact: { abi: Abi; bytecode: Hex },
  args: unknown[] = [],
): Promise<Address> {
  const hash = await clients.walletClient.deployContract({
    abi: artifact.abi,
    bytecode: artifact.bytecode,
    args,
    account: from,
    chain: clients.walletClient.chain,
  } as never);
  return (await clients.publicClient.waitForTransactionReceipt({ hash })).contractAddress!;
}

/** Send `functionName(args)` to `to` from `from` (with `value`) and expect it to succeed: its receipt. */
export async function sendTx(
  clients: L1Clients,
  from: Address,
  to: Address,
  abi: Abi,
  functionName: string,
  args: readonly unknown[],
  value?: bigint,
) {
  const hash = await clients.walletClient.writeContract({
    account: from,
    address: to,
    abi,
    functionName,
    args,
    value,
    chain: clients.walletClient.chain,
  } as never);
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
  expect(receipt.status).toBe("success");
  return receipt;
}

/** Checkpoint `index` over `chain` (its roots from the last header), for `env`'s rollup and its current validator set. */
export async function chainCheckpoint(env: Env, chain: Chain, index: number): Promise<Checkpoint> {
  const last = chain.blocks.at(-1)!.header;
  return makeCheckpoint({
    index,
    firstBlock: chain.first,
    lastBlock: chain.last,
    parentHash: chain.hashes[0]!,
    lastBlockHash: chain.hashes.at(-1)!,
    stateRoot: last.stateRoot,
    withdrawalsRoot: last.withdrawalsRoot,
    blockHashesRoot: chain.root,
    validatorSetId: Number(await env.read<bigint>(env.rollup, rollupAbi, "validatorSetId")),
  });
}

/** Checkpoint `index` over `chain`, signed by every one of `signers` and submitted to `env`'s rollup. */
export async function submitChain(env: Env, signers: Key[], chain: Chain, index: number) {
  const cp = await chainCheckpoint(env, chain, index);
  const signatures = signSorted(env, cp, signers);
  const receipt = await submitCheckpoint(env, cp, signatures);
  return { cp, signatures, receipt };
}

export type GameEnv = {
  env: Env;
  artifacts: Artifacts;
  gameAbi: Abi;
  /** The genesis validators, makeKey(1..3). */
  validators: Key[];
  /** The L1 accounts 1 and 2. */
  challenger: Address;
  defender: Address;
  /** A MockOneStepExecutor that declares itself complete, for the fixture's rollup. */
  executor: Address;
  /** A FilverseDisputeGame on the fixture's rollup with `executor`. */
  game: Address;
  /** Deploy the test contract `name` from the deployer. */
  deploy(name: string, args?: unknown[]): Promise<Address>;
  /** A FilverseDisputeGame on `checkpoints` with `executor` and this file's bonds and clocks. */
  deployGame(checkpoints: Address, executor: Address): Promise<Address>;
};

/**
 * A local L1 with the rollup and bridge (setupEnv), three genesis validators, and a dispute game
 * played with a complete mock executor; `wire` sets that game as the rollup's. The caller must
 * `await env.l1.stop()` in afterAll.
 */
export async function setupGameEnv(opts: { wire: boolean }): Promise<GameEnv> {
  const [artifacts, env] = await Promise.all([compileDisputeGameMocks(), setupEnv()]);
  try {
    const deploy = (name: string, args: unknown[] = []) => deployArtifact(env, env.deployer, artifacts[name]!, args);
    const deployGame = (checkpoints: Address, executor: Address) =>
      deploy("FilverseDisputeGame", [
        checkpoints,
        executor,
        CHALLENGE_BOND,
        MOVE_BOND,
        BigInt(MAX_CLOCK_SEC),
        BigInt(EXTENSION_SEC),
      ]);
    const accounts = await env.walletClient.getAddresses();
    const validators = [makeKey(1), makeKey(2), makeKey(3)];
    await registerValidators(env, validators);
    const executor = await deploy("MockOneStepExecutor", [true, env.bridge, BigInt(L2_CHAIN_ID)]);
    const game = await deployGame(env.rollup, executor);
    if (opts.wire) await env.send(env.deployer, env.rollup, rollupAbi, "setDisputeGame", [game]);
    return {
      env,
      artifacts,
      gameAbi: artifacts.FilverseDisputeGame!.abi,
      validators,
      challenger: accounts[1]!,
      defender: accounts[2]!,
      executor,
      game,
      deploy,
      deployGame,
    };
  } catch (err) {
    await env.l1.stop();
    throw err;
  }
}

export type MockCheckpointsGame = {
  l1: LocalL1;
  clients: L1Clients;
  accounts: Address[];
  artifacts: Artifacts;
  /** MockCheckpoints (3,600 s window), its sequencer set. */
  checkpoints: Address;
  mockAbi: Abi;
  /** The one-step executor as built, for a real bridge. */
  executor: Address;
  /** FilverseDisputeGame on `checkpoints` with `executor`, every bond `bond`. */
  game: Address;
  gameAbi: Abi;
};

/**
 * A local L1 with the dispute game on a MockCheckpoints (sequencer `sequencer`) and the one-step
 * executor as built for L2 chain `chainId`, its real bridge holding the records of `deposits` (the
 * made-up L1 messages the test's blocks consume). The caller must `await l1.stop()` in afterAll.
 */
export async function setupMockCheckpointsGame(opts: {
  chainId: number;
  maxBlockTxs: number;
  sequencer: Address;
  deposits: Deposit[];
  bond: bigint;
  maxClockSec: number;
  extensionSec: number;
}): Promise<MockCheckpointsGame> {
  const [artifacts, l1] = await Promise.all([compileDisputeGameMocks(), startLocalL1()]);
  try {
    const clients = createL1Clients({ url: l1.url, chainId: l1.chainId, pollingIntervalMs: 25, retryCount: 0 });
    const accounts = await clients.walletClient.getAddresses();
    const deployer = accounts[0]!;
    const mockAbi = artifacts.MockCheckpoints!.abi;
    const checkpoints = await deployArtifact(clients, deployer, artifacts.MockCheckpoints!, [3_600n]);
    await sendTx(clients, deployer, checkpoints, mockAbi, "setSequencer", [opts.sequencer]);
    const { bridge } = await deployFilverse(clients, deployer, {
      l2ChainId: opts.chainId,
      sequencer: opts.sequencer,
      genesisTimestamp: 1_700_000_000,
      minCollateral: 1n,
      challengeWindowSec: 3_600,
      exitDelaySec: 7_200,
      forceInclusionDelaySec: 3_600,
    });
    const { executor } = await deployOneStepExecutor(clients, deployer, {
      l2ChainId: opts.chainId,
      maxBlockTxs: opts.maxBlockTxs,
      maxBlockDeposits: MAX_BLOCK_DEPOSITS,
      minTxFee: 0n,
      bridge,
    });
    await writeL1MessageRecords(clients.publicClient, bridge, opts.deposits);
    const gameArtifact = loadArtifact("FilverseDisputeGame");
    const game = await deployArtifact(clients, deployer, gameArtifact, [
      checkpoints,
      executor,
      opts.bond,
      opts.bond,
      BigInt(opts.maxClockSec),
      BigInt(opts.extensionSec),
    ]);
    return { l1, clients, accounts, artifacts, checkpoints, mockAbi, executor, game, gameAbi: gameArtifact.abi };
  } catch (err) {
    await l1.stop();
    throw err;
  }
}
