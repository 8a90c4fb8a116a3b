/**
 * The verifier node's core: it trusts nothing. Every block is checked against its parent and the
 * sequencer's seal, its transactions validated (signatures recovered on the worker pool), the block
 * re-executed with the same state machine, every root compared, and only then committed in one
 * atomic LevelDB batch, so its state roots are the sequencer's or the block is refused whole.
 * Out-of-order blocks wait in a bounded buffer while `sync` fills the gap from a `BlockSource`.
 * Misbehaviour becomes evidence (evidence.ts); checkpoints are co-signed only after the same checks.
 */
import type { EventEmitter } from "node:events";
import type { ChainDb, RewindOutcome } from "@filverse/db";
import type { ChainConfig } from "@filverse/params";
import type { State, ValidatedTransaction } from "@filverse/state";
import { type Checkpoint, type PreconfirmationJson, RpcErrorCode, type SignedBlock } from "@filverse/types";
import { type Hex, type Logger, nullLogger, toHex } from "@filverse/utils";
import { followSignal } from "../abort.js";
import { Chain } from "../chain/chain.js";
import type { HeadInfo, NodeEvents } from "../chain/interface.js";
import type { RewindRequest } from "../chain/rewind.js";
import { NodeError, NodeErrorCode, nodeFailure, SubmitError } from "../errors.js";
import type { NodeMetrics } from "../metrics.js";
import { ChainFollower } from "../sync/follow.js";
import { BlockImporter, type ImportResult } from "./blockImporter.js";
import { type CheckpointClaim, CheckpointCosigner } from "./checkpoints.js";
import { type Evidence, type EvidenceKind, EvidenceStore } from "./evidence.js";
import { TxForwarder } from "./forwarder.js";
import type { VerifierModules, VerifierOpts } from "./options.js";
import { rewindVerifier } from "./rewind.js";

export type { ImportResult, ImportStatus } from "./blockImporter.js";
export type { CheckpointClaim } from "./checkpoints.js";

import { type PreconfirmationCheck, PreconfirmationWatch, type SignedPreconfirmation } from "./preconfirmations.js";

export { defaultVerifierOpts, type VerifierModules, type VerifierOpts } from "./options.js";

export class Verifier {
  /** The chain core the sequencer shares: the database, the head and its state, the indexes, the events. */
  readonly core: Chain;
  readonly events: EventEmitter<NodeEvents>;
  readonly opts: VerifierOpts;
  private readonly logger: Logger;
  private readonly metrics: NodeMetrics | null;
  /** Submissions: checked here, forwarded to the sequencer (or gossiped), pending until a block holds them. */
  private readonly forwarder: TxForwarder;
  private evidence_: EvidenceStore | null = null;
  /** Block import: checks, re-execution, one commit per block; the out-of-order buffer; evidence. */
  private readonly importer: BlockImporter;
  /** Checkpoint checks and co-signing, and the gossip timestamp policy. */
  private readonly checkpoints: CheckpointCosigner;
  /** Range sync from the source and the follow loop. */
  private readonly follower: ChainFollower;
  /** Preconfirmations held until their block is imported, then judged (breaches become evidence). */
  private readonly preconfirmations: PreconfirmationWatch;
  private started = false;
  private closed = false;
  /**
   * Aborted by close() or by the node's signal (`modules.signal`): the follow loop, the import
   * queue and the waits on the source stop at once.
   */
  private readonly controller: AbortController;
  /** Set once a commit failed: nothing is imported after it. */
  private failure_: NodeError | null = null;
  /** While the rollup is halted by a proven fault: the last block L1 still vouches for (see BlockFaults). */
  private unsettledAbove_: number | null = null;
  private readonly deposits: VerifierModules["deposits"];

  constructor(opts: VerifierOpts, modules: VerifierModules = {}) {
    this.opts = opts;
    this.logger = (modules.logger ?? nullLogger).child({ module: "verifier" });
    this.metrics = modules.metrics ?? null;
    this.controller = followSignal(modules.signal, closedError);
    this.deposits = modules.deposits;
    const signal = this.controller.signal;
    this.core = new Chain(
      {
        chain: opts.chain,
        genesis: opts.genesis,
        proposer: opts.sequencer,
        dataDir: opts.dataDir,
        stateHistory: opts.stateHistory,
      },
      { metrics: this.metrics },
    );
    this.events = this.core.events;
    this.importer = new BlockImporter(opts, {
      core: this.core,
      target: {
        head: () => this.head,
        db: () => this.db,
        state: () => this.state,
        evidenceStore: () => this.evidenceStore,
        isClosed: () => this.closed,
        fail: (what, err) => this.fail(what, err),
        noteRemoteHead: (n) => this.follower.noteRemoteHead(n),
        requestSync: () => this.follower.requestSync(),
        settled: (receipts) => this.forwarder.settle(receipts),
      },
      recoverer: modules.recoverer ?? null,
      depositSource: modules.deposits ?? null,
      metrics: this.metrics,
      logger: this.logger,
      signal,
      unsettledAbove: () => this.unsettledAbove_,
    });
    this.checkpoints = new CheckpointCosigner(
      opts.chain,
      { maxGossipLagSec: opts.maxGossipLagSec },
      {
        target: { head: () => this.head, db: () => this.db, evidenceStore: () => this.evidenceStore },
        signing: modules.checkpointSigning ?? null,
        batches: modules.batches ?? null,
        metrics: this.metrics,
        logger: this.logger,
      },
    );
    this.follower = new ChainFollower(
      {
        syncBatchBlocks: opts.syncBatchBlocks,
        followIntervalMs: opts.followIntervalMs,
        maxBackoffMs: opts.maxBackoffMs,
      },
      {
        source: modules.source ?? null,
        logger: this.logger,
        signal,
        target: {
          head: () => this.head,
          db: () => this.db,
          headNumberIfOpen: () => this.core.headIfOpen?.number,
          importBlock: (block, source) => this.importBlock(block, source),
          prepare: (block) => this.prepare(block),
          failed: () => this.failure_ !== null,
        },
      },
    );
    this.preconfirmations = new PreconfirmationWatch({
      chainId: opts.chain.chainId,
      sequencer: opts.sequencer,
      head: () => this.head,
      sealed: async (n) => {
        const [block, receipts] = await Promise.all([this.db.getBlockByNumber(n), this.db.getReceipts(n)]);
        return block && receipts ? { block, receipts } : null;
      },
      record: (e) => this.evidenceStore.record(e),
      logger: this.logger,
    });
    this.events.on("newHead", (block) => void this.preconfirmations.onImported(block.header.number));
    this.forwarder = new TxForwarder({
      chain: this.core,
      logger: this.logger,
      forward: modules.forward ?? null,
      gossipTransaction: modules.gossipTransaction ?? null,
    });
  }

  get chainId(): number {
    return this.opts.chain.chainId;
  }
  get chain(): ChainConfig {
    return this.opts.chain;
  }
  get sequencer(): Uint8Array {
    return this.opts.sequencer;
  }
  get db(): ChainDb {
    if (this.closed) throw closedError();
    return this.core.db;
  }
  get state(): State {
    if (this.closed) throw closedError();
    return this.core.state;
  }
  get head(): HeadInfo {
    if (this.closed) throw closedError();
    return this.core.head;
  }
  get evidenceStore(): EvidenceStore {
    return this.need(this.evidence_);
  }

  private need<T>(v: T | null): T {
    if (this.closed) throw closedError();
    if (v === null) throw new NodeError(NodeErrorCode.NOT_STARTED, "The verifier is not started");
    return v;
  }

  /** Open the database (a restart resumes from its head), load the state and evidence, start following. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    try {
      await this.openAndLoad();
    } catch (err) {
      await this.close(); // a start that fails half way closes the database it opened
      throw err;
    }
  }

  private async openAndLoad(): Promise<void> {
    const { chain } = this.opts;
    await this.core.open();
    const { db, head, state } = this.core;
    this.evidence_ = new EvidenceStore(db, this.opts.evidence, this.logger);
    await this.evidence_.load();
    this.logger.info("verifier started", {
      chainId: chain.chainId,
      head: head.number,
      stateRoot: toHex(state.roots().stateRoot),
      sequencer: toHex(this.opts.sequencer),
      evidence: this.evidence_.size,
    });
    if (this.opts.followIntervalMs !== null) this.startFollowing();
  }

  /** Poll the source's head and sync to it, every followIntervalMs (default 500 ms). Idempotent. */
  startFollowing(): void {
    this.follower.startFollowing();
  }

  /**
   * Fetch and import blocks from the source until this node's head is the source's head; one sync at
   * a time (a call during a sync joins it). Throws what an import throws (the bad block is reported)
   * or the source's error.
   */
  sync(): Promise<void> {
    return this.follower.sync();
  }

  /**
   * Idempotent: aborts (following stops, queued imports are refused), lets the import in progress
   * commit, closes the database.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.controller.abort(closedError());
    await this.follower.idle();
    await this.importer.idle();
    await this.checkpoints.idle();
    this.importer.clearBuffer();
    await this.core.close();
    this.logger.info("verifier closed");
  }

  // --- the RpcNode surface (read-only: no mempool) ---

  stateAt(n: number): State | undefined {
    return this.core.stateAt(n);
  }
  /** A transaction this node forwarded and has not seen in a block yet. */
  pendingTx(hash: string): { vtx: ValidatedTransaction; sender: Hex } | undefined {
    return this.forwarder.pendingTx(hash);
  }
  /** The committed nonce, or past it the transactions this node forwarded (a wallet's next nonce). */
  pendingNonce(address: Uint8Array): number {
    return this.forwarder.pendingNonce(address, this.state);
  }
  isDropped(_hash: string): boolean {
    return false;
  }
  pendingCount(): number {
    return 0;
  }
  feeEstimate(): { minFee: bigint; suggestedFee: bigint } {
    return { minFee: this.chain.minTxFee, suggestedFee: this.chain.minTxFee };
  }
  syncing(): boolean {
    const head = this.core.headIfOpen;
    return head !== null && head.number < this.follower.remoteHead;
  }
  /**
   * A wallet's transaction, forwarded to the sequencer after the cheap stateless checks (decoding,
   * chain id, field bounds); the sequencer's answer (hash or error code) is passed through. Throws
   * SubmitError; UNAVAILABLE when the sequencer cannot be reached (then nothing was admitted).
   */
  async submitJson(json: unknown): Promise<Hex> {
    if (this.closed) throw new SubmitError(RpcErrorCode.UNAVAILABLE, "The node is shutting down");
    return this.forwarder.submitJson(json);
  }
  /** SSZ bytes, forwarded as filverse_sendRawTransaction; as submitJson. */
  async submitRaw(bytes: Uint8Array): Promise<Hex> {
    if (this.closed) throw new SubmitError(RpcErrorCode.UNAVAILABLE, "The node is shutting down");
    return this.forwarder.submitRaw(bytes);
  }
  /** Forwarded as filverse_sendTransactionSync: the sequencer's preconfirmation, passed back. */
  async submitSync(tx: unknown, timeoutMs: number): Promise<PreconfirmationJson> {
    if (this.closed) throw new SubmitError(RpcErrorCode.UNAVAILABLE, "The node is shutting down");
    return this.forwarder.submitSync(tx, timeoutMs);
  }
  /** The sequencer's answer (a verifier issues no preconfirmations). */
  getPreconfirmation(hash: string): Promise<PreconfirmationJson | null> {
    return this.forwarder.getPreconfirmation(hash);
  }

  evidence(kind?: EvidenceKind): Evidence[] {
    return this.evidence_?.list(kind) ?? [];
  }

  /** Hold the sequencer to a preconfirmation it signed (verifier/preconfirmations.ts). Throws SubmitError. */
  submitPreconfirmation(p: SignedPreconfirmation): Promise<PreconfirmationCheck> {
    if (this.closed || !this.evidence_) throw new SubmitError(RpcErrorCode.UNAVAILABLE, "The node is not running");
    return this.preconfirmations.submit(p);
  }
  /** Listen for new evidence (the p2p layer gossips it). Returns the unsubscribe function. */
  onEvidence(listener: (e: Evidence) => void): () => void {
    return this.evidenceStore.onEvidence(listener);
  }

  // --- rewind after a proven fault (chain/rewind.ts) ---

  /**
   * What L1 says now (the rewind watcher's poll): the rollup is halted by a proven fault and blocks
   * above `n` are past the last valid checkpoint, or null. A second seal there is not evidence.
   */
  setUnsettledAbove(n: number | null): void {
    this.unsettledAbove_ = n;
  }

  /**
   * L1 removed checkpoints proven wrong: go back to the last valid one between two imports, forget
   * the removed chain's buffered blocks, seals and held preconfirmations, and let the deposit source
   * offer the removed blocks' L1 messages again. Sync then imports the sequencer's new blocks at
   * those heights. Null when the L1 log was already applied.
   */
  async rewind(req: RewindRequest): Promise<RewindOutcome | null> {
    if (this.closed || this.failure_) return null;
    return this.importer.exclusive(
      () =>
        rewindVerifier(req, {
          core: this.core,
          deposits: this.deposits ?? null,
          preconfirmations: this.preconfirmations,
          logger: this.logger,
          metrics: this.metrics,
        }).catch((err: unknown) => {
          this.fail("the rewind failed", err);
          throw err;
        }),
      () => req.target,
    );
  }

  // --- block import (verifier/blockImporter.ts) ---

  /**
   * Import one block from anywhere (gossip, sync, a batch from Filecoin). Resolves with what happened:
   * `imported` (verified and committed, and any buffered successors after it), `known` (already
   * committed), `buffered` (ahead of the head; a sync is started), `ignored` (too far ahead or the
   * buffer is full). Throws VerifierError: INVALID_BLOCK (nothing applied; evidence when sealed by the
   * sequencer), EQUIVOCATION (evidence), DEPOSITS_UNCONFIRMED / FUTURE_BLOCK (retry later).
   * `source` tags where the block came from, for logs, evidence and the peer scoring of the caller.
   */
  importBlock(block: SignedBlock, source: string | null = null): Promise<ImportResult> {
    if (this.closed) return Promise.reject(new NodeError(NodeErrorCode.CLOSED, "The verifier is closed"));
    if (this.failure_) return Promise.reject(this.failure_);
    return this.importer.importBlock(block, source);
  }

  /**
   * A gossiped block at a height this node has committed, judged at once (not behind the import
   * queue): `duplicate`, `altered` (the relayer changed the body), `equivocation` (evidence
   * recorded), `invalid` (see BlockImporter.judgeCommittedHeight).
   */
  judgeCommittedHeight(
    block: SignedBlock,
    bytes: Uint8Array,
    source: string | null,
  ): Promise<"duplicate" | "altered" | "equivocation" | "rewound" | "invalid"> {
    return this.importer.judgeCommittedHeight(block, bytes, source);
  }

  /** Start recovering a block's signatures on the pool ahead of its import (sync and rebuild). */
  prepare(block: SignedBlock): void {
    this.importer.prepare(block);
  }

  // --- failure ---

  /**
   * Why the verifier stopped (a block commit failed, e.g. a full disk), or null. Sticky: only a
   * restart, which reopens the database, clears it.
   */
  get failure(): NodeError | null {
    return this.failure_;
  }

  /** A commit failed: the storage may refuse every write until reopened. Stop importing and say so. */
  private fail(what: string, err: unknown): void {
    if (this.failure_) return;
    const failure = nodeFailure("verifier", what, err);
    this.failure_ = failure;
    this.follower.stop();
    this.importer.clearBuffer();
    this.logger.error("verifier stopped", { what, reason: failure.details.reason }, err);
    this.events.emit("failed", failure);
  }

  // --- checkpoints (verifier/checkpoints.ts) ---

  /**
   * Note when a gossiped block arrived; one stamped more than `maxGossipLagSec` before keeps its
   * checkpoint from being co-signed (see CheckpointCosigner.observeGossipedBlock).
   */
  observeGossipedBlock(block: SignedBlock, receivedAtMs: number = Date.now()): void {
    this.checkpoints.observeGossipedBlock(block, receivedAtMs);
  }

  /** Compare a checkpoint with re-execution: "pending", "ok", or the mismatching fields (evidence recorded). */
  checkCheckpoint(
    claim: CheckpointClaim,
    origin: "l1" | "rebuild",
    source: string | null = null,
  ): Promise<"pending" | "ok" | string[]> {
    return this.checkpoints.checkCheckpoint(claim, origin, source);
  }

  /** How the rollup judges checkpoint equivocation (`rollupJudgesEquivocationByContent`). */
  setEquivocationRule(rule: "content" | "digest"): void {
    this.checkpoints.setEquivocationRule(rule);
  }

  /** Co-sign a checkpoint, or throw a CheckpointRefusal naming the mismatch (CheckpointCosigner.signCheckpoint). */
  signCheckpoint(cp: Checkpoint, source: string | null = null): Promise<Uint8Array> {
    return this.checkpoints.signCheckpoint(cp, source);
  }
}

function closedError(): NodeError {
  return new NodeError(NodeErrorCode.CLOSED, "The verifier is closed");
}
