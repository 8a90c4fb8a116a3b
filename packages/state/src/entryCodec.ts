/**
 * The byte form of a state object, `u8 namespace ‖ u16be id length ‖ id ‖ SSZ(value)`: how the
 * objects tree keeps each object (decoded on every read) and how the database stores it.
 *
 * The SSZ part is written and read directly, field by field, from the struct's schema: through
 * @chainsafe/ssz an asset took 2.0 µs to encode and 0.9 µs to decode, and this runs on every write
 * a block makes and every object it reads. Any value or bytes the direct path does not accept go
 * through the struct's own serialize/deserialize, so errors (and any case this file does not know)
 * behave exactly as SSZ does; the tests check the two paths give the same bytes and values.
 */
import type { SmtValueCodec } from "@filverse/crypto";
import { MAX_UINT64_SAFE, MAX_UINT256 } from "@filverse/params";
import { type Namespace, type StateObjects, type StructType, stateObjectStructs } from "@filverse/types";
import { bytesToUtf8, isWellFormedString } from "@filverse/utils";

/**
 * What a leaf of the objects tree holds: enough to serve the object and re-derive its key. The tree
 * keeps it as its SSZ bytes (stateEntryCodec below) and every read decodes a fresh one: an asset as a
 * JavaScript object (three byte arrays, a string, a bigint…) costs about 1 KB of heap, its bytes
 * about 190 (docs/benchmarks.md). The working state of a block decodes each object it reads once.
 */
export type StateEntry = { ns: Namespace; id: Uint8Array; value: StateObjects[Namespace] };

/** The field kinds state objects use, with their fixed SSZ size; a string is a 4-byte offset plus its bytes. */
const FIXED_BYTES = { uint8: 1, uint16: 2, uint64: 8, uint256: 32, bool: 1, address: 20, bytes32: 32 } as const;
type FixedKind = keyof typeof FIXED_BYTES;
type FieldPlan = { name: string; kind: FixedKind | "string"; at: number; maxBytes: number };
type Plan = {
  fields: FieldPlan[];
  strings: FieldPlan[];
  /** Bytes of the fixed part: fixed fields in place, 4-byte offsets for strings. */
  fixedSize: number;
};
type AnyStruct = StructType<unknown>;

/** A plan per namespace, or null where a field kind is not one of the above (that struct always goes through SSZ). */
function planOf(struct: AnyStruct): Plan | null {
  const fields: FieldPlan[] = [];
  const strings: FieldPlan[] = [];
  let at = 0;
  for (const name of struct.fieldNames) {
    const field = struct.fields[name]!;
    const kind = field.encoding.kind;
    if (kind === "string") {
      const maxBytes = field.bounds?.maxBytes;
      if (maxBytes === undefined) return null;
      const f: FieldPlan = { name, kind, at, maxBytes };
      fields.push(f);
      strings.push(f);
      at += 4;
    } else if (Object.hasOwn(FIXED_BYTES, kind)) {
      fields.push({ name, kind: kind as FixedKind, at, maxBytes: 0 });
      at += FIXED_BYTES[kind as FixedKind];
    } else {
      return null;
    }
  }
  return { fields, strings, fixedSize: at };
}

const PLANS = new Map<Namespace, Plan | null>();
for (const [ns, struct] of Object.entries(stateObjectStructs)) {
  PLANS.set(Number(ns) as Namespace, planOf(struct as AnyStruct));
}

/**
 * Whether encodeStateEntry accepts `value`: every field of the right type and within its schema
 * bound (uint64 ≤ 2^53−1, uint256 ≤ 2^256−1, string bytes, well-formed UTF-16). It checks without
 * encoding or allocating; the executor asks it of every object a transaction writes, so a value the
 * block's commit could not encode fails that one transaction instead of the block.
 */
export function stateValueFits(ns: Namespace, value: StateObjects[Namespace]): boolean {
  const plan = PLANS.get(ns);
  if (plan === undefined) return false;
  if (plan === null) {
    try {
      (stateObjectStructs[ns] as AnyStruct).check(value);
      return true;
    } catch {
      return false;
    }
  }
  const v = value as unknown as Record<string, unknown>;
  if (typeof v !== "object" || v === null) return false;
  for (const f of plan.fields) {
    const x = v[f.name];
    if (f.kind === "string") {
      if (typeof x !== "string") return false;
      const n = utf8Length(x);
      if (n < 0 || n > f.maxBytes) return false;
    } else if (!fixedFits(f.kind, x)) {
      return false;
    }
  }
  return true;
}

/** Throws CodecError (from the struct) for a value its SSZ type cannot carry. */
export function encodeStateEntry(ns: Namespace, id: Uint8Array, value: StateObjects[Namespace]): Uint8Array {
  return encode(ns, id, value, false);
}

/**
 * How the objects tree keeps state entries. encode writes into one reused buffer (the tree copies
 * the bytes at once): a fresh array per write, most above V8's 64-byte on-heap limit, cost an
 * ArrayBuffer each and showed as GC time in a replay profile.
 */
export const stateEntryCodec: SmtValueCodec<StateEntry> = {
  encode: (e) => encode(e.ns, e.id, e.value, true),
  decode: decodeStateEntry,
};

function encode(ns: Namespace, id: Uint8Array, value: StateObjects[Namespace], reuse: boolean): Uint8Array {
  const struct = stateObjectStructs[ns] as AnyStruct | undefined;
  if (struct === undefined) throw new RangeError(`Unknown state namespace ${ns}`);
  if (!(id instanceof Uint8Array) || id.length > 0xffff) {
    throw new RangeError(
      `State object id must be at most 65535 bytes, got ${id instanceof Uint8Array ? id.length : typeof id}`,
    );
  }
  const plan = PLANS.get(ns)!;
  const direct = plan === null ? null : encodeDirect(plan, ns, id, value as unknown as Record<string, unknown>, reuse);
  if (direct !== null) return direct;
  const ssz = struct.serialize(value);
  const out = new Uint8Array(3 + id.length + ssz.length);
  writeHeader(out, ns, id);
  out.set(ssz, 3 + id.length);
  return out;
}

/**
 * The inverse of encodeStateEntry; the result shares no memory with `bytes`. Throws RangeError on a
 * truncated input or an unknown namespace, CodecError on SSZ that does not decode.
 */
export function decodeStateEntry(bytes: Uint8Array): StateEntry {
  if (bytes.length < 3) throw new RangeError(`State entry too short: ${bytes.length} bytes`);
  const ns = bytes[0]! as Namespace;
  const struct = stateObjectStructs[ns] as AnyStruct | undefined;
  const idLength = (bytes[1]! << 8) | bytes[2]!;
  if (struct === undefined) throw new RangeError(`Unknown state namespace ${ns}`);
  const start = 3 + idLength;
  if (bytes.length < start) throw new RangeError(`State entry truncated: id of ${idLength} bytes`);
  const plan = PLANS.get(ns)!;
  const value = (plan === null ? null : decodeDirect(plan, bytes, start)) ?? struct.deserialize(bytes.subarray(start));
  return { ns, id: bytes.slice(3, start), value: value as StateObjects[Namespace] };
}

function writeHeader(out: Uint8Array, ns: Namespace, id: Uint8Array): void {
  out[0] = ns;
  out[1] = id.length >>> 8;
  out[2] = id.length & 0xff;
  out.set(id, 3);
}

// --- direct encoding: null means "not accepted here", and the caller goes through SSZ ---

const isUint = (x: unknown, max: number): x is number =>
  typeof x === "number" && Number.isInteger(x) && x >= 0 && x <= max;

/** A fixed-size field's value its SSZ type carries: what both encodeDirect and stateValueFits accept. */
function fixedFits(kind: FixedKind, x: unknown): boolean {
  switch (kind) {
    case "uint8":
      return isUint(x, 0xff);
    case "uint16":
      return isUint(x, 0xffff);
    case "uint64":
      return isUint(x, MAX_UINT64_SAFE);
    case "uint256":
      return typeof x === "bigint" && x >= 0n && x <= MAX_UINT256;
    case "bool":
      return typeof x === "boolean";
    case "address":
    case "bytes32":
      return x instanceof Uint8Array && x.length === FIXED_BYTES[kind];
  }
}

/** UTF-8 length of a string SSZ can carry, or -1 for one with a lone surrogate. */
function utf8Length(s: string): number {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= 0x80) return isWellFormedString(s) ? Buffer.byteLength(s, "utf8") : -1;
  }
  return s.length;
}

/** At most a few strings per struct; their UTF-8 lengths between the two passes. */
const stringBytes = new Int32Array(16);
const utf8Encoder = new TextEncoder();
let encodeScratch = new Uint8Array(1024);

function encodeDirect(
  plan: Plan,
  ns: Namespace,
  id: Uint8Array,
  v: Record<string, unknown>,
  reuse: boolean,
): Uint8Array | null {
  if (typeof v !== "object" || v === null || plan.strings.length > stringBytes.length) return null;
  let varBytes = 0;
  for (let i = 0; i < plan.strings.length; i++) {
    const f = plan.strings[i]!;
    const s = v[f.name];
    if (typeof s !== "string") return null;
    const n = utf8Length(s);
    if (n < 0 || n > f.maxBytes) return null;
    stringBytes[i] = n;
    varBytes += n;
  }
  const start = 3 + id.length;
  const size = start + plan.fixedSize + varBytes;
  let out: Uint8Array;
  if (reuse) {
    if (encodeScratch.length < size) encodeScratch = new Uint8Array(Math.max(size, encodeScratch.length * 2));
    out = encodeScratch.subarray(0, size);
    // Only uint256 relies on zeroed bytes (it writes as many as the number needs).
    out.fill(0);
  } else {
    out = new Uint8Array(size);
  }
  writeHeader(out, ns, id);
  let varAt = plan.fixedSize;
  let si = 0;
  for (const f of plan.fields) {
    const x = v[f.name];
    const p = start + f.at;
    if (f.kind !== "string" && !fixedFits(f.kind, x)) return null;
    switch (f.kind) {
      case "uint8":
        out[p] = x as number;
        break;
      case "uint16":
        out[p] = (x as number) & 0xff;
        out[p + 1] = (x as number) >>> 8;
        break;
      case "uint64":
        writeU64(out, p, x as number);
        break;
      case "uint256":
        writeU256(out, p, x as bigint);
        break;
      case "bool":
        out[p] = x ? 1 : 0;
        break;
      case "address":
      case "bytes32":
        out.set(x as Uint8Array, p);
        break;
      case "string": {
        const s = x as string;
        const n = stringBytes[si++]!;
        writeU32(out, p, varAt);
        const q = start + varAt;
        if (n === s.length) {
          // Equal lengths mean ASCII: every non-ASCII UTF-16 unit takes two or more UTF-8 bytes.
          for (let i = 0; i < n; i++) out[q + i] = s.charCodeAt(i);
        } else {
          utf8Encoder.encodeInto(s, out.subarray(q, q + n));
        }
        varAt += n;
        break;
      }
    }
  }
  return out;
}

function writeU32(out: Uint8Array, p: number, x: number): void {
  out[p] = x & 0xff;
  out[p + 1] = (x >>> 8) & 0xff;
  out[p + 2] = (x >>> 16) & 0xff;
  out[p + 3] = x >>> 24;
}

/** Little-endian, for an integer up to 2^53 - 1. */
function writeU64(out: Uint8Array, p: number, x: number): void {
  const lo = x >>> 0;
  writeU32(out, p, lo);
  writeU32(out, p + 4, (x - lo) / 0x1_0000_0000);
}

/** Nibble values of '0'-'9' and 'a'-'f' (what bigint.toString(16) gives). */
const NIBBLE = new Uint8Array(128);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) NIBBLE[97 + i] = 10 + i;

/** Little-endian 32 bytes; the bytes are zero already. */
function writeU256(out: Uint8Array, p: number, x: bigint): void {
  if (x <= 0x1f_ffff_ffff_ffffn) {
    writeU64(out, p, Number(x));
    return;
  }
  // One native toString and a nibble table: several times faster than shifting the bigint by bytes.
  const hex = x.toString(16);
  let q = p;
  let i = hex.length;
  for (; i >= 2; i -= 2) out[q++] = (NIBBLE[hex.charCodeAt(i - 2)]! << 4) | NIBBLE[hex.charCodeAt(i - 1)]!;
  if (i === 1) out[q] = NIBBLE[hex.charCodeAt(0)]!;
}

// --- direct decoding: null means "not valid here", and the caller lets SSZ throw its own error ---

function readU32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}

/** Little-endian; at most 6 bytes (48 bits), so the result is exact in a double. */
function readLimb(b: Uint8Array, p: number, bytes: number): number {
  let x = 0;
  for (let i = bytes - 1; i >= 0; i--) x = x * 256 + b[p + i]!;
  return x;
}

function readU256(b: Uint8Array, p: number): bigint {
  // Limbs from the top: 32 = 2 + 5 × 6 bytes. Balances in wei usually fill one or two.
  let top = 0;
  for (let i = 31; i >= 0; i--) {
    if (b[p + i] !== 0) {
      top = i + 1;
      break;
    }
  }
  if (top <= 6) return BigInt(readLimb(b, p, top));
  if (top <= 12) return (BigInt(readLimb(b, p + 6, top - 6)) << 48n) | BigInt(readLimb(b, p, 6));
  let x = 0n;
  for (let at = 30; at >= 0; at -= 6) {
    const width = at === 30 ? 2 : 6;
    x = (x << BigInt(width * 8)) | BigInt(readLimb(b, p + at, width));
  }
  return x;
}

function decodeDirect(plan: Plan, b: Uint8Array, start: number): Record<string, unknown> | null {
  const size = b.length - start;
  const strings = plan.strings;
  if (size < plan.fixedSize || (strings.length === 0 && size !== plan.fixedSize)) return null;
  // Offsets first: the first must end the fixed part, each must not precede the one before.
  let prev = plan.fixedSize;
  for (let i = 0; i < strings.length; i++) {
    const f = strings[i]!;
    const offset = readU32(b, start + f.at);
    if (i === 0 ? offset !== plan.fixedSize : offset < prev) return null;
    if (offset > size) return null;
    if (i > 0) {
      const n = offset - prev;
      if (n > strings[i - 1]!.maxBytes) return null;
      stringBytes[i - 1] = n;
    }
    prev = offset;
  }
  if (strings.length > 0) {
    const n = size - prev;
    if (n > strings[strings.length - 1]!.maxBytes) return null;
    stringBytes[strings.length - 1] = n;
  }

  const out: Record<string, unknown> = {};
  let varAt = start + plan.fixedSize;
  let si = 0;
  for (const f of plan.fields) {
    const p = start + f.at;
    switch (f.kind) {
      case "uint8":
        out[f.name] = b[p];
        break;
      case "uint16":
        out[f.name] = b[p]! | (b[p + 1]! << 8);
        break;
      case "uint64": {
        const hi = readU32(b, p + 4);
        if (hi > 0x1f_ffff) return null;
        out[f.name] = hi * 0x1_0000_0000 + readU32(b, p);
        break;
      }
      case "uint256":
        out[f.name] = readU256(b, p);
        break;
      case "bool": {
        const x = b[p]!;
        if (x > 1) return null;
        out[f.name] = x === 1;
        break;
      }
      case "address":
      case "bytes32":
        out[f.name] = b.slice(p, p + FIXED_BYTES[f.kind]);
        break;
      case "string": {
        const n = stringBytes[si++]!;
        const s = decodeUtf8(b, varAt, n);
        if (s === null) return null;
        out[f.name] = s;
        varAt += n;
        break;
      }
    }
  }
  return out;
}

/** Strict UTF-8, as the schema decodes strings; null where that would throw. */
function decodeUtf8(b: Uint8Array, at: number, n: number): string | null {
  try {
    return bytesToUtf8(b.subarray(at, at + n));
  } catch {
    return null;
  }
}
