/**
 * EIP-712 typed-data hashing (https://eips.ethereum.org/EIPS/eip-712) for Filverse structs, computed
 * from the same schema as the SSZ types. Equal to viem's hashTypedData; test/unit/eip712.test.ts
 * proves it on random messages of every kind.
 */
import type { StructType } from "@filverse/types";
import { bigintToBytesBE, concatBytes, utf8ToBytes } from "@filverse/utils";
import { keccak256 } from "./hashes.js";

export const EIP712_DOMAIN_NAME = "Filverse";
export const EIP712_DOMAIN_VERSION = "1";

/** The domain every Filverse signature is made under, as viem's `signTypedData` takes it. */
export function filverseDomain(chainId: number): { name: string; version: string; chainId: number } {
  return { name: EIP712_DOMAIN_NAME, version: EIP712_DOMAIN_VERSION, chainId };
}

const DOMAIN_TYPEHASH = keccak256(utf8ToBytes("EIP712Domain(string name,string version,uint256 chainId)"));
const domainSeparators = new Map<number, Uint8Array>();

export function domainSeparator(chainId: number): Uint8Array {
  let sep = domainSeparators.get(chainId);
  if (!sep) {
    sep = keccak256(
      concatBytes(
        DOMAIN_TYPEHASH,
        keccak256(utf8ToBytes(EIP712_DOMAIN_NAME)),
        keccak256(utf8ToBytes(EIP712_DOMAIN_VERSION)),
        bigintToBytesBE(BigInt(chainId), 32),
      ),
    );
    domainSeparators.set(chainId, sep);
  }
  return sep;
}

// biome-ignore lint/suspicious/noExplicitAny: structs of any value type
type AnyStruct = StructType<any>;

/** `Name(type a,type b)` followed by the referenced struct types sorted by name. */
export function encodeType(struct: AnyStruct): string {
  const own = (s: AnyStruct) => `${s.name}(${s.eip712Types[s.name]!.map((f) => `${f.type} ${f.name}`).join(",")})`;
  const referenced = Object.keys(struct.eip712Types)
    .filter((n) => n !== struct.name)
    .sort();
  const byName = new Map<string, AnyStruct>();
  collectStructs(struct, byName);
  return own(struct) + referenced.map((n) => own(byName.get(n)!)).join("");
}

function collectStructs(struct: AnyStruct, out: Map<string, AnyStruct>): void {
  out.set(struct.name, struct);
  for (const f of Object.values(struct.fields)) {
    if (f.encoding.kind === "struct" && !out.has(f.encoding.struct.name)) collectStructs(f.encoding.struct, out);
  }
}

const typeHashes = new WeakMap<AnyStruct, Uint8Array>();

export function typeHash(struct: AnyStruct): Uint8Array {
  let h = typeHashes.get(struct);
  if (!h) {
    h = keccak256(utf8ToBytes(encodeType(struct)));
    typeHashes.set(struct, h);
  }
  return h;
}

function encodeScalar(kind: string, value: unknown, out: Uint8Array, offset: number): void {
  switch (kind) {
    case "address":
      out.set(value as Uint8Array, offset + 12);
      return;
    case "bytes32":
      out.set(value as Uint8Array, offset);
      return;
    case "bool":
      out[offset + 31] = value ? 1 : 0;
      return;
    case "uint8":
    case "uint16":
    case "uint64": {
      // ≤ 2^53−1 by protocol: the low 8 bytes as two 32-bit halves, no BigInt (hot path).
      // Written byte by byte: a DataView per field was an allocation per integer on the hot path.
      const n = value as number;
      const hi = Math.floor(n / 0x1_0000_0000);
      const lo = n >>> 0;
      const o = offset + 24;
      out[o] = hi >>> 24;
      out[o + 1] = hi >>> 16;
      out[o + 2] = hi >>> 8;
      out[o + 3] = hi;
      out[o + 4] = lo >>> 24;
      out[o + 5] = lo >>> 16;
      out[o + 6] = lo >>> 8;
      out[o + 7] = lo;
      return;
    }
    case "uint256": {
      const v = value as bigint;
      if (v < 0n || v >= 1n << 256n) throw new RangeError(`uint256 out of range: ${v}`);
      if (v !== 0n) {
        const hex = v.toString(16);
        out.set(Buffer.from(hex.length % 2 ? `0${hex}` : hex, "hex"), offset + 32 - Math.ceil(hex.length / 2));
      }
      return;
    }
    case "string":
      out.set(keccak256(utf8ToBytes(value as string)), offset);
      return;
    case "bytes":
      out.set(keccak256(value as Uint8Array), offset);
      return;
    default:
      throw new TypeError(`Unsupported EIP-712 type ${kind}`);
  }
}

/** hashStruct(s) = keccak256(typeHash ‖ encodeData(s)). */
export function hashStruct<V>(struct: StructType<V>, value: V): Uint8Array {
  const names = struct.fieldNames;
  const buf = new Uint8Array(32 * (names.length + 1));
  buf.set(typeHash(struct), 0);
  const v = value as Record<string, unknown>;
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const enc = struct.fields[name]!.encoding;
    const offset = 32 * (i + 1);
    if (enc.kind === "struct") {
      buf.set(hashStruct(enc.struct, v[name]), offset);
    } else if (enc.kind === "array") {
      const items = v[name] as unknown[];
      const words = new Uint8Array(32 * items.length);
      items.forEach((item, j) => {
        encodeScalar(enc.item, item, words, 32 * j);
      });
      buf.set(keccak256(words), offset);
    } else {
      encodeScalar(enc.kind, v[name], buf, offset);
    }
  }
  return keccak256(buf);
}

/** The digest a wallet signs: keccak256(0x1901 ‖ domainSeparator ‖ hashStruct(message)). */
export function hashTypedData<V>(chainId: number, struct: StructType<V>, message: V): Uint8Array {
  const buf = new Uint8Array(66);
  buf[0] = 0x19;
  buf[1] = 0x01;
  buf.set(domainSeparator(chainId), 2);
  buf.set(hashStruct(struct, message), 34);
  return keccak256(buf);
}

/**
 * The typed-data object a wallet signs, `{domain, types, primaryType, message}`, with the message in
 * its JSON form (hex bytes, decimal-string integers). It goes as it is to viem's `signTypedData` and,
 * through JSON.stringify, to `eth_signTypedData_v4`.
 */
export function typedData<V>(chainId: number, struct: StructType<V>, message: V) {
  return {
    domain: filverseDomain(chainId),
    types: struct.eip712Types,
    primaryType: struct.name,
    message: struct.toJson(message),
  };
}
