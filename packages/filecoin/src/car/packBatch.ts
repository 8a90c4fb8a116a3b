/**
 * Packs the sealed blocks of one checkpoint into a batch CAR (docs/storage.md). Deterministic: the
 * same blocks give the same bytes, hence the same payload CID and Piece CID on every node.
 */
import { type BlockHeader, BlockHeader as BlockHeaderType, blockHash, SignedBlockSsz } from "@filverse/types";
import { CarBufferWriter } from "@ipld/car";
import type { CID } from "multiformats/cid";
import { FilecoinError, FilecoinErrorCode } from "../errors.js";
import {
  type BatchIndex,
  type BatchLimits,
  blockSectionsLength,
  defaultBatchLimits,
  encodeBatchIndex,
  sectionOffsets,
} from "./batchIndex.js";
import { BATCH_LAYOUT_VERSION, blockCid, CAR_HEADER_BYTES, indexCid, sectionLength } from "./layout.js";
import { checkLink } from "./parse.js";

export type PackBatchOpts = Partial<BatchLimits>;

export type PackedBatch = {
  /** The CARv1 bytes. */
  car: Uint8Array;
  /** The root: the index node's CID (`bafyrei…`), as the checkpoint's payloadCid. */
  payloadCid: string;
  /** car.length, as the checkpoint's carSize. */
  carSize: number;
  index: BatchIndex;
};

/** Anything that reads stored SSZ blocks by number; `ChainDb` (`@filverse/db`) is one. */
export type BatchBlockSource = {
  getBlockBytes(n: number): Promise<Uint8Array | null>;
};

/** What the index says about the chain, beside the blocks themselves. */
export type BatchMeta = Pick<BatchIndex, "chainId" | "firstBlock" | "lastBlock" | "parentHash" | "lastBlockHash">;

// A SignedBlock's SSZ starts with its header (a fixed-size container), so the header decodes from the
// first bytes without decoding the transactions.
const HEADER_SSZ_BYTES = BlockHeaderType.ssz.fixedSize as number;

function headerOf(ssz: Uint8Array, position: number): BlockHeader {
  try {
    if (ssz.length < SignedBlockSsz.minSize) throw new RangeError(`${ssz.length} bytes`);
    return BlockHeaderType.deserialize(ssz.subarray(0, HEADER_SSZ_BYTES));
  } catch (cause) {
    throw new FilecoinError(FilecoinErrorCode.BLOCK_DECODE, "A block to pack is not an SSZ SignedBlock", {
      details: { position, length: ssz.length },
      cause,
    });
  }
}

function tooLarge(carSize: number, maxCarBytes: number): FilecoinError {
  return new FilecoinError(FilecoinErrorCode.CAR_TOO_LARGE, "The batch CAR would be larger than allowed", {
    details: { carSize, maxCarBytes },
  });
}

/**
 * Packs consecutive sealed blocks, each its SSZ exactly as stored (`encodeSignedBlock`), in order.
 * Checks the range is one chain (same chain id, consecutive numbers from ≥ 1, each parentHash the
 * previous block's hash) and the limits. Reads only each block's header; the full SSZ is checked
 * when the batch is read back.
 */
export function packBatch(blocks: readonly Uint8Array[], opts: PackBatchOpts = {}): PackedBatch {
  const limits = { ...defaultBatchLimits, ...opts };
  if (blocks.length === 0) throw new FilecoinError(FilecoinErrorCode.BATCH_EMPTY, "A batch needs at least one block");
  if (blocks.length > limits.maxBlocks) {
    throw new FilecoinError(FilecoinErrorCode.BATCH_TOO_MANY_BLOCKS, "Too many blocks for one batch", {
      details: { blocks: blocks.length, maxBlocks: limits.maxBlocks },
    });
  }
  // A lower bound (without the index), to refuse an oversized batch before hashing anything.
  const lowerBound = CAR_HEADER_BYTES + blocks.reduce((sum, b) => sum + sectionLength(b.length), 0);
  if (lowerBound > limits.maxCarBytes) throw tooLarge(lowerBound, limits.maxCarBytes);

  const headers = blocks.map((b, i) => headerOf(b, i));
  const first = headers[0]!;
  if (first.number < 1) {
    throw new FilecoinError(FilecoinErrorCode.BLOCK_NOT_CONTIGUOUS, "The genesis block is never batched", {
      details: { number: first.number },
    });
  }
  for (let i = 1; i < headers.length; i++) {
    const h = headers[i]!;
    if (h.number !== first.number + i || h.chainId !== first.chainId) {
      throw new FilecoinError(FilecoinErrorCode.BLOCK_NOT_CONTIGUOUS, "The blocks to pack are not consecutive", {
        details: {
          position: i,
          expected: { number: first.number + i, chainId: first.chainId },
          got: { number: h.number, chainId: h.chainId },
        },
      });
    }
    checkLink(h.parentHash, blockHash(headers[i - 1]!), "its parentHash is not the previous block's hash", h.number);
  }
  const last = headers[headers.length - 1]!;
  return assembleBatchCar(
    blocks,
    {
      chainId: first.chainId,
      firstBlock: first.number,
      lastBlock: last.number,
      parentHash: first.parentHash,
      lastBlockHash: blockHash(last),
    },
    limits.maxCarBytes,
  );
}

/**
 * Writes the CAR for `blocks` and `meta` without checking that they form a chain. packBatch is the
 * checked entry point; this one exists so tests can build well-framed CARs of broken chains.
 */
export function assembleBatchCar(
  blocks: readonly Uint8Array[],
  meta: BatchMeta,
  maxCarBytes: number = defaultBatchLimits.maxCarBytes,
): PackedBatch {
  const cids: CID[] = blocks.map((b) => blockCid(b));
  const lengths = blocks.map((b) => b.length);
  const index: BatchIndex = {
    version: BATCH_LAYOUT_VERSION,
    ...meta,
    blocks: cids,
    lengths,
    offsets: sectionOffsets(lengths),
  };
  const indexBytes = encodeBatchIndex(index);
  const root = indexCid(indexBytes);
  const carSize = CAR_HEADER_BYTES + sectionLength(indexBytes.length) + blockSectionsLength(index);
  if (carSize > maxCarBytes) throw tooLarge(carSize, maxCarBytes);

  const writer = CarBufferWriter.createWriter(new ArrayBuffer(carSize), { roots: [root] });
  writer.write({ cid: root, bytes: indexBytes });
  for (const [i, bytes] of blocks.entries()) writer.write({ cid: cids[i]!, bytes });
  const car = writer.close();
  return { car, payloadCid: root.toString(), carSize: car.length, index };
}

/**
 * Reads blocks [firstBlock, lastBlock] from `source` and packs them. For checkpoint `i` of a chain
 * with checkpoint interval `k` the range is [i·k + 1, (i+1)·k] (`checkpointRange` in @filverse/l1).
 */
export async function packBatchRange(
  source: BatchBlockSource,
  firstBlock: number,
  lastBlock: number,
  opts: PackBatchOpts = {},
): Promise<PackedBatch> {
  const maxBlocks = opts.maxBlocks ?? defaultBatchLimits.maxBlocks;
  if (!Number.isSafeInteger(firstBlock) || !Number.isSafeInteger(lastBlock) || firstBlock < 1) {
    throw new RangeError(`Invalid block range [${firstBlock}, ${lastBlock}]`);
  }
  if (lastBlock < firstBlock)
    throw new FilecoinError(FilecoinErrorCode.BATCH_EMPTY, "A batch needs at least one block");
  if (lastBlock - firstBlock + 1 > maxBlocks) {
    throw new FilecoinError(FilecoinErrorCode.BATCH_TOO_MANY_BLOCKS, "Too many blocks for one batch", {
      details: { blocks: lastBlock - firstBlock + 1, maxBlocks },
    });
  }
  const blocks: Uint8Array[] = [];
  for (let n = firstBlock; n <= lastBlock; n++) {
    const bytes = await source.getBlockBytes(n);
    if (!bytes) {
      throw new FilecoinError(FilecoinErrorCode.BLOCK_MISSING, "A block of the batch is not in the chain", {
        details: { block: n },
      });
    }
    blocks.push(bytes);
  }
  return packBatch(blocks, opts);
}
