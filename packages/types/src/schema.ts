/**
 * One schema per wire struct. The SSZ type, the JSON codec and the EIP-712 type list are all derived
 * from it, so the three can never disagree. `@filverse/crypto` hashes EIP-712 structs from the same
 * schema.
 */
import {
  BooleanType,
  ByteListType,
  ByteVectorType,
  ContainerType,
  ListBasicType,
  ListCompositeType,
  type Type,
  UintBigintType,
  UintNumberType,
} from "@chainsafe/ssz";
import { MAX_UINT64_SAFE, MAX_UINT256 } from "@filverse/params";
import {
  bytesToUtf8,
  FilverseError,
  fromHex,
  type Hex,
  isHex,
  isWellFormedString,
  toHex,
  utf8ToBytes,
} from "@filverse/utils";

export enum CodecErrorCode {
  /** A JSON field is missing or unknown, has the wrong type or encoding, or is outside its type's range (uint8 > 255). */
  INVALID_FIELD = "CODEC_INVALID_FIELD",
  /** Bytes do not decode as the expected SSZ type. */
  INVALID_SSZ = "CODEC_INVALID_SSZ",
  /** A string field is not valid UTF-8 (or not well-formed Unicode). */
  INVALID_STRING = "CODEC_INVALID_STRING",
  /**
   * A value of the right type that breaks a bound the protocol sets (limits.ts): a string's UTF-8
   * bytes, a list's length, a uint64 above 2^53-1. Details: {path, got, bound}.
   */
  OUT_OF_BOUNDS = "CODEC_OUT_OF_BOUNDS",
  /** Hex that is not 65 bytes where a signature belongs. Details: {path, bytes}. */
  BAD_SIGNATURE_LENGTH = "CODEC_BAD_SIGNATURE_LENGTH",
}

export class CodecError extends FilverseError<CodecErrorCode> {
  override name = "CodecError";
}

/** The Solidity/EIP-712 scalar and array types Filverse uses. */
export type Eip712Kind =
  | "address"
  | "bool"
  | "uint8"
  | "uint16"
  | "uint64"
  | "uint256"
  | "bytes32"
  | "bytes"
  | "string";

export type FieldType<T> = {
  /** The EIP-712 type name: `address`, `uint64`, `string[]`, or a struct name. */
  readonly eip712: string;
  /** How EIP-712 encodes one value of this field (see @filverse/crypto eip712.ts). */
  readonly encoding:
    | { kind: Eip712Kind }
    | { kind: "array"; item: Eip712Kind }
    // biome-ignore lint/suspicious/noExplicitAny: a nested struct of any value type
    | { kind: "struct"; struct: StructType<any> };
  // biome-ignore lint/suspicious/noExplicitAny: the SSZ value type differs per field
  readonly ssz: Type<any>;
  toSsz(value: T): unknown;
  fromSsz(value: unknown): T;
  toJson(value: T): unknown;
  /** Parse and bound-check a JSON value; `path` names the field in errors. */
  fromJson(value: unknown, path: string): T;
  /** A TS-side check for values built in code (bounds the SSZ type alone cannot express). */
  check(value: T, path: string): void;
  /** Byte bound of a string (or of each string of a list) and length bound of a list. */
  readonly bounds?: { maxBytes?: number; maxLength?: number };
};

/** `got` is echoed back to the sender; FilverseError clips it (clipForEcho), so it may be any input. */
function invalid(path: string, expected: string, got: unknown): CodecError {
  return new CodecError(CodecErrorCode.INVALID_FIELD, `Invalid field "${path}": expected ${expected}`, {
    details: { path, got: typeof got === "bigint" ? got.toString() : got },
  });
}

function outOfBounds(path: string, expected: string, got: unknown, bound: number): CodecError {
  return new CodecError(CodecErrorCode.OUT_OF_BOUNDS, `Invalid field "${path}": expected ${expected}`, {
    details: { path, got, bound },
  });
}

function bytesField(length: number, eip712: "address" | "bytes32" | "bytes", signature = false): FieldType<Uint8Array> {
  const check = (v: Uint8Array, path: string) => {
    if (!(v instanceof Uint8Array) || v.length !== length) throw invalid(path, `${length} bytes`, v);
  };
  return {
    eip712,
    encoding: { kind: eip712 },
    ssz: new ByteVectorType(length),
    toSsz: (v) => v,
    fromSsz: (v) => v as Uint8Array,
    toJson: (v) => toHex(v),
    fromJson(v, path) {
      if (!isHex(v, length)) {
        if (signature && isHex(v)) throw badSignatureLength(path, v);
        throw invalid(path, `0x-prefixed hex of ${length} bytes`, v);
      }
      return fromHex(v);
    },
    check,
  };
}

/** Well-formed hex of the wrong length where a 65-byte signature belongs. */
export function badSignatureLength(path: string, hex: string): CodecError {
  const bytes = (hex.length - 2) / 2;
  return new CodecError(
    CodecErrorCode.BAD_SIGNATURE_LENGTH,
    `Invalid field "${path}": a signature is 65 bytes, not ${bytes}`,
    {
      details: { path, bytes },
    },
  );
}

function uintNumberField(bits: 8 | 16 | 64): FieldType<number> {
  const max = bits === 64 ? MAX_UINT64_SAFE : 2 ** bits - 1;
  const check = (v: number, path: string) => {
    if (Number.isSafeInteger(v) && v >= 0 && v <= max) return;
    // uint64 is bounded by the protocol (MAX_UINT64_SAFE), not by its type: a larger integer breaks a bound.
    if (bits === 64 && typeof v === "number" && Number.isInteger(v) && v > max) {
      throw outOfBounds(path, `an integer in [0, ${max}]`, v, max);
    }
    throw invalid(path, `an integer in [0, ${max}]`, v);
  };
  return {
    eip712: `uint${bits}`,
    encoding: { kind: `uint${bits}` },
    ssz: new UintNumberType((bits / 8) as 1 | 2 | 8),
    toSsz: (v) => v,
    fromSsz(v) {
      // SSZ decodes uint64 above 2^53 as Infinity; the protocol bounds uint64 to 2^53-1.
      check(v as number, "ssz");
      return v as number;
    },
    toJson: (v) => (bits === 64 ? String(v) : v),
    fromJson(v, path) {
      let n: number;
      if (typeof v === "number") n = v;
      else if (typeof v === "string" && /^(0|[1-9][0-9]{0,19})$/.test(v)) n = Number(v);
      else throw invalid(path, `a decimal uint${bits}`, v);
      check(n, path);
      return n;
    },
    check,
  };
}

const uint256Field: FieldType<bigint> = {
  eip712: "uint256",
  encoding: { kind: "uint256" },
  ssz: new UintBigintType(32),
  toSsz: (v) => v,
  fromSsz: (v) => v as bigint,
  toJson: (v) => v.toString(),
  fromJson(v, path) {
    let n: bigint;
    if (typeof v === "string" && /^(0|[1-9][0-9]{0,77})$/.test(v)) n = BigInt(v);
    else if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) n = BigInt(v);
    else throw invalid(path, "a decimal string uint256", v);
    if (n > MAX_UINT256) throw invalid(path, "a uint256", v);
    return n;
  },
  check(v, path) {
    if (typeof v !== "bigint" || v < 0n || v > MAX_UINT256) throw invalid(path, "a uint256 bigint", v);
  },
};

const boolField: FieldType<boolean> = {
  eip712: "bool",
  encoding: { kind: "bool" },
  ssz: new BooleanType(),
  toSsz: (v) => v,
  fromSsz: (v) => v as boolean,
  toJson: (v) => v,
  fromJson(v, path) {
    if (typeof v !== "boolean") throw invalid(path, "a boolean", v);
    return v;
  },
  check(v, path) {
    if (typeof v !== "boolean") throw invalid(path, "a boolean", v);
  },
};

/** A byte string bounded in length (`bytes` in EIP-712; SSZ ByteList; 0x-hex in JSON). */
export function bytesListField(maxBytes: number): FieldType<Uint8Array> {
  const check = (v: Uint8Array, path: string) => {
    if (!(v instanceof Uint8Array)) throw invalid(path, "bytes", v);
    if (v.length > maxBytes) throw outOfBounds(path, `at most ${maxBytes} bytes`, v, maxBytes);
  };
  return {
    eip712: "bytes",
    encoding: { kind: "bytes" },
    bounds: { maxBytes },
    ssz: new ByteListType(maxBytes),
    toSsz: (v) => v,
    fromSsz: (v) => v as Uint8Array,
    toJson: (v) => toHex(v),
    fromJson(v, path) {
      if (typeof v !== "string" || !isHex(v)) throw invalid(path, `0x-prefixed hex of at most ${maxBytes} bytes`, v);
      if (v.length > 2 + 2 * maxBytes)
        throw outOfBounds(path, `0x-prefixed hex of at most ${maxBytes} bytes`, v, maxBytes);
      return fromHex(v);
    },
    check,
  };
}

/** A UTF-8 string bounded in bytes. SSZ carries the UTF-8 bytes; EIP-712 hashes them as `string`. */
export function stringField(maxBytes: number): FieldType<string> {
  const check = (v: string, path: string) => {
    if (typeof v !== "string") throw invalid(path, "a string", v);
    // A lone surrogate would become U+FFFD in UTF-8: the signer and the chain would see different strings.
    if (!isWellFormedString(v)) {
      throw new CodecError(CodecErrorCode.INVALID_STRING, `Invalid field "${path}": not well-formed Unicode`, {
        details: { path },
      });
    }
    if (Buffer.byteLength(v, "utf8") > maxBytes)
      throw outOfBounds(path, `at most ${maxBytes} UTF-8 bytes`, v, maxBytes);
  };
  return {
    eip712: "string",
    encoding: { kind: "string" },
    bounds: { maxBytes },
    ssz: new ByteListType(maxBytes),
    toSsz: (v) => utf8ToBytes(v),
    fromSsz(v) {
      try {
        return bytesToUtf8(v as Uint8Array);
      } catch (cause) {
        throw new CodecError(CodecErrorCode.INVALID_STRING, "String field is not valid UTF-8", { cause });
      }
    },
    toJson: (v) => v,
    fromJson(v, path) {
      check(v as string, path);
      return v as string;
    },
    check,
  };
}

/** A bounded list of bounded strings (`string[]` in EIP-712). */
export function stringListField(maxBytes: number, maxLength: number): FieldType<string[]> {
  const item = stringField(maxBytes);
  const check = (v: string[], path: string) => {
    if (!Array.isArray(v)) throw invalid(path, `an array of at most ${maxLength} strings`, v);
    if (v.length > maxLength) throw outOfBounds(path, `an array of at most ${maxLength} strings`, v, maxLength);
    v.forEach((s, i) => {
      item.check(s, `${path}[${i}]`);
    });
  };
  return {
    eip712: "string[]",
    encoding: { kind: "array", item: "string" },
    bounds: { maxBytes, maxLength },
    ssz: new ListCompositeType(item.ssz as ByteListType, maxLength),
    toSsz: (v) => v.map((s) => item.toSsz(s)),
    fromSsz: (v) => (v as Uint8Array[]).map((b) => item.fromSsz(b)),
    toJson: (v) => [...v],
    fromJson(v, path) {
      check(v as string[], path);
      return [...(v as string[])];
    },
    check,
  };
}

/**
 * A bounded list of fixed-size items: EIP-712 `bytes32[]` / `uint256[]` / `address[]` (hashed as
 * keccak256 of the concatenated 32-byte encoded items), SSZ `List[Bytes32|uint256|Bytes20, max]`, JSON
 * an array of hex strings (bytes) or decimal strings (uint256).
 */
function fixedListField<T>(
  item: FieldType<T>,
  itemKind: "bytes32" | "uint256" | "address",
  maxLength: number,
): FieldType<T[]> {
  const expected = `an array of at most ${maxLength} ${itemKind} values`;
  const check = (v: T[], path: string) => {
    if (!Array.isArray(v)) throw invalid(path, expected, v);
    if (v.length > maxLength) throw outOfBounds(path, expected, v, maxLength);
    v.forEach((x, i) => {
      item.check(x, `${path}[${i}]`);
    });
  };
  return {
    eip712: `${itemKind}[]`,
    encoding: { kind: "array", item: itemKind },
    bounds: { maxLength },
    ssz:
      itemKind === "uint256"
        ? new ListBasicType(item.ssz as UintBigintType, maxLength)
        : new ListCompositeType(item.ssz as ByteVectorType, maxLength),
    toSsz: (v) => v.map((x) => item.toSsz(x)),
    fromSsz: (v) => (v as unknown[]).map((x) => item.fromSsz(x)),
    toJson: (v) => v.map((x) => item.toJson(x)),
    fromJson(v, path) {
      if (!Array.isArray(v)) throw invalid(path, expected, v);
      if (v.length > maxLength) throw outOfBounds(path, expected, v, maxLength);
      return v.map((x, i) => item.fromJson(x, `${path}[${i}]`));
    },
    check,
  };
}

export const address = bytesField(20, "address");
export const bytes32 = bytesField(32, "bytes32");
/** A 65-byte ECDSA signature, carried as EIP-712 `bytes`; hex of another length is BAD_SIGNATURE_LENGTH. */
export const signature65 = bytesField(65, "bytes", true);
export const uint8 = uintNumberField(8);
export const uint16 = uintNumberField(16);
export const uint64 = uintNumberField(64);
export const uint256 = uint256Field;
export const bool = boolField;
/** `bytes32[]` of at most `max` items. */
export const bytes32List = (max: number): FieldType<Uint8Array[]> => fixedListField(bytes32, "bytes32", max);
/** `uint256[]` of at most `max` items. */
export const uint256List = (max: number): FieldType<bigint[]> => fixedListField(uint256Field, "uint256", max);
/** `address[]` of at most `max` items. */
export const addressList = (max: number): FieldType<Uint8Array[]> => fixedListField(address, "address", max);

// biome-ignore lint/suspicious/noExplicitAny: a field map holds fields of different value types
export type Fields = Record<string, FieldType<any>>;
export type ValueOf<F extends Fields> = { [K in keyof F]: F[K] extends FieldType<infer T> ? T : never };
export type Eip712Field = { name: string; type: string };

export type StructType<V, F extends Fields = Fields> = {
  readonly name: string;
  readonly fields: F;
  readonly fieldNames: readonly string[];
  // biome-ignore lint/suspicious/noExplicitAny: SSZ container over heterogenous fields
  readonly ssz: ContainerType<any>;
  /** This struct's EIP-712 type and those it references, as viem's `types` wants them. */
  readonly eip712Types: Record<string, Eip712Field[]>;
  serialize(value: V): Uint8Array;
  deserialize(bytes: Uint8Array): V;
  /** The value @chainsafe/ssz works with (strings as UTF-8 bytes), for nesting in other SSZ types. */
  toSszValue(value: V): Record<string, unknown>;
  /** The inverse of toSszValue; checks bounds the SSZ type cannot (uint64 ≤ 2^53-1, UTF-8). */
  fromSszValue(raw: Record<string, unknown>): V;
  hashTreeRoot(value: V): Uint8Array;
  toJson(value: V): Record<string, unknown>;
  fromJson(json: unknown, path?: string): V;
  /** Bound-check a value built in code; throws CodecError. */
  check(value: V, path?: string): void;
  /** Use this struct as a field of another struct. */
  asField(): FieldType<V>;
};

export function struct<F extends Fields>(name: string, fields: F): StructType<ValueOf<F>, F> {
  type V = ValueOf<F>;
  const names = Object.keys(fields);
  const sszFields: Record<string, Type<unknown>> = {};
  for (const n of names) sszFields[n] = fields[n]!.ssz;
  const ssz = new ContainerType(sszFields, { typeName: name });

  const eip712Types: Record<string, Eip712Field[]> = {
    [name]: names.map((n) => ({ name: n, type: fields[n]!.eip712 })),
  };
  for (const n of names) {
    const enc = fields[n]!.encoding;
    if (enc.kind === "struct") Object.assign(eip712Types, enc.struct.eip712Types);
  }

  const toSsz = (v: V) => {
    const out: Record<string, unknown> = {};
    for (const n of names) out[n] = fields[n]!.toSsz((v as Record<string, unknown>)[n]);
    return out;
  };
  const fromSsz = (s: Record<string, unknown>): V => {
    const out: Record<string, unknown> = {};
    for (const n of names) out[n] = fields[n]!.fromSsz(s[n]);
    return out as V;
  };
  const check = (v: V, path = name) => {
    if (typeof v !== "object" || v === null) throw invalid(path, "an object", v);
    for (const n of names) fields[n]!.check((v as Record<string, unknown>)[n], `${path}.${n}`);
  };

  const type: StructType<V, F> = {
    name,
    fields,
    fieldNames: names,
    ssz,
    eip712Types,
    serialize(v) {
      // @chainsafe/ssz serializes an over-long ByteList without complaint, and nobody could then
      // decode it: check every bound first.
      check(v);
      return ssz.serialize(toSsz(v));
    },
    toSszValue: toSsz,
    fromSszValue: fromSsz,
    deserialize(bytes) {
      let raw: Record<string, unknown>;
      try {
        raw = ssz.deserialize(bytes);
      } catch (cause) {
        throw new CodecError(CodecErrorCode.INVALID_SSZ, `Bytes are not a valid SSZ ${name}`, {
          cause,
          details: { length: bytes.length },
        });
      }
      return fromSsz(raw);
    },
    hashTreeRoot: (v) => ssz.hashTreeRoot(toSsz(v)),
    toJson(v) {
      const out: Record<string, unknown> = {};
      for (const n of names) out[n] = fields[n]!.toJson((v as Record<string, unknown>)[n]);
      return out;
    },
    fromJson(json, path = name) {
      if (typeof json !== "object" || json === null || Array.isArray(json)) throw invalid(path, "an object", json);
      const obj = json as Record<string, unknown>;
      // Object.hasOwn, not `in`: names inherited from Object.prototype ("constructor") are not fields.
      for (const k of Object.keys(obj)) {
        if (!Object.hasOwn(fields, k)) throw invalid(`${path}.${k}`, "no such field", obj[k]);
      }
      const out: Record<string, unknown> = {};
      for (const n of names) {
        if (!Object.hasOwn(obj, n)) throw invalid(`${path}.${n}`, `a value (field is required)`, undefined);
        out[n] = fields[n]!.fromJson(obj[n], `${path}.${n}`);
      }
      return out as V;
    },
    check,
    asField(): FieldType<V> {
      return {
        eip712: name,
        encoding: { kind: "struct", struct: type },
        ssz,
        toSsz,
        fromSsz: (s) => fromSsz(s as Record<string, unknown>),
        toJson: (v) => type.toJson(v),
        fromJson: (j, path) => type.fromJson(j, path),
        check,
      };
    },
  };
  return type;
}

export type { Hex };

/** Reject any key of a JSON object other than `allowed` (envelopes are as strict as structs). */
export function checkJsonKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) throw invalid(`${path}.${k}`, "no such field", obj[k]);
  }
}
