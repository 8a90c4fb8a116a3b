/**
 * The operations gauges (checkpoints, deals, the L1 connection, the bridge) read their parts at each
 * scrape; here over a real sequencer's chain, whose withdrawals past the last final checkpoint are
 * the pending ones.
 */
import { TxKind } from "@filverse/types";
import { afterEach, expect, it } from "vitest";
import { NodeMetrics } from "../../src/metrics.js";
import { type OperationsSources, registerOperationsMetrics } from "../../src/node/operationsMetrics.js";
import { key, SequencerFixture, tempDirs } from "./chainFixture.js";

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

async function scrape(metrics: NodeMetrics): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await metrics.text()).split("\n")) {
    if (!line.startsWith("filverse_") || line.startsWith("filverse_process_")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

it("reads checkpoints, deals, the L1 scan and the bridge from their parts, and reports NaN for a part that is not running", async () => {
  const alice = key(1);
  const f = await SequencerFixture.start(dirs.make("ops"), [alice]);
  try {
    const core = f.seq.core;
    let checkpoints: ReturnType<OperationsSources["checkpoints"]> = null;
    let finalized: number | null = null;
    let l1: ReturnType<OperationsSources["l1"]> = null;
    let deals: ReturnType<OperationsSources["deals"]> = null;
    const metrics = new NodeMetrics();
    registerOperationsMetrics(metrics, {
      checkpoints: () => checkpoints,
      finalizedBlock: () => finalized,
      deals: () => deals,
      l1: () => l1,
      head: () => ({ state: core.state, stateAt: (n) => core.stateAt(n) }),
    });

    // Nothing but the chain runs: only the bridge's L2 side has samples.
    let m = await scrape(metrics);
    expect(m.get("filverse_checkpoint_submitted_index")).toBeNaN();
    expect(m.get("filverse_l1_head_number")).toBeNaN();
    expect(m.get("filverse_bridge_withdrawals_pending")).toBeNaN();
    expect(m.get("filverse_checkpoint_failures_total")).toBe(0);
    expect(m.get("filverse_bridge_deposits_credited")).toBe(0);

    // Block 1 (the faucet's deposit), block 2 (a withdrawal), block 3 (two withdrawals).
    await f.block();
    await f.block([f.sign(alice, TxKind.Withdraw, { l1Recipient: alice.address, amount: 3n })]);
    await f.block([
      f.sign(alice, TxKind.Withdraw, { l1Recipient: alice.address, amount: 1n }),
      f.sign(alice, TxKind.Withdraw, { l1Recipient: alice.address, amount: 2n }),
    ]);
    checkpoints = { submittedIndex: 0, finalizedIndex: null, signatures: 3, failures: 2 };
    finalized = 0;
    l1 = { head: 120n, scanned: 115n, errors: 1 };
    deals = { proposed: 1, published: 0, active: 2, failed: 1, expired: 0 };
    m = await scrape(metrics);
    expect(m.get("filverse_checkpoint_submitted_index")).toBe(0);
    expect(m.get("filverse_checkpoint_finalized_index")).toBeNaN();
    expect(m.get("filverse_checkpoint_signatures")).toBe(3);
    expect(m.get("filverse_checkpoint_failures_total")).toBe(2);
    expect(m.get('filverse_storage_deals{state="active"}')).toBe(2);
    expect(m.get('filverse_storage_deals{state="failed"}')).toBe(1);
    expect(m.get("filverse_l1_head_number")).toBe(120);
    expect(m.get("filverse_l1_scan_lag_blocks")).toBe(5);
    expect(m.get("filverse_l1_errors_total")).toBe(1);
    expect(m.get("filverse_bridge_withdrawals_recorded")).toBe(3);
    expect(m.get("filverse_bridge_withdrawals_pending")).toBe(3);
    expect(m.get("filverse_bridge_deposits_credited")).toBeGreaterThanOrEqual(1);
    expect(m.get("filverse_bridge_deposited_fil")).toBeGreaterThan(0);

    // Blocks 1–2 final: only block 3's two withdrawals are pending. Counters only grow.
    checkpoints = { submittedIndex: 0, finalizedIndex: 0, signatures: 3, failures: 5 };
    finalized = 2;
    l1 = { head: 130n, scanned: 128n, errors: 1 };
    m = await scrape(metrics);
    expect(m.get("filverse_checkpoint_finalized_index")).toBe(0);
    expect(m.get("filverse_checkpoint_failures_total")).toBe(5);
    expect(m.get("filverse_l1_scan_lag_blocks")).toBe(2);
    expect(m.get("filverse_bridge_withdrawals_pending")).toBe(2);
  } finally {
    await f.seq.close();
  }
});
