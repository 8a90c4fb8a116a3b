/**
 * Ranged access to a batch: openBatch reads the header and the index (one read of the first
 * prefetchBytes, a second only for an index larger than that), then readBlockAt reads one block with
 * one more ranged read. Everything read is checked against the root CID, so with the checkpoint's
 * payloadCid a reader trusts a block without the whole piece.
 */
import type { SignedBlock } from "@filverse/types";
import { concatBytes } from "@filverse/utils";
import type { CID } from "multiformats/cid";
import { FilecoinError, FilecoinErrorCode } from "../errors.js";
import { type BatchIndex, type BatchLimits, defaultBatchLimits } from "./batchIndex.js";
import { type ByteSource, readExact } from "./byteSource.js";
import {
  type BatchPrefix,
  blockSectionData,
  blockSectionRange,
  checkBatchEnds,
  decodeBatchBlock,
  indexSectionEnd,
  parsePrefix,
} from "./parse.js";

/** 64 KiB holds the header and the index of a batch of about 1,300 blocks (about 50 bytes a block). */
export const DEFAULT_PREFETCH_BYTES = 64 * 1024;

export type OpenBatchOpts = Partial<BatchLimits> & {
  /** If given, the root must be this CID (the checkpoint's payloadCid). */
  payloadCid?: string;
  /** Bytes of the first read; default DEFAULT_PREFETCH_BYTES. */
  prefetchBytes?: number;
};

export type BatchReader = {
  readonly source: ByteSource;
  readonly payloadCid: string;
  readonly index: BatchIndex;
  readonly prefix: BatchPrefix;
};

export type ReadBlockAtReturnType = { block: SignedBlock; bytes: Uint8Array; cid: CID };

export async function openBatch(source: ByteSource, opts: OpenBatchOpts = {}): Promise<BatchReader> {
  const limits: BatchLimits = { ...defaultBatchLimits, ...opts };
  const prefetch = Math.min(source.size, Math.max(opts.prefetchBytes ?? DEFAULT_PREFETCH_BYTES, 64));
  let bytes = await readExact(source, 0, prefetch);
  const end = indexSectionEnd(bytes, limits);
  if (end > bytes.length) bytes = concatBytes(bytes, await readExact(source, bytes.length, end - bytes.length));
  const prefix = parsePrefix(bytes, limits, opts.payloadCid);
  // More than carSize is allowed: a server may serve the piece with its zero padding, which no
  // section covers. Less means a block is missing.
  if (source.size < prefix.carSize) {
    throw new FilecoinError(FilecoinErrorCode.CAR_TRUNCATED, "The source ends before the batch's last block", {
      details: { size: source.size, expected: prefix.carSize },
    });
  }
  return { source, payloadCid: prefix.root.toString(), index: prefix.index, prefix };
}

/**
 * Block `n` with one ranged read, checked against the index (CID, length, number, chain id) and, for
 * the batch's first and last blocks, the index's parentHash and lastBlockHash. The links between
 * inner blocks need their neighbours; readBatch checks the whole chain.
 */
export async function readBlockAt(reader: BatchReader, n: number): Promise<ReadBlockAtReturnType> {
  const { index } = reader;
  if (!Number.isSafeInteger(n) || n < index.firstBlock || n > index.lastBlock) {
    throw new FilecoinError(FilecoinErrorCode.BLOCK_OUT_OF_RANGE, "The block is not in this batch", {
      details: { block: n, firstBlock: index.firstBlock, lastBlock: index.lastBlock },
    });
  }
  const i = n - index.firstBlock;
  const { offset, length } = blockSectionRange(reader.prefix, i);
  const bytes = blockSectionData(await readExact(reader.source, offset, length), index, i);
  const block = decodeBatchBlock(bytes, index, i);
  checkBatchEnds(block, index);
  return { block, bytes, cid: index.blocks[i]! };
}
