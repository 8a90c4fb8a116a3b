/**
 * The verifier node's core: it trusts nothing. Every block is checked against its parent and the
 * sequencer's seal, its transactions validated (signatures recovered on the worker pool), the block
 * re-executed with the same state machine, every root compared, and only then committed in one
 * atomic LevelDB batch, so its state roots are the sequencer's or the block is refused whole.
 * Out-of-order blocks wait in a bounded buffer while `sync` fills the gap from a `BlockSource`.
 * Misbehaviour becomes evidence (evidence.ts); checkpoints are co-signed only after the same checks.
 */
import type { EventEmitter } from "node:events";
import { recoverBlockSigner, type SignatureRecoverer } from "@filverse/crypto";
import { type ChainDb, DbError, DbErrorCode } from "@filverse/db";
import type { BatchBuilder } from "@filverse/filecoin";
import type { CheckpointDomain } from "@filverse/l1";
import type { ChainConfig } from "@filverse/params";
import {
  applyBlock,
  assertBlockHeader,
  assertBlockRoots,
  BlockError,
  BlockErrorCode,
  type BlockExecutionResult,
  type State,
  type ValidatedTransaction,
} from "@filverse/state";
import {
  type BlockHeader,
  blockHash,
  type Checkpoint,
  Deposit,
  encodeSignedBlock,
  RpcErrorCode,
  type SignedBlock,
  type SignedTransaction,
} from "@filverse/types";
import { bytesEqual, FilverseError, type Hex, type Logger, nullLogger, toHex } from "@filverse/utils";
import { Chain } from "../chain/chain.js";
import type { IdentityIndex } from "../chain/identityIndex.js";
import type { DepositSource, GenesisConfig, HeadInfo, NodeEvents } from "../chain/interface.js";
import { NodeError, NodeErrorCode, SubmitError, VerifierError, VerifierErrorCode } from "../errors.js";
import type { NodeMetrics } from "../metrics.js";
import type { BlockSource, JsonRpcClient } from "../sync/blockSource.js";
import { ChainFollower } from "../sync/follow.js";
import { bodyMatchesHeader, validateBlockTransactions } from "./blockTransactions.js";
import { type CheckpointClaim, CheckpointCosigner } from "./checkpoints.js";
import {
  defaultEvidenceStoreOpts,
  type Evidence,
  type EvidenceKind,
  EvidenceStore,
  type EvidenceStoreOpts,
  sealedHeaderJson,
} from "./evidence.js";
import { TxForwarder } from "./forwarder.js";
import { SerialQueue } from "./serialQueue.js";

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

export type ImportStatus = "imported" | "known" | "buffered" | "ignored";
export type { CheckpointClaim } from "./checkpoints.js";
export type ImportResult = { status: ImportStatus; number: number; hash: Uint8Array };

type Sealed = { hash: Uint8Array; header: BlockHeader; signature: Uint8Array };

/** Blocks known to be invalid, by hash: a source that keeps serving one is refused without re-executing it. */
const MAX_BAD_BLOCKS = 256;

export class Verifier {
  /** The chain core the sequencer shares: the database, the head and its state, the indexes, the events. */
  readonly core: Chain;
  readonly events: EventEmitter<NodeEvents>;
  readonly identities: IdentityIndex;
  readonly opts: VerifierOpts;
  private readonly logger: Logger;
  private readonly metrics: NodeMetrics | null;
  private readonly recoverer: SignatureRecoverer | null;
  private readonly depositSource: DepositSource | null;
  /** Submissions: checked here, forwarded to the sequencer (or gossiped), pending until a block holds them. */
  private readonly forwarder: TxForwarder;
  private evidence_: EvidenceStore | null = null;
  /** Imports run one at a time: each builds on the head the previous one left. */
  private readonly importQueue = new SerialQueue();
  private readonly buffer = new Map<number, { block: SignedBlock; source: string | null }>();
  /** The first sealed header seen at each height above the head (a second one is equivocation). */
  private readonly seals = new Map<number, Sealed>();
  private readonly badBlocks = new Map<string, VerifierError>();
  /** Blocks whose transactions are being validated ahead of their import (see prepare). */
  private readonly prepared = new WeakMap<SignedBlock, Promise<ValidatedTransaction[]>>();
  /** Checkpoint checks and co-signing, and the gossip timestamp policy. */
  private readonly checkpoints: CheckpointCosigner;
  /** Range sync from the source and the follow loop. */
  private readonly follower: ChainFollower;
  private started = false;
  private closed = false;
  /** Set once a commit failed: nothing is imported after it. */
  private failure_: NodeError | null = null;

  constructor(opts: VerifierOpts, modules: VerifierModules = {}) {
    this.opts = opts;
    this.logger = (modules.logger ?? nullLogger).child({ module: "verifier" });
    this.metrics = modules.metrics ?? null;
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
    this.identities = this.core.identities;
    this.recoverer = modules.recoverer ?? null;
    this.depositSource = modules.deposits ?? null;
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
        target: {
          head: () => this.head,
          db: () => this.db,
          headNumberIfOpen: () => this.core.headIfOpen?.number,
          importBlock: (block, source) => this.importBlock(block, source),
          prepare: (block) => this.prepare(block),
          isClosed: () => this.closed,
          isStopped: () => this.closed || this.failure_ !== null,
        },
      },
    );
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

  /** Idempotent: stops following, lets the import in progress commit, closes the database. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.follower.stop();
    await this.follower.idle();
    await this.importQueue.idle();
    await this.checkpoints.idle();
    this.buffer.clear();
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

  evidence(kind?: EvidenceKind): Evidence[] {
    return this.evidence_?.list(kind) ?? [];
  }
  /** Listen for new evidence (the p2p layer gossips it). Returns the unsubscribe function. */
  onEvidence(listener: (e: Evidence) => void): () => void {
    return this.evidenceStore.onEvidence(listener);
  }

  // --- block import ---

  /**
   * A gossiped block at a height this node has committed, judged at once (not behind the import
   * queue): `duplicate` (the same bytes), `altered` (the sealed header with another body: whoever
   * relayed it changed it), `equivocation` (another header sealed by the sequencer: evidence is
   * recorded), `invalid` (not sealed by the sequencer, or a block 0).
   */
  async judgeCommittedHeight(
    block: SignedBlock,
    bytes: Uint8Array,
    source: string | null,
  ): Promise<"duplicate" | "altered" | "equivocation" | "invalid"> {
    const n = block.header.number;
    const ours = n === 0 ? null : await this.db.getBlockByNumber(n);
    if (!ours) return "invalid";
    const ourHash = blockHash(ours.header);
    const hash = blockHash(block.header);
    if (bytesEqual(ourHash, hash)) {
      const ourBytes = await this.db.getBlockBytes(n);
      return ourBytes && bytesEqual(ourBytes, bytes) ? "duplicate" : "altered";
    }
    if (!this.sealedBySequencer(block)) return "invalid";
    await this.equivocation({ hash: ourHash, header: ours.header, signature: ours.signature }, block, hash, source);
    return "equivocation";
  }

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
    return this.importQueue.run(() => this.importOne(block, source));
  }

  private async importOne(block: SignedBlock, source: string | null): Promise<ImportResult> {
    const { header } = block;
    const head = this.head;
    const hash = blockHash(header);
    if (header.chainId !== this.chainId) {
      throw this.invalid(
        new BlockError(BlockErrorCode.WRONG_CHAIN, `Block is for chain ${header.chainId}`),
        block,
        hash,
        false,
      );
    }
    if (header.number <= head.number) return this.importKnownHeight(block, hash, source);
    const bad = this.badBlocks.get(toHex(hash));
    if (bad) throw bad;
    if (header.number > head.number + 1) return this.bufferBlock(block, hash, source);
    const result = await this.verifyAndCommit(block, hash, source);
    await this.drainBuffer();
    return result;
  }

  /** A block at a committed height: the same block, or a second one (equivocation if sealed). */
  private async importKnownHeight(block: SignedBlock, hash: Uint8Array, source: string | null): Promise<ImportResult> {
    const n = block.header.number;
    if (n === 0) {
      const genesisHash = await this.db.getGenesisHash();
      if (genesisHash && bytesEqual(genesisHash, hash)) return { status: "known", number: n, hash };
      throw this.invalid(
        new BlockError(BlockErrorCode.BAD_NUMBER, "Block 0 is the genesis: it is never sent"),
        block,
        hash,
        false,
      );
    }
    const ours = await this.db.getBlockByNumber(n);
    if (!ours) throw new NodeError(NodeErrorCode.STATE_MISMATCH, `Block ${n} is below the head but not stored`);
    const ourHash = blockHash(ours.header);
    if (bytesEqual(ourHash, hash)) return { status: "known", number: n, hash };
    if (!this.sealedBySequencer(block)) {
      throw this.invalid(
        new BlockError(BlockErrorCode.BAD_SEAL, `Block ${n}: not sealed by the sequencer`),
        block,
        hash,
        false,
      );
    }
    throw await this.equivocation(
      { hash: ourHash, header: ours.header, signature: ours.signature },
      block,
      hash,
      source,
    );
  }

  private async bufferBlock(block: SignedBlock, hash: Uint8Array, source: string | null): Promise<ImportResult> {
    const n = block.header.number;
    if (!this.sealedBySequencer(block)) {
      throw this.invalid(
        new BlockError(BlockErrorCode.BAD_SEAL, `Block ${n}: not sealed by the sequencer`),
        block,
        hash,
        false,
      );
    }
    await this.checkSeal(block, hash, source);
    const head = this.head.number;
    if (
      n - head > this.opts.maxAheadBlocks ||
      (this.buffer.size >= this.opts.maxBufferedBlocks && !this.buffer.has(n))
    ) {
      this.follower.requestSync();
      return { status: "ignored", number: n, hash };
    }
    this.buffer.set(n, { block, source });
    this.follower.noteRemoteHead(n);
    this.follower.requestSync();
    return { status: "buffered", number: n, hash };
  }

  /** Imports buffered blocks that now follow the head. A failing one is dropped (and reported). */
  private async drainBuffer(): Promise<void> {
    for (;;) {
      const next = this.buffer.get(this.head.number + 1);
      for (const n of this.buffer.keys()) if (n <= this.head.number) this.buffer.delete(n);
      if (!next) return;
      this.buffer.delete(next.block.header.number);
      try {
        await this.verifyAndCommit(next.block, blockHash(next.block.header), next.source);
      } catch (err) {
        this.logger.warn("buffered block refused", { number: next.block.header.number, source: next.source }, err);
        return;
      }
    }
  }

  /** Remember the first seal at a height above the head; a different sealed hash there is equivocation. */
  private async checkSeal(block: SignedBlock, hash: Uint8Array, source: string | null): Promise<void> {
    const n = block.header.number;
    const seen = this.seals.get(n);
    if (seen && !bytesEqual(seen.hash, hash)) throw await this.equivocation(seen, block, hash, source);
    if (!seen && this.seals.size < this.opts.maxBufferedBlocks + 1) {
      this.seals.set(n, { hash, header: block.header, signature: block.signature });
    }
  }

  private sealedBySequencer(block: SignedBlock): boolean {
    try {
      return bytesEqual(recoverBlockSigner(block.header, block.signature), this.opts.sequencer);
    } catch {
      return false;
    }
  }

  private async equivocation(
    first: Sealed,
    block: SignedBlock,
    hash: Uint8Array,
    source: string | null,
  ): Promise<VerifierError> {
    const n = block.header.number;
    const e = await this.evidenceStore.record({
      kind: "blockEquivocation",
      source,
      number: n,
      a: sealedHeaderJson(first.header, first.signature),
      b: sealedHeaderJson(block.header, block.signature),
    });
    this.metrics?.verifierEvidence.inc({ kind: "blockEquivocation" });
    return new VerifierError(VerifierErrorCode.EQUIVOCATION, `The sequencer sealed two blocks at height ${n}`, {
      details: { number: n, hashA: toHex(first.hash), hashB: toHex(hash), evidence: e.id },
    });
  }

  /** A refused block: a typed error, cached by hash; sealed by the sequencer, it is also evidence. */
  private invalid(cause: BlockError, block: SignedBlock, hash: Uint8Array, sealed: boolean): VerifierError {
    const err = new VerifierError(
      VerifierErrorCode.INVALID_BLOCK,
      `Block ${block.header.number} refused: ${cause.shortMessage}`,
      {
        cause,
        details: {
          ...withoutCode(cause.details),
          number: block.header.number,
          hash: toHex(hash),
          code: cause.code,
          sealed,
        },
      },
    );
    this.metrics?.verifierRejected.inc({ code: cause.code });
    if (sealed) {
      this.badBlocks.set(toHex(hash), err);
      if (this.badBlocks.size > MAX_BAD_BLOCKS) this.badBlocks.delete(this.badBlocks.keys().next().value as string);
    }
    return err;
  }

  private async recordInvalid(err: VerifierError, block: SignedBlock, hash: Uint8Array, source: string | null) {
    const cause = err.cause as BlockError;
    let bytes = "0x";
    try {
      bytes = toHex(encodeSignedBlock(block));
    } catch {
      // A block that does not encode came from a decoder that accepted it: keep the rest of the record.
    }
    const e = await this.evidenceStore.record({
      kind: "invalidBlock",
      source,
      number: block.header.number,
      hash: toHex(hash),
      code: cause.code,
      message: cause.shortMessage,
      details: cause.details,
      block: bytes as `0x${string}`,
    });
    this.metrics?.verifierEvidence.inc({ kind: "invalidBlock" });
    err.details.evidence = e.id;
  }

  /** The whole check of the block after the head, then one atomic commit. Nothing is applied on failure. */
  private async verifyAndCommit(block: SignedBlock, hash: Uint8Array, source: string | null): Promise<ImportResult> {
    const started = performance.now();
    const { header } = block;
    const head = this.head;
    const prev = this.state;
    try {
      assertBlockHeader(head.header, block, this.opts.sequencer);
    } catch (err) {
      if (!(err instanceof BlockError)) throw err;
      const sealed = err.code !== BlockErrorCode.BAD_SEAL && this.sealedBySequencer(block);
      const refused = this.invalid(err, block, hash, sealed);
      if (sealed) await this.recordInvalid(refused, block, hash, source);
      throw refused;
    }
    // Sealed by the sequencer from here on: a fault is evidence, and so is another seal at this height.
    await this.checkSeal(block, hash, source).catch((err) => {
      // Equivocation is recorded; the block itself may still be the valid one, so go on checking it.
      this.logger.warn("equivocation", { number: header.number }, err);
    });
    const nowSec = Math.floor(Date.now() / 1000);
    if (header.timestamp > nowSec + this.opts.maxFutureDriftSec) {
      throw new VerifierError(VerifierErrorCode.FUTURE_BLOCK, `Block ${header.number} is stamped in the future`, {
        details: { number: header.number, timestamp: header.timestamp, now: nowSec },
      });
    }
    let result: BlockExecutionResult | null = null;
    try {
      await this.checkDeposits(block);
      const validated = await (this.prepared.get(block) ??
        validateBlockTransactions(block.transactions, this.chainId, this.recoverer));
      result = applyBlock(prev, block, {
        chainId: this.chainId,
        minTxFee: this.chain.minTxFee,
        maxBlockTxs: this.chain.maxBlockTxs,
        maxBlockDeposits: this.chain.maxBlockDeposits,
        validated,
      });
      assertBlockRoots(header, result);
    } catch (err) {
      if (!(err instanceof BlockError)) throw err;
      // The seal covers the body only through txRoot: a body that does not hash to it was changed on
      // the way (anyone can do that), so it is refused without blaming the sequencer or the block's hash.
      const sealed = result ? bytesEqual(result.roots.txRoot, header.txRoot) : bodyMatchesHeader(block);
      const refused = this.invalid(err, block, hash, sealed);
      if (sealed) await this.recordInvalid(refused, block, hash, source);
      throw refused;
    }
    try {
      // Committed, the head advances in memory (Chain.commit).
      await this.core.commit({ block, result, prev, journalRemove: [] }, hash);
    } catch (err) {
      if (!this.closed) this.fail(`block ${header.number} could not be committed`, err);
      throw err;
    }
    this.seals.delete(header.number);
    for (const n of this.seals.keys()) if (n <= header.number) this.seals.delete(n);
    const seconds = (performance.now() - started) / 1000;
    this.metrics?.verifierBlocks.inc();
    this.metrics?.verifierBlockSeconds.observe(seconds);
    this.logger.debug("block verified", {
      number: header.number,
      txs: block.transactions.length,
      deposits: block.deposits.length,
      ms: Math.round(seconds * 1000),
      source,
    });
    this.forwarder.settle(result.receipts);
    this.events.emit("newHead", block, result.receipts);
    for (const r of result.receipts) this.events.emit("txStatus", toHex(r.txHash));
    return { status: "imported", number: header.number, hash };
  }

  /**
   * Start the stateless checks and signature recovery of a block that will be imported soon, so the
   * pool recovers it while this thread executes and commits the blocks before it (sync and rebuild
   * prepare a few blocks ahead). Idempotent; the result is used if this very block object is imported.
   */
  prepare(block: SignedBlock): void {
    if (this.prepared.has(block) || block.transactions.length === 0 || block.header.chainId !== this.chainId) return;
    const job = validateBlockTransactions(block.transactions, this.chainId, this.recoverer);
    job.catch(() => {}); // surfaced (as the block's error) when the block is imported
    this.prepared.set(block, job);
  }

  /** With an L1 view, the block's L1 messages must be the bridge's, at the same nonces, final. */
  private async checkDeposits(block: SignedBlock): Promise<void> {
    if (!this.depositSource || block.deposits.length === 0) return;
    const first = block.deposits[0]!.l1Nonce;
    const l1 = await this.depositSource.pending(first - 1, block.deposits.length);
    for (let i = 0; i < block.deposits.length; i++) {
      const d = block.deposits[i]!;
      const want = l1[i];
      if (!want) {
        throw new VerifierError(
          VerifierErrorCode.DEPOSITS_UNCONFIRMED,
          `Block ${block.header.number}: L1 message ${d.l1Nonce} is not final on this node's L1 view yet`,
          { details: { number: block.header.number, l1Nonce: d.l1Nonce } },
        );
      }
      if (!bytesEqual(Deposit.serialize(d), Deposit.serialize(want))) {
        throw new BlockError(
          BlockErrorCode.BAD_L1_MESSAGE,
          `Deposit ${i} is not the L1 message with nonce ${d.l1Nonce}`,
          {
            details: { index: i, l1Nonce: d.l1Nonce, l1: Deposit.toJson(want), block: Deposit.toJson(d) },
          },
        );
      }
    }
  }

  // --- sync ---

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
    const reason =
      err instanceof DbError && err.code === DbErrorCode.STORAGE
        ? String(err.details.reason)
        : err instanceof FilverseError
          ? err.shortMessage
          : String((err as Error)?.message ?? err);
    this.failure_ = new NodeError(NodeErrorCode.FAILED, `The verifier stopped: ${what} (${reason})`, {
      cause: err,
      details: { reason },
    });
    this.follower.stop();
    this.buffer.clear();
    this.logger.error("verifier stopped", { what, reason }, err);
    this.events.emit("failed", this.failure_);
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

/** A BlockError's details, its transaction's validation code (if any) renamed `txCode`. */
function withoutCode(details: Record<string, unknown>): Record<string, unknown> {
  const { code, ...rest } = details;
  return code === undefined ? rest : { ...rest, txCode: code };
}
