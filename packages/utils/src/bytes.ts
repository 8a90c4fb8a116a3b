/** Byte and hex helpers shared by every package. Hex is lower-case and always 0x-prefixed. */
import { FilverseError } from "./errors.js";

export type Hex = `0x${string}`;

export enum BytesErrorCode {
  INVALID_HEX = "BYTES_INVALID_HEX",
  INVALID_LENGTH = "BYTES_INVALID_LENGTH",
}

export class BytesError extends FilverseError<BytesErrorCode> {
  override name = "BytesError";
}

const HEX_RE = /^0x(?:[0-9a-fA-F]{2})*$/;

export function toHex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
}

/** Parse 0x-prefixed hex. With `length`, the byte length must match exactly. */
export function fromHex(hex: string, length?: number): Uint8Array {
  if (typeof hex !== "string" || !HEX_RE.test(hex)) {
    throw new BytesError(BytesErrorCode.INVALID_HEX, `Invalid hex string: ${shorten(String(hex))}`);
  }
  const out = new Uint8Array(Buffer.from(hex.slice(2), "hex"));
  if (length !== undefined && out.length !== length) {
    throw new BytesError(BytesErrorCode.INVALID_LENGTH, `Expected ${length} bytes, got ${out.length}`, {
      details: { hex: shorten(hex) },
    });
  }
  return out;
}

export function isHex(value: unknown, length?: number): value is Hex {
  return typeof value === "string" && HEX_RE.test(value) && (length === undefined || value.length === 2 + 2 * length);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Lexicographic comparison, for sorting keys. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}

/** Big-endian unsigned integer of `length` bytes. */
export function bigintToBytesBE(value: bigint, length: number): Uint8Array {
  if (value < 0n || value >= 1n << BigInt(8 * length)) {
    throw new RangeError(`Value ${value} does not fit in ${length} bytes`);
  }
  const out = new Uint8Array(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function bytesToBigintBE(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

const utf8Encoder = new TextEncoder();
// ignoreBOM: a leading U+FEFF is content, not a marker. Stripping it would make decode(encode(s))
// differ from s, and nodes decoding SSZ would hash a different string than the signer did.
const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * UTF-8 bytes of s. ASCII strings (CIDs, handles, names: nearly every string a transaction carries)
 * take a loop: TextEncoder's call into C++ costs more than the copy for short strings (a 59-char CID:
 * 3.2M/s against 8.5M/s, measured). The bytes are the same, since ASCII is its own UTF-8.
 */
export function utf8ToBytes(s: string): Uint8Array {
  const n = s.length;
  if (n > 256) return utf8Encoder.encode(s);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return utf8Encoder.encode(s);
    out[i] = c;
  }
  return out;
}

/** Strict UTF-8 decoding: invalid sequences throw instead of becoming U+FFFD; a BOM is kept. */
export function bytesToUtf8(bytes: Uint8Array): string {
  return utf8Decoder.decode(bytes);
}

function shorten(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True if the string is valid Unicode (no lone UTF-16 surrogate), so UTF-8 encoding is lossless. */
export function isWellFormedString(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}
