/**
 * The batch index node: the CAR's root and first section, a dag-cbor map that lists every block's
 * CID and where its section is, so a reader finds block N with one ranged read.
 */
import { MAX_BATCH_BLOCKS, MAX_BATCH_CAR_BYTES } from "@filverse/params";
import { bytesEqual } from "@filverse/utils";
import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import { FilecoinError, FilecoinErrorCode } from "../errors.js";
import {
  BATCH_INDEX_TYPE,
  BATCH_LAYOUT_VERSION,
  CID_BYTES,
  RAW_CODEC,
  SHA2_256_CODE,
  sectionLength,
} from "./layout.js";

export type BatchIndex = {
  /** BATCH_LAYOUT_VERSION. */
  version: number;
  chainId: number;
  firstBlock: number;
  lastBlock: number;
  /** The parent of firstBlock: links this batch to the one before it. */
  parentHash: Uint8Array;
  /** The block hash (SSZ header root) of lastBlock, as in the checkpoint. */
  lastBlockHash: Uint8Array;
  /** Block firstBlock + i is blocks[i]: CIDv1 raw sha2-256 of its SSZ bytes. */
  blocks: CID[];
  /** The SSZ byte length of each block. */
  lengths: number[];
  /**
   * Where each block's CAR section starts, counted from the first byte after the index section.
   * offsets[0] = 0 and offsets[i+1] = offsets[i] + sectionLength(lengths[i]).
   */
  offsets: number[];
};

/** Bounds a reader enforces; the defaults are the protocol's. */
export type BatchLimits = {
  /** Blocks per batch; default MAX_BATCH_BLOCKS. */
  maxBlocks: number;
  /** Bytes per CAR; default MAX_BATCH_CAR_BYTES. */
  maxCarBytes: number;
};

export const defaultBatchLimits: BatchLimits = { maxBlocks: MAX_BATCH_BLOCKS, maxCarBytes: MAX_BATCH_CAR_BYTES };

const INDEX_KEYS = [
  "type",
  "version",
  "chainId",
  "firstBlock",
  "lastBlock",
  "parentHash",
  "lastBlockHash",
  "blocks",
  "lengths",
  "offsets",
] as const;

/**
 * The largest index section a reader accepts for `maxBlocks` blocks: per block a CID (41 bytes in
 * dag-cbor) and two integers (at most 9 bytes each), plus under 256 bytes for the rest, the section's
 * CID and its length. It stops a lying length prefix from making a reader fetch a whole piece.
 */
export function maxIndexSectionBytes(maxBlocks: number): number {
  return 256 + 64 * maxBlocks;
}

/** dag-cbor of the index; dag-cbor's canonical form (sorted keys, minimal ints) makes it deterministic. */
export function encodeBatchIndex(index: BatchIndex): Uint8Array {
  return dagCbor.encode({
    type: BATCH_INDEX_TYPE,
    version: index.version,
    chainId: index.chainId,
    firstBlock: index.firstBlock,
    lastBlock: index.lastBlock,
    parentHash: index.parentHash,
    lastBlockHash: index.lastBlockHash,
    blocks: index.blocks,
    lengths: index.lengths,
    offsets: index.offsets,
  });
}

/** The section offsets of blocks with these SSZ lengths (relative to the end of the index section). */
export function sectionOffsets(lengths: readonly number[]): number[] {
  const offsets: number[] = [];
  let at = 0;
  for (const len of lengths) {
    offsets.push(at);
    at += sectionLength(len);
  }
  return offsets;
}

/** Bytes of all block sections together. */
export function blockSectionsLength(index: Pick<BatchIndex, "lengths" | "offsets">): number {
  const n = index.lengths.length;
  return n === 0 ? 0 : index.offsets[n - 1]! + sectionLength(index.lengths[n - 1]!);
}

function malformed(shortMessage: string, details: Record<string, unknown> = {}, cause?: unknown): FilecoinError {
  return new FilecoinError(FilecoinErrorCode.INDEX_MALFORMED, shortMessage, { details, cause });
}

function isUint(v: unknown, max = Number.MAX_SAFE_INTEGER): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0 && v <= max;
}

function isHash(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array && v.length === 32;
}

/**
 * Decodes and checks an index node: exactly the layout's keys, every bound, consistent offsets, and
 * canonical bytes (the re-encoding equals the input). Throws INDEX_MALFORMED or CAR_TOO_LARGE.
 */
export function decodeBatchIndex(bytes: Uint8Array, limits: BatchLimits = defaultBatchLimits): BatchIndex {
  let raw: unknown;
  try {
    raw = dagCbor.decode(bytes);
  } catch (cause) {
    throw malformed("The batch index is not valid dag-cbor", { length: bytes.length }, cause);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw) || raw instanceof Uint8Array) {
    throw malformed("The batch index is not a map");
  }
  const m = raw as Record<string, unknown>;
  const keys = Object.keys(m);
  if (keys.length !== INDEX_KEYS.length || !INDEX_KEYS.every((k) => Object.hasOwn(m, k))) {
    throw malformed("The batch index does not have exactly the layout's keys", { keys });
  }
  if (m.type !== BATCH_INDEX_TYPE) throw malformed("The index node is not a Filverse batch", { type: m.type });
  if (m.version !== BATCH_LAYOUT_VERSION) throw malformed("Unknown batch layout version", { version: m.version });
  const { chainId, firstBlock, lastBlock } = m;
  if (!isUint(chainId)) throw malformed("chainId must be an unsigned safe integer", { chainId });
  if (!isUint(firstBlock) || firstBlock < 1) throw malformed("firstBlock must be at least 1", { firstBlock });
  if (!isUint(lastBlock) || lastBlock < firstBlock) {
    throw malformed("lastBlock must be at least firstBlock", { firstBlock, lastBlock });
  }
  const count = lastBlock - firstBlock + 1;
  if (count > limits.maxBlocks) {
    throw malformed("The batch has more blocks than allowed", { count, maxBlocks: limits.maxBlocks });
  }
  if (!isHash(m.parentHash)) throw malformed("parentHash must be 32 bytes");
  if (!isHash(m.lastBlockHash)) throw malformed("lastBlockHash must be 32 bytes");
  const { blocks, lengths, offsets } = m;
  for (const [name, list] of [
    ["blocks", blocks],
    ["lengths", lengths],
    ["offsets", offsets],
  ] as const) {
    if (!Array.isArray(list) || list.length !== count) {
      throw malformed(`${name} must list one entry per block`, {
        count,
        length: Array.isArray(list) ? list.length : null,
      });
    }
  }
  const cids: CID[] = [];
  for (const [i, c] of (blocks as unknown[]).entries()) {
    const cid = CID.asCID(c);
    if (
      cid?.version !== 1 ||
      cid.code !== RAW_CODEC ||
      cid.multihash.code !== SHA2_256_CODE ||
      cid.bytes.length !== CID_BYTES
    ) {
      throw malformed("A block CID is not CIDv1 raw sha2-256", { block: firstBlock + i });
    }
    cids.push(cid);
  }
  let at = 0;
  for (let i = 0; i < count; i++) {
    const len = (lengths as unknown[])[i];
    if (!isUint(len, limits.maxCarBytes) || len === 0) {
      throw malformed("A block length is out of bounds", { block: firstBlock + i, length: len });
    }
    if ((offsets as unknown[])[i] !== at) {
      throw malformed("A block offset does not follow from the lengths before it", {
        block: firstBlock + i,
        offset: (offsets as unknown[])[i],
        expected: at,
      });
    }
    at += sectionLength(len);
    if (at > limits.maxCarBytes) {
      throw new FilecoinError(FilecoinErrorCode.CAR_TOO_LARGE, "The batch index describes a CAR larger than allowed", {
        details: { maxCarBytes: limits.maxCarBytes },
      });
    }
  }
  const index: BatchIndex = {
    version: BATCH_LAYOUT_VERSION,
    chainId,
    firstBlock,
    lastBlock,
    parentHash: m.parentHash,
    lastBlockHash: m.lastBlockHash,
    blocks: cids,
    lengths: lengths as number[],
    offsets: offsets as number[],
  };
  if (!bytesEqual(encodeBatchIndex(index), bytes)) throw malformed("The batch index is not in canonical dag-cbor");
  return index;
}
