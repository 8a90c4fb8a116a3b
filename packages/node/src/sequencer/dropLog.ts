/** The sequencer's memory of dropped transactions, for status reads: why each was dropped, bounded. */
import type { DropInfo } from "../chain/interface.js";
import type { NodeMetrics } from "../metrics.js";

/** The last `maxEntries` drops, oldest forgotten first; every drop is counted by reason in the metrics. */
export class DropLog {
  private readonly dropped = new Map<string, DropInfo>();

  constructor(
    private readonly maxEntries: number,
    private readonly metrics: NodeMetrics | null,
  ) {}

  add(hash: string, info: DropInfo): void {
    this.metrics?.droppedTransactions.inc({ reason: info.reason });
    this.dropped.set(hash, info);
    if (this.dropped.size > this.maxEntries) {
      const first = this.dropped.keys().next().value as string;
      this.dropped.delete(first);
    }
  }

  has(hash: string): boolean {
    return this.dropped.has(hash);
  }

  get(hash: string): DropInfo | undefined {
    return this.dropped.get(hash);
  }
}
