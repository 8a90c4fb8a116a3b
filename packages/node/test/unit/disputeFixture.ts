/**
 * The shared set-up of the dispute player's tests (disputePlayer.test.ts, itemResponder.test.ts):
 * a real FilverseDisputeGame and OneStepExecutor on a local L1 (hardhat, started in beforeAll), a
 * two-block chain with a deposit and a Transfer, and helpers to seal blocks, post checkpoints and
 * build players. Importing it registers the hooks in the importing file.
 */
import type { L1Clients, LocalL1 } from "@filverse/l1";
import { getChainConfig, MAX_BLOCK_DEPOSITS } from "@filverse/params";
import { type BlockHeader, blockHash, blockHashesRoot, type SignedBlock } from "@filverse/types";
import { nullLogger, toHex } from "@filverse/utils";
import { type Abi, type Address, type Hex, keccak256, stringToHex } from "viem";
import { afterAll, beforeAll } from "vitest";
import { type Artifacts, deployArtifact, sendTx, setupMockCheckpointsGame } from "../../../l1/test/unit/gameFixture.js";
import {
  bob,
  CHAIN_ID,
  deposit,
  MAX_BLOCK_TXS,
  seal,
  sealTwoBlocks,
  sequencer,
} from "../../../l1/test/unit/sealedChain.js";
import { type DisputeChainView, DisputePlayer, defaultDisputePlayerOpts } from "../../src/dispute/player.js";
import type { NodeMetrics } from "../../src/metrics.js";

export {
  alice,
  bob,
  CHAIN_ID,
  deposit,
  MAX_BLOCK_TXS,
  makeKey,
  seal,
  sequencer,
} from "../../../l1/test/unit/sealedChain.js";
export const MAX_CLOCK_SEC = 1_000;
export const EXTENSION_SEC = 100;
export const BOND = 10n ** 18n;

export const chain = getChainConfig("devnet", {
  chainId: CHAIN_ID,
  maxBlockTxs: MAX_BLOCK_TXS,
  maxBlockDeposits: MAX_BLOCK_DEPOSITS,
  minTxFee: 0n,
});

export let l1: LocalL1;
/** The contracts of test/contracts/DisputeGameMocks.sol (the Forwarder among them). */
export let artifacts: Artifacts;
export let clients: L1Clients;
export let accounts: Address[];
export let gameAbi: Abi;
export let mockAbi: Abi;
export let checkpoints: Address;
export let game: Address;

export const deploy = (a: { abi: Abi; bytecode: Hex }, args: unknown[]) =>
  deployArtifact(clients, accounts[0]!, a, args);

export const send = (
  to: Address,
  abi: Abi,
  functionName: string,
  args: readonly unknown[],
  from: Address,
  value?: bigint,
): Promise<unknown> => sendTx(clients, from, to, abi, functionName, args, value);

export const read = async <T>(to: Address, abi: Abi, functionName: string, args: readonly unknown[] = []): Promise<T> =>
  (await clients.publicClient.readContract({ address: to, abi, functionName, args } as never)) as T;

export const increaseTime = (sec: number) =>
  clients.publicClient
    .request({ method: "evm_increaseTime", params: [sec] } as never)
    .then(() => clients.publicClient.request({ method: "evm_mine", params: [] } as never));

beforeAll(async () => {
  ({ l1, clients, accounts, artifacts, mockAbi, checkpoints, game, gameAbi } = await setupMockCheckpointsGame({
    chainId: CHAIN_ID,
    maxBlockTxs: MAX_BLOCK_TXS,
    sequencer: toHex(sequencer.address) as Address,
    deposits: [deposit(2, bob.address, 7n)],
    bond: BOND,
    maxClockSec: MAX_CLOCK_SEC,
    extensionSec: EXTENSION_SEC,
  }));
}, 120_000);
afterAll(async () => {
  await l1?.stop();
});

/** The honest chain: genesis, block 1 funding alice, block 2 with a deposit to bob and a transfer; and a faulty block 2. */
export function makeChain(fault: (h: BlockHeader) => BlockHeader) {
  const { genesis, one, transfer, two } = sealTwoBlocks();
  const bad = seal(one.state, one.block.header, [deposit(2, bob.address, 7n)], [transfer], fault);
  const genesisBlock: SignedBlock = {
    header: genesis.header,
    deposits: [],
    transactions: [],
    signature: new Uint8Array(65),
  };
  return {
    blocks: [genesisBlock, one.block, two.block],
    states: [genesis.state, one.state, two.state],
    bad: bad.block,
  };
}

export const wrongReceipts = (h: BlockHeader) => ({ ...h, receiptsRoot: new Uint8Array(32).fill(7) });
export const c = makeChain(wrongReceipts);

/** The player's view of the honest chain; `refused` is the faulty block 2 it saw and refused. */
export const view = (refused: SignedBlock | null = null): DisputeChainView => ({
  chain,
  sequencer: sequencer.address,
  headNumber: () => 2,
  block: async (n) => c.blocks[n] ?? null,
  stateAt: async (n) => c.states[n],
  refusedBlock: async (hash) => (refused && toHex(blockHash(refused.header)) === hash.toLowerCase() ? refused : null),
});

export const playerOf = (account: Address, refused: SignedBlock | null = null, metrics: NodeMetrics | null = null) =>
  new DisputePlayer(
    { ...defaultDisputePlayerOpts, game },
    {
      l1: clients,
      account: { address: account, type: "json-rpc" },
      chain: view(refused),
      metrics,
      logger: nullLogger,
      signal: new AbortController().signal,
    },
  );

let nextIndex = 0;

/** The next checkpoint index to post (the fixture and its tests share one sequence). */
export function takeCheckpointIndex(): number {
  return nextIndex++;
}
/** Post blocks 1..2 (block 2 = `two`) as a checkpoint on the mock; returns its index. */
export const postCheckpoint = (two: SignedBlock, stateRoot = two.header.stateRoot): Promise<number> =>
  postList([c.blocks[1]!.header, two.header], stateRoot);

/**
 * Post `headers` as blocks 1..n of a checkpoint on the mock (on the honest genesis block, its roots
 * from the last header unless `stateRoot` says otherwise); returns its index.
 */
export async function postList(headers: BlockHeader[], stateRoot = headers.at(-1)!.stateRoot): Promise<number> {
  const index = nextIndex++;
  const last = headers.at(-1)!;
  await send(
    checkpoints,
    mockAbi,
    "setCheckpoint",
    [
      BigInt(index),
      {
        digest: keccak256(stringToHex(`checkpoint ${index}`)),
        blockHashesRoot: toHex(blockHashesRoot(headers)),
        parentHash: toHex(blockHash(c.blocks[0]!.header)),
        lastBlockHash: toHex(blockHash(last)),
        stateRoot: toHex(stateRoot),
        withdrawalsRoot: toHex(last.withdrawalsRoot),
        firstBlock: 1n,
        lastBlock: BigInt(headers.length),
        acceptedAt: 0n,
      },
    ],
    accounts[0]!,
  );
  return index;
}
