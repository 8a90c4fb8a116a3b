/**
 * What a Verifier is configured with (`VerifierOpts`, with `defaultVerifierOpts`) and the modules it
 * is given (`VerifierModules`): here, so its parts read them without importing the class that composes them.
 */
import type { SignatureRecoverer } from "@filverse/crypto";
import type { BatchBuilder } from "@filverse/filecoin";
import type { CheckpointDomain } from "@filverse/l1";
import type { ChainConfig } from "@filverse/params";
import type { SignedTransaction } from "@filverse/types";
import type { Logger } from "@filverse/utils";
import type { DepositSource, GenesisConfig } from "../chain/interface.js";
import type { NodeMetrics } from "../metrics.js";
import type { BlockSource, JsonRpcClient } from "../sync/blockSource.js";
import { defaultEvidenceStoreOpts, type EvidenceStoreOpts } from "./evidence.js";

export type VerifierOpts = {
  chain: ChainConfig;
  genesis: GenesisConfig;
  /** The sequencer's address: every block must carry its seal, and it is the genesis proposer. */
  sequencer: Uint8Array;
  /** The LevelDB directory. */
  dataDir: string;
  /** Past states kept in memory, for proofs against recent blocks. */
  stateHistory: number;
  /** Out-of-order blocks held while the gap before them is filled. */
  maxBufferedBlocks: number;
  /**
   * Imports waiting in the queue at most; one more is refused with QUEUE_FULL (a gossip flood
   * must not grow memory without bound; sync and rebuild import one block at a time).
   */
  maxQueuedImports: number;
  /** A block further than this above the head is not buffered (sync fetches it in order). */
  maxAheadBlocks: number;
  /** Blocks asked of the source per request while syncing. */
  syncBatchBlocks: number;
  /** How often the source's head is polled; null: never (the caller drives import and sync). */
  followIntervalMs: number | null;
  /** Longest wait between polls after consecutive failures. */
  maxBackoffMs: number;
  /** A block stamped further than this in the future (by this node's clock) is refused for now. */
  maxFutureDriftSec: number;
  /**
   * A block gossiped (pushed at sealing) stamped more than this before it arrived: the sequencer is
   * holding its clock back (which would postpone forced-inclusion deadlines on L1), so this node does
   * not co-sign a checkpoint that contains it.
   */
  maxGossipLagSec: number;
  evidence: EvidenceStoreOpts;
};

export const defaultVerifierOpts: Omit<VerifierOpts, "chain" | "genesis" | "sequencer" | "dataDir"> = {
  stateHistory: 256,
  maxBufferedBlocks: 1_024,
  maxQueuedImports: 1_024,
  maxAheadBlocks: 4_096,
  syncBatchBlocks: 32,
  followIntervalMs: 500,
  maxBackoffMs: 30_000,
  maxFutureDriftSec: 15,
  maxGossipLagSec: 60,
  evidence: defaultEvidenceStoreOpts,
};

export type VerifierModules = {
  logger?: Logger | null;
  /**
   * The node's signal: aborting it stops following, refuses the imports not started yet and ends
   * waits on the source, before close() runs. Without it close() alone does that.
   */
  signal?: AbortSignal | null;
  metrics?: NodeMetrics | null;
  /** Where signatures are recovered: a CryptoPool batches them on worker threads; null: this thread. */
  recoverer?: SignatureRecoverer | null;
  /** Where missing blocks come from (the sequencer's RPC, or p2p range sync). */
  source?: BlockSource | null;
  /**
   * The L1's messages (the bridge's deposit watcher): each block's deposits must be exactly the final
   * L1 messages at those nonces. null: deposits are taken as the sequencer made them.
   */
  deposits?: DepositSource | null;
  /** The validator key and the rollup's domain, for co-signing checkpoints. Never logged. */
  checkpointSigning?: { key: Uint8Array; domain: CheckpointDomain } | null;
  /** Packs this node's own blocks into batches (and keeps the pieces), to check checkpoints' batch fields. */
  batches?: BatchBuilder | null;
  /** The sequencer's JSON-RPC, where `submitJson` forwards transactions. */
  forward?: JsonRpcClient | null;
  /** Without `forward`: publishes a transaction on the `txs` gossip topic, resolving to the peers reached. Neither: submissions are refused. */
  gossipTransaction?: ((tx: SignedTransaction) => Promise<number>) | null;
};
