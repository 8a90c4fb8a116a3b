/**
 * Parsing and checking the parts of a batch CAR, shared by readBatch (whole bytes) and the ranged
 * BatchReader: the header, the index section, one block section, one decoded block.
 */
import { blockHash, decodeSignedBlock, type SignedBlock } from "@filverse/types";
import { bytesEqual, toHex } from "@filverse/utils";
import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import { FilecoinError, FilecoinErrorCode } from "../errors.js";
import {
  type BatchIndex,
  type BatchLimits,
  blockSectionsLength,
  decodeBatchIndex,
  maxIndexSectionBytes,
} from "./batchIndex.js";
import {
  CAR_HEADER_BYTES,
  CID_BYTES,
  DAG_CBOR_CODEC,
  readVarint,
  SHA2_256_CODE,
  sectionLength,
  sha256,
} from "./layout.js";

/** What precedes the block sections: the root (payload CID), the index, and where the blocks start. */
export type BatchPrefix = {
  root: CID;
  index: BatchIndex;
  /** The offset of the first block section (the end of the index section). */
  dataStart: number;
  /** The offset just after the last block section: the CAR's size. */
  carSize: number;
};

function malformed(shortMessage: string, details: Record<string, unknown> = {}, cause?: unknown): FilecoinError {
  return new FilecoinError(FilecoinErrorCode.CAR_MALFORMED, shortMessage, { details, cause });
}

/** The root of a batch CAR header (the first CAR_HEADER_BYTES bytes); checks it is exactly the layout's. */
function parseHeader(bytes: Uint8Array): CID {
  const { value, next } = readVarint(bytes, 0, "the CAR header");
  if (next + value !== CAR_HEADER_BYTES) {
    throw malformed("The CAR header is not a batch header (one dag-cbor root)", { headerLength: value });
  }
  if (bytes.length < CAR_HEADER_BYTES) {
    throw new FilecoinError(FilecoinErrorCode.CAR_TRUNCATED, "The CAR ends inside its header", {
      details: { length: bytes.length },
    });
  }
  const headerBytes = bytes.subarray(next, CAR_HEADER_BYTES);
  let header: unknown;
  try {
    header = dagCbor.decode(headerBytes);
  } catch (cause) {
    throw malformed("The CAR header is not valid dag-cbor", {}, cause);
  }
  const h = header as { version?: unknown; roots?: unknown };
  const root = Array.isArray(h?.roots) && h.roots.length === 1 ? CID.asCID(h.roots[0]) : null;
  if (
    h?.version !== 1 ||
    !root ||
    root.version !== 1 ||
    root.code !== DAG_CBOR_CODEC ||
    root.multihash.code !== SHA2_256_CODE ||
    root.bytes.length !== CID_BYTES ||
    !bytesEqual(dagCbor.encode({ version: 1, roots: [root] }), headerBytes)
  ) {
    throw malformed("The CAR header must be version 1 with one dag-cbor sha2-256 root");
  }
  return root;
}

/**
 * Where the index section ends, from the CAR's first bytes (at least the header and the index
 * section's length varint). A ranged reader reads up to here before parsePrefix.
 */
export function indexSectionEnd(bytes: Uint8Array, limits: BatchLimits): number {
  const header = readVarint(bytes, 0, "the CAR header");
  if (header.next + header.value !== CAR_HEADER_BYTES) {
    throw malformed("The CAR header is not a batch header (one dag-cbor root)", { headerLength: header.value });
  }
  const { value, next } = readVarint(bytes, CAR_HEADER_BYTES, "the index section");
  if (value <= CID_BYTES) throw malformed("The index section is too short", { sectionLength: value });
  const max = maxIndexSectionBytes(limits.maxBlocks);
  if (next + value - CAR_HEADER_BYTES > max) {
    throw new FilecoinError(FilecoinErrorCode.INDEX_MALFORMED, "The index section is longer than an index can be", {
      details: { sectionLength: value, maxIndexSectionBytes: max },
    });
  }
  return next + value;
}

/**
 * Parses the header and the index section. `bytes` starts at the CAR's first byte and holds at least
 * the whole index section (more is ignored). Checks: the header's one root is the first section's CID,
 * the index bytes hash to it, the index is well formed, and the CAR it describes fits the limits.
 */
export function parsePrefix(bytes: Uint8Array, limits: BatchLimits, payloadCid?: string): BatchPrefix {
  const root = parseHeader(bytes);
  if (payloadCid !== undefined && root.toString() !== payloadCid) {
    throw new FilecoinError(FilecoinErrorCode.PAYLOAD_CID_MISMATCH, "The CAR's root is not the expected payload CID", {
      details: { expected: payloadCid, root: root.toString() },
    });
  }
  const dataStart = indexSectionEnd(bytes, limits);
  if (bytes.length < dataStart) {
    throw new FilecoinError(FilecoinErrorCode.CAR_TRUNCATED, "The CAR ends inside the index section", {
      details: { length: bytes.length, indexSectionEnd: dataStart },
    });
  }
  const cidStart = readVarint(bytes, CAR_HEADER_BYTES, "the index section").next;
  if (!bytesEqual(bytes.subarray(cidStart, cidStart + CID_BYTES), root.bytes)) {
    throw new FilecoinError(FilecoinErrorCode.INDEX_MISMATCH, "The first section is not the root index node");
  }
  const indexBytes = bytes.subarray(cidStart + CID_BYTES, dataStart);
  if (!bytesEqual(sha256(indexBytes), root.multihash.digest)) {
    throw new FilecoinError(FilecoinErrorCode.CID_MISMATCH, "The index node does not hash to the root CID", {
      details: { root: root.toString() },
    });
  }
  const index = decodeBatchIndex(indexBytes, limits);
  const carSize = dataStart + blockSectionsLength(index);
  if (carSize > limits.maxCarBytes) {
    throw new FilecoinError(FilecoinErrorCode.CAR_TOO_LARGE, "The batch CAR is larger than allowed", {
      details: { carSize, maxCarBytes: limits.maxCarBytes },
    });
  }
  return { root, index, dataStart, carSize };
}

/** Offset and length of block `i`'s section (i counts from 0 at firstBlock). */
export function blockSectionRange(prefix: BatchPrefix, i: number): { offset: number; length: number } {
  return { offset: prefix.dataStart + prefix.index.offsets[i]!, length: sectionLength(prefix.index.lengths[i]!) };
}

/**
 * The SSZ bytes in block `i`'s section, checked against the index: the length, the CID bytes, and the
 * sha256 of the data.
 */
export function blockSectionData(section: Uint8Array, index: BatchIndex, i: number): Uint8Array {
  const n = index.firstBlock + i;
  const length = index.lengths[i]!;
  const { value, next } = readVarint(section, 0, `block ${n}'s section`);
  if (value !== CID_BYTES + length || next + value !== section.length) {
    throw new FilecoinError(FilecoinErrorCode.INDEX_MISMATCH, "A block section's length is not the index's", {
      details: { block: n, sectionLength: value, expected: CID_BYTES + length },
    });
  }
  const cid = index.blocks[i]!;
  if (!bytesEqual(section.subarray(next, next + CID_BYTES), cid.bytes)) {
    throw new FilecoinError(FilecoinErrorCode.INDEX_MISMATCH, "A block section carries another CID than the index", {
      details: { block: n, expected: cid.toString() },
    });
  }
  const data = section.subarray(next + CID_BYTES);
  if (!bytesEqual(sha256(data), cid.multihash.digest)) {
    throw new FilecoinError(FilecoinErrorCode.CID_MISMATCH, "A block's bytes do not hash to its CID", {
      details: { block: n, cid: cid.toString() },
    });
  }
  return data;
}

/** Decodes block `i`'s SSZ and checks its chain id and number against the index. */
export function decodeBatchBlock(data: Uint8Array, index: BatchIndex, i: number): SignedBlock {
  const n = index.firstBlock + i;
  let block: SignedBlock;
  try {
    block = decodeSignedBlock(data);
  } catch (cause) {
    // CodecError, or whatever a bound check deeper in the decoder throws: the bytes are at fault.
    throw new FilecoinError(FilecoinErrorCode.BLOCK_DECODE, "A block is not a valid SSZ SignedBlock", {
      details: { block: n },
      cause,
    });
  }
  const { chainId, number } = block.header;
  if (number !== n || chainId !== index.chainId) {
    throw new FilecoinError(FilecoinErrorCode.BLOCK_NOT_CONTIGUOUS, "A block is not the one its position says", {
      details: { expected: { number: n, chainId: index.chainId }, got: { number, chainId } },
    });
  }
  return block;
}

/** Throws PARENT_MISMATCH unless `actual` (a parentHash or a block hash) is `expected`. */
export function checkLink(actual: Uint8Array, expected: Uint8Array, what: string, block: number): void {
  if (!bytesEqual(actual, expected)) {
    throw new FilecoinError(FilecoinErrorCode.PARENT_MISMATCH, `Block ${block}: ${what}`, {
      details: { block, got: toHex(actual), expected: toHex(expected) },
    });
  }
}

/** The per-block link checks that need no neighbour: the first block's parent and the last block's hash. */
export function checkBatchEnds(block: SignedBlock, index: BatchIndex): void {
  const n = block.header.number;
  if (n === index.firstBlock)
    checkLink(block.header.parentHash, index.parentHash, "its parentHash is not the index's parentHash", n);
  if (n === index.lastBlock)
    checkLink(blockHash(block.header), index.lastBlockHash, "its hash is not the index's lastBlockHash", n);
}
