/**
 * keccak256 and one-shot sha256 in pure JS (noble), with no `node:` module and no native binding, so
 * the wallet entry (`@filverse/crypto/wallet`) can ship them alone. `keccak256` is a live binding:
 * the main entry's keccak.ts swaps in the native sponge where it loads (bit-identical, tested).
 */
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { keccak_256 } from "@noble/hashes/sha3.js";

export function keccak256Noble(data: Uint8Array): Uint8Array {
  return keccak_256(data);
}

/** The keccak256 in use: noble until a faster implementation with identical output is installed. */
export let keccak256: (data: Uint8Array) => Uint8Array = keccak256Noble;

/** Install a keccak256 implementation; it must return exactly what keccak256Noble returns. */
export function setKeccak256(impl: (data: Uint8Array) => Uint8Array): void {
  keccak256 = impl;
}

/**
 * Plain one-shot SHA-256 of arbitrary data, through the reused instance below (state keys hash a
 * 21-33 byte id for every object a block touches; the profile showed noble's per-call hash object).
 */
export function sha256(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  sha256Into(data, out);
  return out;
}

/** sha256 of `data` written into `out` (32 bytes), e.g. a slot of a shared slab. */
export function sha256Into(data: Uint8Array, out: Uint8Array): void {
  pristine._cloneInto(work);
  work.update(data).digestInto(out);
}

// Cloning a pristine state into one reused instance skips the per-call allocation of a hash object
// (its block buffer and DataView), which is about 20% of the cost of a 64-byte hash in noble.
// Safe because hashing is synchronous: no call can interleave with another on the same instance.
const pristine = nobleSha256.create();
const work = nobleSha256.create();
