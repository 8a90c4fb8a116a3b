/**
 * When the sequencer seals empty blocks: only to complete a checkpoint range that is due, so a
 * withdrawal (or, when configured, any block) on a quiet chain still reaches a checkpoint. Checkpoint
 * `i` covers blocks `[i·interval + 1, (i+1)·interval]`; an open range is due once
 *   - it holds a withdrawal sealed at least `withdrawalDelaySec` ago, or
 *   - its first block was sealed at least `maxAgeSec` ago.
 * While the open range is due, every seal tick (blockTimeMs) seals a block even when it is empty,
 * until the range's last block exists. A chain with no open range (its last block ends a range),
 * or whose open range is not due, seals nothing without traffic.
 */
import type { ChainPreset } from "@filverse/params";
import type { BlockHeader } from "@filverse/types";
import { bytesEqual } from "@filverse/utils";

export type CheckpointFillOpts = {
  /** Seconds a withdrawal waits before its range is completed with empty blocks; null: never. */
  withdrawalDelaySec: number | null;
  /** Seconds after a range's first block before the range is completed with empty blocks; null: never. */
  maxAgeSec: number | null;
};

/**
 * Defaults per preset. The devnet completes a withdrawal's range at once (32 blocks of 250 ms: 8 s).
 * Calibration and mainnet wait for more withdrawals first (10 min, 1 h), so one range of empty blocks
 * serves many; neither has an age rule, so an idle chain with no withdrawal grows nothing.
 */
export const defaultCheckpointFill: Record<ChainPreset, CheckpointFillOpts> = {
  devnet: { withdrawalDelaySec: 0, maxAgeSec: null },
  calibration: { withdrawalDelaySec: 600, maxAgeSec: null },
  mainnet: { withdrawalDelaySec: 3_600, maxAgeSec: null },
};

/** What the rule needs of a sealed block. */
export type SealedHeader = Pick<BlockHeader, "number" | "timestamp" | "withdrawalsRoot">;

/** The last block of the range holding block `n` (n ≥ 1). */
export function rangeLastBlock(n: number, interval: number): number {
  return Math.ceil(n / interval) * interval;
}

/**
 * Tracks the open range as blocks are sealed: when its first block was sealed and when its first
 * withdrawal was (a block's withdrawalsRoot differs from its parent's exactly when it appended one).
 */
export class CheckpointFill {
  private readonly interval: number;
  private readonly opts: CheckpointFillOpts;
  /** The last sealed block. */
  private head = 0;
  /** Timestamp of the open range's first block; null when no range is open. */
  private rangeStartedAt: number | null = null;
  /** Timestamp of the open range's first block holding a withdrawal; null when none. */
  private withdrawalAt: number | null = null;

  constructor(interval: number, opts: CheckpointFillOpts) {
    this.interval = interval;
    this.opts = opts;
  }

  /** Whether either rule is on: off, the tracker never asks for a block. */
  get enabled(): boolean {
    return this.opts.withdrawalDelaySec !== null || this.opts.maxAgeSec !== null;
  }

  /** A block was sealed on `parent`. */
  sealed(header: SealedHeader, parent: SealedHeader): void {
    this.head = header.number;
    if ((header.number - 1) % this.interval === 0) {
      this.rangeStartedAt = header.timestamp;
      this.withdrawalAt = null;
    }
    if (this.withdrawalAt === null && !bytesEqual(header.withdrawalsRoot, parent.withdrawalsRoot))
      this.withdrawalAt = header.timestamp;
    if (header.number % this.interval === 0) {
      this.rangeStartedAt = null;
      this.withdrawalAt = null;
    }
  }

  /**
   * Rebuild the open range's marks after a restart from the stored headers: the range's first block,
   * and a binary search for its first withdrawal (withdrawalsRoot only changes forward). At most
   * about log2(interval) + 2 header reads.
   */
  async restore(headNumber: number, header: (n: number) => Promise<SealedHeader | null>): Promise<void> {
    this.head = headNumber;
    this.rangeStartedAt = null;
    this.withdrawalAt = null;
    if (headNumber === 0 || headNumber % this.interval === 0) return;
    const first = rangeLastBlock(headNumber, this.interval) - this.interval + 1;
    const [start, before, last] = await Promise.all([header(first), header(first - 1), header(headNumber)]);
    if (!start || !before || !last) return;
    this.rangeStartedAt = start.timestamp;
    if (bytesEqual(last.withdrawalsRoot, before.withdrawalsRoot)) return;
    let lo = first;
    let hi = headNumber; // the first block whose root differs from `before` lies in [lo, hi]
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const h = await header(mid);
      if (h && !bytesEqual(h.withdrawalsRoot, before.withdrawalsRoot)) hi = mid;
      else lo = mid + 1;
    }
    this.withdrawalAt = (await header(lo))?.timestamp ?? last.timestamp;
  }

  /** Why the open range must be completed now (`nowSec` in unix seconds), or null when it need not be. */
  due(nowSec: number): "withdrawal" | "age" | null {
    if (this.rangeStartedAt === null) return null;
    const { withdrawalDelaySec, maxAgeSec } = this.opts;
    if (withdrawalDelaySec !== null && this.withdrawalAt !== null && nowSec >= this.withdrawalAt + withdrawalDelaySec)
      return "withdrawal";
    if (maxAgeSec !== null && nowSec >= this.rangeStartedAt + maxAgeSec) return "age";
    return null;
  }

  /** The last block of the open range (what a due range is completed to), or null. */
  get rangeEnd(): number | null {
    return this.rangeStartedAt === null ? null : rangeLastBlock(this.head, this.interval);
  }
}
