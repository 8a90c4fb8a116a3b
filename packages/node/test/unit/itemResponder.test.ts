/**
 * The node's answer to item requests (dispute/itemResponder.ts, hooked into DisputePlayer.play),
 * against the real game and OneStepExecutor on a local L1 (hardhat), over real blocks (a deposit
 * and a Transfer): a player that holds the checkpoint's blocks answers a request for an item with
 * the item, and one for an index past the items with the list's length; a request on a checkpoint
 * that names other headers is left unanswered and resolves as a fault once its time is out.
 */
import { depositHash, privateKeyToAddress, signBlockHeader, signTransaction, txHash } from "@filverse/crypto";
import {
  createL1Clients,
  deployFilverse,
  deployOneStepExecutor,
  encodeRevealedItem,
  GameOutcome,
  type L1Clients,
  type LocalL1,
  loadArtifact,
  readDisputeGame,
  readItemReveal,
  sendDisputeMove,
  startLocalL1,
  writeL1MessageRecords,
} from "@filverse/l1";
import { getChainConfig, MAX_BLOCK_DEPOSITS } from "@filverse/params";
import { applyBlock, createGenesis, type State } from "@filverse/state";
import {
  type BlockHeader,
  blockHash,
  blockHashesRoot,
  type Deposit,
  HashListSsz,
  type SignedBlock,
  type SignedTransaction,
  TxKind,
} from "@filverse/types";
import { nullLogger, toHex } from "@filverse/utils";
import { type Abi, type Account, type Address, type Hex, keccak256, stringToHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileTestContracts } from "../../../l1/test/unit/harness.js";
import { type DisputeChainView, DisputePlayer, defaultDisputePlayerOpts } from "../../src/dispute/player.js";
import type { NodeMetrics } from "../../src/metrics.js";

const CHAIN_ID = 3_141_592_601;
const MAX_BLOCK_TXS = 10_000;
const MAX_CLOCK_SEC = 1_000;
const EXTENSION_SEC = 100;
const BOND = 10n ** 18n;

const makeKey = (seed: number) => {
  const priv = new Uint8Array(32);
  priv[0] = 0x61;
  priv[31] = seed + 1;
  return { priv, address: privateKeyToAddress(priv) };
};
const alice = makeKey(1);
const bob = makeKey(2);
const sequencer = makeKey(9);
const chain = getChainConfig("devnet", {
  chainId: CHAIN_ID,
  maxBlockTxs: MAX_BLOCK_TXS,
  maxBlockDeposits: MAX_BLOCK_DEPOSITS,
  minTxFee: 0n,
});

let l1: LocalL1;
let clients: L1Clients;
let accounts: Address[];
let gameAbi: Abi;
let mockAbi: Abi;
let checkpoints: Address;
let game: Address;

async function deploy(a: { abi: Abi; bytecode: Hex }, args: unknown[]): Promise<Address> {
  const hash = await clients.walletClient.deployContract({
    abi: a.abi,
    bytecode: a.bytecode,
    args,
    account: accounts[0]!,
    chain: clients.walletClient.chain,
  } as never);
  return (await clients.publicClient.waitForTransactionReceipt({ hash })).contractAddress!;
}

async function send(
  to: Address,
  abi: Abi,
  functionName: string,
  args: readonly unknown[],
  from: Address,
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
}

const read = async <T>(to: Address, abi: Abi, functionName: string, args: readonly unknown[] = []): Promise<T> =>
  (await clients.publicClient.readContract({ address: to, abi, functionName, args } as never)) as T;

const increaseTime = (sec: number) =>
  clients.publicClient
    .request({ method: "evm_increaseTime", params: [sec] } as never)
    .then(() => clients.publicClient.request({ method: "evm_mine", params: [] } as never));

beforeAll(async () => {
  const [artifacts, node] = await Promise.all([
    compileTestContracts("DisputeGameMocks", [
      "FilverseDisputeGame.sol",
      "IOneStepExecutor.sol",
      "Ssz.sol",
      "SszObjects.sol",
      "StateProofs.sol",
      "StepProofStore.sol",
    ]),
    startLocalL1(),
  ]);
  l1 = node;
  clients = createL1Clients({ url: l1.url, chainId: l1.chainId, pollingIntervalMs: 25, retryCount: 0 });
  accounts = await clients.walletClient.getAddresses();
  mockAbi = artifacts.MockCheckpoints!.abi;
  checkpoints = await deploy(artifacts.MockCheckpoints!, [3_600n]);
  await send(checkpoints, mockAbi, "setSequencer", [toHex(sequencer.address)], accounts[0]!);
  // A real bridge, holding the records of the made-up L1 messages the blocks consume.
  const { bridge } = await deployFilverse(clients, accounts[0]!, {
    l2ChainId: CHAIN_ID,
    sequencer: toHex(sequencer.address) as Address,
    genesisTimestamp: 1_700_000_000,
    minCollateral: 1n,
    challengeWindowSec: 3_600,
    exitDelaySec: 7_200,
    forceInclusionDelaySec: 3_600,
  });
  const { executor } = await deployOneStepExecutor(clients, accounts[0]!, {
    l2ChainId: CHAIN_ID,
    maxBlockTxs: MAX_BLOCK_TXS,
    maxBlockDeposits: MAX_BLOCK_DEPOSITS,
    minTxFee: 0n,
    bridge,
  });
  await writeL1MessageRecords(clients.publicClient, bridge, [deposit(2, bob.address, 7n)]);
  const gameArtifact = loadArtifact("FilverseDisputeGame");
  gameAbi = gameArtifact.abi;
  game = await deploy(gameArtifact, [checkpoints, executor, BOND, BOND, BigInt(MAX_CLOCK_SEC), BigInt(EXTENSION_SEC)]);
}, 120_000);
afterAll(async () => {
  await l1?.stop();
});

/** Seal `deposits` and `txs` on top of `parent`; `fault` alters the header before the seal. */
function seal(
  parent: State,
  parentHeader: BlockHeader,
  deposits: Deposit[],
  txs: SignedTransaction[],
  fault: (h: BlockHeader) => BlockHeader = (h) => h,
): { block: SignedBlock; state: State } {
  const draft: BlockHeader = {
    chainId: CHAIN_ID,
    number: parentHeader.number + 1,
    parentHash: blockHash(parentHeader),
    timestamp: parentHeader.timestamp + 2,
    proposer: sequencer.address,
    txRoot: new Uint8Array(32),
    receiptsRoot: new Uint8Array(32),
    stateRoot: new Uint8Array(32),
    withdrawalsRoot: new Uint8Array(32),
    l1DepositNonce: 0,
  };
  const body = { header: draft, deposits, transactions: txs };
  const r = applyBlock(parent, body, { chainId: CHAIN_ID, maxBlockTxs: MAX_BLOCK_TXS });
  const items = [...deposits.map((d) => depositHash(d)), ...txs.map((t) => txHash(t))];
  const header = fault({
    ...draft,
    txRoot: HashListSsz.hashTreeRoot(items),
    receiptsRoot: r.roots.receiptsRoot,
    stateRoot: r.roots.stateRoot,
    withdrawalsRoot: r.roots.withdrawalsRoot,
    l1DepositNonce: r.l1DepositNonce,
  });
  return { block: { ...body, header, signature: signBlockHeader(header, sequencer.priv) }, state: r.state };
}

const deposit = (nonce: number, to: Uint8Array, amount: bigint): Deposit => ({
  l1Nonce: nonce,
  l1BlockNumber: 10 + nonce,
  l1TxHash: new Uint8Array(32).fill(nonce),
  from: new Uint8Array(20).fill(0xee),
  to,
  amount,
  forcedTx: new Uint8Array(0),
});

/** The honest chain: genesis, block 1 funding alice, block 2 with a deposit to bob and a transfer; and a faulty block 2. */
function makeChain(fault: (h: BlockHeader) => BlockHeader) {
  const genesis = createGenesis({ chainId: CHAIN_ID }, { timestamp: 1_700_000_000, proposer: sequencer.address });
  const one = seal(genesis.state, genesis.header, [deposit(1, alice.address, 10n ** 18n)], []);
  const transfer = signTransaction(
    CHAIN_ID,
    { kind: TxKind.Transfer, message: { to: bob.address, amount: 5n, nonce: 0, fee: 1n } },
    alice.priv,
  );
  const two = seal(one.state, one.block.header, [deposit(2, bob.address, 7n)], [transfer]);
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

const wrongReceipts = (h: BlockHeader) => ({ ...h, receiptsRoot: new Uint8Array(32).fill(7) });
const c = makeChain(wrongReceipts);

/** The player's view of the honest chain; `refused` is the faulty block 2 it saw and refused. */
const view = (refused: SignedBlock | null = null): DisputeChainView => ({
  chain,
  sequencer: sequencer.address,
  headNumber: () => 2,
  block: async (n) => c.blocks[n] ?? null,
  stateAt: async (n) => c.states[n],
  refusedBlock: async (hash) => (refused && toHex(blockHash(refused.header)) === hash.toLowerCase() ? refused : null),
});

const playerOf = (account: Address, refused: SignedBlock | null = null, metrics: NodeMetrics | null = null) =>
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
/** Post blocks 1..2 (block 2 = `two`) as a checkpoint on the mock; returns its index. */
async function postCheckpoint(two: SignedBlock, stateRoot = two.header.stateRoot): Promise<number> {
  const index = nextIndex++;
  const headers = [c.blocks[1]!.header, two.header];
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
        lastBlockHash: toHex(blockHash(two.header)),
        stateRoot: toHex(stateRoot),
        withdrawalsRoot: toHex(two.header.withdrawalsRoot),
        firstBlock: 1n,
        lastBlock: 2n,
        acceptedAt: 0n,
      },
    ],
    accounts[0]!,
  );
  return index;
}

/** Ask for item `item` of block 2 of checkpoint `index`, from the challenger; returns the game id. */
async function requestItem(index: number, item: number): Promise<number> {
  const id = Number(await read<bigint>(game, gameAbi, "gameCount"));
  await sendDisputeMove(
    game,
    { kind: "requestItem", checkpointIndex: index, blockNumber: 2, item, bond: BOND },
    { ...clients, account: { address: accounts[1]!, type: "json-rpc" } as Account },
  );
  return id;
}

const outcome = async (id: number) => (await readDisputeGame(game, id, clients)).outcome;

describe("item requests answered by the player", () => {
  it("a node holding the blocks answers with the item, or with the list's length past the items", async () => {
    const index = await postCheckpoint(c.blocks[2]!);
    const two = c.blocks[2]!;
    const wanted = [
      { item: 0, body: { deposit: two.deposits[0]! }, hash: depositHash(two.deposits[0]!) },
      { item: 1, body: { tx: two.transactions[0]! }, hash: txHash(two.transactions[0]!) },
    ];
    for (const w of wanted) {
      const id = await requestItem(index, w.item);
      expect((await readDisputeGame(game, id, clients)).itemRequest).toBe(true);
      await playerOf(accounts[2]!).tick();
      expect(await outcome(id)).toBe(GameOutcome.DefenderWins);
      expect(await readItemReveal(game, id, clients)).toEqual({
        kind: "item",
        item: w.item,
        revealer: accounts[2]!,
        ...encodeRevealedItem(w.body, w.hash),
      });
    }
    const past = await requestItem(index, 7);
    await playerOf(accounts[2]!).tick();
    expect(await outcome(past)).toBe(GameOutcome.DefenderWins);
    expect(await readItemReveal(game, past, clients)).toEqual({ kind: "absent", itemCount: 2, revealer: accounts[2]! });
    // The answers took the bonds, and the player withdrew its credit.
    expect(await read<bigint>(game, gameAbi, "credit", [accounts[2]!])).toBe(0n);
  });

  it("a checkpoint that names other headers is not answered, and the request resolves as a fault", async () => {
    const index = await postCheckpoint(c.bad);
    const id = await requestItem(index, 1);
    await playerOf(accounts[2]!).tick();
    expect(await outcome(id)).toBe(GameOutcome.Open);
    await increaseTime(MAX_CLOCK_SEC + 1);
    // Past its time the player resolves it like any unanswered request.
    await playerOf(accounts[2]!).tick();
    expect(await outcome(id)).toBe(GameOutcome.ChallengerWins);
    expect(await read<bigint>(checkpoints, mockAbi, "lastFaultIndex")).toBe(BigInt(index));
  });

  it("a request it cannot answer costs one read of the checkpoint's blocks, not one every poll", async () => {
    const index = await postCheckpoint(c.bad);
    const id = await requestItem(index, 1);
    let reads = 0;
    const counting: DisputeChainView = {
      ...view(),
      // Block 1 is read only to check the checkpoint's list (the game is on block 2).
      block: async (n) => {
        if (n === 1) reads++;
        return c.blocks[n] ?? null;
      },
    };
    const player = new DisputePlayer(
      { ...defaultDisputePlayerOpts, game },
      {
        l1: clients,
        account: { address: accounts[2]!, type: "json-rpc" },
        chain: counting,
        metrics: null,
        logger: nullLogger,
        signal: new AbortController().signal,
      },
    );
    await player.tick();
    expect(reads).toBeGreaterThan(0);
    reads = 0;
    await player.tick();
    await player.tick();
    expect(reads).toBe(0);
    expect(await outcome(id)).toBe(GameOutcome.Open);
    await increaseTime(MAX_CLOCK_SEC + 1);
    await player.tick();
    expect(await outcome(id)).toBe(GameOutcome.ChallengerWins);
  });
});
