/** Prometheus metrics of a node, named filverse_<subsystem>_<name>_<unit> with time in seconds. */
import type { ValidatorSetStatus } from "@filverse/l1";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** attoFIL as a float of FIL for a gauge (exact to about 1e-9 FIL below 9M FIL). */
export function attoToFil(atto: bigint): number {
  return Number(atto / 10n ** 9n) / 1e9;
}

export class NodeMetrics {
  readonly registry = new Registry();
  readonly blocksTotal = new Counter({
    name: "filverse_sequencer_blocks_total",
    help: "Blocks sealed",
    registers: [this.registry],
  });
  readonly blockSeconds = new Histogram({
    name: "filverse_sequencer_block_seconds",
    help: "Time to execute, seal and commit one block",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly blockTransactions = new Histogram({
    name: "filverse_sequencer_block_transactions",
    help: "Transactions per sealed block",
    buckets: [1, 10, 100, 1000, 5000, 10000],
    registers: [this.registry],
  });
  readonly headNumber = new Gauge({
    name: "filverse_chain_head_number",
    help: "Head block number",
    registers: [this.registry],
  });
  readonly rewinds = new Counter({
    name: "filverse_chain_rewinds_total",
    help: "Rewinds of the chain to the last valid checkpoint after L1 proved a later one wrong",
    registers: [this.registry],
  });
  readonly rewoundBlocks = new Counter({
    name: "filverse_chain_rewound_blocks_total",
    help: "Blocks removed by rewinds",
    registers: [this.registry],
  });
  readonly returnedTransactions = new Counter({
    name: "filverse_sequencer_rewound_transactions_total",
    help: "Transactions of rewound blocks put back in the mempool",
    registers: [this.registry],
  });
  readonly mempoolTransactions = new Gauge({
    name: "filverse_mempool_transactions",
    help: "Transactions in the mempool",
    registers: [this.registry],
  });
  readonly droppedTransactions = new Counter({
    name: "filverse_sequencer_dropped_transactions_total",
    help: "Admitted transactions dropped without inclusion, by reason (execution_fault: a bug or a missed bound)",
    labelNames: ["reason"],
    registers: [this.registry],
  });
  readonly submitted = new Counter({
    name: "filverse_rpc_transactions_submitted_total",
    help: "filverse_sendTransaction calls by outcome",
    labelNames: ["result"],
    registers: [this.registry],
  });

  readonly verifierBlocks = new Counter({
    name: "filverse_verifier_blocks_total",
    help: "Blocks verified (re-executed, roots compared) and committed",
    registers: [this.registry],
  });
  readonly verifierBlockSeconds = new Histogram({
    name: "filverse_verifier_block_seconds",
    help: "Time to check, re-execute and commit one block",
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly verifierRejected = new Counter({
    name: "filverse_verifier_blocks_rejected_total",
    help: "Blocks refused, by BlockErrorCode",
    labelNames: ["code"],
    registers: [this.registry],
  });
  readonly verifierEvidence = new Counter({
    name: "filverse_verifier_evidence_total",
    help: "Evidence recorded, by kind",
    labelNames: ["kind"],
    registers: [this.registry],
  });

  readonly verifierStaleBlocks = new Counter({
    name: "filverse_verifier_stale_blocks_total",
    help: "Gossiped blocks that arrived stamped more than maxGossipLagSec in the past",
    registers: [this.registry],
  });

  readonly disputeOpenGames = new Gauge({
    name: "filverse_dispute_open_games",
    help: "Open fault-proof games on the configured dispute game, as last read",
    registers: [this.registry],
  });
  readonly disputeMovesDue = new Gauge({
    name: "filverse_dispute_moves_due",
    help: "Counter-moves this node's trace calls for in open games, as last planned (0 once made)",
    registers: [this.registry],
  });
  readonly disputeMoves = new Counter({
    name: "filverse_dispute_moves_total",
    help: "Moves this node sent to the dispute game, by kind (challenge, propose, dispute, step, resolve, ...)",
    labelNames: ["kind"],
    registers: [this.registry],
  });

  /** Where the validator-set gauges read from (the checkpoint submitter's last read of the rollup). */
  validatorSetSource: (() => ValidatorSetStatus | null) | null = null;
  readonly validatorSetEpoch = this.setGauge(
    "filverse_l1_validator_set_epoch",
    "The rollup's current epoch",
    (s) => s.epoch,
  );
  readonly validatorSetId = this.setGauge("filverse_l1_validator_set_id", "The validator set in force", (s) => s.setId);
  readonly validatorSetWeight = this.setGauge(
    "filverse_l1_validator_set_weight_fil",
    "The weight (collateral) of the set in force, in FIL",
    (s) => attoToFil(s.weight),
  );
  readonly validatorSetJoining = this.setGauge(
    "filverse_l1_validator_set_joining_fil",
    "Weight scheduled to join at later epoch boundaries, in FIL",
    (s) => attoToFil(s.joining),
  );
  readonly validatorSetLeaving = this.setGauge(
    "filverse_l1_validator_set_leaving_fil",
    "Weight scheduled to leave at later epoch boundaries, in FIL",
    (s) => attoToFil(s.leaving),
  );

  private setGauge(name: string, help: string, value: (s: ValidatorSetStatus) => number): Gauge {
    const source = () => this.validatorSetSource?.() ?? null;
    return new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        const s = source();
        if (s) this.set(value(s));
      },
    });
  }

  readonly p2pPeers = new Gauge({
    name: "filverse_p2p_peers",
    help: "Connected libp2p peers",
    registers: [this.registry],
  });
  readonly p2pPenalties = new Counter({
    name: "filverse_p2p_peer_penalties_total",
    help: "Peer score penalties, by reason (invalid, oversized or undecodable data, rate limits)",
    labelNames: ["reason"],
    registers: [this.registry],
  });
  readonly p2pBans = new Counter({
    name: "filverse_p2p_peer_bans_total",
    help: "Peers banned and disconnected, by the reason of their last penalty",
    labelNames: ["reason"],
    registers: [this.registry],
  });
  readonly p2pEvidence = new Counter({
    name: "filverse_p2p_evidence_messages_total",
    help: "Gossiped evidence messages checked, by result (valid, invalid, unchecked)",
    labelNames: ["result"],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: "filverse_process_" });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
