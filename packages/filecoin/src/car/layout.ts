/**
 * The building blocks of the batch CAR layout (docs/storage.md, "Batch layout (CAR)"): the CIDs, the
 * CARv1 section framing, and a bounded varint reader shared by the packer and both readers.
 */
import { createHash } from "node:crypto";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";
import { FilecoinError, FilecoinErrorCode } from "../errors.js";

/** Multicodec codes (https://github.com/multiformats/multicodec/blob/master/table.csv). */
export const RAW_CODEC = 0x55;
export const DAG_CBOR_CODEC = 0x71;
export const SHA2_256_CODE = 0x12;

/** A CIDv1 with a sha2-256 multihash: version, codec, hash code and digest length (one byte each), digest. */
export const CID_BYTES = 36;

/** The layout version in the index node; a change to the layout is a protocol change. */
export const BATCH_LAYOUT_VERSION = 1;
/** The index node's `type`, so a stray CAR is not mistaken for a batch. */
export const BATCH_INDEX_TYPE = "filverse/batch";

/**
 * The CARv1 header of a batch: varint(58) ‖ dag-cbor {roots: [indexCid], version: 1}. Its size is
 * fixed because the root is always a 36-byte CID.
 */
export const CAR_HEADER_BYTES = 59;

/** Varints of this layout fit in 8 bytes (2^56 > any size a batch can have). */
const MAX_VARINT_BYTES = 8;

/** node:crypto's sha256 (SHA-NI where the CPU has it): block bytes are large, and this is the fast path. */
export function sha256(bytes: Uint8Array): Uint8Array {
  const d = createHash("sha256").update(bytes).digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** The CID of an L2 block: CIDv1, raw codec, sha2-256 of its SSZ bytes (`bafkrei…`). */
export function blockCid(ssz: Uint8Array): CID {
  return CID.createV1(RAW_CODEC, Digest.create(SHA2_256_CODE, sha256(ssz)));
}

/** The CID of the index node: CIDv1, dag-cbor, sha2-256 (`bafyrei…`). This is the payload CID. */
export function indexCid(indexBytes: Uint8Array): CID {
  return CID.createV1(DAG_CBOR_CODEC, Digest.create(SHA2_256_CODE, sha256(indexBytes)));
}

/** Bytes of the unsigned LEB128 varint of n. */
export function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 0x80);
    len++;
  }
  return len;
}

export function encodeVarint(n: number): Uint8Array {
  const out = new Uint8Array(varintLength(n));
  for (let i = 0; i < out.length; i++) {
    const low = n % 0x80;
    n = Math.floor(n / 0x80);
    out[i] = i < out.length - 1 ? low | 0x80 : low;
  }
  return out;
}

/** A CARv1 section is varint(len(cid) + len(data)) ‖ cid ‖ data; this is its size for a 36-byte CID. */
export function sectionLength(dataLength: number): number {
  return varintLength(CID_BYTES + dataLength) + CID_BYTES + dataLength;
}

/**
 * Reads the minimal unsigned varint at `offset`. Throws CAR_TRUNCATED if the bytes end inside it and
 * CAR_MALFORMED if it is longer than 8 bytes or not minimal (a non-minimal varint would let two
 * different CARs carry the same sections).
 */
export function readVarint(bytes: Uint8Array, offset: number, what: string): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    const at = offset + i;
    if (at >= bytes.length) {
      throw new FilecoinError(FilecoinErrorCode.CAR_TRUNCATED, `CAR ends inside the length of ${what}`, {
        details: { offset },
      });
    }
    const b = bytes[at]!;
    value += (b & 0x7f) * scale;
    scale *= 0x80;
    if ((b & 0x80) === 0) {
      if (b === 0 && i > 0) {
        throw new FilecoinError(FilecoinErrorCode.CAR_MALFORMED, `The length of ${what} is not a minimal varint`, {
          details: { offset },
        });
      }
      return { value, next: at + 1 };
    }
  }
  throw new FilecoinError(FilecoinErrorCode.CAR_MALFORMED, `The length of ${what} is longer than 8 bytes`, {
    details: { offset },
  });
}
