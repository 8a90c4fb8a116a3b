/**
 * viem bindings of FilverseDisputeGame (docs/fault-proofs.md): reads of a game and its claim tree,
 * and the moves. Everything a player acts on is read here from L1, so a player that restarts loses
 * nothing: the game's progress lives in the contract.
 */
import type { BlockHeader } from "@filverse/types";
import { toHex } from "@filverse/utils";
import {
  type Abi,
  type Account,
  type Address,
  decodeFunctionData,
  encodeAbiParameters,
  type Hex,
  hexToBytes,
  keccak256,
  size,
  sliceHex,
  zeroAddress,
} from "viem";
import { loadArtifact } from "../artifacts.js";
import type { L1Clients } from "../clients.js";
import { L1Error, L1ErrorCode } from "../errors.js";
import { headerToAbi } from "./stepProof.js";

export enum GameOutcome {
  None = 0,
  Open = 1,
  DefenderWins = 2,
  ChallengerWins = 3,
}

export enum NodeKind {
  Dispute = 0,
  Proposal = 1,
}

/** A game as the contract stores it (`getGame`). */
export type DisputeGameView = {
  id: number;
  checkpointIndex: number;
  blockNumber: number;
  stepCount: number;
  outcome: GameOutcome;
  immediateFault: boolean;
  /** A request awaiting an answer by revealBy: a header request, or with itemRequest an item request. */
  reveal: boolean;
  /** An item request (requestItem): the defender team must reveal item `item` of the block. */
  itemRequest: boolean;
  revealBy: number;
  /** An item request: the index asked for in the block's txRoot (0 otherwise). */
  item: number;
  openBy: number;
  challenger: Address;
  digest: Hex;
  parentHash: Hex;
  blockHash: Hex;
};

/** A node of a game's claim tree (`getNode`), with when its opponents run out of time (`deadline`). */
export type DisputeNodeView = {
  index: number;
  /** -1 for the root. */
  parent: number;
  kind: NodeKind;
  resolved: boolean;
  stepped: boolean;
  countered: boolean;
  children: number;
  resolvedChildren: number;
  lo: number;
  hi: number;
  createdAt: number;
  claimant: Address;
  bond: bigint;
  /** Dispute: T[lo]. Proposal: unused (zero). */
  pre: Hex;
  /** Dispute: T[hi]. Proposal: T[mid]. */
  post: Hex;
  /** Unix seconds after which the team that must answer this node can no longer move (0 once resolved). */
  deadline: number;
};

/** The game's parameters (immutables). */
export type DisputeGameParams = {
  checkpoints: Address;
  executor: Address;
  executorComplete: boolean;
  challengeBond: bigint;
  moveBond: bigint;
  maxClockDuration: number;
  clockExtension: number;
};

let gameAbi: Abi | undefined;
/** The game's ABI with the errors of its StepProofStore, which `stepStored` passes on. */
export const disputeGameAbi = (): Abi => {
  gameAbi ??= [
    ...loadArtifact("FilverseDisputeGame").abi,
    ...loadArtifact("StepProofStore").abi.filter((e) => e.type === "error"),
  ];
  return gameAbi;
};

const NONE = 0xffff_ffff;

type Reader = Pick<L1Clients, "publicClient">;

function read<T>(l1: Reader, game: Address, functionName: string, args: readonly unknown[] = []): Promise<T> {
  return l1.publicClient.readContract({
    address: game,
    abi: disputeGameAbi(),
    functionName,
    args,
  } as never) as Promise<T>;
}

export async function readDisputeGameParams(game: Address, l1: Reader): Promise<DisputeGameParams> {
  const [checkpoints, executor, executorComplete, challengeBond, moveBond, maxClock, extension] = await Promise.all([
    read<Address>(l1, game, "checkpoints"),
    read<Address>(l1, game, "executor"),
    read<boolean>(l1, game, "executorComplete"),
    read<bigint>(l1, game, "challengeBond"),
    read<bigint>(l1, game, "moveBond"),
    read<bigint>(l1, game, "maxClockDuration"),
    read<bigint>(l1, game, "clockExtension"),
  ]);
  return {
    checkpoints,
    executor,
    executorComplete,
    challengeBond,
    moveBond,
    maxClockDuration: Number(maxClock),
    clockExtension: Number(extension),
  };
}

export async function readGameCount(game: Address, l1: Reader): Promise<number> {
  return Number(await read<bigint>(l1, game, "gameCount"));
}

type RawGame = {
  checkpointIndex: bigint;
  blockNumber: bigint;
  stepCount: bigint;
  outcome: number;
  immediateFault: boolean;
  reveal: boolean;
  itemRequest: boolean;
  revealBy: bigint;
  item: bigint;
  openBy: bigint;
  challenger: Address;
  digest: Hex;
  parentHash: Hex;
  blockHash: Hex;
};

export async function readDisputeGame(game: Address, id: number, l1: Reader): Promise<DisputeGameView> {
  const g = await read<RawGame>(l1, game, "getGame", [BigInt(id)]);
  return {
    id,
    checkpointIndex: Number(g.checkpointIndex),
    blockNumber: Number(g.blockNumber),
    stepCount: Number(g.stepCount),
    outcome: g.outcome as GameOutcome,
    immediateFault: g.immediateFault,
    reveal: g.reveal,
    itemRequest: g.itemRequest,
    revealBy: Number(g.revealBy),
    item: Number(g.item),
    openBy: Number(g.openBy),
    challenger: g.challenger,
    digest: g.digest,
    parentHash: g.parentHash,
    blockHash: g.blockHash,
  };
}

type RawNode = {
  parent: number;
  kind: number;
  resolved: boolean;
  stepped: boolean;
  countered: boolean;
  children: number;
  resolvedChildren: number;
  lo: bigint;
  hi: bigint;
  createdAt: bigint;
  claimant: Address;
  bond: bigint;
  pre: Hex;
  post: Hex;
};

/** The number of nodes in game `id`'s claim tree. */
export async function readNodeCount(game: Address, id: number, l1: Reader): Promise<number> {
  return Number(await read<bigint>(l1, game, "nodeCount", [BigInt(id)]));
}

/**
 * The nodes of game `id`'s claim tree, in index order (a child always after its parent): all of
 * them, or the first `max`.
 */
export async function readDisputeNodes(
  game: Address,
  id: number,
  l1: Reader,
  max = Number.POSITIVE_INFINITY,
): Promise<DisputeNodeView[]> {
  const count = Math.min(await readNodeCount(game, id, l1), max);
  const nodes: DisputeNodeView[] = [];
  for (let i = 0; i < count; i++) {
    const [n, deadline] = await Promise.all([
      read<RawNode>(l1, game, "getNode", [BigInt(id), BigInt(i)]),
      read<bigint>(l1, game, "deadline", [BigInt(id), BigInt(i)]),
    ]);
    nodes.push({
      index: i,
      parent: n.parent === NONE ? -1 : n.parent,
      kind: n.kind as NodeKind,
      resolved: n.resolved,
      stepped: n.stepped,
      countered: n.countered,
      children: n.children,
      resolvedChildren: n.resolvedChildren,
      lo: Number(n.lo),
      hi: Number(n.hi),
      createdAt: Number(n.createdAt),
      claimant: n.claimant,
      bond: n.bond,
      pre: n.pre,
      post: n.post,
      deadline: Number(deadline),
    });
  }
  return nodes;
}

export async function readCredit(game: Address, account: Address, l1: Reader): Promise<bigint> {
  return read<bigint>(l1, game, "credit", [account]);
}

/**
 * Until when (unix seconds, inclusive) an answered reveal keeps checkpoint `index` challengeable
 * after its window (FilverseDisputeGame.challengeableUntil); 0 when no reveal on it was ever answered.
 */
export async function readChallengeableUntil(game: Address, index: number, l1: Reader): Promise<number> {
  return Number(await read<bigint>(l1, game, "challengeableUntil", [BigInt(index)]));
}

/** The inputs of `challenge` (level 1): headers k-1 and k with their blockHashesRoot proofs, and the roots behind them. */
export type ChallengeArgs = {
  checkpointIndex: number;
  blockNumber: number;
  parent: BlockHeader;
  parentProof: Uint8Array[];
  header: BlockHeader;
  headerProof: Uint8Array[];
  parentObjectsRoot: Uint8Array;
  /** Zero (with itemsListRoot) when unknown: the defenders must open them. */
  objectsRoot: Uint8Array;
  itemsListRoot: Uint8Array;
  itemCount: number;
};

export const challengeToAbi = (c: ChallengeArgs) => ({
  checkpointIndex: BigInt(c.checkpointIndex),
  blockNumber: BigInt(c.blockNumber),
  parent: headerToAbi(c.parent),
  parentProof: c.parentProof.map(toHex),
  header: headerToAbi(c.header),
  headerProof: c.headerProof.map(toHex),
  parentObjectsRoot: toHex(c.parentObjectsRoot),
  objectsRoot: toHex(c.objectsRoot),
  itemsListRoot: toHex(c.itemsListRoot),
  itemCount: BigInt(c.itemCount),
});

/** A move on the game, as `DisputeGameWriter.send` takes it. */
export type DisputeMove =
  | { kind: "challenge"; args: ChallengeArgs; bond: bigint }
  | { kind: "proveLastHeaderFault"; checkpointIndex: number; header: BlockHeader; proof: Uint8Array[] }
  | { kind: "requestHeader"; checkpointIndex: number; blockNumber: number; bond: bigint }
  | {
      kind: "revealHeader";
      gameId: number;
      header: BlockHeader;
      headerProof: Uint8Array[];
      parentEntry: Uint8Array;
      parentProof: Uint8Array[];
    }
  | {
      kind: "openRoots";
      gameId: number;
      header: BlockHeader;
      objectsRoot: Uint8Array;
      itemsListRoot: Uint8Array;
      itemCount: number;
    }
  | { kind: "propose"; gameId: number; node: number; state: Hex; bond: bigint }
  | { kind: "dispute"; gameId: number; node: number; left: boolean; bond: bigint }
  | { kind: "step"; gameId: number; node: number; proof: Hex }
  | { kind: "resolve"; gameId: number; node: number }
  | { kind: "claimCredit" }
  /** Ask for item `item` of block `blockNumber` of a checkpoint, with the challenge bond. */
  | { kind: "requestItem"; checkpointIndex: number; blockNumber: number; item: number; bond: bigint }
  /** Answer an item request: header k at its entry, the item (encodeRevealedItem) at its index of txRoot. */
  | {
      kind: "revealItem";
      gameId: number;
      header: BlockHeader;
      headerProof: Uint8Array[];
      l1Message: boolean;
      data: Hex;
      itemCount: number;
      itemProof: Uint8Array[];
    }
  /** Answer an item request for an index past the block's items: txRoot opened with its count. */
  | {
      kind: "revealItemAbsent";
      gameId: number;
      header: BlockHeader;
      headerProof: Uint8Array[];
      itemsListRoot: Uint8Array;
      itemCount: number;
    };

function callOf(m: DisputeMove): { functionName: string; args: readonly unknown[]; value?: bigint } {
  switch (m.kind) {
    case "challenge":
      return { functionName: "challenge", args: [challengeToAbi(m.args)], value: m.bond };
    case "proveLastHeaderFault":
      return {
        functionName: "proveLastHeaderFault",
        args: [BigInt(m.checkpointIndex), headerToAbi(m.header), m.proof.map(toHex)],
      };
    case "requestHeader":
      return {
        functionName: "requestHeader",
        args: [BigInt(m.checkpointIndex), BigInt(m.blockNumber)],
        value: m.bond,
      };
    case "revealHeader":
      return {
        functionName: "revealHeader",
        args: [
          BigInt(m.gameId),
          headerToAbi(m.header),
          m.headerProof.map(toHex),
          toHex(m.parentEntry),
          m.parentProof.map(toHex),
        ],
      };
    case "openRoots":
      return {
        functionName: "openRoots",
        args: [
          BigInt(m.gameId),
          headerToAbi(m.header),
          toHex(m.objectsRoot),
          toHex(m.itemsListRoot),
          BigInt(m.itemCount),
        ],
      };
    case "propose":
      return { functionName: "propose", args: [BigInt(m.gameId), BigInt(m.node), m.state], value: m.bond };
    case "dispute":
      return { functionName: "dispute", args: [BigInt(m.gameId), BigInt(m.node), m.left], value: m.bond };
    case "step":
      return { functionName: "step", args: [BigInt(m.gameId), BigInt(m.node), m.proof] };
    case "resolve":
      return { functionName: "resolve", args: [BigInt(m.gameId), BigInt(m.node)] };
    case "claimCredit":
      return { functionName: "claimCredit", args: [] };
    case "requestItem":
      return {
        functionName: "requestItem",
        args: [BigInt(m.checkpointIndex), BigInt(m.blockNumber), BigInt(m.item)],
        value: m.bond,
      };
    case "revealItem":
      return {
        functionName: "revealItem",
        args: [
          BigInt(m.gameId),
          headerToAbi(m.header),
          m.headerProof.map(toHex),
          m.l1Message,
          m.data,
          BigInt(m.itemCount),
          m.itemProof.map(toHex),
        ],
      };
    case "revealItemAbsent":
      return {
        functionName: "revealItemAbsent",
        args: [
          BigInt(m.gameId),
          headerToAbi(m.header),
          m.headerProof.map(toHex),
          toHex(m.itemsListRoot),
          BigInt(m.itemCount),
        ],
      };
  }
}

type Sender = L1Clients & { account: Account; receiptTimeoutMs?: number };

/**
 * A step whose proof is larger than this (bytes) goes through the game's StepProofStore: Lotus's
 * message pool refuses messages over 64 KiB, and the step's other calldata and the message's own
 * fields must fit beside the proof.
 */
export const STORED_PROOF_THRESHOLD = 60_000;

/** StepProofStore.MAX_CHUNK: the largest chunk `append` takes, 48 KiB. */
export const PROOF_CHUNK_BYTES = 49_152;

export const stepProofStoreAbi = (): Abi => loadArtifact("StepProofStore").abi;

/** The StepProofStore that `game` created (its `proofStore`). */
export async function readProofStore(game: Address, l1: Reader): Promise<Address> {
  return read<Address>(l1, game, "proofStore");
}

/** StepProofStore.proofId: the id of `uploader`'s upload of `proof`. */
export function storedProofId(uploader: Address, proof: Hex): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "address" }, { type: "bytes32" }, { type: "uint32" }],
      [uploader, keccak256(proof), size(proof)],
    ),
  );
}

async function sendCall(
  address: Address,
  abi: Abi,
  call: { functionName: string; args: readonly unknown[]; value?: bigint },
  what: string,
  m: Sender,
  estimate = false,
): Promise<Hex> {
  let hash: Hex;
  const request = {
    account: m.account,
    address,
    abi,
    functionName: call.functionName,
    args: call.args,
    ...(call.value === undefined ? {} : { value: call.value }),
  };
  try {
    // A node's own (json-rpc) account leaves the gas to the node, whose default may be below a
    // chunk's 34M or a stored step's: those calls carry their estimate.
    const gas = estimate ? await m.publicClient.estimateContractGas(request as never) : undefined;
    hash = await m.walletClient.writeContract({
      ...request,
      chain: m.walletClient.chain ?? null,
      ...(gas === undefined ? {} : { gas }),
    } as never);
  } catch (cause) {
    throw new L1Error(L1ErrorCode.TRANSACTION_FAILED, `Dispute move ${what} refused`, {
      cause,
      details: { move: what },
    });
  }
  const receipt = await m.publicClient.waitForTransactionReceipt({ hash, timeout: m.receiptTimeoutMs ?? 60_000 });
  if (receipt.status !== "success") {
    throw new L1Error(L1ErrorCode.TRANSACTION_FAILED, `Dispute move ${what} reverted`, {
      details: { move: what, tx: hash },
    });
  }
  return hash;
}

/**
 * Upload `proof` to `store` in chunks of `chunkBytes` (at most PROOF_CHUNK_BYTES, a multiple of 32),
 * one message each: `begin` with its hash and length, then `append` from where the upload stands
 * (an upload begun before, by this account, goes on; a complete one sends nothing). Returns its id
 * and the transactions sent. Throws L1Error(TRANSACTION_FAILED).
 */
export async function uploadStepProof(
  store: Address,
  proof: Hex,
  m: Sender,
  chunkBytes = PROOF_CHUNK_BYTES,
): Promise<{ id: Hex; txs: Hex[] }> {
  if (chunkBytes <= 0 || chunkBytes > PROOF_CHUNK_BYTES || chunkBytes % 32 !== 0 || size(proof) === 0) {
    throw new L1Error(L1ErrorCode.TRANSACTION_FAILED, "Bad proof upload", {
      details: { chunkBytes, length: size(proof) },
    });
  }
  const abi = stepProofStoreAbi();
  const id = storedProofId(m.account.address, proof);
  const length = size(proof);
  const txs: Hex[] = [];
  const [uploader, , filled] = (await m.publicClient.readContract({
    address: store,
    abi,
    functionName: "uploads",
    args: [id],
  } as never)) as readonly [Address, number, number, Hex];
  let at = Number(filled);
  if (uploader === zeroAddress) {
    txs.push(await sendCall(store, abi, { functionName: "begin", args: [keccak256(proof), length] }, "begin", m, true));
    at = 0;
  }
  for (; at < length; at += chunkBytes) {
    const chunk = sliceHex(proof, at, Math.min(at + chunkBytes, length), { strict: true });
    txs.push(await sendCall(store, abi, { functionName: "append", args: [id, chunk] }, "append", m, true));
  }
  return { id, txs };
}

/**
 * Send one move and wait for its receipt. Gas from eth_estimateGas (viem's default), which also
 * refuses a move the game would revert (the revert's error is the cause). A step whose proof is over
 * STORED_PROOF_THRESHOLD bytes is uploaded to the game's proofStore first and sent as `stepStored`;
 * the hash returned is the step's. Throws L1Error(TRANSACTION_FAILED).
 */
export async function sendDisputeMove(game: Address, move: DisputeMove, m: Sender): Promise<Hex> {
  if (move.kind === "step" && size(move.proof) > STORED_PROOF_THRESHOLD) {
    const store = await readProofStore(game, m);
    const { id } = await uploadStepProof(store, move.proof, m);
    return sendCall(
      game,
      disputeGameAbi(),
      { functionName: "stepStored", args: [BigInt(move.gameId), BigInt(move.node), id] },
      "stepStored",
      m,
      true,
    );
  }
  return sendCall(game, disputeGameAbi(), callOf(move), move.kind, m);
}

/** What the game reads of checkpoint `index` (IDisputedCheckpoints.disputableCheckpoint); acceptedAt 0: none. */
export type DisputableCheckpoint = {
  digest: Hex;
  blockHashesRoot: Hex;
  parentHash: Hex;
  lastBlockHash: Hex;
  stateRoot: Hex;
  withdrawalsRoot: Hex;
  firstBlock: number;
  lastBlock: number;
  acceptedAt: number;
};

const disputedCheckpointsAbi = [
  {
    type: "function",
    name: "disputableCheckpoint",
    stateMutability: "view",
    inputs: [{ name: "index", type: "uint64" }],
    outputs: [
      {
        name: "",
        type: "tuple",
        components: [
          { name: "digest", type: "bytes32" },
          { name: "blockHashesRoot", type: "bytes32" },
          { name: "parentHash", type: "bytes32" },
          { name: "lastBlockHash", type: "bytes32" },
          { name: "stateRoot", type: "bytes32" },
          { name: "withdrawalsRoot", type: "bytes32" },
          { name: "firstBlock", type: "uint64" },
          { name: "lastBlock", type: "uint64" },
          { name: "acceptedAt", type: "uint64" },
        ],
      },
    ],
  },
  { type: "function", name: "challengeWindow", stateMutability: "view", inputs: [], outputs: [{ type: "uint64" }] },
] as const;

export async function readDisputableCheckpoint(
  checkpoints: Address,
  index: number,
  l1: Reader,
): Promise<DisputableCheckpoint & { challengeWindow: number }> {
  const [c, window] = await Promise.all([
    l1.publicClient.readContract({
      address: checkpoints,
      abi: disputedCheckpointsAbi,
      functionName: "disputableCheckpoint",
      args: [BigInt(index)],
    }),
    l1.publicClient.readContract({
      address: checkpoints,
      abi: disputedCheckpointsAbi,
      functionName: "challengeWindow",
    }),
  ]);
  return {
    ...c,
    firstBlock: Number(c.firstBlock),
    lastBlock: Number(c.lastBlock),
    acceptedAt: Number(c.acceptedAt),
    challengeWindow: Number(window),
  };
}

/**
 * Header k of game `id` as its challenger sent it (the `challenge` call's calldata, as the game
 * logged it in `MoveData`, so also a challenge sent through another contract), or null for a game that did not start with `challenge` (a fault decided
 * at once, a header request). `fromBlock`: the L1 block the game was deployed at.
 */
export async function readChallengedHeader(
  game: Address,
  id: number,
  l1: Reader,
  fromBlock = 0n,
): Promise<BlockHeader | null> {
  const args = await readMoveCall(game, id, "challenge", l1, fromBlock);
  if (!args) return null;
  return headerFromAbi((args[0] as { header: Record<string, unknown> }).header);
}

/**
 * The arguments of the `functionName` move (`challenge` or `revealHeader`) of game `id`, decoded
 * from the game's `MoveData` logs; null when it made none.
 */
export async function readMoveCall(
  game: Address,
  id: number,
  functionName: "challenge" | "revealHeader",
  l1: Reader,
  fromBlock = 0n,
): Promise<readonly unknown[] | null> {
  const abi = disputeGameAbi();
  const logs = (await l1.publicClient.getContractEvents({
    address: game,
    abi,
    eventName: "MoveData",
    args: { gameId: BigInt(id) },
    fromBlock,
    toBlock: "latest",
  } as never)) as { args: { data?: Hex } }[];
  for (const log of logs) {
    if (!log.args.data) continue;
    try {
      const decoded = decodeFunctionData({ abi, data: log.args.data });
      if (decoded.functionName === functionName && decoded.args) return decoded.args;
    } catch {
      // The game logs its own calldata, which decodes; anything else is not a move.
    }
  }
  return null;
}

/** A BlockHeader from its ABI tuple as viem decodes it. */
export function headerFromAbi(h: Record<string, unknown>): BlockHeader {
  return {
    chainId: Number(h.chainId),
    number: Number(h.number),
    parentHash: hexToBytes(h.parentHash as Hex),
    timestamp: Number(h.timestamp),
    proposer: hexToBytes(h.proposer as Hex),
    txRoot: hexToBytes(h.txRoot as Hex),
    receiptsRoot: hexToBytes(h.receiptsRoot as Hex),
    stateRoot: hexToBytes(h.stateRoot as Hex),
    withdrawalsRoot: hexToBytes(h.withdrawalsRoot as Hex),
    l1DepositNonce: Number(h.l1DepositNonce),
  };
}
