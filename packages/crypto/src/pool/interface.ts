/**
 * The contracts shared by the single-thread and the worker-pool crypto backends, so a caller picks
 * one by configuration and never by code path (as Lodestar's BLS verifier and its pool do).
 */
import { FilverseError } from "@filverse/utils";
import type { PieceCommitment } from "../piece/commp.js";

/**
 * Batch ecrecover. A job is a 32-byte digest and a 65-byte signature (r ‖ s ‖ v, v ∈ {27, 28}); its
 * result is the signer's 20-byte address, or null when the signature is invalid (any SignatureError).
 * Results come back in the order of the inputs.
 */
export interface SignatureRecoverer {
  recoverBatch(digests: Uint8Array[], signatures: Uint8Array[]): Promise<(Uint8Array | null)[]>;
  close(): Promise<void>;
}

/** One Merkle level: n×64 bytes of sibling pairs in, n×32 bytes of parents out, as `Hasher.hashInto`. */
export interface LevelHasher {
  hashLevel(input: Uint8Array): Promise<Uint8Array>;
  close(): Promise<void>;
}

/**
 * Piece commitments (CommP, both Piece CID forms). `commPStream` holds a bounded number of chunks in
 * memory whatever the stream's length. Both throw PieceError below 65 bytes and above 64 GiB padded.
 */
export interface PieceCommitter {
  commP(payload: Uint8Array): Promise<PieceCommitment>;
  commPStream(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<PieceCommitment>;
  close(): Promise<void>;
}

export enum PoolErrorCode {
  /** The pool was closed before the job ran, or a job was submitted after close(). */
  CLOSED = "POOL_CLOSED",
  /** More jobs are waiting than `maxQueue` allows; the caller should shed load or retry later. */
  QUEUE_FULL = "POOL_QUEUE_FULL",
  /** The worker script is missing, which means the package has not been built. */
  WORKER_NOT_BUILT = "POOL_WORKER_NOT_BUILT",
  /** A worker threw or died while running a job. */
  WORKER_FAILED = "POOL_WORKER_FAILED",
}

export class PoolError extends FilverseError<PoolErrorCode> {
  override name = "PoolError";
}
