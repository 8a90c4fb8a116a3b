/**
 * Piece CIDs, both forms, with the few bytes of multiformats they need (unsigned varints, base32):
 * - v1: CIDv1(fil-commitment-unsealed 0xf101, sha2-256-trunc254-padded 0x1012, root), `baga6ea4seaq…`;
 * - v2 (FRC-0069): CIDv1(raw 0x55, fr32-sha256-trunc254-padbintree 0x1011,
 *   uvarint(padding) ‖ height ‖ root), `bafkzcib…`.
 * Spec: https://github.com/filecoin-project/FIPs/blob/master/FRCs/frc-0069.md
 */
import {
  heightOfPaddedSize,
  MAX_PIECE_HEIGHT,
  MIN_PIECE_HEIGHT,
  NODE_BYTES,
  PieceError,
  PieceErrorCode,
  pieceHeightOf,
  unpaddedSizeOfHeight,
} from "./size.js";

export const CID_VERSION_1 = 1;
/** Multicodec `raw`: the codec of a v2 Piece CID. */
export const RAW_CODEC = 0x55;
/** Multicodec `fil-commitment-unsealed`: the codec of a v1 Piece CID. */
export const FIL_COMMITMENT_UNSEALED_CODEC = 0xf101;
/** Multihash `sha2-256-trunc254-padded`: the v1 multihash, digest = the 32-byte root. */
export const SHA2_256_TRUNC254_PADDED = 0x1012;
/** Multihash `fr32-sha256-trunc254-padbintree`: the v2 multihash, digest = uvarint(padding) ‖ height ‖ root. */
export const FR32_SHA256_TRUNC254_PADBINTREE = 0x1011;

/** The multibase prefix of lowercase base32 (RFC 4648, no padding), the default text form of a CIDv1. */
const BASE32_PREFIX = "b";
const BASE32_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
const BASE32_VALUES = (() => {
  const values = new Int8Array(128).fill(-1);
  for (let i = 0; i < BASE32_ALPHABET.length; i++) values[BASE32_ALPHABET.charCodeAt(i)] = i;
  return values;
})();

export type PieceCidV2Parts = {
  /** The 32-byte piece tree root (CommP). */
  root: Uint8Array;
  /** log2 of the number of 32-byte nodes in the padded piece. */
  height: number;
  /** Zero bytes appended to the payload before Fr32 padding: 127·2^(height-2) - payloadSize. */
  padding: number;
};

export type ParsedPieceCidV2 = PieceCidV2Parts & {
  version: 2;
  /** 32·2^height. */
  paddedSize: number;
  /** 127·2^(height-2) - padding. */
  payloadSize: number;
};

export type ParsedPieceCidV1 = { version: 1; root: Uint8Array };

function invalid(shortMessage: string, details: Record<string, unknown> = {}, cause?: unknown): PieceError {
  return new PieceError(PieceErrorCode.INVALID_CID, shortMessage, { details, cause });
}

/**
 * Checks that `padding` is what some payload of this height has: the payload fits the height and
 * needs it (more than half of it, except at the smallest height, which holds 0 to 127 bytes).
 */
function checkParts({ root, height, padding }: PieceCidV2Parts): void {
  if (!(root instanceof Uint8Array) || root.length !== NODE_BYTES) {
    throw invalid("Piece root must be 32 bytes", { rootBytes: root instanceof Uint8Array ? root.length : typeof root });
  }
  if ((root[NODE_BYTES - 1]! & 0xc0) !== 0) {
    throw invalid("Piece root has its top two bits set, so it is not a trunc254 node");
  }
  if (!Number.isInteger(height) || height < MIN_PIECE_HEIGHT || height > MAX_PIECE_HEIGHT) {
    throw invalid(`Piece height must be from ${MIN_PIECE_HEIGHT} to ${MAX_PIECE_HEIGHT}, got ${height}`, { height });
  }
  const unpadded = unpaddedSizeOfHeight(height);
  if (!Number.isSafeInteger(padding) || padding < 0 || padding > unpadded) {
    throw invalid(`Piece padding must be from 0 to ${unpadded} at height ${height}, got ${padding}`, {
      height,
      padding,
    });
  }
  if (pieceHeightOf(unpadded - padding) !== height) {
    throw invalid(`Piece padding ${padding} leaves ${unpadded - padding} payload bytes, too few for height ${height}`, {
      height,
      padding,
    });
  }
}

/** The v2 Piece CID (FRC-0069) as bytes. */
export function pieceCidV2Bytes(parts: PieceCidV2Parts): Uint8Array {
  checkParts(parts);
  const digestLength = varintLength(parts.padding) + 1 + NODE_BYTES;
  const prefix = [
    ...varint(CID_VERSION_1),
    ...varint(RAW_CODEC),
    ...varint(FR32_SHA256_TRUNC254_PADBINTREE),
    ...varint(digestLength),
    ...varint(parts.padding),
    parts.height,
  ];
  const out = new Uint8Array(prefix.length + NODE_BYTES);
  out.set(prefix);
  out.set(parts.root, prefix.length);
  return out;
}

/** The v1 Piece CID as bytes. */
export function pieceCidV1Bytes(root: Uint8Array): Uint8Array {
  checkParts({ root, height: MIN_PIECE_HEIGHT, padding: 0 });
  const prefix = [
    ...varint(CID_VERSION_1),
    ...varint(FIL_COMMITMENT_UNSEALED_CODEC),
    ...varint(SHA2_256_TRUNC254_PADDED),
    ...varint(NODE_BYTES),
  ];
  const out = new Uint8Array(prefix.length + NODE_BYTES);
  out.set(prefix);
  out.set(root, prefix.length);
  return out;
}

/** `bafkzcib…`: the v2 Piece CID in base32. */
export function encodePieceCidV2(parts: PieceCidV2Parts): string {
  return BASE32_PREFIX + base32Encode(pieceCidV2Bytes(parts));
}

/** `baga6ea4seaq…`: the v1 Piece CID in base32. */
export function encodePieceCidV1(root: Uint8Array): string {
  return BASE32_PREFIX + base32Encode(pieceCidV1Bytes(root));
}

/**
 * Parses a Piece CID of either form, as a base32 string or as bytes. Throws PieceError INVALID_CID
 * for anything else, including a v2 CID whose height is above MAX_PIECE_HEIGHT (64 GiB).
 */
export function parsePieceCid(cid: string | Uint8Array): ParsedPieceCidV1 | ParsedPieceCidV2 {
  const bytes = typeof cid === "string" ? decodeCidString(cid) : cid;
  if (!(bytes instanceof Uint8Array)) throw new TypeError("parsePieceCid: expected a string or a Uint8Array");
  const r = new VarintReader(bytes);
  const version = r.read("CID version");
  if (version !== CID_VERSION_1) throw invalid(`Piece CIDs are CIDv1, got version ${version}`, { version });
  const codec = r.read("codec");
  const hashCode = r.read("multihash code");
  const digestLength = r.read("digest length");
  if (digestLength !== bytes.length - r.offset) {
    throw invalid("Piece CID digest length does not match its bytes", {
      digestLength,
      remaining: bytes.length - r.offset,
    });
  }
  if (codec === FIL_COMMITMENT_UNSEALED_CODEC && hashCode === SHA2_256_TRUNC254_PADDED) {
    if (digestLength !== NODE_BYTES) throw invalid("v1 Piece CID digest must be 32 bytes", { digestLength });
    const root = new Uint8Array(bytes.subarray(r.offset));
    checkParts({ root, height: MIN_PIECE_HEIGHT, padding: 0 });
    return { version: 1, root };
  }
  if (codec === RAW_CODEC && hashCode === FR32_SHA256_TRUNC254_PADBINTREE) {
    const padding = r.read("padding");
    if (bytes.length - r.offset !== 1 + NODE_BYTES) {
      throw invalid("v2 Piece CID digest must be uvarint(padding) ‖ height ‖ 32-byte root", { digestLength });
    }
    const height = bytes[r.offset]!;
    const root = new Uint8Array(bytes.subarray(r.offset + 1));
    checkParts({ root, height, padding });
    const unpadded = unpaddedSizeOfHeight(height);
    return { version: 2, root, height, padding, paddedSize: NODE_BYTES * 2 ** height, payloadSize: unpadded - padding };
  }
  throw invalid("Not a Piece CID: expected codec fil-commitment-unsealed (v1) or raw with the piece multihash (v2)", {
    codec,
    multihash: hashCode,
  });
}

/** parsePieceCid, accepting only the v2 form. */
export function parsePieceCidV2(cid: string | Uint8Array): ParsedPieceCidV2 {
  const parsed = parsePieceCid(cid);
  if (parsed.version !== 2) throw invalid("Expected a v2 Piece CID (bafkzcib…), got a v1 one (baga…)");
  return parsed;
}

/** parsePieceCid, accepting only the v1 form. */
export function parsePieceCidV1(cid: string | Uint8Array): ParsedPieceCidV1 {
  const parsed = parsePieceCid(cid);
  if (parsed.version !== 1) throw invalid("Expected a v1 Piece CID (baga…), got a v2 one (bafkzcib…)");
  return parsed;
}

/**
 * v1 + padded size → v2. A v1 CID does not say how much of the piece is payload, so without
 * `payloadSize` the padding is 0, FRC-0069's form for a whole piece as deals see it; with the payload
 * size the result equals the v2 CID computed from the payload.
 */
export function pieceCidV1ToV2(cidV1: string | Uint8Array, paddedSize: number, payloadSize?: number): string {
  const { root } = parsePieceCidV1(cidV1);
  const height = heightOfPaddedSize(paddedSize);
  const padding = payloadSize === undefined ? 0 : unpaddedSizeOfHeight(height) - payloadSize;
  return encodePieceCidV2({ root, height, padding });
}

/** v2 → v1 and the padded size that the v1 form leaves out. */
export function pieceCidV2ToV1(cidV2: string | Uint8Array): { pieceCidV1: string; paddedSize: number } {
  const { root, paddedSize } = parsePieceCidV2(cidV2);
  return { pieceCidV1: encodePieceCidV1(root), paddedSize };
}

// --- unsigned varint (multiformats/unsigned-varint: LEB128, minimal, at most 9 bytes) -----------

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

function varintLength(value: number): number {
  return varint(value).length;
}

class VarintReader {
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  read(what: string): number {
    let value = 0;
    for (let i = 0, scale = 1; i < 8; i++, scale *= 0x80) {
      const byte = this.bytes[this.offset + i];
      if (byte === undefined) throw invalid(`Piece CID ends inside its ${what}`);
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (byte === 0 && i > 0) throw invalid(`Piece CID ${what} is not minimally encoded`);
        this.offset += i + 1;
        return value;
      }
    }
    // Eight 7-bit groups are 2^56, above any size or code a Piece CID holds.
    throw invalid(`Piece CID ${what} is too large`);
  }
}

// --- base32 (RFC 4648, lowercase, no padding) -----------------------------------------------------

function base32Encode(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32_ALPHABET[(buffer >>> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

function decodeCidString(cid: string): Uint8Array {
  if (typeof cid !== "string" || !cid.startsWith(BASE32_PREFIX)) {
    throw invalid("Piece CID must be a base32 CIDv1 string starting with b", {
      cid: typeof cid === "string" ? cid.slice(0, 80) : typeof cid,
    });
  }
  const out = new Uint8Array(Math.floor(((cid.length - 1) * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let j = 0;
  for (let i = 1; i < cid.length; i++) {
    const code = cid.charCodeAt(i);
    const value = code < 128 ? BASE32_VALUES[code]! : -1;
    if (value < 0) throw invalid(`Piece CID has a character outside base32 at ${i}`, { cid: cid.slice(0, 80) });
    buffer = ((buffer << 5) | value) & 0x1fff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (buffer >>> bits) & 0xff;
    }
  }
  // Leftover bits must be fewer than one character's and zero, or the string is not canonical.
  if (bits >= 5 || (buffer & ((1 << bits) - 1)) !== 0) {
    throw invalid("Piece CID is not canonical base32", { cid: cid.slice(0, 80) });
  }
  return out;
}
