/**
 * The sequencer node: admits signed transactions (journaled before their hash is returned), seals a
 * block every blockTimeMs or at maxBlockTxs, executes it with the state machine, signs it, and
 * commits block, receipts, state changes, indexes and head in one atomic LevelDB batch.
 */

import type { EventEmitter } from "node:events";
import { privateKeyToAddress } from "@filverse/crypto";
import type { ChainDb, RewindOutcome } from "@filverse/db";
import type { ChainConfig } from "@filverse/params";
import { type State, TxValidationError, TxValidationErrorCode } from "@filverse/state";
import { type PreconfirmationJson, RpcErrorCode, type TxDropReason } from "@filverse/types";
import { fromHex, type Hex, type Logger, nullLogger, toHex } from "@filverse/utils";
import { followSignal } from "../abort.js";
import { Chain } from "../chain/chain.js";
import type { DropInfo, HeadInfo, NodeEvents } from "../chain/interface.js";
import type { RewindRequest } from "../chain/rewind.js";
import { NodeError, NodeErrorCode, nodeFailure, SubmitError } from "../errors.js";
import type { NodeMetrics } from "../metrics.js";
import type { Evidence } from "../verifier/evidence.js";
import { Admission } from "./admission.js";
import { BlockProducer } from "./blockProducer.js";
import { DropLog } from "./dropLog.js";
import { JournalWriter, replayJournal } from "./journal.js";
import { Mempool, type PoolTx } from "./mempool.js";
import type { SequencerModules, SequencerOpts } from "./options.js";
import { notPreconfirmed, PreconfirmationStore, type Preconfirmed, preconfirmationToJson } from "./preconfirmations.js";
import { rewindSequencer, type SequencerRewindParts } from "./rewind.js";

export { defaultSequencerOpts, type SequencerModules, type SequencerOpts } from "./options.js";

export class Sequencer {
  /** The chain core the verifier shares: the database, the head and its state, the indexes, the events. */
  readonly core: Chain;
  readonly events: EventEmitter<NodeEvents>;
  readonly mempool: Mempool;
  readonly address: Uint8Array;
  private readonly opts: SequencerOpts;
  private readonly logger: Logger;
  private readonly metrics: NodeMetrics | null;
  private readonly drops: DropLog;
  private readonly journalWriter: JournalWriter;
  /** From JSON-RPC to a durable hash: checks, recovery on the pool, the mempool, the journal. */
  private readonly admission: Admission;
  /** Execution into the open block, sealing and commit. */
  private readonly producer: BlockProducer;
  /** Transactions executed into the open block or a block being committed (the producer's map). */
  private readonly executing: Map<string, PoolTx>;
  /** Durable preconfirmations until their block is committed: signed on demand, waited for by sync sends. */
  private readonly preconfirmations: PreconfirmationStore;
  /** Set once block production or the journal failed: nothing is admitted or sealed after it. */
  private fatal: NodeError | null = null;
  private closed = false;
  /** Rewinds run one at a time; what they act on (sequencer/rewind.ts). */
  private rewinding: Promise<unknown> = Promise.resolve();
  private readonly rewindParts: Omit<SequencerRewindParts, "resume">;
  /** Aborted by close() or by the node's signal (`modules.signal`): production stops at once. */
  private readonly controller: AbortController;

  constructor(opts: SequencerOpts, modules: SequencerModules) {
    this.opts = opts;
    this.address = privateKeyToAddress(modules.key);
    this.logger = (modules.logger ?? nullLogger).child({ module: "sequencer" });
    this.metrics = modules.metrics ?? null;
    this.controller = followSignal(modules.signal, closedError);
    this.drops = new DropLog(opts.droppedHistory, this.metrics);
    this.journalWriter = new JournalWriter({
      db: () => this.db,
      logger: this.logger,
      onFailure: (what, err) => this.fail(what, err),
    });
    this.mempool = new Mempool(opts.mempool);
    this.core = new Chain(
      {
        chain: opts.chain,
        genesis: opts.genesis,
        proposer: this.address,
        dataDir: opts.dataDir,
        stateHistory: opts.stateHistory,
        returnRewoundTransactions: true,
      },
      { metrics: this.metrics },
    );
    this.events = this.core.events;
    this.preconfirmations = new PreconfirmationStore({
      chainId: opts.chain.chainId,
      key: modules.key,
      emit: (p) => this.events.emit("preconfirmation", p),
      listening: () => this.events.listenerCount("preconfirmation") > 0,
    });
    this.producer = new BlockProducer(opts, {
      core: this.core,
      mempool: this.mempool,
      key: modules.key,
      address: this.address,
      depositSource: modules.deposits ?? null,
      metrics: this.metrics,
      logger: this.logger,
      host: {
        onDropped: (tx, reason, o) => this.onDropped(tx, reason, o),
        onExecutionFault: (tx, err) => this.onExecutionFault(tx, err),
        fail: (what, err) => this.fail(what, err),
        onPreconfirmed: (items) => {
          this.preconfirmations.add(items);
          for (const p of items) this.events.emit("txStatus", p.hash);
        },
        onSealed: (hashes) => this.preconfirmations.sealed(hashes),
      },
      recorder: this.journalWriter,
      signal: this.controller.signal,
    });
    this.executing = this.producer.executing;
    this.admission = new Admission({
      chain: opts.chain,
      mempool: this.mempool,
      executing: this.executing,
      recoverer: modules.recoverer ?? null,
      journal: this.journalWriter,
      metrics: this.metrics,
      host: {
        account: (a) => this.account(a),
        checkSponsorship: (vtx, reserved) => this.producer.checkSponsorship(vtx, reserved),
        db: () => this.db,
        onDropped: (tx, reason, o) => this.onDropped(tx, reason, o),
        queued: () => this.producer.schedulePump(),
        accepted: (hash) => this.events.emit("txStatus", hash),
      },
    });
    const { core, producer, journalWriter, preconfirmations, mempool, drops, logger, metrics } = this;
    this.rewindParts = {
      ...{ core, producer, journalWriter, preconfirmations, logger, metrics },
      deposits: modules.deposits ?? null,
      journal: { chainId: opts.chain.chainId, mempool, drops, logger },
    };
  }

  /**
   * Seal the open block now and commit it (normally every blockTimeMs, or when full); see
   * BlockProducer.seal.
   */
  seal(): Promise<void> {
    return this.producer.seal();
  }

  get chainId(): number {
    return this.opts.chain.chainId;
  }
  get chain(): ChainConfig {
    return this.opts.chain;
  }
  get db(): ChainDb {
    return this.core.db;
  }
  get state(): State {
    return this.core.state;
  }
  get head(): HeadInfo {
    return this.core.head;
  }

  /** The state after block `n`, if still kept in memory. */
  stateAt(n: number): State | undefined {
    return this.core.stateAt(n);
  }

  /**
   * Why the sequencer stopped making progress (a block commit or a journal write failed, e.g. a full
   * disk), or null. Sticky: only a restart, which reopens the database, clears it.
   */
  get failure(): NodeError | null {
    return this.fatal;
  }

  /** Opens the database, loads the head state and replays the journal. A failed start closes the database. */
  async start(): Promise<void> {
    try {
      await this.openAndLoad();
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  private async openAndLoad(): Promise<void> {
    const { chain } = this.opts;
    await this.core.open();
    const { head, state } = this.core;
    await replayJournal({
      db: this.db,
      chainId: this.chainId,
      state: this.state,
      mempool: this.mempool,
      drops: this.drops,
      logger: this.logger,
    });
    this.logger.info("sequencer started", {
      chainId: chain.chainId,
      head: head.number,
      stateRoot: toHex(state.roots().stateRoot),
      address: toHex(this.address),
      pending: this.mempool.size,
    });
    await this.producer.start();
  }

  /** Idempotent. Stops sealing, lets an in-flight block commit, flushes the journal, closes the DB. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.controller.abort(closedError());
    // A block being committed finishes; the open block is dropped: the next start rebuilds it from its
    // record (preconfirmed transactions, in order) and the journal (the rest return to the mempool).
    await this.producer.close();
    this.preconfirmations.close();
    await this.journalWriter.idle();
    await this.core.close();
    this.logger.info("sequencer closed");
  }

  /** L1 removed checkpoints proven wrong: go back and produce again (sequencer/rewind.ts); null if already applied. */
  rewind(req: RewindRequest): Promise<RewindOutcome | null> {
    const parts = { ...this.rewindParts, resume: () => !this.fatal && !this.closed };
    const run = this.rewinding.then(() =>
      this.closed || this.fatal
        ? null
        : rewindSequencer(req, parts).catch((err: unknown) => {
            this.fail("the rewind failed", err);
            throw err;
          }),
    );
    this.rewinding = run.catch(() => null);
    return run;
  }

  /** An account where execution has got to (BlockProducer.account). */
  private account(address: Uint8Array): { nonce: number; balance: bigint } {
    return this.producer.account(address);
  }

  /** The nonce a sender's next transaction should carry (RPC getAccount's pendingNonce). */
  pendingNonce(address: Uint8Array): number {
    return this.mempool.pendingNonce(address, this.account(address).nonce);
  }

  /** Transactions admitted and not yet executed into a block. */
  pendingCount(): number {
    return this.mempool.size;
  }

  /** The chain's minimum fee, and past 80% of the mempool more than its cheapest pending fee. */
  feeEstimate(): { minFee: bigint; suggestedFee: bigint } {
    const minFee = this.chain.minTxFee;
    let suggestedFee = minFee;
    if (this.mempool.size >= this.mempool.opts.maxTxs * 0.8) {
      let lowest: bigint | null = null;
      for (const t of this.mempool.select(this.mempool.opts.maxTxs, () => 0))
        if (lowest === null || t.fee < lowest) lowest = t.fee;
      if (lowest !== null && lowest + 1n > suggestedFee) suggestedFee = lowest + 1n;
    }
    return { minFee, suggestedFee };
  }

  /** The sequencer makes the chain: it is never behind. */
  syncing(): boolean {
    return false;
  }

  /** Evidence is a verifier's; the sequencer records none. */
  evidence(): Evidence[] {
    return [];
  }

  /** A transaction admitted and not yet committed (in the mempool or in a block being built). */
  pendingTx(hash: string): PoolTx | undefined {
    return this.mempool.get(hash) ?? this.executing.get(hash);
  }

  /**
   * Admit a transaction from JSON-RPC. Resolves with its hash only once it is durable (journaled
   * with fsync), so a returned hash survives kill -9. Throws SubmitError with the RPC code.
   */
  submitJson(json: unknown): Promise<Hex> {
    const refused = this.refusal();
    // Not async: the admission's promise is returned as is (no extra hop on the hot path).
    return refused ? Promise.reject(refused) : this.admission.submitJson(json);
  }

  /** Why nothing is admitted now (closing, failed), or null. */
  private refusal(): SubmitError | null {
    if (this.closed) return new SubmitError(RpcErrorCode.UNAVAILABLE, "The node is shutting down");
    if (this.fatal) {
      return new SubmitError(RpcErrorCode.UNAVAILABLE, this.fatal.shortMessage, { details: { reason: "node failed" } });
    }
    return null;
  }

  /** Admit a transaction given as its SSZ bytes (sendRawTransaction); otherwise as submitJson. */
  submitRaw(bytes: Uint8Array): Promise<Hex> {
    const refused = this.refusal();
    return refused ? Promise.reject(refused) : this.admission.submitBytes(bytes);
  }

  /**
   * Admit (JSON, or SSZ bytes) and resolve with the transaction's signed preconfirmation, once the
   * open block executed it and its record is durable. SubmitError NOT_PRECONFIRMED after
   * `timeoutMs` (the transaction stays admitted; `details.status` "pending"), or at once when it is
   * already in a sealed block ("sequenced") or was dropped.
   */
  async submitSync(tx: unknown, timeoutMs: number): Promise<PreconfirmationJson> {
    return preconfirmationToJson(await this.submitAndWait(tx, timeoutMs));
  }

  private async submitAndWait(tx: unknown, timeoutMs: number): Promise<Preconfirmed> {
    const hash = tx instanceof Uint8Array ? await this.submitRaw(tx) : await this.submitJson(tx);
    const ready = this.preconfirmations.get(hash);
    if (ready) return ready;
    if (!this.pendingTx(hash)) {
      const sealed = await this.db.getTxLocation(fromHex(hash));
      throw notPreconfirmed(
        hash,
        sealed ? "sequenced" : "dropped",
        sealed ? "The transaction is already in a sealed block" : "The transaction was dropped",
      );
    }
    return this.preconfirmations.wait(hash, timeoutMs);
  }

  /** A transaction's signed preconfirmation while its block is not committed yet. */
  preconfirmation(hash: string): Preconfirmed | undefined {
    return this.preconfirmations.get(hash);
  }

  /** getPreconfirmation over RPC: null once the block is committed (the receipt is final then) or if unknown. */
  async getPreconfirmation(hash: string): Promise<PreconfirmationJson | null> {
    const p = this.preconfirmations.get(hash);
    return p ? preconfirmationToJson(p) : null;
  }

  /** Where a preconfirmed transaction will be, while its block is not committed (no signing). */
  preconfirmedAt(hash: string): { number: number; position: number } | undefined {
    return this.preconfirmations.peek(hash);
  }

  /**
   * Forget a dropped transaction everywhere, its journal entry included (unless `keepEntry`: its
   * successor's journal write deletes it), so it cannot come back at restart.
   */
  private onDropped(tx: PoolTx, reason: TxDropReason, opts: { code?: number; keepEntry?: boolean } = {}): void {
    this.drops.add(tx.hash, opts.code === undefined ? { reason } : { reason, code: opts.code });
    if (!opts.keepEntry && !this.closed) {
      this.db
        .journalDelete([fromHex(tx.hash)])
        .catch((err) => this.logger.warn("journal delete failed", { hash: tx.hash }, err));
    }
    this.logger.debug("transaction dropped", { hash: tx.hash, reason });
    this.preconfirmations.refuse(tx.hash, "dropped", `The transaction was dropped (${reason})`);
    this.events.emit("txStatus", tx.hash);
  }

  /**
   * A transaction admission accepted made execution throw, or would have made the block unencodable:
   * a bug or a bound admission misses. Dropped (its journal entry too, so a restart does not replay
   * it into the next block), logged as an error for the operator, counted by the metric.
   */
  private onExecutionFault(tx: PoolTx, err: unknown): void {
    const cause = err instanceof TxValidationError && err.cause !== undefined ? err.cause : err;
    this.logger.error(
      "transaction dropped: execution fault",
      {
        hash: tx.hash,
        kind: tx.vtx.tx.kind,
        sender: tx.sender,
        nonce: tx.nonce,
        ...(err instanceof TxValidationError ? err.details : {}),
      },
      cause,
    );
    this.onDropped(tx, "execution_fault", { code: TxValidationErrorCode.EXECUTION_FAULT });
  }

  isDropped(hash: string): boolean {
    return this.drops.has(hash);
  }

  /** Why a remembered dropped transaction was dropped. */
  dropInfo(hash: string): DropInfo | undefined {
    return this.drops.get(hash);
  }

  /**
   * A commit or a journal write failed: later blocks would build on a state the database does not
   * have, and the storage may refuse every write until it is reopened. Stop admitting and sealing,
   * and say so (`failure`, the `failed` event, /healthz): the remedy is a restart.
   */
  private fail(what: string, err: unknown): void {
    if (this.fatal) return;
    const failure = nodeFailure("sequencer", what, err);
    this.fatal = failure;
    this.producer.halt();
    // Sync senders still waiting get their answer now, not at their timeout.
    this.preconfirmations.rejectWaiters(
      new SubmitError(RpcErrorCode.UNAVAILABLE, failure.shortMessage, { details: { reason: "node failed" } }),
    );
    this.logger.error("sequencer stopped", { what, reason: failure.details.reason }, err);
    this.events.emit("failed", failure);
  }
}

function closedError(): NodeError {
  return new NodeError(NodeErrorCode.CLOSED, "The sequencer is closed");
}
