/**
 * What a Sequencer is configured with (`SequencerOpts`, with `defaultSequencerOpts`) and the modules
 * it is given (`SequencerModules`): here, so its parts read them without importing the class that composes them.
 */
import type { SignatureRecoverer } from "@filverse/crypto";
import type { ChainConfig } from "@filverse/params";
import type { Logger } from "@filverse/utils";
import type { DepositSource, GenesisConfig } from "../chain/interface.js";
import type { NodeMetrics } from "../metrics.js";
import type { CheckpointFillOpts } from "./checkpointFill.js";
import { defaultMempoolOpts, type MempoolOpts } from "./mempool.js";

export type SequencerOpts = {
  chain: ChainConfig;
  genesis: GenesisConfig;
  dataDir: string;
  mempool: MempoolOpts;
  /** Past states kept in memory, for proofs against recent blocks. */
  stateHistory: number;
  /** Seal blocks with no deposit and no transaction (off: an idle chain grows no blocks). */
  sealEmptyBlocks: boolean;
  /**
   * Seal empty blocks to complete a checkpoint range that is due (a withdrawal waiting, or the
   * range's age): checkpointFill.ts. null (the default, and a node without a rollup): never.
   */
  checkpointFill: CheckpointFillOpts | null;
  /**
   * A block's SSZ size at most: what one gossip message carries (`@filverse/p2p` refuses blocks over
   * 4 MiB − 64 KiB, gossipsub's limit). Transactions that would pass it wait for the next block.
   */
  maxBlockBytes: number;
  /** Hashes of dropped transactions remembered for status queries. */
  droppedHistory: number;
};

export const defaultSequencerOpts: Omit<SequencerOpts, "chain" | "genesis" | "dataDir"> = {
  mempool: defaultMempoolOpts,
  stateHistory: 256,
  sealEmptyBlocks: false,
  checkpointFill: null,
  droppedHistory: 10_000,
  maxBlockBytes: 4 * 1024 * 1024 - 128 * 1024,
};

export type SequencerModules = {
  /** The sequencer's secp256k1 key: it seals every block and earns the fees. Never logged. */
  key: Uint8Array;
  logger?: Logger | null;
  metrics?: NodeMetrics | null;
  deposits?: DepositSource | null;
  /** The node's signal: aborting it stops block production before close() runs. Without it close() alone does. */
  signal?: AbortSignal | null;
  /**
   * Where admission recovers signatures: a worker pool (CryptoPool) batches them off the main
   * thread, which then only executes and commits. null: recover on the main thread.
   */
  recoverer?: SignatureRecoverer | null;
};
