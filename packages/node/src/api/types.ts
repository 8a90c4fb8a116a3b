/**
 * The contract between the node and its JSON-RPC methods: what a method reads of a node (`RpcNode`,
 * implemented by the Sequencer and the Verifier), of settlement and of the p2p host, and the handler
 * table typed by the client's `RpcMethods`, so that the compiler checks both sides of every method.
 */
import type { RpcContext } from "@filverse/rpc";
import type {
  CheckpointJson,
  DisputeJson,
  DisputeNodeJson,
  PreconfirmationJson,
  RpcErrorCode,
  RpcMethod,
  RpcMethods,
  SignedTransaction,
  TxDropReason,
} from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { ChainReader } from "../chain/interface.js";
import type { Evidence, EvidenceKind } from "../verifier/evidence.js";
import type { PreconfirmationCheck, SignedPreconfirmation } from "../verifier/preconfirmations.js";

/**
 * What the RPC methods need of a node: its chain (ChainReader), plus what differs by kind. The
 * Sequencer implements it over its mempool; the Verifier over its re-executed chain, with no mempool
 * and submissions forwarded to the sequencer.
 */
export interface RpcNode extends ChainReader {
  /** A transaction accepted here and not yet in a committed block. */
  pendingTx(hash: string): { vtx: { tx: SignedTransaction }; sender: Hex } | undefined;
  /** The nonce a sender's next transaction should carry. */
  pendingNonce(address: Uint8Array): number;
  isDropped(hash: string): boolean;
  /** Why a dropped transaction was dropped (a sequencer remembers; a verifier does not know). */
  dropInfo?(hash: string): { reason: TxDropReason; code?: number } | undefined;
  /** Admit (or forward) a JSON transaction; resolves with its hash. Throws SubmitError with the RPC code. */
  submitJson(json: unknown): Promise<Hex>;
  /** Admit (or forward) a transaction given as its SSZ bytes; as submitJson. */
  submitRaw(bytes: Uint8Array): Promise<Hex>;
  /**
   * Admit (or forward) a transaction (JSON, or SSZ bytes) and resolve with its signed
   * preconfirmation. SubmitError NOT_PRECONFIRMED when none comes within `timeoutMs`.
   */
  submitSync(tx: unknown, timeoutMs: number): Promise<PreconfirmationJson>;
  /** A transaction's preconfirmation while its block is open; null otherwise. */
  getPreconfirmation(hash: string): Promise<PreconfirmationJson | null>;
  /** Where a preconfirmed transaction will be (a sequencer knows; a verifier does not). */
  preconfirmedAt?(hash: string): { number: number; position: number } | undefined;
  /** Transactions waiting here for a block (0 on a verifier). */
  pendingCount(): number;
  feeEstimate(): { minFee: bigint; suggestedFee: bigint };
  /** True while the node is behind the chain it follows. */
  syncing(): boolean;
  /** Recorded evidence, oldest first (a sequencer has none). */
  evidence(kind?: EvidenceKind): Evidence[];
  /** Hold the sequencer to a preconfirmation it signed (verifiers only). Throws SubmitError for bad input. */
  submitPreconfirmation?(p: SignedPreconfirmation): Promise<PreconfirmationCheck>;
}

/** What the node knows of settlement on L1: the last L2 blocks covered by accepted and by final checkpoints. */
export type SettlementView = {
  checkpointedBlock(): number;
  finalizedBlock(): number;
  /** The last L2 block whose checkpoint batch (and every earlier one) has an active storage deal. */
  storedBlock?(): number;
};

/** The p2p host as the RPC sees it: its identity and its peers with their local scores. */
export type NetworkView = {
  readonly peerId: string;
  readonly multiaddrs: string[];
  peers(): { peerId: string; addresses: string[]; score: number }[];
};

/** The dispute game as the RPC reads it (dispute/reader.ts): pages of games, and one game with its claim tree. */
export type DisputeReader = {
  list(fromId: number, limit: number): Promise<{ games: DisputeJson[]; count: number }>;
  get(
    id: number,
    maxNodes: number,
  ): Promise<(DisputeJson & { nodes: DisputeNodeJson[]; nodesTruncated: boolean }) | null>;
};

/** Checkpoints on the L1 rollup as the RPC reads them (node/checkpointReader.ts). */
/** A withdrawal's state on the L1 bridge (filverse_getWithdrawalProof's `bridge`). */
export type WithdrawalL1Json = {
  /** The bridge's isFinalized(index): the proof was accepted; paid, or queued. */
  finalized: boolean;
  /** Queued over the bridge's per-epoch limit: paid by releaseQueued from `releaseEpoch` on. */
  queued: { releaseEpoch: string; currentEpoch: string } | null;
  /** The L1 block it was read at. */
  l1Head: string;
};

export type CheckpointReader = {
  /** Checkpoint `index` (null: the latest); null when the rollup has no such checkpoint. */
  get(index: number | null): Promise<CheckpointJson | null>;
  /** The `limit` checkpoints below index `before` (null: all), newest first, and how many the rollup holds. */
  page(before: number | null, limit: number): Promise<{ checkpoints: CheckpointJson[]; count: number }>;
  /**
   * Withdrawal `index` on the L1 bridge: finalized there (paid, or queued over the per-epoch limit
   * until `releaseEpoch`), read at the L1 head. null when the node knows no bridge.
   */
  withdrawal(index: number): Promise<WithdrawalL1Json | null>;
};

/** What every namespace's handlers are built from. */
export type ApiModules = {
  node: RpcNode;
  settlement: SettlementView | null;
  network: (() => NetworkView | null) | null;
  disputes: DisputeReader | null;
  checkpoints: CheckpointReader | null;
};

/** One method's handler: untrusted params in, the result `RpcMethods` gives the client out. */
export type Handler<M extends RpcMethod> = ((
  params: unknown[],
  ctx: RpcContext,
) => RpcMethods[M][1] | Promise<RpcMethods[M][1]>) & {
  /** The code for params nested too deeply (INVALID_PARAMS when unset). */
  readonly tooDeepCode?: RpcErrorCode;
};

/** Every method the node serves, each typed by its entry in `RpcMethods`: none missing, none extra. */
export type RpcHandlers = { [M in RpcMethod]: Handler<M> };
