/**
 * Range sync: the verifier's follow loop. It polls the `BlockSource`'s head every followIntervalMs,
 * fetches the missing ranges (the next one while this one imports) and imports them in order through
 * the verifier's one `importBlock`; failures back off, waiting for L1 finality or the clock does not.
 * The verifier's signal ends it: no poll after an abort, and a sync stops waiting on the source.
 */
import type { ChainDb } from "@filverse/db";
import { blockHash, type SignedBlock } from "@filverse/types";
import { bytesEqual, type Logger } from "@filverse/utils";
import { untilAborted } from "../abort.js";
import type { HeadInfo } from "../chain/interface.js";
import { VerifierError, VerifierErrorCode } from "../errors.js";
import type { BlockSource } from "./blockSource.js";

export type ChainFollowerOpts = {
  /** Blocks asked of the source per request while syncing. */
  syncBatchBlocks: number;
  /** How often the source's head is polled; null: never (the caller drives import and sync). */
  followIntervalMs: number | null;
  /** Longest wait between polls after consecutive failures. */
  maxBackoffMs: number;
};

/**
 * Blocks whose signatures are recovered ahead of execution while syncing, so the pool works while
 * this thread executes and commits: recovery is the largest part of a replayed block (70 of 122 ms
 * for 1,000 transfers), and overlaps execution and the fsync on a machine with a spare core
 * (measurements: docs/benchmarks.md, "Preparing blocks ahead while syncing").
 */
export const PREPARE_AHEAD_BLOCKS = 3;

/** The poll interval when followIntervalMs is null and following is started by hand. */
const DEFAULT_FOLLOW_INTERVAL_MS = 500;

/** What the follow loop needs of the verifier. */
export type SyncTarget = {
  /** The head (throws once the node is closed). */
  head(): HeadInfo;
  db(): ChainDb;
  /** The head's number, or undefined before the chain is open (for logs). */
  headNumberIfOpen(): number | undefined;
  importBlock(block: SignedBlock, source: string | null): Promise<unknown>;
  /** Start recovering a block's signatures ahead of its import. */
  prepare(block: SignedBlock): void;
  /** Stopped by a failed commit: nothing more is fetched. */
  failed(): boolean;
};

export type ChainFollowerModules = {
  source: BlockSource | null;
  target: SyncTarget;
  logger: Logger;
  /** The verifier's signal: once aborted, no poll is scheduled and a sync stops waiting on the source. */
  signal: AbortSignal;
};

export class ChainFollower {
  /** The highest head the source announced (or a gossiped block showed). */
  remoteHead = 0;
  private readonly opts: ChainFollowerOpts;
  private readonly source: BlockSource | null;
  private readonly target: SyncTarget;
  private readonly logger: Logger;
  private readonly signal: AbortSignal;
  private syncing_: Promise<void> | null = null;
  private followTimer: NodeJS.Timeout | null = null;
  private following = false;
  private failures = 0;

  constructor(opts: ChainFollowerOpts, modules: ChainFollowerModules) {
    this.opts = opts;
    this.source = modules.source;
    this.target = modules.target;
    this.logger = modules.logger;
    this.signal = modules.signal;
    this.signal.addEventListener("abort", () => this.stop(), { once: true });
  }

  /** Poll the source's head and sync to it, every followIntervalMs (default 500 ms). Idempotent. */
  startFollowing(): void {
    if (!this.source || this.following || this.signal.aborted) return;
    this.following = true;
    this.scheduleFollow(0);
  }

  /** Stop polling (a failed commit; the signal does it at close). A sync in flight runs on; see idle(). */
  stop(): void {
    this.following = false;
    if (this.followTimer) clearTimeout(this.followTimer);
    this.followTimer = null;
  }

  /** Resolves once the sync in flight, if any, has settled. */
  async idle(): Promise<void> {
    await this.syncing_?.catch(() => {});
  }

  noteRemoteHead(n: number): void {
    this.remoteHead = Math.max(this.remoteHead, n);
  }

  /** Start a sync soon unless one is running (gossip of a block ahead of the head calls this). */
  requestSync(): void {
    if (!this.source || this.syncing_ || this.signal.aborted || this.target.failed()) return;
    setImmediate(() => void this.sync().catch((err) => this.logger.warn("sync failed", {}, err)));
  }

  /**
   * Fetch and import blocks from the source until this node's head is the source's head; one sync at
   * a time (a call during a sync joins it). Throws what an import throws (the bad block is reported)
   * or the source's error.
   */
  sync(): Promise<void> {
    if (!this.source) return Promise.resolve();
    this.syncing_ ??= this.runSync(this.source).finally(() => {
      this.syncing_ = null;
    });
    return this.syncing_;
  }

  private async runSync(source: BlockSource): Promise<void> {
    const { target, signal } = this;
    // Waits on the source end when the signal aborts; imports are awaited (close waits for them anyway).
    const remote = await untilAborted(source.head(), signal);
    this.noteRemoteHead(remote.number);
    const fetch = (from: number) =>
      source.blocksByRange(from, Math.min(this.opts.syncBatchBlocks, remote.number - from + 1));
    // The next range is fetched while this one is imported; used only if the head lands where it starts.
    let ahead: { from: number; blocks: Promise<SignedBlock[]> } | null = null;
    while (!signal.aborted && target.head().number < remote.number) {
      const start = target.head().number + 1;
      const blocks: SignedBlock[] = await untilAborted(ahead?.from === start ? ahead.blocks : fetch(start), signal);
      ahead = null;
      if (blocks.length === 0) break;
      const next: number = start + blocks.length;
      if (next <= remote.number) {
        const prefetch = fetch(next);
        prefetch.catch(() => {}); // a failure surfaces when it is awaited, or not at all if unused
        ahead = { from: next, blocks: prefetch };
      }
      for (let i = 0; i < blocks.length; i++) {
        if (signal.aborted) return;
        for (let j = i; j < Math.min(i + PREPARE_AHEAD_BLOCKS, blocks.length); j++) target.prepare(blocks[j]!);
        await target.importBlock(blocks[i]!, "sync");
      }
    }
    // The source's head at a height we hold with another hash: fetch it, so a fork is seen (and reported).
    if (!signal.aborted && remote.number >= 1 && remote.number <= target.head().number) {
      const ours = await target.db().getBlockByNumber(remote.number);
      if (ours && !bytesEqual(blockHash(ours.header), remote.hash)) {
        const [theirs] = await untilAborted(source.blocksByRange(remote.number, 1), signal);
        if (theirs) await target.importBlock(theirs, "sync");
      }
    }
  }

  private scheduleFollow(delayMs: number): void {
    if (this.signal.aborted || this.target.failed()) return;
    this.followTimer = setTimeout(() => {
      this.sync()
        .then(
          () => {
            this.failures = 0;
          },
          (err: unknown) => {
            if (this.signal.aborted) return; // closing: not a failure
            // Waiting for L1 finality, the clock or a full import queue is normal: retry at the usual pace, quietly.
            const retryable =
              err instanceof VerifierError &&
              (err.code === VerifierErrorCode.DEPOSITS_UNCONFIRMED ||
                err.code === VerifierErrorCode.FUTURE_BLOCK ||
                err.code === VerifierErrorCode.QUEUE_FULL ||
                err.code === VerifierErrorCode.REWIND_PENDING);
            this.failures = retryable ? 0 : this.failures + 1;
            const log = retryable ? this.logger.debug.bind(this.logger) : this.logger.warn.bind(this.logger);
            log("sync stopped; retrying", {
              head: this.target.headNumberIfOpen(),
              failures: this.failures,
              reason: (err as Error).message,
            });
          },
        )
        .finally(() => {
          const base = this.opts.followIntervalMs ?? DEFAULT_FOLLOW_INTERVAL_MS;
          const delay =
            this.failures === 0 ? base : Math.min(base * 2 ** Math.min(this.failures, 20), this.opts.maxBackoffMs);
          this.scheduleFollow(delay);
        });
    }, delayMs);
  }
}
