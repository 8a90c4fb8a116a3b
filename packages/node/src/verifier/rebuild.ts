/**
 * Rebuilding the L2 from Filecoin alone: the checkpoints on the L1 rollup, and for each its batch
 * piece fetched from a piece server (the sequencer's `/piece/`, a storage provider's), its Piece CID
 * verified before any byte is used, its payload CID checked, every block imported through the
 * Verifier (seals, signatures, re-execution, roots), and each checkpoint's roots compared with the
 * result. Resumable: blocks already in the verifier's database are skipped.
 */
import {
  type FilecoinError,
  type PieceCommitter,
  type PieceStore,
  readBatch,
  retrievePieceFromAny,
} from "@filverse/filecoin";
import { type L1CheckpointRecord, readCheckpoints } from "@filverse/l1";
import { type Hex, type Logger, nullLogger, toHex } from "@filverse/utils";
import type { Address, PublicClient } from "viem";
import { sleep } from "../abort.js";
import { RebuildError, RebuildErrorCode, VerifierError, VerifierErrorCode } from "../errors.js";
import { PREPARE_AHEAD_BLOCKS } from "../sync/follow.js";
import type { Verifier } from "./verifier.js";

export type RebuildProgress = {
  /** Checkpoints done, of `checkpoints`. */
  checkpoint: number;
  checkpoints: number;
  /** The verifier's head, and the last checkpoint's last block. */
  block: number;
  lastBlock: number;
  /** The head when the rebuild started (blocks below were already there). */
  startBlock: number;
  /** Transactions (and deposits) imported so far. */
  transactions: number;
  /** performance.now() at the start. */
  startedAt: number;
};

export type RebuildFromL1Parameters = {
  rollup: Address;
  /** The L1 block the rollup was deployed at: the checkpoint log scan starts there. */
  startBlock: bigint;
  /** Piece servers, tried in order for every batch: `{url}/piece/{pieceCid}`. */
  pieceUrls: string[];
  /** Blocks per eth_getLogs (Filecoin's nodes refuse more than 2,880). */
  maxRange?: number;
  /** How long a block may wait for its L1 messages to be final on this node's L1 view. */
  depositWaitMs?: number;
  signal?: AbortSignal;
};

export type RebuildFromL1Modules = {
  /** Started, not following anything: the rebuild imports into it. */
  verifier: Verifier;
  publicClient: PublicClient;
  /** Verifies pieces (CommP; the CryptoPool runs it on its workers). */
  committer: PieceCommitter;
  /** Where verified pieces are kept, so this node serves them too. */
  pieceStore?: PieceStore | null;
  logger?: Logger | null;
  onProgress?: ((p: RebuildProgress) => void) | null;
};

export type RebuildFromL1ReturnType = {
  checkpoints: number;
  head: number;
  stateRoot: Hex;
  /** The last checkpoint, whose roots the head now equals; null when the rollup has none. */
  lastCheckpoint: { index: number; lastBlock: number; stateRoot: Hex } | null;
  blocks: number;
  transactions: number;
  seconds: number;
};

const DEPOSIT_RETRY_MS = 500;

export async function rebuildFromL1(
  params: RebuildFromL1Parameters,
  modules: RebuildFromL1Modules,
): Promise<RebuildFromL1ReturnType> {
  const { verifier } = modules;
  const logger = (modules.logger ?? nullLogger).child({ module: "rebuild" });
  const started = performance.now();
  const records = await readCheckpoints(
    { rollup: params.rollup, startBlock: params.startBlock, maxRange: params.maxRange ?? 2_000 },
    { publicClient: modules.publicClient, logger },
  );
  const startHead = verifier.head.number;
  const progress: RebuildProgress = {
    checkpoint: 0,
    checkpoints: records.length,
    block: startHead,
    lastBlock: records.at(-1)?.stored.lastBlock ?? 0,
    startBlock: startHead,
    transactions: 0,
    startedAt: started,
  };
  logger.info("rebuilding from L1", { checkpoints: records.length, lastBlock: progress.lastBlock, head: startHead });
  let previousLast = 0;
  for (const record of records) {
    if (params.signal?.aborted) throw new RebuildError(RebuildErrorCode.ABORTED, "The rebuild was aborted");
    const { stored, checkpoint } = record;
    const firstBlock = checkpoint?.firstBlock ?? previousLast + 1;
    if (firstBlock !== previousLast + 1) {
      throw new RebuildError(RebuildErrorCode.RANGE_GAP, `Checkpoint ${stored.index} starts at ${firstBlock}`, {
        details: { index: stored.index, expected: previousLast + 1, firstBlock },
      });
    }
    if (stored.lastBlock > verifier.head.number)
      await importBatch(record, firstBlock, params, modules, progress, logger);
    // The batch was CommP-checked against stored.pieceCid already: compare what execution decides.
    const { pieceCid: _verified, ...roots } = stored;
    const claim = {
      ...roots,
      firstBlock,
      ...(checkpoint ? { lastBlockTimestamp: checkpoint.lastBlockTimestamp } : {}),
    };
    const check = await verifier.checkCheckpoint(claim, "rebuild", "l1");
    if (check !== "ok") {
      throw new RebuildError(
        RebuildErrorCode.CHECKPOINT_MISMATCH,
        `Checkpoint ${stored.index}: ${check === "pending" ? "its last block was not reached" : `${check.join(", ")} differ from re-execution`}`,
        { details: { index: stored.index, fields: check } },
      );
    }
    previousLast = stored.lastBlock;
    progress.checkpoint++;
    progress.block = verifier.head.number;
    modules.onProgress?.(progress);
  }
  const last = records.at(-1)?.stored ?? null;
  const result: RebuildFromL1ReturnType = {
    checkpoints: records.length,
    head: verifier.head.number,
    stateRoot: toHex(verifier.head.header.stateRoot),
    lastCheckpoint: last && { index: last.index, lastBlock: last.lastBlock, stateRoot: toHex(last.stateRoot) },
    blocks: verifier.head.number - startHead,
    transactions: progress.transactions,
    seconds: (performance.now() - started) / 1000,
  };
  logger.info("rebuilt from L1", { ...result });
  return result;
}

async function importBatch(
  record: L1CheckpointRecord,
  firstBlock: number,
  params: RebuildFromL1Parameters,
  modules: RebuildFromL1Modules,
  progress: RebuildProgress,
  logger: Logger,
): Promise<void> {
  const { stored, checkpoint } = record;
  const { verifier } = modules;
  let bytes: Uint8Array;
  try {
    const piece = await retrievePieceFromAny(
      {
        baseUrls: params.pieceUrls,
        pieceCid: stored.pieceCid,
        ...(checkpoint ? { paddedSize: checkpoint.pieceSize, payloadSize: checkpoint.carSize } : {}),
        ...(params.signal ? { signal: params.signal } : {}),
      },
      { committer: modules.committer, logger },
    );
    bytes = piece.bytes;
  } catch (cause) {
    throw new RebuildError(
      RebuildErrorCode.PIECE_UNAVAILABLE,
      `Checkpoint ${stored.index}: its batch piece is unavailable`,
      {
        cause,
        details: { index: stored.index, pieceCid: stored.pieceCid, code: (cause as FilecoinError).code },
      },
    );
  }
  let batch: ReturnType<typeof readBatch>;
  try {
    batch = readBatch(bytes, checkpoint ? { payloadCid: checkpoint.payloadCid } : {});
  } catch (cause) {
    throw new RebuildError(RebuildErrorCode.BAD_BATCH, `Checkpoint ${stored.index}: its piece is not a valid batch`, {
      cause,
      details: { index: stored.index, pieceCid: stored.pieceCid },
    });
  }
  if (batch.index.firstBlock !== firstBlock || batch.index.lastBlock !== stored.lastBlock) {
    throw new RebuildError(RebuildErrorCode.BAD_BATCH, `Checkpoint ${stored.index}: the batch holds other blocks`, {
      details: {
        index: stored.index,
        expected: [firstBlock, stored.lastBlock],
        got: [batch.index.firstBlock, batch.index.lastBlock],
      },
    });
  }
  if (modules.pieceStore && !modules.pieceStore.has(stored.pieceCid))
    await modules.pieceStore.put(stored.pieceCid, bytes);
  const blocks = batch.blocks.filter((b) => b.header.number > verifier.head.number);
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i]!;
    for (let j = i; j < Math.min(i + PREPARE_AHEAD_BLOCKS, blocks.length); j++) verifier.prepare(blocks[j]!);
    await importWaitingForL1(verifier, block, params, stored.index);
    progress.block = verifier.head.number;
    progress.transactions += block.transactions.length + block.deposits.length;
    modules.onProgress?.(progress);
  }
}

/** Import one block; a block whose L1 messages are not final on this node's L1 view yet waits for them. */
async function importWaitingForL1(
  verifier: Verifier,
  block: Parameters<Verifier["importBlock"]>[0],
  params: RebuildFromL1Parameters,
  index: number,
): Promise<void> {
  const until = Date.now() + (params.depositWaitMs ?? 5 * 60_000);
  for (;;) {
    try {
      await verifier.importBlock(block, "rebuild");
      return;
    } catch (err) {
      if (err instanceof VerifierError && err.code === VerifierErrorCode.DEPOSITS_UNCONFIRMED && Date.now() < until) {
        if (params.signal?.aborted) throw new RebuildError(RebuildErrorCode.ABORTED, "The rebuild was aborted");
        if (params.signal) {
          // The signal also ends the wait itself, so an abort (or the node closing) is not held up by it.
          await sleep(DEPOSIT_RETRY_MS, params.signal).catch(() => {
            throw new RebuildError(RebuildErrorCode.ABORTED, "The rebuild was aborted");
          });
        } else await new Promise((r) => setTimeout(r, DEPOSIT_RETRY_MS));
        continue;
      }
      throw new RebuildError(
        RebuildErrorCode.INVALID_BLOCK,
        `Checkpoint ${index}: block ${block.header.number} refused`,
        {
          cause: err,
          details: {
            index,
            number: block.header.number,
            code: (err as VerifierError).code,
            ...((err as VerifierError).details ?? {}),
          },
        },
      );
    }
  }
}
