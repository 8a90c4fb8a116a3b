/**
 * FilverseDisputeGame (contracts/FilverseDisputeGame.sol) on the hardhat L1, standalone: a mock
 * checkpoint contract stands in for FilverseRollup and a mock one-step executor knows the true
 * trace. Covers the challenge (bond, window, header proofs against blockHashesRoot, link faults),
 * the bisection (alternation, narrowing, convergence within ceil(log2 S) disputes, by fast-check),
 * the clocks and their extension, resolution and bonds, the typed refusals, and the dry run
 * without an executor (ExecutorNotSet, every bond refunded). FILVERSE_FUZZ_RUNS sets the run count.
 */
import { BlockHeader, bool, bytes32, ReceiptListSsz, struct, uint64 } from "@filverse/types";
import { toHex } from "@filverse/utils";
import fc from "fast-check";
import { type Abi, type Address, encodeFunctionData, type Hex, keccak256, stringToHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createL1Clients, type L1Clients } from "../../src/clients.js";
import { type LocalL1, startLocalL1 } from "../../src/devL1.js";
import {
  BLOCK_HASHES_DEPTH,
  type Chain,
  challengeOf,
  headerToAbi,
  listRoot,
  makeChain,
  merkle,
  rand32,
} from "./disputeFixture.js";
import { expectRevert } from "./fixture.js";
import { compileDisputeGameMocks, deployArtifact, sendTx } from "./gameFixture.js";

const RUNS = Number(process.env.FILVERSE_FUZZ_RUNS ?? 6);
const WINDOW_SEC = 3_600;
const MAX_CLOCK_SEC = 1_000;
const EXTENSION_SEC = 100;
const CHALLENGE_BOND = 5n * 10n ** 18n;
const MOVE_BOND = 10n ** 18n;
const MAX_BLOCK_ITEMS = 69_632;

const StepState = struct("StepState", {
  objectsRoot: bytes32,
  withdrawalsRoot: bytes32,
  l1DepositNonce: uint64,
  items: uint64,
  l1Messages: uint64,
  receiptsRoot: bytes32,
  invalid: bool,
});

let l1: LocalL1;
let clients: L1Clients;
let gameAbi: Abi;
let mockAbi: Abi;
let executorAbi: Abi;
let executorBytecode: Hex;
/** The standalone game never asks its executor for a bridge or a chain (the rollup does). */
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
let gameArtifact: { abi: Abi; bytecode: Hex };
let checkpoints: Address;
let executor: Address;
let game: Address;
let dryRunGame: Address;
let accounts: Address[];
let challenger: Address;
let defender: Address;
let outsider: Address;

const deploy = (artifact: { abi: Abi; bytecode: Hex }, args: unknown[] = []) =>
  deployArtifact(clients, accounts[0]!, artifact, args);

beforeAll(async () => {
  const [artifacts, node] = await Promise.all([compileDisputeGameMocks(), startLocalL1()]);
  l1 = node;
  clients = createL1Clients({ url: l1.url, chainId: l1.chainId, pollingIntervalMs: 25, retryCount: 0 });
  accounts = await clients.walletClient.getAddresses();
  [, challenger, defender, outsider] = accounts as [Address, Address, Address, Address];
  gameArtifact = artifacts.FilverseDisputeGame!;
  executorBytecode = artifacts.MockOneStepExecutor!.bytecode;
  gameAbi = gameArtifact.abi;
  mockAbi = artifacts.MockCheckpoints!.abi;
  executorAbi = artifacts.MockOneStepExecutor!.abi;
  checkpoints = await deploy(artifacts.MockCheckpoints!, [BigInt(WINDOW_SEC)]);
  executor = await deploy(artifacts.MockOneStepExecutor!, [true, ZERO_ADDRESS, 0n]);
  const params = [CHALLENGE_BOND, MOVE_BOND, BigInt(MAX_CLOCK_SEC), BigInt(EXTENSION_SEC)];
  game = await deploy(gameArtifact, [checkpoints, executor, ...params]);
  dryRunGame = await deploy(gameArtifact, [checkpoints, "0x0000000000000000000000000000000000000000", ...params]);
}, 120_000);
afterAll(async () => {
  await l1?.stop();
});

// ---------------------------------------------------------------- L1 helpers

const send = (
  to: Address,
  abi: Abi,
  functionName: string,
  args: readonly unknown[],
  from = accounts[0]!,
  value?: bigint,
) => sendTx(clients, from, to, abi, functionName, args, value);

const read = async <T>(to: Address, abi: Abi, functionName: string, args: readonly unknown[] = []): Promise<T> =>
  (await clients.publicClient.readContract({ address: to, abi, functionName, args } as never)) as T;

async function advance(seconds: number) {
  await clients.publicClient.request({ method: "evm_increaseTime", params: [seconds] } as never);
  await clients.publicClient.request({ method: "evm_mine", params: [] } as never);
}

type GameNode = {
  parent: number;
  kind: number;
  resolved: boolean;
  stepped: boolean;
  countered: boolean;
  lo: bigint;
  hi: bigint;
  claimant: Address;
  bond: bigint;
  pre: Hex;
  post: Hex;
};
const getNode = (g: Address, id: bigint, node: bigint) => read<GameNode>(g, gameAbi, "getNode", [id, node]);
const nodeCount = (g: Address, id: bigint) => read<bigint>(g, gameAbi, "nodeCount", [id]);
const credit = (g: Address, who: Address) => read<bigint>(g, gameAbi, "credit", [who]);
const outcome = async (g: Address, id: bigint) =>
  (await read<{ outcome: number }>(g, gameAbi, "getGame", [id])).outcome;
const OUTCOME = { Open: 1, DefenderWins: 2, ChallengerWins: 3 };

async function propose(g: Address, id: bigint, node: bigint, state: Hex, from = defender): Promise<bigint> {
  await send(g, gameAbi, "propose", [id, node, state], from, MOVE_BOND);
  return (await nodeCount(g, id)) - 1n;
}

async function dispute(g: Address, id: bigint, node: bigint, left: boolean, from = challenger): Promise<bigint> {
  await send(g, gameAbi, "dispute", [id, node, left], from, MOVE_BOND);
  return (await nodeCount(g, id)) - 1n;
}

/** Resolve every node, children first (a child always has a higher index than its parent). */
async function resolveAll(g: Address, id: bigint) {
  for (let n = (await nodeCount(g, id)) - 1n; n >= 0n; n--) await send(g, gameAbi, "resolve", [id, n], outsider);
}

// ---------------------------------------------------------------- the L2 side: headers and lists

let nextIndex = 0;
/** Register `chain` as a fresh checkpoint (accepted now) on the mock and return its index. */
async function postCheckpoint(
  chain: Chain,
  overrides: {
    stateRoot?: Uint8Array;
    withdrawalsRoot?: Uint8Array;
    parentHash?: Uint8Array;
    lastBlockHash?: Uint8Array;
  } = {},
): Promise<number> {
  const index = nextIndex++;
  const digest = keccak256(stringToHex(`checkpoint ${index}`));
  const last = chain.blocks.at(-1)!.header;
  await send(checkpoints, mockAbi, "setCheckpoint", [
    BigInt(index),
    {
      digest,
      blockHashesRoot: toHex(chain.root),
      parentHash: toHex(overrides.parentHash ?? chain.hashes[0]!),
      lastBlockHash: toHex(overrides.lastBlockHash ?? chain.hashes.at(-1)!),
      stateRoot: toHex(overrides.stateRoot ?? last.stateRoot),
      withdrawalsRoot: toHex(overrides.withdrawalsRoot ?? last.withdrawalsRoot),
      firstBlock: BigInt(chain.first),
      lastBlock: BigInt(chain.last),
      acceptedAt: 0n,
    },
  ]);
  return index;
}

async function openGame(
  g: Address,
  chain: Chain,
  k: number,
  from = challenger,
): Promise<{ id: bigint; index: number }> {
  const index = await postCheckpoint(chain);
  const id = await read<bigint>(g, gameAbi, "gameCount");
  await send(g, gameAbi, "challenge", [challengeOf(chain, index, k)], from, CHALLENGE_BOND);
  return { id, index };
}

// ---------------------------------------------------------------- traces

type Trace = (j: number) => Hex;
const stateAt = (tag: string, j: number): Hex => keccak256(stringToHex(`${tag} ${j}`));

/**
 * The true trace and a fabricated one that agrees with it before step `div` (T[0] is fixed by the
 * headers). `checkpointRight`: the true T[S] is the headers' D, and the fabrication ends elsewhere;
 * otherwise the fabrication ends at D and the truth elsewhere.
 */
function traces(pre: Hex, post: Hex, S: number, div: number, checkpointRight: boolean) {
  const honest: Trace = (j) =>
    j === 0 ? pre : j === S ? (checkpointRight ? post : stateAt("true end", S)) : stateAt("true", j);
  const fabricated: Trace = (j) =>
    j < div ? honest(j) : j === S ? (checkpointRight ? stateAt("wrong end", S) : post) : stateAt("fabricated", j);
  return checkpointRight
    ? { defender: honest, challenger: fabricated, honest }
    : { defender: fabricated, challenger: honest, honest };
}

/** Both sides play their trace down to a one-step dispute; returns it and the number of disputes below the root. */
async function bisect(g: Address, id: bigint, S: number, t: { defender: Trace; challenger: Trace }) {
  let node = 0n;
  let lo = 0;
  let hi = S;
  let disputes = 0;
  while (hi - lo >= 2) {
    const mid = Math.floor((lo + hi) / 2);
    const p = await propose(g, id, node, t.defender(mid));
    const left = t.challenger(mid) !== t.defender(mid);
    node = await dispute(g, id, p, left);
    const n = await getNode(g, id, node);
    [lo, hi] = left ? [lo, mid] : [mid, hi];
    expect([Number(n.lo), Number(n.hi)]).toEqual([lo, hi]);
    disputes++;
  }
  return { leaf: node, lo, disputes };
}

// ---------------------------------------------------------------- tests

describe("StepState and the receipts list", () => {
  it("stepStateRoot is the SSZ hash_tree_root of StepState", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          objectsRoot: fc.uint8Array({ minLength: 32, maxLength: 32 }),
          withdrawalsRoot: fc.uint8Array({ minLength: 32, maxLength: 32 }),
          l1DepositNonce: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
          items: fc.nat({ max: MAX_BLOCK_ITEMS }),
          l1Messages: fc.nat({ max: MAX_BLOCK_ITEMS }),
          receiptsRoot: fc.uint8Array({ minLength: 32, maxLength: 32 }),
          invalid: fc.boolean(),
        }),
        async (s) => {
          const onChain = await read<Hex>(game, gameAbi, "stepStateRoot", [
            {
              ...s,
              objectsRoot: toHex(s.objectsRoot),
              withdrawalsRoot: toHex(s.withdrawalsRoot),
              receiptsRoot: toHex(s.receiptsRoot),
              l1DepositNonce: BigInt(s.l1DepositNonce),
              items: BigInt(s.items),
              l1Messages: BigInt(s.l1Messages),
            },
          ]);
          expect(onChain).toBe(toHex(StepState.hashTreeRoot(s)));
        },
      ),
      { numRuns: RUNS * 3 },
    );
  });

  it("the receipts before step 0 are the empty List[Receipt, 69632]", async () => {
    expect(await read<Hex>(game, gameAbi, "emptyReceiptsRoot")).toBe(toHex(ReceiptListSsz.hashTreeRoot([])));
  });
});

describe("challenge (level 1)", () => {
  it("opens a game on block k with T[0] from header k-1 and T[S] from header k", async () => {
    const chain = makeChain(11, 14);
    const { id, index } = await openGame(game, chain, 13);
    expect(await outcome(game, id)).toBe(OUTCOME.Open);
    expect(await read<bigint>(game, gameAbi, "openGames", [BigInt(index)])).toBe(1n);
    expect(await read<[boolean, bigint]>(game, gameAbi, "lowestOpenCheckpoint")).toEqual([true, BigInt(index)]);
    const root = await getNode(game, id, 0n);
    const parent = chain.blocks[13 - 11]!;
    const block = chain.blocks[13 - 10]!;
    expect([root.lo, root.hi]).toEqual([0n, BigInt(block.itemCount + 2)]);
    expect(root.pre).toBe(
      toHex(
        StepState.hashTreeRoot({
          objectsRoot: parent.objectsRoot,
          withdrawalsRoot: parent.header.withdrawalsRoot,
          l1DepositNonce: parent.header.l1DepositNonce,
          items: 0,
          l1Messages: 0,
          receiptsRoot: ReceiptListSsz.hashTreeRoot([]),
          invalid: false,
        }),
      ),
    );
    expect(root.post).toBe(
      toHex(
        StepState.hashTreeRoot({
          objectsRoot: block.objectsRoot,
          withdrawalsRoot: block.header.withdrawalsRoot,
          l1DepositNonce: block.header.l1DepositNonce,
          items: block.itemCount,
          // Every L1 message since the parent's nonce is one item of the block.
          l1Messages: block.header.l1DepositNonce - parent.header.l1DepositNonce,
          receiptsRoot: block.header.receiptsRoot,
          invalid: false,
        }),
      ),
    );
    const g = await read<{ parentHash: Hex; blockHash: Hex; stepCount: bigint }>(game, gameAbi, "getGame", [id]);
    expect(g.parentHash).toBe(toHex(chain.hashes[13 - 11]!));
    expect(g.blockHash).toBe(toHex(chain.hashes[13 - 10]!));
  });

  it("the first block of a range is challenged against the checkpoint's parent (entry 0)", async () => {
    const chain = makeChain(11, 14);
    const { id } = await openGame(game, chain, 11);
    expect((await read<{ parentHash: Hex }>(game, gameAbi, "getGame", [id])).parentHash).toBe(toHex(chain.hashes[0]!));
  });

  it("needs the exact challenge bond", async () => {
    const chain = makeChain(11, 14);
    const index = await postCheckpoint(chain);
    for (const value of [0n, CHALLENGE_BOND - 1n, CHALLENGE_BOND + 1n]) {
      await expectRevert(
        send(game, gameAbi, "challenge", [challengeOf(chain, index, 12)], challenger, value),
        "WrongBond",
      );
    }
  });

  it("is refused outside the window, outside the range, and for an unknown checkpoint", async () => {
    const chain = makeChain(11, 14);
    const index = await postCheckpoint(chain);
    const c = challengeOf(chain, index, 12);
    const challenge = (arg: unknown) => send(game, gameAbi, "challenge", [arg], challenger, CHALLENGE_BOND);
    await expectRevert(challenge({ ...c, checkpointIndex: 999n }), "UnknownCheckpoint");
    await expectRevert(challenge({ ...c, blockNumber: 15n }), "BlockOutOfRange");
    await expectRevert(challenge({ ...c, blockNumber: 10n }), "BlockOutOfRange");
    await advance(WINDOW_SEC);
    await expectRevert(challenge(c), "ChallengeWindowClosed");
  });

  it("refuses headers not in blockHashesRoot, objects roots not behind the state roots, and a wrong item count", async () => {
    const chain = makeChain(11, 14);
    const index = await postCheckpoint(chain);
    const c = challengeOf(chain, index, 12);
    const challenge = (arg: unknown) => send(game, gameAbi, "challenge", [arg], challenger, CHALLENGE_BOND);
    // Block 13's header presented as block 12's.
    const other = challengeOf(chain, index, 13);
    await expectRevert(challenge({ ...c, header: other.header }), "HeaderNotInCheckpoint");
    await expectRevert(challenge({ ...c, parentProof: c.headerProof }), "HeaderNotInCheckpoint");
    await expectRevert(challenge({ ...c, objectsRoot: toHex(rand32()) }), "StateRootMismatch");
    await expectRevert(challenge({ ...c, parentObjectsRoot: toHex(rand32()) }), "StateRootMismatch");
    await expectRevert(challenge({ ...c, itemCount: c.itemCount + 1n }), "TxRootMismatch");
  });

  it("a header whose L1 nonce is below its parent's is a link fault", async () => {
    const chain = makeChain(151, 152);
    chain.blocks[2]!.header.l1DepositNonce = chain.blocks[1]!.header.l1DepositNonce - 1;
    chain.hashes[2] = BlockHeader.hashTreeRoot(chain.blocks[2]!.header);
    chain.root = listRoot(chain.hashes);
    const { id } = await openGame(game, chain, 152);
    expect((await read<{ immediateFault: boolean }>(game, gameAbi, "getGame", [id])).immediateFault).toBe(true);
    expect(await outcome(game, id)).toBe(OUTCOME.ChallengerWins);
  });

  it("a header that does not link to its predecessor in the list is a fault at once (no executor needed)", async () => {
    const chain = makeChain(11, 14);
    // Block 13 names a parent other than block 12, and the signed list carries it anyway.
    chain.blocks[13 - 10]!.header.parentHash = rand32();
    chain.hashes[13 - 10] = BlockHeader.hashTreeRoot(chain.blocks[13 - 10]!.header);
    chain.root = listRoot(chain.hashes);
    const before = await credit(dryRunGame, challenger);
    const faults = await read<bigint>(checkpoints, mockAbi, "faults");
    const { id, index } = await openGame(dryRunGame, chain, 13);
    expect(await outcome(dryRunGame, id)).toBe(OUTCOME.ChallengerWins);
    expect((await read<{ immediateFault: boolean }>(dryRunGame, gameAbi, "getGame", [id])).immediateFault).toBe(true);
    expect(await read<bigint>(checkpoints, mockAbi, "faults")).toBe(faults + 1n);
    expect(await read<bigint>(checkpoints, mockAbi, "lastFaultIndex")).toBe(BigInt(index));
    expect(await read<bigint>(checkpoints, mockAbi, "lastFaultBlock")).toBe(13n);
    expect(await read<Address>(checkpoints, mockAbi, "lastFaultChallenger")).toBe(challenger);
    expect(await credit(dryRunGame, challenger)).toBe(before + CHALLENGE_BOND);
    expect(await read<bigint>(dryRunGame, gameAbi, "openGames", [BigInt(index)])).toBe(0n);
  });
});

describe("last-header fault", () => {
  it("a checkpoint whose roots are not its last header's is a fault at once; one that agrees is refused", async () => {
    const chain = makeChain(81, 83);
    const lastEntry = chain.hashes.length - 1;
    const args = (index: number) => [
      BigInt(index),
      headerToAbi(chain.blocks[lastEntry]!.header),
      merkle(chain.hashes, BLOCK_HASHES_DEPTH, lastEntry).siblings.map(toHex),
    ];
    const honest = await postCheckpoint(chain);
    await expectRevert(send(game, gameAbi, "proveLastHeaderFault", args(honest), outsider), "NoFault");
    const faults = await read<bigint>(checkpoints, mockAbi, "faults");
    const wrong = await postCheckpoint(chain, { withdrawalsRoot: rand32() });
    const id = await read<bigint>(game, gameAbi, "gameCount");
    await send(game, gameAbi, "proveLastHeaderFault", args(wrong), outsider);
    expect(await outcome(game, id)).toBe(OUTCOME.ChallengerWins);
    expect(await read<bigint>(checkpoints, mockAbi, "faults")).toBe(faults + 1n);
    expect(await read<bigint>(checkpoints, mockAbi, "lastFaultIndex")).toBe(BigInt(wrong));
    expect(await read<Address>(checkpoints, mockAbi, "lastFaultChallenger")).toBe(outsider);
    // A header at another entry is not the last one.
    const other = [
      BigInt(wrong),
      headerToAbi(chain.blocks[1]!.header),
      merkle(chain.hashes, BLOCK_HASHES_DEPTH, 1).siblings.map(toHex),
    ];
    await expectRevert(send(game, gameAbi, "proveLastHeaderFault", other, outsider), "HeaderNotInCheckpoint");
    await advance(WINDOW_SEC);
    await expectRevert(send(game, gameAbi, "proveLastHeaderFault", args(wrong), outsider), "ChallengeWindowClosed");
  });
});

describe("list-end fault", () => {
  it("a list whose first entry is not the parent's hash, or whose last is not lastBlockHash, is a fault at once", async () => {
    const chain = makeChain(91, 93);
    const end = (index: number, first: boolean) => {
      const at = first ? 0 : chain.hashes.length - 1;
      return [
        BigInt(index),
        first,
        toHex(chain.hashes[at]!),
        merkle(chain.hashes, BLOCK_HASHES_DEPTH, at).siblings.map(toHex),
      ];
    };
    const honest = await postCheckpoint(chain);
    await expectRevert(send(game, gameAbi, "proveListEndFault", end(honest, true), outsider), "NoFault");
    await expectRevert(send(game, gameAbi, "proveListEndFault", end(honest, false), outsider), "NoFault");
    // A proof of another entry is not one of the ends.
    const wrongProof = [
      BigInt(honest),
      true,
      toHex(chain.hashes[1]!),
      merkle(chain.hashes, BLOCK_HASHES_DEPTH, 1).siblings.map(toHex),
    ];
    await expectRevert(send(game, gameAbi, "proveListEndFault", wrongProof, outsider), "HeaderNotInCheckpoint");
    for (const first of [true, false]) {
      const other = first ? { parentHash: rand32() } : { lastBlockHash: rand32() };
      const wrong = await postCheckpoint(chain, other);
      const faults = await read<bigint>(checkpoints, mockAbi, "faults");
      const id = await read<bigint>(game, gameAbi, "gameCount");
      await send(game, gameAbi, "proveListEndFault", end(wrong, first), outsider);
      expect(await outcome(game, id)).toBe(OUTCOME.ChallengerWins);
      expect(await read<bigint>(checkpoints, mockAbi, "faults")).toBe(faults + 1n);
      expect(await read<bigint>(checkpoints, mockAbi, "lastFaultBlock")).toBe(first ? 90n : 93n);
      expect(await read<Hex>(checkpoints, mockAbi, "lastFaultBlockHash")).toBe(`0x${"00".repeat(32)}`);
    }
    // A zero parentHash is not "unknown": every checkpoint's entry 0 is judged (the rollup gives
    // checkpoint 0 the genesis block's hash).
    const zeroParent = await postCheckpoint(chain, { parentHash: new Uint8Array(32) });
    const id = await read<bigint>(game, gameAbi, "gameCount");
    await send(game, gameAbi, "proveListEndFault", end(zeroParent, true), outsider);
    expect(await outcome(game, id)).toBe(OUTCOME.ChallengerWins);
  });
});

describe("roots behind header k", () => {
  it("a challenger that cannot open header k's roots makes the defenders open them, or they lose", async () => {
    const chain = makeChain(131, 132);
    const index = await postCheckpoint(chain);
    const zero = `0x${"00".repeat(32)}`;
    const c = { ...challengeOf(chain, index, 132), objectsRoot: zero, itemsListRoot: zero, itemCount: 0n };
    const opened = await read<bigint>(game, gameAbi, "gameCount");
    await send(game, gameAbi, "challenge", [c], challenger, CHALLENGE_BOND);
    expect(await nodeCount(game, opened)).toBe(0n);
    await expectRevert(send(game, gameAbi, "resolve", [opened, 0n], outsider), "ClockRunning");
    const block = chain.blocks.at(-1)!;
    const open = (header: BlockHeader, objectsRoot: Uint8Array, count = block.itemCount) =>
      send(
        game,
        gameAbi,
        "openRoots",
        [opened, headerToAbi(header), toHex(objectsRoot), toHex(block.itemsListRoot), BigInt(count)],
        defender,
      );
    await expectRevert(open(chain.blocks[1]!.header, block.objectsRoot), "HeaderNotInCheckpoint");
    await expectRevert(open(block.header, rand32()), "StateRootMismatch");
    await expectRevert(open(block.header, block.objectsRoot, block.itemCount + 1), "TxRootMismatch");
    await open(block.header, block.objectsRoot);
    // The same root dispute as a challenge that knew the roots, the challenger's, with its bond.
    const known = await read<bigint>(game, gameAbi, "gameCount");
    await send(game, gameAbi, "challenge", [challengeOf(chain, index, 132)], challenger, CHALLENGE_BOND);
    const [a, b] = [await getNode(game, opened, 0n), await getNode(game, known, 0n)];
    expect([a.pre, a.post, a.hi, a.claimant, a.bond]).toEqual([b.pre, b.post, b.hi, challenger, CHALLENGE_BOND]);
    await expectRevert(open(block.header, block.objectsRoot), "NotAwaitingRoots");
    await propose(game, opened, 0n, stateAt("opened", 4));

    // Not opened in time: the challenge wins, and its bond goes back.
    const late = await read<bigint>(game, gameAbi, "gameCount");
    await send(game, gameAbi, "challenge", [c], challenger, CHALLENGE_BOND);
    await advance(MAX_CLOCK_SEC + 1);
    await expectRevert(
      send(
        game,
        gameAbi,
        "openRoots",
        [
          late,
          headerToAbi(block.header),
          toHex(block.objectsRoot),
          toHex(block.itemsListRoot),
          BigInt(block.itemCount),
        ],
        defender,
      ),
      "RevealTooLate",
    );
    const before = await credit(game, challenger);
    await send(game, gameAbi, "resolve", [late, 0n], outsider);
    expect(await outcome(game, late)).toBe(OUTCOME.ChallengerWins);
    expect((await credit(game, challenger)) - before).toBe(CHALLENGE_BOND);
  });
});

describe("headers behind the entries", () => {
  const entryArgs = (chain: Chain, k: number) => {
    const e = k - chain.first + 1;
    return [
      headerToAbi(chain.blocks[e]!.header),
      merkle(chain.hashes, BLOCK_HASHES_DEPTH, e).siblings.map(toHex),
      toHex(chain.hashes[e - 1]!),
      merkle(chain.hashes, BLOCK_HASHES_DEPTH, e - 1).siblings.map(toHex),
    ];
  };

  it("a header that does not follow the entry before it is a link fault, even when that entry has no header", async () => {
    const chain = makeChain(101, 104);
    const honest = await postCheckpoint(chain);
    await expectRevert(
      send(game, gameAbi, "proveLinkFault", [BigInt(honest), 103n, ...entryArgs(chain, 103)], outsider),
      "NoFault",
    );
    // Entry of block 102 is the hash of no header; block 103's header is real.
    chain.hashes[102 - 100] = rand32();
    chain.root = listRoot(chain.hashes);
    const wrong = await postCheckpoint(chain);
    const id = await read<bigint>(game, gameAbi, "gameCount");
    await send(game, gameAbi, "proveLinkFault", [BigInt(wrong), 103n, ...entryArgs(chain, 103)], outsider);
    expect(await outcome(game, id)).toBe(OUTCOME.ChallengerWins);
    expect(await read<bigint>(checkpoints, mockAbi, "lastFaultBlock")).toBe(103n);
  });

  it("a requested header that is revealed in time ends the request; the bond goes to the revealer", async () => {
    const chain = makeChain(111, 114);
    const index = await postCheckpoint(chain);
    await expectRevert(send(game, gameAbi, "requestHeader", [BigInt(index), 112n], challenger, 0n), "WrongBond");
    await expectRevert(
      send(game, gameAbi, "requestHeader", [BigInt(index), 110n], challenger, CHALLENGE_BOND),
      "BlockOutOfRange",
    );
    const id = await read<bigint>(game, gameAbi, "gameCount");
    await send(game, gameAbi, "requestHeader", [BigInt(index), 114n], challenger, CHALLENGE_BOND);
    expect(await read<bigint>(game, gameAbi, "openGames", [BigInt(index)])).toBe(1n);
    await expectRevert(send(game, gameAbi, "resolve", [id, 0n], outsider), "ClockRunning");
    // Another block's header is not an answer.
    await expectRevert(
      send(game, gameAbi, "revealHeader", [id, ...entryArgs(chain, 113)], defender),
      "HeaderNotInCheckpoint",
    );
    const before = await credit(game, defender);
    await send(game, gameAbi, "revealHeader", [id, ...entryArgs(chain, 114)], defender);
    expect(await outcome(game, id)).toBe(OUTCOME.DefenderWins);
    expect((await credit(game, defender)) - before).toBe(CHALLENGE_BOND);
    expect(await read<bigint>(game, gameAbi, "openGames", [BigInt(index)])).toBe(0n);
    await expectRevert(send(game, gameAbi, "revealHeader", [id, ...entryArgs(chain, 114)], defender), "GameOver");
  });

  it("a header nobody can show, or a last header without the checkpoint's roots, makes the request a fault", async () => {
    const chain = makeChain(121, 124);
    chain.hashes[123 - 120] = rand32(); // block 123: no header
    chain.root = listRoot(chain.hashes);
    const index = await postCheckpoint(chain, { withdrawalsRoot: rand32() });
    const noHeader = await read<bigint>(game, gameAbi, "gameCount");
    await send(game, gameAbi, "requestHeader", [BigInt(index), 123n], challenger, CHALLENGE_BOND);
    const lastHeader = noHeader + 1n;
    await send(game, gameAbi, "requestHeader", [BigInt(index), 124n], challenger, CHALLENGE_BOND);
    // The real header of block 124 links to the entry before it, but its roots are not the checkpoint's.
    await expectRevert(
      send(game, gameAbi, "revealHeader", [lastHeader, ...entryArgs(chain, 124)], defender),
      "BadReveal",
    );
    await advance(MAX_CLOCK_SEC + 1);
    await expectRevert(
      send(game, gameAbi, "revealHeader", [lastHeader, ...entryArgs(chain, 124)], defender),
      "RevealTooLate",
    );
    const faults = await read<bigint>(checkpoints, mockAbi, "faults");
    const before = await credit(game, challenger);
    for (const id of [noHeader, lastHeader]) {
      await send(game, gameAbi, "resolve", [id, 0n], outsider);
      expect(await outcome(game, id)).toBe(OUTCOME.ChallengerWins);
    }
    expect(await read<bigint>(checkpoints, mockAbi, "faults")).toBe(faults + 2n);
    expect((await credit(game, challenger)) - before).toBe(2n * CHALLENGE_BOND);
  });

  it("a request on a checkpoint removed meanwhile (a halt, then submitted again) is void, not a fault", async () => {
    const chain = makeChain(131, 134);
    const index = await postCheckpoint(chain);
    const id = await read<bigint>(game, gameAbi, "gameCount");
    await send(game, gameAbi, "requestHeader", [BigInt(index), 133n], challenger, CHALLENGE_BOND);
    // The rollup invalidated it and holds another checkpoint at that index: nobody can answer.
    await send(checkpoints, mockAbi, "setCheckpoint", [
      BigInt(index),
      {
        digest: keccak256(stringToHex(`checkpoint ${index} again`)),
        blockHashesRoot: toHex(chain.root),
        parentHash: toHex(chain.hashes[0]!),
        lastBlockHash: toHex(chain.hashes.at(-1)!),
        stateRoot: toHex(chain.blocks.at(-1)!.header.stateRoot),
        withdrawalsRoot: toHex(chain.blocks.at(-1)!.header.withdrawalsRoot),
        firstBlock: BigInt(chain.first),
        lastBlock: BigInt(chain.last),
        acceptedAt: 0n,
      },
    ]);
    await expectRevert(
      send(game, gameAbi, "revealHeader", [id, ...entryArgs(chain, 133)], defender),
      "UnknownCheckpoint",
    );
    await advance(MAX_CLOCK_SEC + 1);
    const faults = await read<bigint>(checkpoints, mockAbi, "faults");
    const before = await credit(game, challenger);
    await send(game, gameAbi, "resolve", [id, 0n], outsider);
    // No fault reported (the rollup would have marked the old digest faulty, its signers slashable).
    expect(await outcome(game, id)).toBe(OUTCOME.DefenderWins);
    expect(await read<bigint>(checkpoints, mockAbi, "faults")).toBe(faults);
    expect((await credit(game, challenger)) - before).toBe(CHALLENGE_BOND);
    expect(await read<bigint>(game, gameAbi, "openGames", [BigInt(index)])).toBe(0n);
  });
});

describe("an answered reveal keeps its checkpoint challengeable", () => {
  const entryArgs = (chain: Chain, k: number) => {
    const e = k - chain.first + 1;
    return [
      headerToAbi(chain.blocks[e]!.header),
      merkle(chain.hashes, BLOCK_HASHES_DEPTH, e).siblings.map(toHex),
      toHex(chain.hashes[e - 1]!),
      merkle(chain.hashes, BLOCK_HASHES_DEPTH, e - 1).siblings.map(toHex),
    ];
  };
  /** The next block (the next transaction) at exactly `t`. */
  const at = (t: number | bigint) =>
    clients.publicClient.request({ method: "evm_setNextBlockTimestamp", params: [Number(t)] } as never);

  it("for one clock after an answer at the last second, past the window; then no more", async () => {
    // A game of its own, so lowestOpenCheckpoint shows only this test's checkpoints.
    const g = await deploy(gameArtifact, [
      checkpoints,
      executor,
      CHALLENGE_BOND,
      MOVE_BOND,
      BigInt(MAX_CLOCK_SEC),
      BigInt(EXTENSION_SEC),
    ]);
    const chain = makeChain(141, 148);
    const index = BigInt(await postCheckpoint(chain));
    const other = BigInt(await postCheckpoint(makeChain(141, 148)));
    const { acceptedAt } = await read<{ acceptedAt: bigint }>(checkpoints, mockAbi, "disputableCheckpoint", [index]);
    const closesAt = acceptedAt + BigInt(WINDOW_SEC);
    const until = () => read<bigint>(g, gameAbi, "challengeableUntil", [index]);
    const lowest = () => read<[boolean, bigint]>(g, gameAbi, "lowestOpenCheckpoint");
    expect(await until()).toBe(0n);
    // A request in the window's last second, answered in its clock's last second: the window is over.
    await at(closesAt - 1n);
    const first = await read<bigint>(g, gameAbi, "gameCount");
    await send(g, gameAbi, "requestHeader", [index, 144n], challenger, CHALLENGE_BOND);
    const { revealBy } = await read<{ revealBy: bigint }>(g, gameAbi, "getGame", [first]);
    expect(revealBy).toBe(closesAt - 1n + BigInt(MAX_CLOCK_SEC));
    await at(revealBy);
    await send(g, gameAbi, "revealHeader", [first, ...entryArgs(chain, 144)], defender);
    const extendedTo = revealBy + BigInt(MAX_CLOCK_SEC);
    expect(await until()).toBe(extendedTo);
    // No game is open on it, yet it is challengeable: the rollup must hold it back.
    expect(await read<bigint>(g, gameAbi, "openGames", [index])).toBe(0n);
    expect(await lowest()).toEqual([true, index]);
    // The checkpoint whose window closed with no answer is not challengeable.
    await expectRevert(
      send(g, gameAbi, "requestHeader", [other, 144n], challenger, CHALLENGE_BOND),
      "ChallengeWindowClosed",
    );
    // Within the extension: the next request, and a challenge at its very last second.
    await at(extendedTo - 10n);
    const second = await read<bigint>(g, gameAbi, "gameCount");
    await send(g, gameAbi, "requestHeader", [index, 146n], challenger, CHALLENGE_BOND);
    await at(extendedTo);
    const third = second + 1n;
    await send(g, gameAbi, "challenge", [challengeOf(chain, Number(index), 145)], challenger, CHALLENGE_BOND);
    expect(await outcome(g, third)).toBe(OUTCOME.Open);
    // One second after it, nothing more is taken (the open request does not extend it; only an answer does).
    await at(extendedTo + 1n);
    await expectRevert(
      send(g, gameAbi, "requestHeader", [index, 147n], challenger, CHALLENGE_BOND),
      "ChallengeWindowClosed",
    );
    await at(extendedTo + 2n);
    await expectRevert(
      send(g, gameAbi, "challenge", [challengeOf(chain, Number(index), 146)], challenger, CHALLENGE_BOND),
      "ChallengeWindowClosed",
    );
    await expectRevert(
      send(g, gameAbi, "proveLinkFault", [index, 145n, ...entryArgs(chain, 145)], outsider),
      "ChallengeWindowClosed",
    );
    // The games still open hold it back.
    expect(await lowest()).toEqual([true, index]);
    // The second request answered late too: one more clock from that answer, and the next move goes through.
    const { revealBy: secondBy } = await read<{ revealBy: bigint }>(g, gameAbi, "getGame", [second]);
    await at(secondBy);
    await send(g, gameAbi, "revealHeader", [second, ...entryArgs(chain, 146)], defender);
    expect(await until()).toBe(secondBy + BigInt(MAX_CLOCK_SEC));
    await send(g, gameAbi, "requestHeader", [index, 147n], challenger, CHALLENGE_BOND);
    await send(g, gameAbi, "revealHeader", [second + 2n, ...entryArgs(chain, 147)], defender);
    // Every game ended (the challenge unanswered wins on time) and the last extension over: nothing holds it.
    await advance(MAX_CLOCK_SEC / 2);
    await send(g, gameAbi, "resolve", [third, 0n], outsider);
    expect(await outcome(g, third)).toBe(OUTCOME.ChallengerWins);
    expect(await read<bigint>(g, gameAbi, "openGames", [index])).toBe(0n);
    expect(await lowest()).toEqual([true, index]);
    await advance(MAX_CLOCK_SEC);
    expect(await lowest()).toEqual([false, 2n ** 64n - 1n]);
  });
});

describe("bisection (level 2)", () => {
  it("converges to one step within ceil(log2 S) disputes, and the side with the true trace wins every bond", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: MAX_BLOCK_ITEMS }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        async (itemCount, divAt, checkpointRight) => {
          const S = itemCount + 2;
          const div = 1 + Math.min(S - 1, Math.floor(divAt * S));
          const chain = makeChain(21, 22, () => itemCount);
          const { id, index } = await openGame(game, chain, 22);
          const root = await getNode(game, id, 0n);
          const t = traces(root.pre, root.post, S, div, checkpointRight);
          const credits0 = [await credit(game, challenger), await credit(game, defender)];
          const { leaf, lo, disputes } = await bisect(game, id, S, t);
          expect(disputes).toBeLessThanOrEqual(Math.ceil(Math.log2(S)));
          const l = await getNode(game, id, leaf);
          // The two sides agree on the pre-state of the last step and on nothing after it.
          expect(l.pre).toBe(t.honest(lo));
          expect(l.post).toBe(t.defender(lo + 1));
          expect(l.post === t.honest(lo + 1)).toBe(checkpointRight);
          await send(executor, executorAbi, "setTrace", [[t.honest(lo), t.honest(lo + 1)]]);
          // The side the step favours makes it.
          await send(game, gameAbi, "step", [id, leaf, "0x"], checkpointRight ? defender : challenger);
          expect((await getNode(game, id, leaf)).countered).toBe(checkpointRight);
          await advance(MAX_CLOCK_SEC + 2 * EXTENSION_SEC + 1);
          const faults = await read<bigint>(checkpoints, mockAbi, "faults");
          await resolveAll(game, id);
          expect(await outcome(game, id)).toBe(checkpointRight ? OUTCOME.DefenderWins : OUTCOME.ChallengerWins);
          expect(await read<bigint>(checkpoints, mockAbi, "faults")).toBe(faults + (checkpointRight ? 0n : 1n));
          expect(await read<bigint>(game, gameAbi, "openGames", [BigInt(index)])).toBe(0n);
          const total = CHALLENGE_BOND + 2n * BigInt(disputes) * MOVE_BOND;
          const gained = [
            (await credit(game, challenger)) - credits0[0]!,
            (await credit(game, defender)) - credits0[1]!,
          ];
          expect(gained).toEqual(checkpointRight ? [0n, total] : [total, 0n]);
        },
      ),
      { numRuns: RUNS },
    );
  }, 600_000);

  it("a wrong or bribed player on the honest side cannot lose the game for it", async () => {
    // An honest checkpoint: a bribed "defender" proposes a wrong midpoint and lets the challenger
    // win that subtree; the honest defender's own proposal still stands, so the challenge fails.
    const chain = makeChain(31, 31, () => 6);
    const { id } = await openGame(game, chain, 31);
    const root = await getNode(game, id, 0n);
    const t = traces(root.pre, root.post, 8, 8, true);
    const bribed = await propose(game, id, 0n, stateAt("bribed", 4), outsider);
    await dispute(game, id, bribed, true);
    // The honest defender answers with the truth at every level; the challenger's trace differs
    // from the truth at step 8 only, so it always disputes the right half.
    let node = 0n;
    for (const mid of [4, 6, 7]) node = await dispute(game, id, await propose(game, id, node, t.honest(mid)), false);
    await send(executor, executorAbi, "setTrace", [[t.honest(7), t.honest(8)]]);
    await send(game, gameAbi, "step", [id, node, "0x"], defender);
    await advance(MAX_CLOCK_SEC + 2 * EXTENSION_SEC + 1);
    const before = [await credit(game, challenger), await credit(game, defender)];
    await resolveAll(game, id);
    expect(await outcome(game, id)).toBe(OUTCOME.DefenderWins);
    // The defender: the challenge bond, its three proposals back, the three disputes it countered.
    expect((await credit(game, defender)) - before[1]!).toBe(CHALLENGE_BOND + 6n * MOVE_BOND);
    // The challenger: its dispute of the bribed proposal back, and the bribed proposal's bond.
    expect((await credit(game, challenger)) - before[0]!).toBe(2n * MOVE_BOND);
  });
});

describe("clocks", () => {
  it("a silent defender loses: its proposals and the challenge go to the challenger", async () => {
    const chain = makeChain(41, 41, () => 6);
    const { id } = await openGame(game, chain, 41);
    const p = await propose(game, id, 0n, stateAt("x", 4));
    await dispute(game, id, p, true);
    // The defender never answers the dispute.
    await advance(MAX_CLOCK_SEC + EXTENSION_SEC);
    const before = [await credit(game, challenger), await credit(game, defender)];
    await resolveAll(game, id);
    expect(await outcome(game, id)).toBe(OUTCOME.ChallengerWins);
    expect((await credit(game, challenger)) - before[0]!).toBe(CHALLENGE_BOND + 2n * MOVE_BOND);
    expect((await credit(game, defender)) - before[1]!).toBe(0n);
  });

  it("a silent challenger loses: the defender's proposal stands and takes the challenge bond", async () => {
    const chain = makeChain(42, 42, () => 6);
    const { id } = await openGame(game, chain, 42);
    await propose(game, id, 0n, stateAt("y", 4));
    await advance(MAX_CLOCK_SEC + EXTENSION_SEC);
    const before = [await credit(game, challenger), await credit(game, defender)];
    await resolveAll(game, id);
    expect(await outcome(game, id)).toBe(OUTCOME.DefenderWins);
    expect((await credit(game, defender)) - before[1]!).toBe(CHALLENGE_BOND + MOVE_BOND);
    expect((await credit(game, challenger)) - before[0]!).toBe(0n);
    // Credits are withdrawn once.
    await send(game, gameAbi, "claimCredit", [], defender);
    expect(await credit(game, defender)).toBe(0n);
    await expectRevert(send(game, gameAbi, "claimCredit", [], defender), "NoCredit");
  });

  it("a challenge nobody answers wins on time, and no move is taken after the clock", async () => {
    const chain = makeChain(43, 43, () => 6);
    const { id } = await openGame(game, chain, 43);
    await expectRevert(send(game, gameAbi, "resolve", [id, 0n], outsider), "ClockRunning");
    await advance(MAX_CLOCK_SEC + 1);
    await expectRevert(
      send(game, gameAbi, "propose", [id, 0n, stateAt("late", 4)], defender, MOVE_BOND),
      "ClockExpired",
    );
    await send(game, gameAbi, "resolve", [id, 0n], outsider);
    expect(await outcome(game, id)).toBe(OUTCOME.ChallengerWins);
  });

  it("a move at the last second leaves the mover's team the extension for its next answer", async () => {
    const chain = makeChain(44, 44, () => 30);
    const { id } = await openGame(game, chain, 44);
    // The defender proposes 10 s before its clock runs out...
    await advance(MAX_CLOCK_SEC - 12);
    const p = await propose(game, id, 0n, stateAt("late", 16));
    expect(await read<bigint>(game, gameAbi, "deadline", [id, p])).toBeGreaterThan(0n);
    const d = await dispute(game, id, p, true);
    // ...and still has clockExtension (not 10 s) to answer the dispute that follows.
    await advance(EXTENSION_SEC - 10);
    await propose(game, id, d, stateAt("late", 8));
    // Without answering within it, it would have lost: the next dispute's answer is late.
    const d2 = await dispute(game, id, (await nodeCount(game, id)) - 1n, true);
    await advance(EXTENSION_SEC + 1);
    await expectRevert(
      send(game, gameAbi, "propose", [id, d2, stateAt("late", 4)], defender, MOVE_BOND),
      "ClockExpired",
    );
  });
});

describe("refusals", () => {
  it("refuses moves of the wrong kind, out of range, repeated, or with the wrong bond", async () => {
    const chain = makeChain(51, 51, () => 2); // S = 4
    const { id } = await openGame(game, chain, 51);
    const p = await propose(game, id, 0n, stateAt("m", 2));
    await expectRevert(send(game, gameAbi, "propose", [id, p, stateAt("m", 1)], defender, MOVE_BOND), "NotADispute");
    await expectRevert(send(game, gameAbi, "dispute", [id, 0n, true], challenger, MOVE_BOND), "NotAProposal");
    await expectRevert(send(game, gameAbi, "propose", [id, 0n, stateAt("m", 2)], outsider, MOVE_BOND), "DuplicateMove");
    await expectRevert(send(game, gameAbi, "dispute", [id, p, true], challenger, MOVE_BOND - 1n), "WrongBond");
    await expectRevert(send(game, gameAbi, "dispute", [id, 99n, true], challenger, MOVE_BOND), "UnknownNode");
    await expectRevert(send(game, gameAbi, "dispute", [id + 99n, p, true], challenger, MOVE_BOND), "UnknownGame");
    await expectRevert(send(game, gameAbi, "step", [id, 0n, "0x"], challenger), "NotOneStep");
    const d = await dispute(game, id, p, true); // steps 0..2
    const p2 = await propose(game, id, d, stateAt("m", 1));
    const leaf = await dispute(game, id, p2, false); // step 1
    await expectRevert(
      send(game, gameAbi, "propose", [id, leaf, stateAt("m", 1)], defender, MOVE_BOND),
      "OneStepDispute",
    );
    await expectRevert(send(game, gameAbi, "dispute", [id, p2, false], outsider, MOVE_BOND), "DuplicateMove");
    // Resolution goes children first, and waits for the clock.
    await expectRevert(send(game, gameAbi, "resolve", [id, p2], outsider), "ChildrenUnresolved");
    await expectRevert(send(game, gameAbi, "resolve", [id, leaf], outsider), "ClockRunning");
    await send(executor, executorAbi, "setTrace", [[stateAt("m", 1), stateAt("m", 2)]]);
    await send(game, gameAbi, "step", [id, leaf, "0x"], defender);
    await expectRevert(send(game, gameAbi, "step", [id, leaf, "0x"], defender), "AlreadyStepped");
    await send(game, gameAbi, "resolve", [id, leaf], outsider);
    await expectRevert(send(game, gameAbi, "resolve", [id, leaf], outsider), "AlreadyResolved");
    await advance(MAX_CLOCK_SEC + 2 * EXTENSION_SEC + 1);
    for (const n of [p2, d, p, 0n]) {
      if (!(await getNode(game, id, n)).resolved) await send(game, gameAbi, "resolve", [id, n], outsider);
    }
    expect(await outcome(game, id)).toBe(OUTCOME.DefenderWins);
    await expectRevert(send(game, gameAbi, "propose", [id, 0n, stateAt("again", 2)], defender, MOVE_BOND), "GameOver");
  });

  it("a step from a state with no proof reverts, and the leaf then stands on time", async () => {
    const chain = makeChain(52, 52, () => 0); // S = 2
    const { id } = await openGame(game, chain, 52);
    const p = await propose(game, id, 0n, stateAt("fabricated", 1));
    const leaf = await dispute(game, id, p, false); // from the fabricated T[1]
    // The executor's error bubbles up: decode it with the executor's ABI too.
    await expectRevert(send(game, [...gameAbi, ...executorAbi], "step", [id, leaf, "0x"], defender), "NoProof");
    await advance(MAX_CLOCK_SEC + 2 * EXTENSION_SEC + 1);
    await expectRevert(send(game, gameAbi, "step", [id, leaf, "0x"], defender), "ClockExpired");
    await resolveAll(game, id);
    expect(await outcome(game, id)).toBe(OUTCOME.ChallengerWins);
  });
});

describe("an executor that is not complete", () => {
  it("settles the steps it can, but no bond moves: a step it cannot run would stand on time", async () => {
    const partial = await deploy({ abi: executorAbi, bytecode: executorBytecode }, [false, ZERO_ADDRESS, 0n]);
    const g = await deploy(gameArtifact, [
      checkpoints,
      partial,
      CHALLENGE_BOND,
      MOVE_BOND,
      BigInt(MAX_CLOCK_SEC),
      BigInt(EXTENSION_SEC),
    ]);
    expect(await read<boolean>(g, gameAbi, "executorComplete")).toBe(false);
    expect(await read<boolean>(game, gameAbi, "executorComplete")).toBe(true);
    const chain = makeChain(141, 141, () => 0); // S = 2
    const { id } = await openGame(g, chain, 141);
    const root = await getNode(g, id, 0n);
    const p = await propose(g, id, 0n, stateAt("partial", 1));
    const leaf = await dispute(g, id, p, true); // step 0: T[0] → the proposed T[1]
    await send(partial, executorAbi, "setTrace", [[root.pre, stateAt("partial", 1)]]);
    const before = await credit(g, outsider);
    await send(g, gameAbi, "step", [id, leaf, "0x"], outsider);
    expect((await getNode(g, id, leaf)).countered).toBe(true);
    await advance(MAX_CLOCK_SEC + 2 * EXTENSION_SEC + 1);
    await resolveAll(g, id);
    expect(await outcome(g, id)).toBe(OUTCOME.DefenderWins);
    // The leaf's bond went back to the challenger, not to the stepper.
    expect(await credit(g, outsider)).toBe(before);
  });
});

describe("dry run: a game without a one-step executor", () => {
  it("reverts ExecutorNotSet at the leaf and gives every bond back to whoever posted it", async () => {
    expect(await read<Address>(dryRunGame, gameAbi, "executor")).toBe("0x0000000000000000000000000000000000000000");
    const chain = makeChain(61, 61, () => 6);
    const { id } = await openGame(dryRunGame, chain, 61);
    const root = await getNode(dryRunGame, id, 0n);
    const t = traces(root.pre, root.post, 8, 3, true);
    const before = [await credit(dryRunGame, challenger), await credit(dryRunGame, defender)];
    const { leaf, disputes } = await bisect(dryRunGame, id, 8, t);
    await expectRevert(send(dryRunGame, gameAbi, "step", [id, leaf, "0x"], defender), "ExecutorNotSet");
    await advance(MAX_CLOCK_SEC + 2 * EXTENSION_SEC + 1);
    await resolveAll(dryRunGame, id);
    // The unanswerable leaf stood, yet no bond moved.
    expect((await credit(dryRunGame, challenger)) - before[0]!).toBe(CHALLENGE_BOND + BigInt(disputes) * MOVE_BOND);
    expect((await credit(dryRunGame, defender)) - before[1]!).toBe(BigInt(disputes) * MOVE_BOND);
  });
});

describe("gas", () => {
  it("prints eth_estimateGas of each move", async () => {
    const chain = makeChain(71, 71, () => MAX_BLOCK_ITEMS);
    const index = await postCheckpoint(chain);
    const est = (functionName: string, args: unknown[], from: Address, value?: bigint) =>
      clients.publicClient.estimateGas({
        account: from,
        to: game,
        value,
        data: encodeFunctionData({ abi: gameAbi, functionName, args } as never),
      });
    const gas: Record<string, bigint> = {};
    gas.challenge = await est("challenge", [challengeOf(chain, index, 71)], challenger, CHALLENGE_BOND);
    const id = await read<bigint>(game, gameAbi, "gameCount");
    await send(game, gameAbi, "challenge", [challengeOf(chain, index, 71)], challenger, CHALLENGE_BOND);
    gas.propose = await est("propose", [id, 0n, stateAt("g", 1)], defender, MOVE_BOND);
    const p = await propose(game, id, 0n, stateAt("g", 1));
    gas.dispute = await est("dispute", [id, p, true], challenger, MOVE_BOND);
    console.log("dispute game gas (eth_estimateGas, EVM):", gas);
    expect(gas.challenge).toBeLessThan(1_000_000n);
  });
});
