/**
 * CryptoPool: the SignatureRecoverer, LevelHasher and PieceCommitter contracts run on piscina worker
 * threads, so block import, tree building and Piece CIDs keep the event loop free. Modelled on Lodestar's BLS pool: the same interface
 * as the single-thread backend, jobs batched into chunks, only transferable ArrayBuffers crossing
 * threads, and close() rejecting whatever has not started.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import { getHasher } from "../hasher.js";
import { commP, type PieceCommitment } from "../piece/commp.js";
import { MIN_PIECE_HEIGHT, unpaddedSizeOfHeight } from "../piece/size.js";
import {
  COMMP_RESULT_BYTES,
  checkLevelInput,
  checkRecoverArgs,
  packRecoverJobs,
  RECOVER_RESULT_BYTES,
  unpackRecoverResults,
} from "./codec.js";
import { commPOfChunks } from "./commpStream.js";
import {
  type LevelHasher,
  type PieceCommitter,
  PoolError,
  PoolErrorCode,
  type SignatureRecoverer,
} from "./interface.js";
import type { WorkerJob } from "./worker.js";

export type CryptoPoolOpts = {
  /** Worker threads; defaults to os.availableParallelism(). */
  threads: number;
  /** Most signatures per worker job. */
  recoverChunk: number;
  /** Most input bytes per hashing job (a multiple of 64); smaller levels are hashed on the calling thread. */
  hashChunkBytes: number;
  /** Most jobs (chunks, not batches) waiting for a worker; beyond it a batch is rejected with POOL_QUEUE_FULL. */
  maxQueue: number;
  /** Padded bytes of the largest CommP job (a power of two, at least 128): the subtree one worker hashes. */
  commpChunkBytes: number;
  /** Most CommP jobs of one call in flight at once; with commpChunkBytes, the memory a stream holds. */
  commpInFlight: number;
};

// The numbers below are measurements (docs/benchmarks.md, "The worker pool's tuning constants", gives
// the machine): libsecp256k1 recovers in ≈ 52 µs and hashtree hashes ≈ 23M blocks/s on the main
// thread. The latency cost of sending a job to a worker and back is approx 120 µs for a one-signature
// batch (two recoveries), and 50-90 µs plus ≈ 0.2 ms per MiB copied for a hashing job.

/**
 * 128 recoveries ≈ 6.5 ms, so the ≈ 120 µs round trip is ≈ 2% of a job. On 4096 signatures with two
 * threads, chunks of 32 to 256 all gave 34-37k/s (1.77-1.94× the single-thread 19.3k/s); 16 gave 34k/s.
 */
const RECOVER_CHUNK = 128;

/**
 * The smallest recovery job when a small batch is spread over the threads: 16 recoveries ≈ 0.8 ms
 * keep the round trip near 12%, and still halve the latency of a 32-signature batch on two threads.
 */
const MIN_RECOVER_JOB = 16;

/**
 * Levels below 1 MiB (≈ 0.6 ms of hashtree, 16k blocks) are hashed on the calling thread: a single
 * worker job is always slower (1 MiB: 0.85 ms against 0.62 ms inline) because of the two copies.
 * Hashing a 2^20-leaf level (32 MiB) on two threads gave, per chunk size: 64 KiB 0.69×, 256 KiB 1.19×,
 * 1 MiB 1.31×, 4 MiB 1.20× the inline 23 ms; with another load on the cores, 1 MiB fell to 0.76-0.88×.
 * On two cores the pool's gain for hashing is a free event loop, not throughput: the copies cost
 * about half of what hashtree does.
 */
const HASH_CHUNK_BYTES = 1024 * 1024;

/**
 * The smallest hashing job when a level is spread over the threads: at 256 KiB (0.16 ms inline) the
 * ≈ 90 µs round trip is still paid back by running two jobs at once; at 64 KiB it is not.
 */
const MIN_HASH_JOB_BYTES = 256 * 1024;

/** 4096 jobs of 128 signatures is 512k signatures waiting, far above one block's worth. */
const MAX_QUEUE_JOBS = 4096;

/**
 * CommP jobs of 2 MiB padded (2,080,768 payload bytes) take ≈ 3.8 ms on a worker, round trip
 * included, against 3.9-4.4 ms inline: the round trip is lost in the noise. A 128 MiB stream on two
 * threads (best / median of 7, interleaved, the quietest of three runs) gave per chunk size:
 * 1 MiB 1039/994, 2 MiB 1021/967, 4 MiB 987/904, 8 MiB 904/855 MiB/s (one thread: 587). 1-4 MiB
 * are equal within the noise; 2 MiB needs half the memory of 4 MiB per chunk in flight.
 */
const COMMP_CHUNK_BYTES = 2 * 1024 * 1024;

/**
 * Chunks in flight per thread: one running and one queued, so a worker never waits for the calling
 * thread to fill its next chunk. 1, 2 and 4 per thread gave 989, 1021 and 940 MiB/s (same run).
 */
const COMMP_IN_FLIGHT_PER_THREAD = 2;

/** The smallest CommP job: 1 MiB padded, ≈ 1.8 ms inline, when a payload is spread over the threads. */
const MIN_COMMP_JOB_HEIGHT = 15;

/**
 * Below one smallest job (1 MiB padded) a payload is hashed on the calling thread. A payload that
 * makes a single job gains no time on a worker (2 MiB: ≈ 4.3 ms against 3.6 ms inline, the copy and
 * the round trip added), only a free event loop, and below 1 MiB the calling thread is busy for less
 * than 2 ms.
 */
const COMMP_INLINE_BELOW_BYTES = unpaddedSizeOfHeight(MIN_COMMP_JOB_HEIGHT);

export const defaultCryptoPoolOpts: CryptoPoolOpts = {
  threads: availableParallelism(),
  recoverChunk: RECOVER_CHUNK,
  hashChunkBytes: HASH_CHUNK_BYTES,
  maxQueue: MAX_QUEUE_JOBS,
  commpChunkBytes: COMMP_CHUNK_BYTES,
  commpInFlight: COMMP_IN_FLIGHT_PER_THREAD * availableParallelism(),
};

type QueuedJob = {
  task: WorkerJob;
  transfer: ArrayBuffer;
  resolve: (result: ArrayBuffer) => void;
  reject: (error: unknown) => void;
};

export class CryptoPool implements SignatureRecoverer, LevelHasher, PieceCommitter {
  readonly threads: number;
  private readonly opts: CryptoPoolOpts;
  private readonly commpChunkHeight: number;
  private readonly piscina: Piscina<WorkerJob, ArrayBuffer>;
  /** Jobs waiting for a free worker; kept here rather than in piscina so close() can reject them. */
  private readonly queue: QueuedJob[] = [];
  private readonly running = new Set<Promise<void>>();
  private closing: Promise<void> | null = null;

  constructor(opts: Partial<CryptoPoolOpts> = {}) {
    const given = withoutUndefined(opts);
    this.opts = {
      ...defaultCryptoPoolOpts,
      commpInFlight: COMMP_IN_FLIGHT_PER_THREAD * (given.threads ?? defaultCryptoPoolOpts.threads),
      ...given,
    };
    const { threads, recoverChunk, hashChunkBytes, maxQueue } = this.opts;
    checkPositiveInteger("threads", threads);
    checkPositiveInteger("recoverChunk", recoverChunk);
    checkPositiveInteger("hashChunkBytes", hashChunkBytes);
    if (hashChunkBytes % 64 !== 0) {
      throw new RangeError(`CryptoPool: hashChunkBytes must be a multiple of 64, got ${hashChunkBytes}`);
    }
    checkPositiveInteger("maxQueue", maxQueue);
    checkPositiveInteger("commpChunkBytes", this.opts.commpChunkBytes);
    const chunkHeight = Math.log2(this.opts.commpChunkBytes / 32);
    if (!Number.isInteger(chunkHeight) || chunkHeight < MIN_PIECE_HEIGHT) {
      throw new RangeError(
        `CryptoPool: commpChunkBytes must be a power of two of at least 128, got ${this.opts.commpChunkBytes}`,
      );
    }
    this.commpChunkHeight = chunkHeight;
    checkPositiveInteger("commpInFlight", this.opts.commpInFlight);
    this.threads = threads;
    this.piscina = new Piscina({
      filename: resolveWorkerUrl().href,
      minThreads: threads,
      maxThreads: threads,
      // One job per worker at a time: anything beyond waits in this.queue, where close() can reach it.
      concurrentTasksPerWorker: 1,
      idleTimeout: Number.POSITIVE_INFINITY,
    });
    // A worker that dies outside a job would otherwise be an unhandled 'error' event.
    this.piscina.on("error", () => {});
  }

  /** Live worker threads; 0 once close() has resolved. */
  get workers(): number {
    return this.piscina.threads.length;
  }

  /** Jobs the workers have finished since the pool started. */
  get completedJobs(): number {
    return this.piscina.completed;
  }

  /** Jobs waiting for a worker. */
  get queuedJobs(): number {
    return this.queue.length;
  }

  async recoverBatch(digests: Uint8Array[], signatures: Uint8Array[]): Promise<(Uint8Array | null)[]> {
    this.assertOpen();
    checkRecoverArgs(digests, signatures);
    const n = digests.length;
    const results: (Uint8Array | null)[] = new Array(n);
    if (n === 0) return results;

    const size = this.jobSize(n, this.opts.recoverChunk, MIN_RECOVER_JOB);
    this.assertRoom(Math.ceil(n / size));
    const pending: Promise<void>[] = [];
    for (let start = 0; start < n; start += size) {
      const end = Math.min(n, start + size);
      const packed = packRecoverJobs(digests, signatures, start, end);
      pending.push(
        this.submit({ kind: "recover", jobs: packed }, packed).then((out) => {
          if (out.byteLength !== (end - start) * RECOVER_RESULT_BYTES) {
            throw new PoolError(PoolErrorCode.WORKER_FAILED, "Worker returned a result of the wrong size", {
              details: { expected: (end - start) * RECOVER_RESULT_BYTES, got: out.byteLength },
            });
          }
          unpackRecoverResults(out, results, start);
        }),
      );
    }
    await Promise.all(pending);
    return results;
  }

  async hashLevel(input: Uint8Array): Promise<Uint8Array> {
    this.assertOpen();
    const output = new Uint8Array(checkLevelInput(input));
    const chunkBytes = this.opts.hashChunkBytes;
    if (input.length < chunkBytes) {
      getHasher().hashInto(input, output);
      return output;
    }

    const blocks = input.length / 64;
    const blocksPerJob = this.jobSize(blocks, chunkBytes / 64, MIN_HASH_JOB_BYTES / 64);
    this.assertRoom(Math.ceil(blocks / blocksPerJob));
    const pending: Promise<void>[] = [];
    for (let first = 0; first < blocks; first += blocksPerJob) {
      const last = Math.min(blocks, first + blocksPerJob);
      // slice() copies: the caller's buffer must stay usable, so only the copy is transferred.
      const chunk = input.slice(first * 64, last * 64).buffer;
      pending.push(
        this.submit({ kind: "hash", input: chunk }, chunk).then((out) => {
          output.set(new Uint8Array(out), first * 32);
        }),
      );
    }
    await Promise.all(pending);
    return output;
  }

  /**
   * CommP of an in-memory payload: chunks small enough that every thread gets work (at least 1 MiB
   * padded each, at most commpChunkBytes), hashed on the workers; payloads below 1 MiB padded are
   * hashed on the calling thread.
   */
  async commP(payload: Uint8Array): Promise<PieceCommitment> {
    this.assertOpen();
    if (!(payload instanceof Uint8Array)) throw new TypeError("commP: payload must be a Uint8Array");
    if (payload.length < COMMP_INLINE_BELOW_BYTES) return commP(payload);
    // The tallest chunk that still cuts the payload into at least two jobs per thread.
    let chunkHeight = this.commpChunkHeight;
    while (
      chunkHeight > MIN_COMMP_JOB_HEIGHT &&
      payload.length < 2 * this.threads * unpaddedSizeOfHeight(chunkHeight)
    ) {
      chunkHeight--;
    }
    return this.commPChunks([payload], chunkHeight);
  }

  /** CommP of a stream: chunks of commpChunkBytes on the workers, at most commpInFlight of them at once. */
  async commPStream(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<PieceCommitment> {
    this.assertOpen();
    return this.commPChunks(source, this.commpChunkHeight);
  }

  private commPChunks(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    chunkHeight: number,
  ): Promise<PieceCommitment> {
    return commPOfChunks(source, {
      chunkHeight,
      inFlight: this.opts.commpInFlight,
      inlineBelowBytes: COMMP_INLINE_BELOW_BYTES,
      subtreeRoot: async (payload, length, height) => {
        this.assertOpen();
        this.assertRoom(1);
        const size = payload.byteLength;
        const out = await this.submit({ kind: "commp", payload, length, height }, payload);
        if (out.byteLength !== size) {
          throw new PoolError(PoolErrorCode.WORKER_FAILED, "Worker returned a result of the wrong size", {
            details: { expected: size, got: out.byteLength },
          });
        }
        return { root: new Uint8Array(out, 0, COMMP_RESULT_BYTES).slice(), spare: out };
      },
    });
  }

  /**
   * Rejects every queued job with POOL_CLOSED, waits for the running ones, then destroys the workers.
   * Idempotent: every call returns the same promise.
   */
  close(): Promise<void> {
    if (this.closing === null) this.closing = this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    const queued = this.queue.splice(0, this.queue.length);
    for (const job of queued) {
      job.reject(new PoolError(PoolErrorCode.CLOSED, "Crypto pool closed before the job ran"));
    }
    await Promise.allSettled([...this.running]);
    await this.piscina.destroy();
  }

  /**
   * Items per job: balanced chunks of at most `max`, and enough of them to give every thread work
   * while each still holds at least `min` (below it the round trip costs more than the work).
   */
  private jobSize(items: number, max: number, min: number): number {
    const jobs = Math.max(Math.ceil(items / max), Math.min(this.threads, Math.floor(items / min)), 1);
    return Math.ceil(items / jobs);
  }

  private assertOpen(): void {
    if (this.closing !== null) throw new PoolError(PoolErrorCode.CLOSED, "Crypto pool is closed");
  }

  private assertRoom(jobs: number): void {
    if (this.queue.length + jobs > this.opts.maxQueue) {
      throw new PoolError(PoolErrorCode.QUEUE_FULL, "Crypto pool queue is full", {
        details: { queued: this.queue.length, jobs, maxQueue: this.opts.maxQueue },
      });
    }
  }

  private submit(task: WorkerJob, transfer: ArrayBuffer): Promise<ArrayBuffer> {
    return new Promise<ArrayBuffer>((resolve, reject) => {
      this.queue.push({ task, transfer, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.running.size < this.threads && this.queue.length > 0) {
      const job = this.queue.shift()!;
      const run: Promise<void> = this.piscina
        .run(job.task, { transferList: [job.transfer] })
        .then(job.resolve, (cause: unknown) =>
          job.reject(
            new PoolError(PoolErrorCode.WORKER_FAILED, "Crypto worker failed", {
              cause,
              details: { kind: job.task.kind },
            }),
          ),
        )
        .finally(() => {
          this.running.delete(run);
          this.pump();
        });
      this.running.add(run);
    }
  }
}

export function createCryptoPool(opts?: Partial<CryptoPoolOpts>): CryptoPool {
  return new CryptoPool(opts);
}

/**
 * Worker threads on Node 20 cannot load TypeScript, so the worker is always the built
 * `lib/pool/worker.js`: next to this module when running from lib/, or across in lib/ when this
 * module runs from src/ under vitest.
 */
function resolveWorkerUrl(): URL {
  const fromSource = /\/src\/pool\/[^/]+\.ts$/.test(new URL(import.meta.url).pathname);
  const url = new URL(fromSource ? "../../lib/pool/worker.js" : "./worker.js", import.meta.url);
  if (!existsSync(fileURLToPath(url))) {
    throw new PoolError(PoolErrorCode.WORKER_NOT_BUILT, "Crypto pool worker script not found", {
      details: { path: fileURLToPath(url) },
      metaMessages: ["Build the package first: npm run build (or npx turbo run build --filter=@filverse/crypto)."],
    });
  }
  return url;
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`CryptoPool: ${name} must be a positive integer, got ${value}`);
  }
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
