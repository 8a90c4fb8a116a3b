/**
 * The byte layout of pool jobs, and the job bodies themselves. Both threads use this file, so the
 * packing on one side and the unpacking on the other cannot drift apart.
 */
import { checkHashIntoArgs, getHasher } from "../hasher.js";
import { pieceSubtreeRoot } from "../piece/commp.js";
import { recoverAddress, SignatureError } from "../signature.js";

export const DIGEST_BYTES = 32;
export const SIGNATURE_BYTES = 65;
export const ADDRESS_BYTES = 20;
/** One recovery job record: digest ‖ signature. */
export const RECOVER_JOB_BYTES = DIGEST_BYTES + SIGNATURE_BYTES;
/** One recovery result record: 1 ok byte ‖ address (zeros when not ok). */
export const RECOVER_RESULT_BYTES = 1 + ADDRESS_BYTES;
/** One CommP job's result: a subtree root, at the start of the returned payload buffer. */
export const COMMP_RESULT_BYTES = 32;

/** Rejects malformed batches the same way in every backend: a programming error, not a bad signature. */
export function checkRecoverArgs(digests: Uint8Array[], signatures: Uint8Array[]): void {
  if (!Array.isArray(digests) || !Array.isArray(signatures)) {
    throw new TypeError("recoverBatch: digests and signatures must be arrays");
  }
  if (digests.length !== signatures.length) {
    throw new RangeError(
      `recoverBatch: got ${digests.length} digests but ${signatures.length} signatures; they must pair up`,
    );
  }
  for (let i = 0; i < digests.length; i++) {
    const d = digests[i];
    if (!(d instanceof Uint8Array) || d.length !== DIGEST_BYTES) {
      throw new RangeError(`recoverBatch: digest ${i} must be 32 bytes, got ${describe(d)}`);
    }
    if (!(signatures[i] instanceof Uint8Array)) {
      throw new TypeError(`recoverBatch: signature ${i} must be a Uint8Array, got ${describe(signatures[i])}`);
    }
  }
}

/** Length checks for a level, with the same messages as `Hasher.hashInto`; returns the output length. */
export function checkLevelInput(input: Uint8Array): number {
  if (!(input instanceof Uint8Array)) {
    throw new TypeError(`hashLevel: input must be a Uint8Array, got ${describe(input)}`);
  }
  if (input.length % 64 !== 0) {
    throw new RangeError(`hashLevel: input length must be a multiple of 64, got ${input.length}`);
  }
  return input.length / 2;
}

function describe(x: unknown): string {
  return x instanceof Uint8Array ? `${x.length} bytes` : x === null ? "null" : typeof x;
}

/** recoverAddress, with every SignatureError mapped to null; any other error is a bug and propagates. */
export function recoverOrNull(digest: Uint8Array, signature: Uint8Array): Uint8Array | null {
  try {
    return recoverAddress(digest, signature);
  } catch (e) {
    if (e instanceof SignatureError) return null;
    throw e;
  }
}

/**
 * Packs jobs [start, end) into one fresh buffer that can be transferred. A signature that is not 65
 * bytes is left as zeros: v = 0 makes the worker report it invalid, as recoverAddress would.
 */
export function packRecoverJobs(
  digests: Uint8Array[],
  signatures: Uint8Array[],
  start: number,
  end: number,
): ArrayBuffer {
  const out = new Uint8Array((end - start) * RECOVER_JOB_BYTES);
  for (let i = start, off = 0; i < end; i++, off += RECOVER_JOB_BYTES) {
    out.set(digests[i]!, off);
    const sig = signatures[i]!;
    if (sig.length === SIGNATURE_BYTES) out.set(sig, off + DIGEST_BYTES);
  }
  return out.buffer;
}

/** The worker's side: recovers every packed job into a result buffer of n×21 bytes. */
export function runRecoverJobs(jobs: ArrayBuffer): ArrayBuffer {
  const input = new Uint8Array(jobs);
  if (input.length % RECOVER_JOB_BYTES !== 0) {
    throw new RangeError(`recover job: buffer length must be a multiple of ${RECOVER_JOB_BYTES}, got ${input.length}`);
  }
  const n = input.length / RECOVER_JOB_BYTES;
  const out = new Uint8Array(n * RECOVER_RESULT_BYTES);
  for (let i = 0; i < n; i++) {
    const off = i * RECOVER_JOB_BYTES;
    const address = recoverOrNull(
      input.subarray(off, off + DIGEST_BYTES),
      input.subarray(off + DIGEST_BYTES, off + RECOVER_JOB_BYTES),
    );
    if (address !== null) {
      out[i * RECOVER_RESULT_BYTES] = 1;
      out.set(address, i * RECOVER_RESULT_BYTES + 1);
    }
  }
  return out.buffer;
}

/** Unpacks a result buffer into `results[start..]`; addresses are views into that one buffer. */
export function unpackRecoverResults(buffer: ArrayBuffer, results: (Uint8Array | null)[], start: number): void {
  const bytes = new Uint8Array(buffer);
  const n = bytes.length / RECOVER_RESULT_BYTES;
  for (let i = 0; i < n; i++) {
    const off = i * RECOVER_RESULT_BYTES;
    results[start + i] = bytes[off] === 1 ? bytes.subarray(off + 1, off + RECOVER_RESULT_BYTES) : null;
  }
}

/** The worker's side of hashLevel: hashes a whole chunk of 64-byte blocks with the fastest hasher. */
export function runHashJob(input: ArrayBuffer): ArrayBuffer {
  const bytes = new Uint8Array(input);
  const out = new Uint8Array(bytes.length / 2);
  checkHashIntoArgs(bytes, out);
  getHasher().hashInto(bytes, out);
  return out.buffer;
}

/**
 * The worker's side of a CommP chunk: Fr32 padding and the subtree's hashing, to one 32-byte root.
 * The root goes back in the first 32 bytes of the payload's own buffer, so that the caller gets the
 * buffer back and reuses it for a later chunk instead of allocating (and zeroing) a new one.
 */
export function runCommPJob(payload: ArrayBuffer, length: number, height: number): ArrayBuffer {
  const root = pieceSubtreeRoot(new Uint8Array(payload, 0, length), height);
  new Uint8Array(payload, 0, COMMP_RESULT_BYTES).set(root);
  return payload;
}
