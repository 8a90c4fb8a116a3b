/**
 * The dispute game played with the one-step executor as built (contracts/OneStepExecutor.sol) on
 * real blocks: the game's T[0] and T[S] are the tracer's (@filverse/state traceBlock), and a
 * bisection down to one step is settled by the executor with the tracer's proof (proveStep), for an
 * honest checkpoint against a wrong challenger and for a header with a wrong receiptsRoot against
 * an honest one. OneStepExecutor does not declare itself complete yet, so the game refunds every
 * bond (a dry run); the outcomes are what this file checks.
 */
import { depositHash, txHash } from "@filverse/crypto";
import { MAX_BLOCK_DEPOSITS } from "@filverse/params";
import { proveStep, traceBlock } from "@filverse/state";
import { type BlockHeader, blockHash } from "@filverse/types";
import { toHex } from "@filverse/utils";
import {
  type Abi,
  type Account,
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  type Hex,
  keccak256,
  size,
  stringToHex,
} from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadArtifact } from "../../src/artifacts.js";
import type { L1Clients } from "../../src/clients.js";
import type { LocalL1 } from "../../src/devL1.js";
import {
  type DisputeMove,
  disputeGameAbi,
  readDisputeGame,
  readProofStore,
  sendDisputeMove,
  storedProofId,
  uploadStepProof,
} from "../../src/dispute/disputeGame.js";
import { encodeRevealedItem, itemAnswerOf, readItemReveal } from "../../src/dispute/itemReveal.js";
import { BLOCK_HASHES_DEPTH, merkle, mixInLength } from "./disputeFixture.js";
import { sendTx, setupMockCheckpointsGame } from "./gameFixture.js";
import { encodeStepProof, headerToAbi, stepInputs } from "./oneStepProof.js";
import { CHAIN_ID, MAX_BLOCK_TXS, sealTwoBlocks, sequencer } from "./sealedChain.js";

const MAX_CLOCK_SEC = 1_000;
const EXTENSION_SEC = 100;
const BOND = 10n ** 18n;
/** The depth of txRoot's list (MAX_BLOCK_ITEMS = 69,632 rounded up to 2^17). */
const ITEMS_DEPTH = 17;

let l1: LocalL1;
let clients: L1Clients;
let accounts: Address[];
let gameAbi: Abi;
let mockAbi: Abi;
let checkpoints: Address;
let game: Address;
let executor: Address;

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

beforeAll(async () => {
  ({ l1, clients, accounts, mockAbi, checkpoints, executor, game, gameAbi } = await setupMockCheckpointsGame({
    chainId: CHAIN_ID,
    maxBlockTxs: MAX_BLOCK_TXS,
    sequencer: toHex(sequencer.address) as Address,
    deposits: chainOf().block.deposits,
    bond: BOND,
    maxClockSec: MAX_CLOCK_SEC,
    extensionSec: EXTENSION_SEC,
  }));
}, 120_000);
afterAll(async () => {
  await l1?.stop();
});

/** Genesis, a block funding alice by deposit, and block 2: a deposit to bob and a transfer from alice. */
function chainOf(fault?: (h: BlockHeader) => BlockHeader) {
  const { genesis, one, two } = sealTwoBlocks(fault);
  const trace = traceBlock(one.state, one.block.header, two.block, {
    chainId: CHAIN_ID,
    maxBlockTxs: MAX_BLOCK_TXS,
    maxBlockDeposits: MAX_BLOCK_DEPOSITS,
    sequencer: sequencer.address,
  });
  const headers = [genesis.header, one.block.header, two.block.header];
  return { parentState: one.state, state: two.state, headers, hashes: headers.map(blockHash), trace, block: two.block };
}

let nextIndex = 0;
/** Post blocks 1..2 as checkpoint on the mock, accepted now; returns its index. */
async function postBlocks(c: ReturnType<typeof chainOf>): Promise<bigint> {
  const index = BigInt(nextIndex++);
  const root = mixInLength(merkle(c.hashes, BLOCK_HASHES_DEPTH).root, c.hashes.length);
  const last = c.headers[2]!;
  await send(checkpoints, mockAbi, "setCheckpoint", [
    index,
    {
      digest: keccak256(stringToHex(`checkpoint ${index}`)),
      blockHashesRoot: toHex(root),
      parentHash: toHex(c.hashes[0]!),
      lastBlockHash: toHex(c.hashes[2]!),
      stateRoot: toHex(last.stateRoot),
      withdrawalsRoot: toHex(last.withdrawalsRoot),
      firstBlock: 1n,
      lastBlock: 2n,
      acceptedAt: 0n,
    },
  ]);
  return index;
}

/** Post blocks 1..2 as a checkpoint on the mock and challenge block 2; returns the game id. */
async function challengeBlock2(c: ReturnType<typeof chainOf>): Promise<bigint> {
  const index = await postBlocks(c);
  const last = c.headers[2]!;
  const items = [...c.block.deposits.map((d) => depositHash(d)), ...c.block.transactions.map((t) => txHash(t))];
  const id = await read<bigint>(game, gameAbi, "gameCount");
  await send(
    game,
    gameAbi,
    "challenge",
    [
      {
        checkpointIndex: index,
        blockNumber: 2n,
        parent: headerToAbi(c.headers[1]!),
        parentProof: merkle(c.hashes, BLOCK_HASHES_DEPTH, 1).siblings.map(toHex),
        header: headerToAbi(last),
        headerProof: merkle(c.hashes, BLOCK_HASHES_DEPTH, 2).siblings.map(toHex),
        parentObjectsRoot: toHex(c.parentState.objects.root()),
        // The objects root behind header 2's stateRoot: the state's own, unless the header lies.
        objectsRoot: toHex(c.state.objects.root()),
        itemsListRoot: toHex(merkle(items, ITEMS_DEPTH).root),
        itemCount: BigInt(items.length),
      },
    ],
    accounts[1]!,
    BOND,
  );
  return id;
}

type Node = { lo: bigint; hi: bigint; pre: Hex; post: Hex; countered: boolean };
const nodeCount = (id: bigint) => read<bigint>(game, gameAbi, "nodeCount", [id]);

/** Bisect with the defender posting `defender(j)` and the challenger disputing where `challenger(j)` differs. */
async function bisect(id: bigint, S: number, defender: (j: number) => Hex, challenger: (j: number) => Hex) {
  let node = 0n;
  let [lo, hi] = [0, S];
  while (hi - lo >= 2) {
    const mid = Math.floor((lo + hi) / 2);
    await send(game, gameAbi, "propose", [id, node, defender(mid)], accounts[2]!, BOND);
    const left = challenger(mid) !== defender(mid);
    await send(game, gameAbi, "dispute", [id, (await nodeCount(id)) - 1n, left], accounts[1]!, BOND);
    node = (await nodeCount(id)) - 1n;
    [lo, hi] = left ? [lo, mid] : [mid, hi];
  }
  return { leaf: node, lo };
}

async function resolveAll(id: bigint) {
  await clients.publicClient.request({
    method: "evm_increaseTime",
    params: [MAX_CLOCK_SEC + 2 * EXTENSION_SEC + 1],
  } as never);
  for (let n = (await nodeCount(id)) - 1n; n >= 0n; n--) await send(game, gameAbi, "resolve", [id, n], accounts[3]!);
}

describe("a game settled by the one-step executor", () => {
  it("T[0] and T[S] are the tracer's; a wrong challenger loses at the step the executor runs", async () => {
    const c = chainOf();
    const S = c.trace.steps.length;
    const T = (j: number) => toHex(c.trace.commitments[j]!) as Hex;
    const id = await challengeBlock2(c);
    const root = await read<Node>(game, gameAbi, "getNode", [id, 0n]);
    expect([root.pre, root.post, Number(root.hi)]).toEqual([T(0), T(S), S]);
    // The challenger's fabricated trace parts from the truth after step 1 (the deposit).
    const fabricated = (j: number) => (j <= 1 ? T(j) : (keccak256(stringToHex(`fabricated ${j}`)) as Hex));
    const { leaf, lo } = await bisect(id, S, T, fabricated);
    expect(lo).toBe(1);
    const proof = encodeStepProof(stepInputs(proveStep(c.trace, lo)));
    await send(game, gameAbi, "step", [id, leaf, proof], accounts[2]!);
    expect((await read<Node>(game, gameAbi, "getNode", [id, leaf])).countered).toBe(true);
    await resolveAll(id);
    expect((await read<{ outcome: number }>(game, gameAbi, "getGame", [id])).outcome).toBe(2); // DefenderWins
  });

  it("a header with a wrong receiptsRoot loses: the executor's end of block sets invalid", async () => {
    const c = chainOf((h) => ({ ...h, receiptsRoot: new Uint8Array(32).fill(7) }));
    const S = c.trace.steps.length;
    const T = (j: number) => toHex(c.trace.commitments[j]!) as Hex;
    expect(c.trace.states[S]!.invalid).toBe(true);
    const id = await challengeBlock2(c);
    const root = await read<Node>(game, gameAbi, "getNode", [id, 0n]);
    expect(root.post).not.toBe(T(S));
    // A defender that follows the truth up to the end and claims the header's T[S] there.
    const defender = (j: number) => (j === S ? root.post : T(j));
    const { leaf, lo } = await bisect(id, S, defender, T);
    expect(lo).toBe(S - 1);
    const proof = encodeStepProof(stepInputs(proveStep(c.trace, lo)));
    await send(game, gameAbi, "step", [id, leaf, proof], accounts[1]!);
    expect((await read<Node>(game, gameAbi, "getNode", [id, leaf])).countered).toBe(false);
    await resolveAll(id);
    expect((await read<{ outcome: number }>(game, gameAbi, "getGame", [id])).outcome).toBe(3); // ChallengerWins
  });

  it("a step with a proof uploaded in chunks to the game's proofStore; refusals are typed", async () => {
    const c = chainOf();
    const S = c.trace.steps.length;
    const T = (j: number) => toHex(c.trace.commitments[j]!) as Hex;
    const id = await challengeBlock2(c);
    const fabricated = (j: number) => (j <= 1 ? T(j) : (keccak256(stringToHex(`fabricated ${j}`)) as Hex));
    const { leaf, lo } = await bisect(id, S, T, fabricated);
    const proof = encodeStepProof(stepInputs(proveStep(c.trace, lo)));
    const length = size(proof);
    expect(length).toBeGreaterThan(3 * 1024);
    const store = await readProofStore(game, clients);
    const storeAbi = loadArtifact("StepProofStore").abi;
    const storeRead = <T>(fn: string, args: readonly unknown[]) => read<T>(store, storeAbi, fn, args);
    const defender = accounts[2]!;
    const as = (address: Address) => ({ ...clients, account: { address, type: "json-rpc" } as Account });
    const revertOf = async (from: Address, to: Address, abi0: Abi, functionName: string, args: readonly unknown[]) => {
      const abi = to === game ? disputeGameAbi() : abi0;
      const err = await clients.publicClient
        .simulateContract({ account: from, address: to, abi, functionName, args } as never)
        .then(
          () => null,
          (e: unknown) => e,
        );
      const revert =
        err instanceof BaseError
          ? (err.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null)
          : null;
      return revert?.data?.errorName ?? String(err);
    };
    // The id binds the uploader, the hash and the length the contract computes.
    const pid = storedProofId(defender, proof);
    expect(await storeRead<Hex>("proofId", [defender, keccak256(proof), length])).toBe(pid);
    expect(await revertOf(defender, store, storeAbi, "append", [pid, "0x00"])).toBe("UnknownProof");
    expect(await revertOf(defender, game, gameAbi, "stepStored", [id, leaf, pid])).toBe("UnknownProof");
    expect(await revertOf(defender, store, storeAbi, "begin", [keccak256(proof), 0])).toBe("BadLength");
    await send(store, storeAbi, "begin", [keccak256(proof), length], defender);
    // Someone else's upload: no one appends to it, nor steps with it.
    expect(await revertOf(accounts[1]!, store, storeAbi, "append", [pid, "0x00"])).toBe("NotUploader");
    expect(await revertOf(accounts[1]!, game, gameAbi, "stepStored", [id, leaf, pid])).toBe("NotUploader");
    // Chunks: not empty, at most 48 KiB, whole words until the last, never past the declared length.
    expect(await revertOf(defender, store, storeAbi, "append", [pid, "0x"])).toBe("BadChunkSize");
    expect(await revertOf(defender, store, storeAbi, "append", [pid, `0x${"00".repeat(49_153)}`])).toBe("BadChunkSize");
    expect(await revertOf(defender, store, storeAbi, "append", [pid, `0x${"00".repeat(33)}`])).toBe("UnalignedChunk");
    expect(await revertOf(defender, store, storeAbi, "append", [pid, `${proof}00`])).toBe("ChunkOverflow");
    // Half of it: incomplete, so no step.
    const half = Math.floor(length / 64) * 32;
    await send(store, storeAbi, "append", [pid, proof.slice(0, 2 + 2 * half)], defender);
    expect(await revertOf(defender, game, gameAbi, "stepStored", [id, leaf, pid])).toBe("IncompleteProof");
    // The rest, in chunks of 1 KiB, by the helper that goes on from where the upload stands.
    const { id: again, txs } = await uploadStepProof(store, proof, as(defender), 1024);
    expect(again).toBe(pid);
    expect(txs).toHaveLength(Math.ceil((length - half) / 1024));
    const u = await storeRead<readonly [Address, number, number, Hex]>("uploads", [pid]);
    expect([u[1], u[2]]).toEqual([length, length]);
    expect(await storeRead<Hex>("load", [pid, defender])).toBe(proof);
    // Another uploader's proof whose bytes are not the hash it declared: refused at the step.
    const liar = accounts[3]!;
    const tampered = `${proof.slice(0, -2)}${proof.endsWith("00") ? "01" : "00"}` as Hex;
    await send(store, storeAbi, "begin", [keccak256(proof), length], liar);
    await send(store, storeAbi, "append", [storedProofId(liar, proof), tampered], liar);
    expect(await revertOf(liar, game, gameAbi, "stepStored", [id, leaf, storedProofId(liar, proof)])).toBe(
      "ProofHashMismatch",
    );
    // The complete proof settles the step as `step` would: the defender counters the dispute.
    await send(game, gameAbi, "stepStored", [id, leaf, pid], defender);
    const n = await read<Node & { stepped: boolean }>(game, gameAbi, "getNode", [id, leaf]);
    expect([n.stepped, n.countered]).toEqual([true, true]);
    expect(await revertOf(defender, game, gameAbi, "stepStored", [id, leaf, pid])).toBe("AlreadyStepped");
    await resolveAll(id);
    expect((await read<{ outcome: number }>(game, gameAbi, "getGame", [id])).outcome).toBe(2); // DefenderWins
  });

  it("sendDisputeMove sends a step whose proof is over 60,000 bytes through the store", async () => {
    const c = chainOf();
    const S = c.trace.steps.length;
    const T = (j: number) => toHex(c.trace.commitments[j]!) as Hex;
    const id = await challengeBlock2(c);
    const fabricated = (j: number) => (j <= 1 ? T(j) : (keccak256(stringToHex(`fabricated ${j}`)) as Hex));
    const { leaf, lo } = await bisect(id, S, T, fabricated);
    // The executor decodes the proof by its ABI offsets: trailing bytes past them are ignored, so
    // padding the real proof past the threshold keeps it valid.
    const proof = `${encodeStepProof(stepInputs(proveStep(c.trace, lo)))}${"ab".repeat(120_000)}` as Hex;
    const store = await readProofStore(game, clients);
    const from = accounts[2]!;
    const hash = await sendDisputeMove(
      game,
      { kind: "step", gameId: Number(id), node: Number(leaf), proof },
      {
        ...clients,
        account: { address: from, type: "json-rpc" } as Account,
      },
    );
    const tx = await clients.publicClient.getTransaction({ hash });
    expect(tx.to?.toLowerCase()).toBe(game.toLowerCase());
    expect(size(tx.input)).toBeLessThan(200);
    const u = await read<readonly [Address, number, number, Hex]>(
      store,
      loadArtifact("StepProofStore").abi,
      "uploads",
      [storedProofId(from, proof)],
    );
    expect(u[2]).toBe(size(proof));
    expect((await read<Node>(game, gameAbi, "getNode", [id, leaf])).countered).toBe(true);
  });
});

describe("the reveal of a withheld block body", () => {
  const as = (address: Address) => ({ ...clients, account: { address, type: "json-rpc" } as Account });
  const [challengerOf, defenderOf] = [() => accounts[1]!, () => accounts[2]!];
  /** The custom error `move` reverts with (decoded by viem, the cause of sendDisputeMove's L1Error), or "sent". */
  const refusal = (move: DisputeMove, from = defenderOf()) =>
    sendDisputeMove(game, move, as(from)).then(
      () => "sent",
      (e: unknown) => {
        let viem: unknown = e;
        while (viem && !(viem instanceof BaseError)) viem = (viem as { cause?: unknown }).cause;
        const revert =
          viem instanceof BaseError
            ? (viem.walk((x) => x instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null)
            : null;
        return revert?.data?.errorName ?? String(e);
      },
    );
  const header2 = (c: ReturnType<typeof chainOf>) => ({
    header: c.headers[2]!,
    headerProof: merkle(c.hashes, BLOCK_HASHES_DEPTH, 2).siblings,
  });
  /** requestItem of item `j` of block 2 by the challenger; returns the game id. */
  const request = async (index: bigint, j: number) => {
    const id = await read<bigint>(game, gameAbi, "gameCount");
    const move = { kind: "requestItem", checkpointIndex: Number(index), blockNumber: 2, item: j, bond: BOND } as const;
    await sendDisputeMove(game, move, as(challengerOf()));
    return Number(id);
  };
  const revealOf = (c: ReturnType<typeof chainOf>, id: number, j: number): DisputeMove => {
    const a = itemAnswerOf(c.trace, j);
    if (a.kind !== "item") throw new Error(`item ${j} is not in the block`);
    return { ...a, kind: "revealItem", gameId: id, ...header2(c) };
  };
  const outcomeOf = async (id: number) => (await readDisputeGame(game, id, clients)).outcome;
  const creditOf = (a: Address) => read<bigint>(game, gameAbi, "credit", [a]);
  /** The time of the block that mined transaction `hash`. */
  const answeredAt = async (hash: Hex) => {
    const receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
    return (await clients.publicClient.getBlock({ blockNumber: receipt.blockNumber })).timestamp;
  };

  it("an item request is answered with the item proven in txRoot; the answer takes the bond", async () => {
    const c = chainOf();
    const index = await postBlocks(c);
    // The request's bond is the challenge bond, and its block must be in the checkpoint.
    expect(
      await refusal({ kind: "requestItem", checkpointIndex: Number(index), blockNumber: 2, item: 1, bond: 1n }),
    ).toBe("WrongBond");
    expect(
      await refusal({ kind: "requestItem", checkpointIndex: Number(index), blockNumber: 3, item: 1, bond: BOND }),
    ).toBe("BlockOutOfRange");
    for (const j of [0, 1]) {
      const id = await request(index, j);
      const g = await readDisputeGame(game, id, clients);
      expect([g.reveal, g.itemRequest, g.item, g.outcome]).toEqual([true, true, j, 1]);
      const before = await creditOf(defenderOf());
      const right = revealOf(c, id, j);
      await sendDisputeMove(game, right, as(defenderOf()));
      expect(await outcomeOf(id)).toBe(2); // DefenderWins
      expect((await creditOf(defenderOf())) - before).toBe(BOND);
      // The item is public in the game's log, in the form a step takes it: the body's item j.
      const shown = await readItemReveal(game, id, clients);
      const body = [...c.block.deposits.map((d) => ({ deposit: d })), ...c.block.transactions.map((t) => ({ tx: t }))];
      const itemHash = j === 0 ? depositHash(c.block.deposits[0]!) : txHash(c.block.transactions[0]!);
      expect(shown).toEqual({
        kind: "item",
        item: j,
        revealer: defenderOf(),
        ...encodeRevealedItem(body[j]!, itemHash),
      });
      const onChain = await read<Hex>(executor, loadArtifact("OneStepExecutor").abi, "itemHash", [
        j === 0,
        (shown as { data: Hex }).data,
      ]);
      expect(onChain).toBe(toHex(itemHash));
      // Answered once: the game is over.
      expect(await refusal(right)).toBe("GameOver");
    }
  });

  it("a bad answer is refused with a typed error, and answers nothing", async () => {
    const c = chainOf();
    const index = await postBlocks(c);
    const id = await request(index, 1);
    const right = revealOf(c, id, 1) as Extract<DisputeMove, { kind: "revealItem" }>;
    const deposit = revealOf(c, id, 0) as Extract<DisputeMove, { kind: "revealItem" }>;
    // Another item (the deposit, with its own proof or with item 1's).
    expect(await refusal({ ...deposit })).toBe("ItemNotInBlock");
    expect(await refusal({ ...deposit, itemProof: right.itemProof })).toBe("ItemNotInBlock");
    // The right item with a wrong proof: another index's siblings, a sibling changed, another length, too few.
    expect(await refusal({ ...right, itemProof: deposit.itemProof })).toBe("ItemNotInBlock");
    const tampered = right.itemProof.map((s, i) => (i === 3 ? new Uint8Array(32).fill(9) : s));
    expect(await refusal({ ...right, itemProof: tampered })).toBe("ItemNotInBlock");
    expect(await refusal({ ...right, itemCount: 3 })).toBe("ItemNotInBlock");
    expect(await refusal({ ...right, itemCount: 1 })).toBe("ItemNotInBlock");
    expect(await refusal({ ...right, itemProof: right.itemProof.slice(1) })).toBe("ItemNotInBlock");
    // The transaction claimed an L1 message, bytes that decode as nothing, a deposit claimed listed
    // under a forced transaction's hash when it carries none: no item hash at all.
    expect(await refusal({ ...right, l1Message: true })).toBe("BadReveal");
    expect(await refusal({ ...right, data: "0x1234" })).toBe("BadReveal");
    const listedAsTx = `${deposit.data.slice(0, 2 + 64 * 1)}${"0".repeat(63)}1${deposit.data.slice(2 + 64 * 2)}` as Hex;
    expect(await refusal({ ...deposit, data: listedAsTx })).toBe("BadReveal");
    // Another header: not at block 2's entry.
    const header1 = { header: c.headers[1]!, headerProof: merkle(c.hashes, BLOCK_HASHES_DEPTH, 1).siblings };
    expect(await refusal({ ...right, ...header1 })).toBe("HeaderNotInCheckpoint");
    // A header answer to an item request, and an item answer to a header request.
    const headerAnswer = [
      BigInt(id),
      headerToAbi(c.headers[2]!),
      right.headerProof.map(toHex),
      toHex(c.hashes[1]!),
      merkle(c.hashes, BLOCK_HASHES_DEPTH, 1).siblings.map(toHex),
    ];
    await expect(send(game, gameAbi, "revealHeader", headerAnswer, defenderOf())).rejects.toThrow(/NotARevealRequest/);
    const headerRequest = await read<bigint>(game, gameAbi, "gameCount");
    await send(game, gameAbi, "requestHeader", [index, 2n], challengerOf(), BOND);
    expect(await refusal({ ...right, gameId: Number(headerRequest) })).toBe("NotAnItemRequest");
    expect(await outcomeOf(id)).toBe(1); // still open
    const hash = await sendDisputeMove(game, right, as(defenderOf()));
    expect(await outcomeOf(id)).toBe(2);
    // The answer keeps the checkpoint challengeable for one more clock from the answer.
    expect(await read<bigint>(game, gameAbi, "challengeableUntil", [index])).toBe(
      (await answeredAt(hash)) + BigInt(MAX_CLOCK_SEC),
    );
  });

  it("an item past the block's items is answered with txRoot's length", async () => {
    const c = chainOf();
    const index = await postBlocks(c);
    const id = await request(index, 2);
    const a = itemAnswerOf(c.trace, 2);
    expect(a.kind).toBe("absent");
    if (a.kind !== "absent") return;
    const absent = { ...a, kind: "revealItemAbsent", gameId: id, ...header2(c) } as const;
    expect(await refusal({ ...absent, itemsListRoot: new Uint8Array(32).fill(3) })).toBe("ItemNotInBlock");
    expect(await refusal({ ...absent, itemCount: 1 })).toBe("ItemNotInBlock");
    // Item 1 exists: showing the list's length does not answer a request for it.
    const exists = await request(index, 1);
    expect(await refusal({ ...absent, gameId: exists })).toBe("ItemNotInBlock");
    const hash = await sendDisputeMove(game, absent, as(defenderOf()));
    expect(await outcomeOf(id)).toBe(2);
    expect(await read<bigint>(game, gameAbi, "challengeableUntil", [index])).toBe(
      (await answeredAt(hash)) + BigInt(MAX_CLOCK_SEC),
    );
    expect(await readItemReveal(game, id, clients)).toEqual({ kind: "absent", itemCount: 2, revealer: defenderOf() });
  });

  it("a late answer is refused, and an unanswered request resolves as a fault; the bond goes back", async () => {
    const c = chainOf();
    const index = await postBlocks(c);
    const id = await request(index, 1);
    const faults = await read<bigint>(checkpoints, mockAbi, "faults");
    await expect(send(game, gameAbi, "resolve", [BigInt(id), 0n], accounts[3]!)).rejects.toThrow(/ClockRunning/);
    await clients.publicClient.request({ method: "evm_increaseTime", params: [MAX_CLOCK_SEC + 1] } as never);
    await clients.publicClient.request({ method: "evm_mine", params: [] } as never);
    expect(await refusal(revealOf(c, id, 1))).toBe("RevealTooLate");
    const before = await creditOf(challengerOf());
    await send(game, gameAbi, "resolve", [BigInt(id), 0n], accounts[3]!);
    expect(await outcomeOf(id)).toBe(3); // ChallengerWins
    expect((await creditOf(challengerOf())) - before).toBe(BOND);
    expect(await read<bigint>(checkpoints, mockAbi, "faults")).toBe(faults + 1n);
    expect(await read<bigint>(checkpoints, mockAbi, "lastFaultIndex")).toBe(index);
    // A fault decided without executing the block: it names no block hash to slash a seal with.
    expect(await read<Hex>(checkpoints, mockAbi, "lastFaultBlockHash")).toBe(`0x${"00".repeat(32)}`);
  });
});
