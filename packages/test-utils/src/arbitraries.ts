/** fast-check arbitraries for any schema struct: every field of every kind, within its bounds. */
import { MAX_UINT64_SAFE, MAX_UINT256 } from "@filverse/params";
import { type FieldType, type StructType, txStructs, type UserTxKind } from "@filverse/types";
import fc from "fast-check";

// biome-ignore lint/suspicious/noExplicitAny: any field
function arbitraryField(field: FieldType<any>): fc.Arbitrary<unknown> {
  const enc = field.encoding;
  switch (enc.kind) {
    case "address":
      return fc.uint8Array({ minLength: 20, maxLength: 20 });
    case "bytes32":
      return fc.uint8Array({ minLength: 32, maxLength: 32 });
    case "bytes":
      return fc.uint8Array({ minLength: 65, maxLength: 65 });
    case "bool":
      return fc.boolean();
    case "uint8":
      return fc.integer({ min: 0, max: 255 });
    case "uint16":
      return fc.integer({ min: 0, max: 65535 });
    case "uint64":
      return fc.integer({ min: 0, max: MAX_UINT64_SAFE });
    case "uint256":
      return fc.bigInt({ min: 0n, max: MAX_UINT256 });
    case "string":
      return boundedString(field.bounds?.maxBytes ?? 0);
    case "array": {
      const maxLength = Math.min(4, field.bounds?.maxLength ?? 0);
      const item =
        enc.item === "string"
          ? boundedString(field.bounds?.maxBytes ?? 0)
          : arbitraryField({ ...field, encoding: { kind: enc.item } });
      return fc.array(item, { maxLength });
    }
    case "struct":
      return arbitraryStruct(enc.struct);
  }
}

/** Unicode strings (multi-byte graphemes included) within a UTF-8 byte bound. */
function boundedString(maxBytes: number): fc.Arbitrary<string> {
  return fc.string({ maxLength: 12, unit: "grapheme" }).filter((s) => Buffer.byteLength(s, "utf8") <= maxBytes);
}

export function arbitraryStruct<V>(struct: StructType<V>): fc.Arbitrary<V> {
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const name of struct.fieldNames) shape[name] = arbitraryField(struct.fields[name]!);
  return fc.record(shape) as unknown as fc.Arbitrary<V>;
}

export function arbitraryMessage(kind: UserTxKind): fc.Arbitrary<unknown> {
  return arbitraryStruct(txStructs[kind] as StructType<unknown>);
}
