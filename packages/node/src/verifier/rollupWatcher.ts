/**
 * A verifier's view of the rollup: every checkpoint submitted on L1 is compared with re-execution
 * once this node has reached its last block (mismatches are evidence), and the accepted and final
 * checkpoints give transactions their `checkpointed` and `finalized` status.
 */
import { type L1Clients, readNextCheckpointIndex, readStoredCheckpoint, rollupReaderAbi } from "@filverse/l1";
import type { Logger } from "@filverse/utils";
import type { Address } from "viem";
import type { SettlementView } from "../api/types.js";
import type { Verifier } from "./verifier.js";

/** How often the rollup is read for new checkpoints and finality. */
const ROLLUP_POLL_MS = 2_000;

export class RollupWatcher implements SettlementView {
  private readonly rollup: Address;
  private readonly l1: L1Clients;
  private readonly verifier: Verifier;
  private readonly logger: Logger;
  /** The last block of each checkpoint on L1, by index. */
  private readonly checkpointLastBlocks: number[] = [];
  private finalCount = 0;
  /** Checkpoints reported for naming a block this node refused (once each while they stand). */
  private readonly refusedReported = new Set<number>();
  private checkedIndex = 0;
  /** Failed polls since start (metrics). */
  private errors = 0;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  /** The node's signal: once aborted, no poll is scheduled and the one in flight stops between reads. */
  private readonly signal: AbortSignal;

  /** Called once per checkpoint on L1 that differs from re-execution (the dispute player challenges it). */
  private readonly onMismatch: ((index: number) => void) | null;

  constructor(
    rollup: Address,
    modules: {
      l1: L1Clients;
      verifier: Verifier;
      logger: Logger;
      signal: AbortSignal;
      onMismatch?: ((index: number) => void) | null;
    },
  ) {
    this.rollup = rollup;
    this.onMismatch = modules.onMismatch ?? null;
    this.l1 = modules.l1;
    this.verifier = modules.verifier;
    this.logger = modules.logger;
    this.signal = modules.signal;
    this.signal.addEventListener(
      "abort",
      () => {
        if (this.timer) clearTimeout(this.timer);
        this.timer = null;
      },
      { once: true },
    );
  }

  checkpointedBlock(): number {
    return this.checkpointLastBlocks.at(-1) ?? 0;
  }

  finalizedBlock(): number {
    return this.finalCount > 0 ? this.checkpointLastBlocks[this.finalCount - 1]! : 0;
  }

  /** For the node's metrics: the last accepted and final checkpoint's index (null before one), failed polls. */
  get stats(): { submittedIndex: number | null; finalizedIndex: number | null; errors: number } {
    const submitted = this.checkpointLastBlocks.length;
    return {
      submittedIndex: submitted > 0 ? submitted - 1 : null,
      finalizedIndex: this.finalCount > 0 ? this.finalCount - 1 : null,
      errors: this.errors,
    };
  }

  start(): void {
    this.schedule(0);
  }

  /** Resolves once a poll in flight has settled (polling stops when the node's signal is aborted). */
  async idle(): Promise<void> {
    await this.polling?.catch(() => {});
  }

  private schedule(delayMs: number): void {
    if (this.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.polling = this.poll()
        .catch((err) => {
          this.errors++;
          this.logger.warn("rollup poll failed; retrying", {}, err);
        })
        .finally(() => {
          this.polling = null;
          this.schedule(ROLLUP_POLL_MS);
        });
    }, delayMs);
  }

  /** Whether this node refused a sealed block in first..last (its invalid-block evidence). */
  private refusesIn(first: number, last: number): boolean {
    return this.verifier
      .evidence("invalidBlock")
      .some((e) => e.kind === "invalidBlock" && e.number >= first && e.number <= last);
  }

  /** New checkpoints on the rollup: compared with re-execution once reached; finality for tx status. */
  private async poll(): Promise<void> {
    const { l1, rollup } = this;
    const next = await readNextCheckpointIndex(rollup, l1);
    if (next < this.checkpointLastBlocks.length) {
      // A halt invalidated the checkpoints from `next` on: they will be submitted (and checked) again.
      this.logger.warn("checkpoints invalidated on L1", { from: next, to: this.checkpointLastBlocks.length });
      this.checkpointLastBlocks.length = next;
      this.checkedIndex = Math.min(this.checkedIndex, next);
      for (const i of this.refusedReported) if (i >= next) this.refusedReported.delete(i);
    }
    while (this.checkpointLastBlocks.length < next) {
      const stored = await readStoredCheckpoint(rollup, this.checkpointLastBlocks.length, l1);
      this.checkpointLastBlocks.push(stored.lastBlock);
    }
    while (this.checkedIndex < next && !this.signal.aborted) {
      const index = this.checkedIndex;
      const stored = await readStoredCheckpoint(rollup, index, l1);
      const firstBlock = index === 0 ? 1 : this.checkpointLastBlocks[index - 1]! + 1;
      const result = await this.verifier.checkCheckpoint({ ...stored, firstBlock }, "l1", "l1");
      if (result === "pending") {
        // Not reached, and maybe never: it names a block this node refused (the player challenges it).
        if (!this.refusedReported.has(index) && this.refusesIn(firstBlock, stored.lastBlock)) {
          this.refusedReported.add(index);
          this.logger.warn("checkpoint on L1 names a block this node refused", { index });
          this.onMismatch?.(index);
        }
        break;
      }
      if (result !== "ok") {
        this.logger.warn("checkpoint on L1 differs from re-execution", { index, fields: result });
        this.onMismatch?.(index);
      }
      this.checkedIndex++;
    }
    while (this.finalCount < next) {
      const final = await l1.publicClient.readContract({
        address: rollup,
        abi: rollupReaderAbi,
        functionName: "isFinal",
        args: [BigInt(this.finalCount)],
      });
      if (!final) break;
      this.finalCount++;
    }
  }
}
