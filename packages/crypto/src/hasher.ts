/**
 * The SHA-256 seam for every Merkle tree: trees hash through the current `Hasher` in batches, so a
 * native (SHA-NI) or worker-pool hasher can replace the default noble one without touching the trees.
 */
import { createRequire } from "node:module";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";

export interface Hasher {
  readonly name: string;
  /** sha256(a ‖ b) for two 32-byte inputs. */
  digest64(a: Uint8Array, b: Uint8Array): Uint8Array;
  /**
   * Hash n consecutive 64-byte blocks of `input` (length n*64) into `output` (length n*32):
   * output[i*32..] = sha256(input[i*64..i*64+64]).
   */
  hashInto(input: Uint8Array, output: Uint8Array): void;
}

/** The hash of an empty subtree in both tree kinds; treat as read-only. */
export const ZERO_HASH: Uint8Array = new Uint8Array(32);

export { sha256, sha256Into } from "./hashes.js";

// The noble hasher's reused instances, as in hashes.js: cloning a pristine state skips the per-call
// allocation of a hash object. Safe because hashing is synchronous.
const pristine = nobleSha256.create();
const work = nobleSha256.create();

function checkDigest64Args(a: Uint8Array, b: Uint8Array): void {
  if (!(a instanceof Uint8Array) || a.length !== 32) {
    throw new RangeError(`digest64: first input must be 32 bytes, got ${describeLength(a)}`);
  }
  if (!(b instanceof Uint8Array) || b.length !== 32) {
    throw new RangeError(`digest64: second input must be 32 bytes, got ${describeLength(b)}`);
  }
}

/** Shared argument check, so every Hasher implementation rejects the same malformed batches. */
export function checkHashIntoArgs(input: Uint8Array, output: Uint8Array): number {
  if (!(input instanceof Uint8Array) || input.length % 64 !== 0) {
    throw new RangeError(`hashInto: input length must be a multiple of 64, got ${describeLength(input)}`);
  }
  const n = input.length / 64;
  if (!(output instanceof Uint8Array) || output.length !== n * 32) {
    throw new RangeError(
      `hashInto: output length must be ${n * 32} for ${n} blocks of input, got ${describeLength(output)}`,
    );
  }
  return n;
}

function describeLength(x: unknown): string {
  return x instanceof Uint8Array ? String(x.length) : typeof x;
}

export const nobleHasher: Hasher = {
  name: "noble",
  digest64(a: Uint8Array, b: Uint8Array): Uint8Array {
    checkDigest64Args(a, b);
    const out = new Uint8Array(32);
    pristine._cloneInto(work);
    work.update(a).update(b).digestInto(out);
    return out;
  },
  hashInto(input: Uint8Array, output: Uint8Array): void {
    const n = checkHashIntoArgs(input, output);
    for (let i = 0; i < n; i++) {
      pristine._cloneInto(work);
      work.update(input.subarray(i * 64, i * 64 + 64)).digestInto(output.subarray(i * 32, i * 32 + 32));
    }
  },
};

/**
 * @chainsafe/hashtree: SHA-NI/AVX batch hashing of 64-byte blocks (native, prebuilt). Measured here
 * at about 25M hashes/s on one core, against 0.66M/s for one node:crypto call per node: the Merkle
 * fast path. Loaded lazily through require so that a platform without its prebuild falls back to noble.
 */
function loadHashtree(): Hasher | null {
  try {
    const require = createRequire(import.meta.url);
    const native = require("@chainsafe/hashtree") as { hashInto(input: Uint8Array, output: Uint8Array): void };
    const pair = new Uint8Array(64);
    // Probe once: a broken binding must fail here, not in the middle of a block.
    const probe = new Uint8Array(32);
    native.hashInto(pair, probe);
    return {
      name: "hashtree",
      digest64(a: Uint8Array, b: Uint8Array): Uint8Array {
        checkDigest64Args(a, b);
        pair.set(a, 0);
        pair.set(b, 32);
        const out = new Uint8Array(32);
        native.hashInto(pair, out);
        return out;
      },
      hashInto(input: Uint8Array, output: Uint8Array): void {
        if (checkHashIntoArgs(input, output) > 0) native.hashInto(input, output);
      },
    };
  } catch {
    return null;
  }
}

/** The native hasher, or null where its binding does not load (then noble serves). */
export const hashtreeHasher: Hasher | null = loadHashtree();

let current: Hasher = hashtreeHasher ?? nobleHasher;

/**
 * SSZ hash tree roots (objects' value hashes, txRoot, receiptsRoot, block hashes) go through
 * @chainsafe/persistent-merkle-tree's own hasher, noble by default. Where hashtree loads, switch it
 * too: the sequencer profile showed SSZ hashing at about 40% of block finalization with noble.
 */
if (hashtreeHasher) {
  try {
    const [{ setHasher: setSszHasher }, { hasher: sszHashtree }] = await Promise.all([
      import("@chainsafe/persistent-merkle-tree"),
      import("@chainsafe/persistent-merkle-tree/hasher/hashtree"),
    ]);
    setSszHasher(sszHashtree);
  } catch {
    // Keep noble: identical results, only slower.
  }
}

/** The hasher the trees use now. Read once per operation, so swapping mid-operation is harmless. */
export function getHasher(): Hasher {
  return current;
}

export function setHasher(h: Hasher): void {
  if (h === null || typeof h !== "object" || typeof h.digest64 !== "function" || typeof h.hashInto !== "function") {
    throw new TypeError("setHasher: expected an object with digest64 and hashInto");
  }
  current = h;
}
