/**
 * Piece CID strings, both forms, in the shape the filecoin package uses (`{v2, v1, root, sizes}`) and
 * with its error code (PIECE_CID_INVALID). Parsing and encoding are @filverse/crypto's (`piece/cid.ts`,
 * strict: minimal varints, trunc254 roots, heights up to 64 GiB); this module only adapts them.
 * - v2, FRC-0069: CIDv1, raw codec, multihash fr32-sha256-trunc254-padbintree (0x1011) whose digest
 *   is uvarint(padding) ‖ uint8(height) ‖ root[32]; paddedSize = 32·2^height and
 *   payloadSize = paddedSize·127/128 − padding. `bafkzcib…`.
 * - v1: CIDv1, fil-commitment-unsealed (0xf101), sha2-256-trunc254-padded (0x1012), digest = root. No
 *   size. `baga6ea4seaq…`.
 */
import {
  encodePieceCidV1,
  encodePieceCidV2,
  heightOfPaddedSize,
  parsePieceCid as parsePieceCidStrict,
  unpaddedSizeOfHeight,
} from "@filverse/crypto";
import { MAX_CID_BYTES } from "@filverse/params";
import { FilecoinError, FilecoinErrorCode } from "../errors.js";

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

/** The canonical v1 string of a root. */
export function pieceCidV1(root: Uint8Array): string {
  return encodePieceCidV1(root);
}

/** The canonical v2 string of a root, a padded size (a power of two ≥ 128) and a payload size. */
export function pieceCidV2(root: Uint8Array, paddedSize: number, payloadSize: number): string {
  let height: number;
  try {
    height = heightOfPaddedSize(paddedSize);
  } catch (cause) {
    throw new RangeError(`Padded piece size must be 32·2^h (128 B to 64 GiB), got ${paddedSize}`, { cause });
  }
  const padding = unpaddedSizeOfHeight(height) - payloadSize;
  if (!Number.isSafeInteger(payloadSize) || payloadSize < 1 || padding < 0) {
    throw new RangeError(`Payload size must be in [1, ${unpaddedSize(paddedSize)}], got ${payloadSize}`);
  }
  return encodePieceCidV2({ root, height, padding });
}

/**
 * Either form as this package uses it (v1 and v2 strings, root, sizes); anything else (or a size out
 * of bounds) is PIECE_CID_INVALID. `parsePieceCid` in @filverse/crypto is the strict decoder under it.
 */
export function pieceCidInfo(s: string): PieceCidInfo {
  if (typeof s !== "string" || s.length === 0 || s.length > MAX_CID_BYTES) {
    throw new FilecoinError(FilecoinErrorCode.PIECE_CID_INVALID, "Not a Piece CID", {
      details: { cid: String(s).slice(0, MAX_CID_BYTES) },
    });
  }
  let parsed: ReturnType<typeof parsePieceCidStrict>;
  try {
    parsed = parsePieceCidStrict(s);
  } catch (cause) {
    throw new FilecoinError(FilecoinErrorCode.PIECE_CID_INVALID, "Not a Piece CID (v2 bafkzcib… or v1 baga…)", {
      cause,
      details: { cid: s },
    });
  }
  const v1 = encodePieceCidV1(parsed.root);
  if (parsed.version === 1) return { v2: null, v1, root: parsed.root, paddedSize: null, payloadSize: null };
  return {
    v2: encodePieceCidV2(parsed),
    v1,
    root: parsed.root,
    paddedSize: parsed.paddedSize,
    payloadSize: parsed.payloadSize,
  };
}
