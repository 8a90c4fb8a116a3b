/**
 * Piece CID strings, both forms (parsing and building only; computing CommP is @filverse/crypto's):
 * - v2, FRC-0069 (https://github.com/filecoin-project/FIPs/blob/master/FRCs/frc-0069.md): CIDv1, raw
 *   codec, multihash fr32-sha256-trunc254-padbintree (0x1011) whose digest is
 *   uvarint(padding) ‖ uint8(height) ‖ root[32]. It carries the size: paddedSize = 32·2^height and
 *   payloadSize = paddedSize·127/128 − padding. `bafkzcib…`.
 * - v1: CIDv1, fil-commitment-unsealed (0xf101), sha2-256-trunc254-padded (0x1012), digest = root. No
 *   size. `baga6ea4seaq…`.
 */
import { MAX_CID_BYTES } from "@filverse/params";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";
import { encodeVarint, RAW_CODEC, readVarint } from "../car/layout.js";
import { FilecoinError, FilecoinErrorCode } from "../errors.js";

export const FIL_COMMITMENT_UNSEALED_CODEC = 0xf101;
export const SHA2_256_TRUNC254_PADDED_CODE = 0x1012;
export const FR32_SHA256_TRUNC254_PADBINTREE_CODE = 0x1011;

/** The smallest piece: 128 padded bytes (4 leaves), which holds up to 127 payload bytes. */
export const MIN_PIECE_HEIGHT = 2;
/** Sizes stay exact JS numbers: 32·2^45 = 1 PiB, far above Filecoin's 64 GiB sectors. */
export const MAX_PIECE_HEIGHT = 45;

export type PieceCidInfo = {
  /** The canonical v2 string, or null when parsed from a v1 CID (which does not carry the size). */
  v2: string | null;
  /** The canonical v1 string. */
  v1: string;
  /** The CommP root (32 bytes). */
  root: Uint8Array;
  /** 32·2^height bytes; null for v1. */
  paddedSize: number | null;
  /** The payload's exact byte length; null for v1. */
  payloadSize: number | null;
};

/** Payload bytes a piece of this padded size holds before padding: fr32 puts 254 bits in every 256. */
export function unpaddedSize(paddedSize: number): number {
  return paddedSize - paddedSize / 128;
}

function invalid(shortMessage: string, cid: string, cause?: unknown): FilecoinError {
  return new FilecoinError(FilecoinErrorCode.PIECE_CID_INVALID, shortMessage, {
    details: { cid: cid.length > MAX_CID_BYTES ? `${cid.slice(0, MAX_CID_BYTES)}…` : cid },
    cause,
  });
}

function checkRoot(root: Uint8Array, cid: string): void {
  // sha2-256-trunc254: the two top bits of the last byte are always zero.
  if (root.length !== 32 || (root[31]! & 0xc0) !== 0) throw invalid("A Piece CID root is not a trunc254 hash", cid);
}

/** The canonical v1 string of a root. */
export function pieceCidV1(root: Uint8Array): string {
  return CID.createV1(FIL_COMMITMENT_UNSEALED_CODEC, Digest.create(SHA2_256_TRUNC254_PADDED_CODE, root)).toString();
}

/** The canonical v2 string of a root, a padded size (a power of two ≥ 128) and a payload size. */
export function pieceCidV2(root: Uint8Array, paddedSize: number, payloadSize: number): string {
  const height = Math.log2(paddedSize / 32);
  if (!Number.isInteger(height) || height < MIN_PIECE_HEIGHT || height > MAX_PIECE_HEIGHT) {
    throw new RangeError(
      `Padded piece size must be 32·2^h with ${MIN_PIECE_HEIGHT} ≤ h ≤ ${MAX_PIECE_HEIGHT}, got ${paddedSize}`,
    );
  }
  const padding = unpaddedSize(paddedSize) - payloadSize;
  if (!Number.isSafeInteger(payloadSize) || payloadSize < 1 || padding < 0) {
    throw new RangeError(`Payload size must be in [1, ${unpaddedSize(paddedSize)}], got ${payloadSize}`);
  }
  const prefix = encodeVarint(padding);
  const digest = new Uint8Array(prefix.length + 1 + 32);
  digest.set(prefix, 0);
  digest[prefix.length] = height;
  digest.set(root, prefix.length + 1);
  return CID.createV1(RAW_CODEC, Digest.create(FR32_SHA256_TRUNC254_PADBINTREE_CODE, digest)).toString();
}

/** Parses either form; anything else (or a size out of bounds) is PIECE_CID_INVALID. */
export function parsePieceCid(s: string): PieceCidInfo {
  if (typeof s !== "string" || s.length === 0 || s.length > MAX_CID_BYTES) throw invalid("Not a Piece CID", String(s));
  let cid: CID;
  try {
    cid = CID.parse(s);
  } catch (cause) {
    throw invalid("Not a CID", s, cause);
  }
  if (cid.version !== 1) throw invalid("A Piece CID is a CIDv1", s);
  const mh = cid.multihash;
  if (cid.code === FIL_COMMITMENT_UNSEALED_CODEC && mh.code === SHA2_256_TRUNC254_PADDED_CODE) {
    checkRoot(mh.digest, s);
    return { v2: null, v1: pieceCidV1(mh.digest), root: mh.digest, paddedSize: null, payloadSize: null };
  }
  if (cid.code !== RAW_CODEC || mh.code !== FR32_SHA256_TRUNC254_PADBINTREE_CODE) {
    throw invalid("Not a Piece CID (v2 raw/fr32-sha256-trunc254-padbintree or v1 fil-commitment-unsealed)", s);
  }
  let padding: number;
  let at: number;
  try {
    ({ value: padding, next: at } = readVarint(mh.digest, 0, "the piece padding"));
  } catch (cause) {
    throw invalid("A v2 Piece CID's padding is not a varint", s, cause);
  }
  if (mh.digest.length !== at + 1 + 32) throw invalid("A v2 Piece CID's digest has the wrong length", s);
  const height = mh.digest[at]!;
  if (height < MIN_PIECE_HEIGHT || height > MAX_PIECE_HEIGHT)
    throw invalid("A v2 Piece CID's height is out of bounds", s);
  const root = mh.digest.slice(at + 1);
  checkRoot(root, s);
  const paddedSize = 32 * 2 ** height;
  const payloadSize = unpaddedSize(paddedSize) - padding;
  if (payloadSize < 1) throw invalid("A v2 Piece CID's padding is larger than the piece", s);
  return { v2: pieceCidV2(root, paddedSize, payloadSize), v1: pieceCidV1(root), root, paddedSize, payloadSize };
}
