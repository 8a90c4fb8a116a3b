/**
 * CryptoPool: the SignatureRecoverer and LevelHasher contracts run on piscina worker threads, so block
 * import and tree building keep the event loop free. Modelled on Lodestar's BLS pool: the same interface
 * as the single-thread backend, jobs batched into chunks, only transferable ArrayBuffers crossing
 * threads, and close() rejecting whatever has not started.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import { getHasher } from "../hasher.js";
import {
  checkLevelInput,
  checkRecoverArgs,
  packRecoverJobs,
  RECOVER_RESULT_BYTES,
  unpackRecoverResults,
} from "./codec.js";
import { type LevelHasher, PoolError, PoolErrorCode, type SignatureRecoverer } from "./interface.js";
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
};

// Every number below was measured on this 2-core box (Node 20, a second load sharing the cores, best
// of 5 runs): libsecp256k1 recovers in ≈ 52 µs and hashtree hashes ≈ 23M blocks/s on the main thread.
// The latency cost of sending a job to a worker and back is approx 120 µs for a one-signature batch
// (two recoveries), and 50-90 µs plus ≈ 0.2 ms per MiB copied for a hashing job.

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

export const defaultCryptoPoolOpts: CryptoPoolOpts = {
  threads: availableParallelism(),
  recoverChunk: RECOVER_CHUNK,
  hashChunkBytes: HASH_CHUNK_BYTES,
  maxQueue: MAX_QUEUE_JOBS,
};

type QueuedJob = {
  task: WorkerJob;
  transfer: ArrayBuffer;
  resolve: (result: ArrayBuffer) => void;
  reject: (error: unknown) => void;
};

export class CryptoPool implements SignatureRecoverer, LevelHasher {
  readonly threads: number;
  private readonly opts: CryptoPoolOpts;
  private readonly piscina: Piscina<WorkerJob, ArrayBuffer>;
  /** Jobs waiting for a free worker; kept here rather than in piscina so close() can reject them. */
  private readonly queue: QueuedJob[] = [];
  private readonly running = new Set<Promise<void>>();
  private closing: Promise<void> | null = null;

  constructor(opts: Partial<CryptoPoolOpts> = {}) {
    this.opts = { ...defaultCryptoPoolOpts, ...withoutUndefined(opts) };
    const { threads, recoverChunk, hashChunkBytes, maxQueue } = this.opts;
    checkPositiveInteger("threads", threads);
    checkPositiveInteger("recoverChunk", recoverChunk);
    checkPositiveInteger("hashChunkBytes", hashChunkBytes);
    if (hashChunkBytes % 64 !== 0) {
      throw new RangeError(`CryptoPool: hashChunkBytes must be a multiple of 64, got ${hashChunkBytes}`);
    }
    checkPositiveInteger("maxQueue", maxQueue);
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
