/**
 * The operations gauges of a node (checkpoints, deals, the L1 connection, the bridge), read at each
 * scrape from the parts that already track them, so nothing on the hot path updates a metric. A
 * gauge whose part a node does not run (no L1, no storage), or has not read yet, is NaN.
 */
import type { DealState } from "@filverse/filecoin";
import type { L1ScanStatus } from "@filverse/l1";
import type { State } from "@filverse/state";
import { Counter, Gauge } from "prom-client";
import { attoToFil, type NodeMetrics } from "../metrics.js";

/** Where each gauge reads from; every source may return null while its part is not running. */
export type OperationsSources = {
  checkpoints: () => {
    submittedIndex: number | null;
    finalizedIndex: number | null;
    /** Signatures on the last checkpoint this node submitted (a sequencer), else null. */
    signatures: number | null;
    /** Failed submission ticks (a sequencer) or rollup reads (a verifier) since start. */
    failures: number;
  } | null;
  /** The last block of the last final checkpoint (0 before one). */
  finalizedBlock: () => number | null;
  deals: () => Record<DealState, number> | null;
  l1: () => L1ScanStatus | null;
  head: () => { state: State; stateAt: (n: number) => State | undefined };
};

/** A counter whose value some part already counts: each scrape adds what was counted since the last. */
function mirrorCounter(metrics: NodeMetrics, name: string, help: string, read: () => number | null): Counter {
  let last = 0;
  return new Counter({
    name,
    help,
    registers: [metrics.registry],
    collect() {
      const v = read();
      if (v !== null && v > last) {
        this.inc(v - last);
        last = v;
      }
    },
  });
}

function sourceGauge(metrics: NodeMetrics, name: string, help: string, read: () => number | null): Gauge {
  return new Gauge({
    name,
    help,
    registers: [metrics.registry],
    collect() {
      const v = read();
      this.set(v === null ? Number.NaN : v);
    },
  });
}

export function registerOperationsMetrics(metrics: NodeMetrics, s: OperationsSources): void {
  sourceGauge(
    metrics,
    "filverse_checkpoint_submitted_index",
    "The last checkpoint accepted by the rollup, as last read",
    () => s.checkpoints()?.submittedIndex ?? null,
  );
  sourceGauge(
    metrics,
    "filverse_checkpoint_finalized_index",
    "The last final checkpoint, as last read",
    () => s.checkpoints()?.finalizedIndex ?? null,
  );
  sourceGauge(
    metrics,
    "filverse_checkpoint_signatures",
    "Signatures carried by the last checkpoint this sequencer submitted",
    () => s.checkpoints()?.signatures ?? null,
  );
  mirrorCounter(
    metrics,
    "filverse_checkpoint_failures_total",
    "Failed checkpoint submissions (sequencer) or rollup reads (verifier), each retried with backoff",
    () => s.checkpoints()?.failures ?? null,
  );

  const states: DealState[] = ["proposed", "published", "active", "failed", "expired"];
  new Gauge({
    name: "filverse_storage_deals",
    help: "Storage replicas of the checkpoint batches, by state",
    labelNames: ["state"],
    registers: [metrics.registry],
    collect() {
      const counts = s.deals();
      this.reset();
      if (counts) for (const st of states) this.set({ state: st }, counts[st]);
    },
  });

  sourceGauge(metrics, "filverse_l1_head_number", "The L1 head, as last read", () => {
    const h = s.l1()?.head;
    return h === undefined || h === null ? null : Number(h);
  });
  sourceGauge(
    metrics,
    "filverse_l1_scan_lag_blocks",
    "L1 blocks between the head and the last final block whose bridge events were applied",
    () => {
      const st = s.l1();
      return st?.head === undefined || st.head === null ? null : Number(st.head - st.scanned);
    },
  );
  mirrorCounter(
    metrics,
    "filverse_l1_errors_total",
    "Failed reads of the L1 bridge's events (each retried with backoff)",
    () => s.l1()?.errors ?? null,
  );

  const globals = () => s.head().state.globals();
  sourceGauge(
    metrics,
    "filverse_bridge_deposits_credited",
    "L1 messages (deposits and forced transactions) credited on L2: the last L1 nonce applied",
    () => globals().l1DepositNonce,
  );
  sourceGauge(metrics, "filverse_bridge_deposited_fil", "FIL deposited on L2 from L1, in total", () =>
    attoToFil(globals().totalDeposited),
  );
  sourceGauge(
    metrics,
    "filverse_bridge_withdrawals_recorded",
    "Withdrawals recorded on L2 (the withdrawals tree's size)",
    () => globals().withdrawalCount,
  );
  sourceGauge(
    metrics,
    "filverse_bridge_withdrawals_pending",
    "Withdrawals recorded on L2 after the last final checkpoint (not yet payable on L1)",
    () => {
      const finalized = s.finalizedBlock();
      if (finalized === null) return null;
      const { state, stateAt } = s.head();
      const before = finalized === 0 ? 0 : stateAt(finalized)?.globals().withdrawalCount;
      return before === undefined ? null : state.globals().withdrawalCount - before;
    },
  );
}
