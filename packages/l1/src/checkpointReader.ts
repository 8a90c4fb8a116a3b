/**
 * Reading checkpoints back from FilverseRollup, for verifiers and for rebuilding the L2 from
 * Filecoin alone. The contract stores part of each checkpoint (`getCheckpoint`: roots, last block,
 * deposit cursor, Piece CID); the whole checkpoint (payload CID, sizes, first block, timestamp) is
 * the calldata of the `submitCheckpoint` transaction that a `CheckpointSubmitted` log points at,
 * decoded and checked against the stored fields.
 */
import type { Checkpoint } from "@filverse/types";
import { bytesEqual, fromHex, type Logger, nullLogger, toHex } from "@filverse/utils";
import {
  type Account,
  type Address,
  decodeFunctionData,
  type Hex,
  type PublicClient,
  parseAbi,
  type WalletClient,
} from "viem";
import type { CheckpointAbi } from "./checkpoint.js";
import { L1Error, L1ErrorCode } from "./errors.js";

/** The rollup functions and events that readers and evidence use. */
export const rollupReaderAbi = parseAbi([
  "struct Checkpoint { uint64 index; uint64 firstBlock; uint64 lastBlock; bytes32 parentHash; bytes32 lastBlockHash; bytes32 stateRoot; bytes32 withdrawalsRoot; bytes32 blockHashesRoot; string pieceCid; string payloadCid; uint64 pieceSize; uint64 carSize; uint64 lastBlockTimestamp; uint64 depositCursor; uint64 validatorSetId; }",
  "struct StoredCheckpoint { bytes32 stateRoot; bytes32 lastBlockHash; bytes32 withdrawalsRoot; uint64 lastBlock; uint64 depositCursor; uint64 acceptedAt; string pieceCid; }",
  "function submitCheckpoint(Checkpoint cp, bytes[] signatures)",
  "function getCheckpoint(uint64 index) view returns (StoredCheckpoint)",
  "function nextCheckpointIndex() view returns (uint64)",
  "function isFinal(uint64 index) view returns (bool)",
  "function l2ChainId() view returns (uint64)",
  "function sequencer() view returns (address)",
  "function halted() view returns (bool)",
  "function sequencerBond() view returns (uint256)",
  "function proveBlockEquivocation(uint64 number, bytes32 hashA, bytes sigA, bytes32 hashB, bytes sigB)",
  "function checkpointContentHash(Checkpoint cp) pure returns (bytes32)",
  "event CheckpointSubmitted(uint64 indexed index, bytes32 stateRoot, bytes32 withdrawalsRoot, uint64 lastBlock, string pieceCid)",
  "event CheckpointSignatures(uint64 indexed index, bytes32 digest, bytes[] signatures)",
]);

const CHECKPOINT_SUBMITTED = rollupReaderAbi.find(
  (x) => x.type === "event" && x.name === "CheckpointSubmitted",
) as Extract<(typeof rollupReaderAbi)[number], { type: "event" }>;

/** What the rollup stores of an accepted checkpoint. */
export type StoredCheckpoint = {
  index: number;
  stateRoot: Uint8Array;
  lastBlockHash: Uint8Array;
  withdrawalsRoot: Uint8Array;
  lastBlock: number;
  depositCursor: number;
  /** L1 seconds. */
  acceptedAt: number;
  pieceCid: string;
};

export type L1CheckpointRecord = {
  stored: StoredCheckpoint;
  /** The whole checkpoint from its submission's calldata; null if it could not be decoded (e.g. sent through another contract). */
  checkpoint: Checkpoint | null;
  txHash: Hex | null;
  l1BlockNumber: bigint | null;
};

type Client = { publicClient: PublicClient };

export async function readNextCheckpointIndex(rollup: Address, { publicClient }: Client): Promise<number> {
  return Number(
    await publicClient.readContract({ address: rollup, abi: rollupReaderAbi, functionName: "nextCheckpointIndex" }),
  );
}

export async function readStoredCheckpoint(
  rollup: Address,
  index: number,
  { publicClient }: Client,
): Promise<StoredCheckpoint> {
  const s = await publicClient.readContract({
    address: rollup,
    abi: rollupReaderAbi,
    functionName: "getCheckpoint",
    args: [BigInt(index)],
  });
  return {
    index,
    stateRoot: fromHex(s.stateRoot),
    lastBlockHash: fromHex(s.lastBlockHash),
    withdrawalsRoot: fromHex(s.withdrawalsRoot),
    lastBlock: Number(s.lastBlock),
    depositCursor: Number(s.depositCursor),
    acceptedAt: Number(s.acceptedAt),
    pieceCid: s.pieceCid,
  };
}

/** The rollup's immutables a verifier checks its configuration against. */
export async function readRollupIdentity(
  rollup: Address,
  { publicClient }: Client,
): Promise<{ l2ChainId: number; sequencer: Address }> {
  const [l2ChainId, sequencer] = await Promise.all([
    publicClient.readContract({ address: rollup, abi: rollupReaderAbi, functionName: "l2ChainId" }),
    publicClient.readContract({ address: rollup, abi: rollupReaderAbi, functionName: "sequencer" }),
  ]);
  return { l2ChainId: Number(l2ChainId), sequencer };
}

/**
 * Whether the rollup judges checkpoint equivocation by content (`checkpointContentHash`, so one
 * content re-signed under a new validator set id is not slashable) rather than by digest, as
 * rollups deployed before it did. A verifier re-signs for a new set id only when this is true.
 */
export async function rollupJudgesEquivocationByContent(rollup: Address, { publicClient }: Client): Promise<boolean> {
  const zero = `0x${"00".repeat(32)}` as const;
  try {
    await publicClient.readContract({
      address: rollup,
      abi: rollupReaderAbi,
      functionName: "checkpointContentHash",
      args: [
        {
          index: 0n,
          firstBlock: 0n,
          lastBlock: 0n,
          parentHash: zero,
          lastBlockHash: zero,
          stateRoot: zero,
          withdrawalsRoot: zero,
          blockHashesRoot: zero,
          pieceCid: "",
          payloadCid: "",
          pieceSize: 0n,
          carSize: 0n,
          lastBlockTimestamp: 0n,
          depositCursor: 0n,
          validatorSetId: 0n,
        },
      ],
    });
    return true;
  } catch {
    return false;
  }
}

export function checkpointFromAbi(a: CheckpointAbi, l2ChainId: number): Checkpoint {
  return {
    chainId: l2ChainId,
    index: Number(a.index),
    firstBlock: Number(a.firstBlock),
    lastBlock: Number(a.lastBlock),
    parentHash: fromHex(a.parentHash),
    lastBlockHash: fromHex(a.lastBlockHash),
    stateRoot: fromHex(a.stateRoot),
    withdrawalsRoot: fromHex(a.withdrawalsRoot),
    blockHashesRoot: fromHex(a.blockHashesRoot),
    pieceCid: a.pieceCid,
    payloadCid: a.payloadCid,
    pieceSize: Number(a.pieceSize),
    carSize: Number(a.carSize),
    lastBlockTimestamp: Number(a.lastBlockTimestamp),
    depositCursor: Number(a.depositCursor),
    validatorSetId: Number(a.validatorSetId),
  };
}

/** The fields where a decoded checkpoint disagrees with what the rollup stored (empty: consistent). */
export function storedMismatches(cp: Checkpoint, s: StoredCheckpoint): string[] {
  const out: string[] = [];
  if (cp.index !== s.index) out.push("index");
  if (!bytesEqual(cp.stateRoot, s.stateRoot)) out.push("stateRoot");
  if (!bytesEqual(cp.lastBlockHash, s.lastBlockHash)) out.push("lastBlockHash");
  if (!bytesEqual(cp.withdrawalsRoot, s.withdrawalsRoot)) out.push("withdrawalsRoot");
  if (cp.lastBlock !== s.lastBlock) out.push("lastBlock");
  if (cp.depositCursor !== s.depositCursor) out.push("depositCursor");
  if (cp.pieceCid !== s.pieceCid) out.push("pieceCid");
  return out;
}

export type ReadCheckpointsParameters = {
  rollup: Address;
  /** The L1 block the rollup was deployed at: the log scan starts there. */
  startBlock: bigint;
  /** First index to read; default 0. */
  fromIndex?: number;
  /** One past the last index; default the rollup's nextCheckpointIndex. */
  toIndex?: number;
  /** Blocks per eth_getLogs; Filecoin's nodes refuse more than 2,880. */
  maxRange?: number;
};

/**
 * Every accepted checkpoint in [fromIndex, toIndex): the stored fields, and the whole checkpoint
 * decoded from its submission (checked against the stored fields; L1Error BAD_CHECKPOINT when they
 * disagree, which the contract makes impossible for a direct call).
 */
export async function readCheckpoints(
  params: ReadCheckpointsParameters,
  modules: Client & { logger?: Logger | null },
): Promise<L1CheckpointRecord[]> {
  const { publicClient } = modules;
  const logger = (modules.logger ?? nullLogger).child({ module: "checkpointReader" });
  const fromIndex = params.fromIndex ?? 0;
  const toIndex = params.toIndex ?? (await readNextCheckpointIndex(params.rollup, modules));
  if (toIndex <= fromIndex) return [];
  const maxRange = BigInt(params.maxRange ?? 2_000);
  const { l2ChainId } = await readRollupIdentity(params.rollup, modules);

  // Where each index was submitted: one bounded scan of CheckpointSubmitted logs.
  const where = new Map<number, { txHash: Hex; blockNumber: bigint }>();
  const latest = await publicClient.getBlockNumber({ cacheTime: 0 });
  // Scanned to the latest block: after a halt an index is submitted again, and the last submission wins.
  for (let from = params.startBlock; from <= latest; from += maxRange) {
    const to = from + maxRange - 1n < latest ? from + maxRange - 1n : latest;
    const logs = await publicClient.getLogs({
      address: params.rollup,
      event: CHECKPOINT_SUBMITTED,
      fromBlock: from,
      toBlock: to,
    });
    for (const log of logs) {
      const index = Number((log.args as { index?: bigint }).index);
      if (index >= fromIndex && index < toIndex && log.transactionHash && log.blockNumber !== null) {
        where.set(index, { txHash: log.transactionHash, blockNumber: log.blockNumber });
      }
    }
  }

  const out: L1CheckpointRecord[] = [];
  for (let index = fromIndex; index < toIndex; index++) {
    const stored = await readStoredCheckpoint(params.rollup, index, modules);
    const at = where.get(index) ?? null;
    let checkpoint: Checkpoint | null = null;
    if (at) {
      const tx = await publicClient.getTransaction({ hash: at.txHash });
      try {
        const call = decodeFunctionData({ abi: rollupReaderAbi, data: tx.input });
        if (call.functionName === "submitCheckpoint") {
          checkpoint = checkpointFromAbi(call.args[0] as CheckpointAbi, l2ChainId);
        }
      } catch {
        checkpoint = null;
      }
      if (checkpoint) {
        const bad = storedMismatches(checkpoint, stored);
        if (bad.length > 0) {
          throw new L1Error(
            L1ErrorCode.BAD_CHECKPOINT,
            `Checkpoint ${index}: its submission disagrees with the rollup`,
            {
              details: { index, fields: bad, tx: at.txHash },
            },
          );
        }
      } else {
        logger.warn("checkpoint submission not decodable; using the stored fields", { index, tx: at.txHash });
      }
    }
    out.push({ stored, checkpoint, txHash: at?.txHash ?? null, l1BlockNumber: at?.blockNumber ?? null });
  }
  return out;
}

/**
 * Sends `proveBlockEquivocation(number, hashA, sigA, hashB, sigB)`: two sequencer seals for different
 * block hashes at one height. Burns the sequencer's bond (and its collateral if it is a validator) and halts the rollup; reverts NothingToSlash when the sequencer is unbonded.
 * Gas from eth_estimateGas. Resolves with the transaction hash once it is mined successfully.
 */
export async function proveBlockEquivocation(
  params: {
    rollup: Address;
    number: number;
    a: { hash: Uint8Array; signature: Uint8Array };
    b: { hash: Uint8Array; signature: Uint8Array };
  },
  modules: Client & { walletClient: WalletClient; account: Account },
): Promise<Hex> {
  const { publicClient, walletClient, account } = modules;
  const hash = await walletClient.writeContract({
    account,
    chain: walletClient.chain ?? null,
    address: params.rollup,
    abi: rollupReaderAbi,
    functionName: "proveBlockEquivocation",
    args: [
      BigInt(params.number),
      toHex(params.a.hash) as Hex,
      toHex(params.a.signature) as Hex,
      toHex(params.b.hash) as Hex,
      toHex(params.b.signature) as Hex,
    ],
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") {
    throw new L1Error(L1ErrorCode.TRANSACTION_FAILED, "proveBlockEquivocation reverted", { details: { tx: hash } });
  }
  return hash;
}
