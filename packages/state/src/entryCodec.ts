/**
 * The byte form of a state object, `u8 namespace ‖ u16be id length ‖ id ‖ SSZ(value)`: how the
 * objects tree keeps each object (decoded on read) and how the database stores it.
 */
import type { Namespace, StateObjects } from "@filverse/types";
import { stateObjectStructs } from "@filverse/types";
import type { StateEntry } from "./state.js";

type AnyStruct = { serialize(v: unknown): Uint8Array; deserialize(b: Uint8Array): unknown };

/** Throws CodecError (from the struct) for a value its SSZ type cannot carry. */
export function encodeStateEntry(ns: Namespace, id: Uint8Array, value: StateObjects[Namespace]): Uint8Array {
  const struct = stateObjectStructs[ns] as AnyStruct | undefined;
  if (struct === undefined) throw new RangeError(`Unknown state namespace ${ns}`);
  if (id.length > 0xffff) throw new RangeError(`State object id too long: ${id.length} bytes`);
  const ssz = struct.serialize(value);
  const out = new Uint8Array(3 + id.length + ssz.length);
  out[0] = ns;
  out[1] = id.length >>> 8;
  out[2] = id.length & 0xff;
  out.set(id, 3);
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
  if (bytes.length < 3 + idLength) throw new RangeError(`State entry truncated: id of ${idLength} bytes`);
  const value = struct.deserialize(bytes.subarray(3 + idLength)) as StateObjects[Namespace];
  return { ns, id: bytes.slice(3, 3 + idLength), value };
}
