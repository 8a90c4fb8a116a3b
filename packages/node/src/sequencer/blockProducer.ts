/**
 * Block production: admitted transactions execute into the open block slice by slice (the pump),
 * each slice's preconfirmations are recorded in one synced batch and then handed out, a block is
 * sealed every blockTimeMs or when full, signed and committed (Chain.commit) while the next one
 * already executes on its state. Commits stay in order: one seal runs at a time. At start, open
 * blocks recorded before a stop or crash are rebuilt in the recorded order (rebuild()).
 */
import { signBlockHeader } from "@filverse/crypto";
import type { PreconfirmedTx, StoredOpenBlock } from "@filverse/db";
import {
  type BlockExecutionResult,
  type FeePlan,
  planFee,
  type Reserved,
  TxValidationError,
  TxValidationErrorCode,
  type ValidatedTransaction,
} from "@filverse/state";
import {
  type BlockHeader,
  blockHash,
  type Deposit,
  Namespace,
  type SignedBlock,
  type TxDropReason,
} from "@filverse/types";
import type { Logger } from "@filverse/utils";
import type { Chain } from "../chain/chain.js";
import type { DepositSource } from "../chain/interface.js";
import type { NodeMetrics } from "../metrics.js";
import { CheckpointFill } from "./checkpointFill.js";
import type { JournalWriter } from "./journal.js";
import type { Mempool, PoolTx } from "./mempool.js";
import {
  type BlockParams,
  includeExecuted,
  newOpenBlock,
  type OpenBlock,
  rebuildOpenBlock,
  type Tip,
} from "./openBlock.js";
import type { SequencerOpts } from "./options.js";
import type { Preconfirmed } from "./preconfirmations.js";

/** Where open-block records go: the write-ahead log, behind the journal entries of what they record. */
export type OpenBlockRecorder = Pick<JournalWriter, "record" | "barrier" | "idle">;

/**
 * Transactions executed per pump step: about 15 ms of work at ~60 µs each (measured), short
 * enough that admission keeps flowing between steps.
 */
const PUMP_SLICE = 256;
/**
 * And at most about this long: a slice stops early once it has run this many milliseconds, so that
 * sync senders whose records are ready are not held up behind a long slice (a backlog after a seal
 * would otherwise execute 256 transactions, 15–25 ms, in one stall) and its preconfirmations go
 * to the log sooner. The rest stay in the mempool for the next slice.
 */
const PUMP_SLICE_MS = 4;
/**
 * But a slice executes at least this many before the clock may stop it: on a busy machine a
 * thread that loses its core for a moment would otherwise cut slices after one or two
 * transactions, and pay a mempool walk, a record and a loop turn for each.
 */
const PUMP_MIN_SLICE = 32;
/**
 * Sealing puts the block's writes into the state tree this many at a time, serving the event loop
 * between the pieces and before each root (BlockExecutor.finishInSlices): a block of a few
 * thousand writes would otherwise hold it for 5–15 ms in one piece.
 */
const FINISH_SLICE = 512;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** What production reports to the sequencer: drops, execution faults, a failure that stops it. */
export type ProducerHost = {
  onDropped(tx: PoolTx, reason: TxDropReason, opts?: { code?: number; keepEntry?: boolean }): void;
  onExecutionFault(tx: PoolTx, err: unknown): void;
  /** Block production or a commit failed: the sequencer stops (and calls halt()). */
  fail(what: string, err: unknown): void;
  /** Preconfirmations whose record is durable (in block order): they may leave the process now. */
  onPreconfirmed(items: Preconfirmed[]): void;
  /** A block was committed: its transactions' preconfirmations are settled. */
  onSealed(hashes: string[]): void;
};

export type BlockProducerModules = {
  core: Chain;
  mempool: Mempool;
  /** The sequencer's key: it seals every block. Never logged. */
  key: Uint8Array;
  address: Uint8Array;
  depositSource: DepositSource | null;
  metrics: NodeMetrics | null;
  logger: Logger;
  host: ProducerHost;
  /** Writes what preconfirmations promise, before they are handed out (the write-ahead log). */
  recorder: OpenBlockRecorder;
  /** The sequencer's signal: once aborted, nothing is pumped, opened or sealed, and the seal timer is cleared. */
  signal: AbortSignal;
};

export class BlockProducer {
  /** Transactions executed into the open block or a block being committed: still "pending". */
  readonly executing = new Map<string, PoolTx>();
  private readonly opts: SequencerOpts;
  private readonly core: Chain;
  private readonly mempool: Mempool;
  private readonly key: Uint8Array;
  private readonly address: Uint8Array;
  private readonly depositSource: DepositSource | null;
  private readonly metrics: NodeMetrics | null;
  private readonly logger: Logger;
  private readonly host: ProducerHost;
  private readonly recorder: OpenBlockRecorder;
  private readonly signal: AbortSignal;
  /** The last sealed block: committed, or being committed while the next one executes on it. */
  private tip: Tip | null = null;
  /** The block being filled: admitted transactions execute into it slice by slice. */
  private open: OpenBlock | null = null;
  private opening: Promise<void> | null = null;
  /**
   * The block being finished (its roots computed in slices): until its state becomes the tip,
   * account() reads its executor and a new block waits (`tipMoved`) to open on it.
   */
  private finishing: OpenBlock | null = null;
  private tipMoved: Promise<void> | null = null;
  private sealing: Promise<void> | null = null;
  private pumpScheduled = false;
  private sealTimer: NodeJS.Timeout | null = null;
  /** Set by halt() once the sequencer failed: nothing is sealed after it. */
  private halted = false;
  /** Until start() has rebuilt the recorded open blocks, nothing is pumped (it would open a block of its own). */
  private rebuilding = true;
  /** When a checkpoint range is due and empty blocks are sealed to complete it; null: never. */
  private readonly fill: CheckpointFill | null;
  /** The last range end logged as being completed (one log line per range). */
  private fillLogged = 0;

  constructor(opts: SequencerOpts, modules: BlockProducerModules) {
    this.opts = opts;
    this.core = modules.core;
    this.mempool = modules.mempool;
    this.key = modules.key;
    this.address = modules.address;
    this.depositSource = modules.depositSource;
    this.metrics = modules.metrics;
    this.logger = modules.logger;
    this.host = modules.host;
    this.recorder = modules.recorder;
    this.signal = modules.signal;
    this.signal.addEventListener("abort", () => this.stopTimer(), { once: true });
    const fill = opts.checkpointFill ? new CheckpointFill(opts.chain.checkpointInterval, opts.checkpointFill) : null;
    this.fill = fill?.enabled ? fill : null;
  }

  /**
   * Start producing on the chain's head: rebuild the open blocks recorded before a stop or crash
   * (the journal must be replayed into the mempool first), then the seal timer, and a pump for what
   * the journal restored. Throws NodeError PRECONFIRMATION_MISMATCH when a rebuild would break a
   * preconfirmation.
   */
  async start(): Promise<void> {
    if (this.signal.aborted) return;
    const head = this.core.head;
    this.tip = { state: this.core.state, header: head.header, hash: head.hash };
    await this.fill?.restore(head.number, async (n) =>
      n === 0 ? this.core.db.getGenesisHeader() : ((await this.core.db.getBlockByNumber(n))?.header ?? null),
    );
    await this.rebuild();
    this.rebuilding = false;
    if (this.signal.aborted) return;
    // The journal's Via transactions hold their share of their allowances, grants and payers again,
    // planned against the rebuilt open block (admission measures new ones against it); one no longer
    // covered holds nothing, and pump() drops it.
    for (const ptx of this.mempool.all()) {
      if (ptx.vtx.tx.via === undefined || ptx.holds !== undefined) continue;
      try {
        this.mempool.setHolds(ptx, this.checkSponsorship(ptx.vtx, this.mempool.reserved(ptx.vtx)));
      } catch {
        // Not includable now: it holds nothing.
      }
    }
    this.sealTimer = setInterval(() => void this.seal(), this.opts.chain.blockTimeMs);
    this.schedulePump();
  }

  /**
   * Re-execute each recorded open block above the head: same number, timestamp and deposits, its
   * preconfirmed transactions (their bytes from the journal, now in the mempool) in the recorded
   * order, each receipt and write set checked against what was promised. Every block but the last
   * is sealed at once (its successor was already opened on it); the last stays open and fills on.
   */
  private async rebuild(): Promise<void> {
    const stored = await this.core.db.openBlocks();
    const stale = stored.filter((b) => b.params.number <= this.tip!.header.number);
    if (stale.length > 0) await this.core.db.openBlockDelete(stale);
    const live = stored.filter((b) => b.params.number > this.tip!.header.number);
    for (let i = 0; i < live.length; i++) {
      const open = this.rebuildBlock(live[i]!);
      if (i === live.length - 1) {
        this.open = open;
        break;
      }
      // Committed at once and in order (seal() is not running yet).
      await this.sealAndCommit(open);
    }
  }

  private rebuildBlock(b: StoredOpenBlock): OpenBlock {
    const { open, items } = rebuildOpenBlock(b, this.tip!, this.blockParams(), {
      mempool: this.mempool,
      logger: this.logger,
    });
    for (const ptx of open.included) this.executing.set(ptx.hash, ptx);
    this.host.onPreconfirmed(items);
    return open;
  }

  /**
   * A rewind is about to move the head back: stop pumping and sealing, let the block being committed
   * land, and drop the open block (its transactions are still in the journal, so journal replay
   * returns them to the mempool). start() produces again on the rewound head.
   */
  async pause(): Promise<void> {
    this.rebuilding = true;
    this.stopTimer();
    await this.opening?.catch(() => {});
    await this.sealing?.catch(() => {});
    await this.recorder.idle();
    this.open = null;
    this.tip = null;
    this.executing.clear();
  }

  /** The sequencer failed: stop sealing (a commit in flight finishes). */
  halt(): void {
    this.halted = true;
    this.stopTimer();
  }

  private stopTimer(): void {
    if (this.sealTimer) clearInterval(this.sealTimer);
    this.sealTimer = null;
  }

  /**
   * After the signal is aborted (which stops sealing): let a block being committed finish and the
   * preconfirmation records being written land; the open block is dropped here, and rebuilt from
   * its record (its transactions from the journal) at the next start.
   */
  async close(): Promise<void> {
    await this.sealing?.catch(() => {});
    await this.recorder.idle();
    this.open = null;
  }

  /**
   * An account where execution has got to: the open block's working state, else the last sealed
   * block's. Admission and selection use it, so nonces already executed are not offered again.
   */
  /**
   * A Via transaction's session and sponsor checks (codes 202, 205–214) where execution has got to:
   * the open block's working state and timestamp, else the head's state at the time a block opened
   * now would have. Throws TxValidationError.
   */
  checkSponsorship(vtx: ValidatedTransaction, reserved?: Reserved): FeePlan {
    if (this.open) return this.open.executor.checkSponsorship(vtx, reserved);
    if (this.finishing) return this.finishing.executor.checkSponsorship(vtx, reserved);
    const tip = this.tip;
    const state = tip?.state ?? this.core.state;
    const now = Math.max(tip?.header.timestamp ?? 0, Math.floor(Date.now() / 1000));
    // The snapshot's reads are what the open block would read first.
    return planFee(state, vtx, now, reserved);
  }

  account(address: Uint8Array): { nonce: number; balance: bigint } {
    if (this.open) return this.open.executor.account(address);
    if (this.finishing) return this.finishing.executor.account(address);
    const a = (this.tip?.state ?? this.core.state).get(Namespace.Account, address);
    return a ? { nonce: a.nonce, balance: a.balance } : { nonce: 0, balance: 0n };
  }

  /** Run pump() soon (coalesced): admission never waits for execution. */
  schedulePump(): void {
    if (this.pumpScheduled || this.signal.aborted || this.rebuilding) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump().catch((err) => this.host.fail("block production failed", err));
    });
  }

  /**
   * Execute ready transactions into the open block, PUMP_SLICE (or PUMP_SLICE_MS) at a time, so that execution is
   * spread between requests instead of one long stall at seal time (the profile showed 100–250 ms
   * event-loop stalls per block before this). Opens a block when there is none.
   */
  private async pump(): Promise<void> {
    if (this.signal.aborted || this.halted || this.rebuilding || this.mempool.size === 0) return;
    if (!this.open) await this.openBlock();
    const open = this.open;
    if (!open) {
      // A seal dropped the block we waited for: try again, or admitted transactions would wait
      // for the next submission.
      if (this.mempool.size > 0) this.schedulePump();
      return;
    }
    const room = this.opts.chain.maxBlockTxs - open.included.length;
    const batch =
      room > 0 ? this.mempool.select(Math.min(room, PUMP_SLICE), (s) => open.executor.account(s).nonce) : [];
    let full = false;
    let cut = false;
    const records: PreconfirmedTx[] = [];
    const items: Preconfirmed[] = [];
    const deadline = performance.now() + PUMP_SLICE_MS;
    for (const ptx of batch) {
      if (records.length >= PUMP_MIN_SLICE && performance.now() > deadline) {
        cut = true;
        break;
      }
      // Past the size one gossip message carries: this and the rest wait in the mempool.
      if (open.bytes + 4 + ptx.bytes.length > this.opts.maxBlockBytes && open.included.length > 0) {
        full = true;
        break;
      }
      this.mempool.remove(ptx.hash);
      try {
        const item = includeExecuted(open, ptx, open.executor.applyTransactionPreconfirmed(ptx.vtx));
        this.executing.set(ptx.hash, ptx);
        const { position, receiptRoot, touchedRoot } = item.preconfirmation;
        records.push({ position, hash: ptx.vtx.hash, receiptRoot, touchedRoot });
        items.push(item);
      } catch (err) {
        // The executor left nothing of it behind (its undo log). Whatever it threw, this one
        // transaction goes and the block goes on: execution touches no storage, so no error here
        // is a reason to stop the chain.
        open.rejected.push(ptx);
        if (err instanceof TxValidationError && err.code !== TxValidationErrorCode.EXECUTION_FAULT) {
          // Not includable any more (e.g. its fee is no longer covered).
          this.host.onDropped(ptx, "not_includable", { code: err.code });
        } else {
          this.host.onExecutionFault(ptx, err);
        }
      }
    }
    if (records.length > 0) this.record(open, records, items);
    if (full || open.included.length >= this.opts.chain.maxBlockTxs) setImmediate(() => void this.seal());
    else if (cut || batch.length === PUMP_SLICE) this.schedulePump();
  }

  /**
   * The slice's preconfirmations are handed out only once their record is durable: the block's
   * parameters (first time) and each transaction's hash, receiptRoot and touchedRoot, in one synced
   * batch shared with whatever else queued meanwhile, journal entries included (JournalWriter): a
   * transaction executed while its entry is still queued gets its record in the same batch or a
   * later one, so one fsync usually covers both.
   */
  private record(open: OpenBlock, records: PreconfirmedTx[], items: Preconfirmed[]): void {
    const params = open.recorded
      ? null
      : { number: open.number, parentHash: open.parent.hash, timestamp: open.timestamp, deposits: open.deposits };
    open.recorded = true;
    const write = this.recorder.record({ number: open.number, params, preconfirmed: records });
    open.durable = write;
    write.then(
      () => this.host.onPreconfirmed(items),
      (err) => this.host.fail("a preconfirmation record could not be written", err),
    );
  }

  private blockParams(): BlockParams {
    return { chainId: this.opts.chain.chainId, proposer: this.address, minTxFee: this.opts.chain.minTxFee };
  }

  /** Open a block on the last sealed state, with the deposits that are final on L1. */
  private openBlock(): Promise<void> {
    this.opening ??= (async () => {
      // A block being finished becomes the tip first: the next one opens on its state.
      while (this.tipMoved) await this.tipMoved;
      const tip = this.tip!;
      let deposits: Deposit[] = [];
      try {
        if (this.depositSource)
          deposits = await this.depositSource.pending(
            tip.state.globals().l1DepositNonce,
            this.opts.chain.maxBlockDeposits,
          );
      } catch (err) {
        // A transient L1 error must not stop the chain: this block goes without deposits; the next retries.
        this.logger.warn("deposit source failed; sealing without deposits", {}, err);
      }
      if (this.signal.aborted || this.open) return;
      const timestamp = Math.max(tip.header.timestamp, Math.floor(Date.now() / 1000));
      this.open = newOpenBlock(tip, this.blockParams(), timestamp, deposits);
    })().finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  /**
   * Every blockTimeMs (or when full): seal the open block and commit it in one atomic batch. The
   * next block starts executing on the sealed state while the commit is in flight; commits stay in
   * order because only one seal runs at a time.
   */
  async seal(): Promise<void> {
    if (this.sealing || this.signal.aborted || this.halted || this.rebuilding) return;
    const due = this.fillDue();
    // An idle chain still takes deposits, and completes a checkpoint range that is due.
    if (!this.open && (this.depositSource || due)) await this.openBlock();
    const open = this.open;
    if (!open) return;
    if (open.included.length === 0 && open.deposits.length === 0 && !this.opts.sealEmptyBlocks && !due) {
      this.open = null; // nothing executed: drop it, so a later block gets a fresh timestamp
      if (this.mempool.size > 0) this.schedulePump();
      return;
    }
    this.open = null;
    this.sealing = this.sealAndCommit(open)
      .catch((err) => this.host.fail(`block ${open.parent.header.number + 1} could not be committed`, err))
      .finally(() => {
        this.sealing = null;
      });
    this.schedulePump();
    await this.sealing;
  }

  /** Whether the open checkpoint range must be completed now (logged once per range). */
  private fillDue(): boolean {
    const why = this.fill?.due(Math.floor(Date.now() / 1000)) ?? null;
    const end = this.fill?.rangeEnd ?? null;
    if (!why || end === null) return false;
    if (end !== this.fillLogged) {
      this.fillLogged = end;
      this.logger.info("completing the checkpoint range with empty blocks", {
        reason: why,
        lastBlock: end,
        checkpoint: end / this.opts.chain.checkpointInterval - 1,
      });
    }
    return true;
  }

  private async sealAndCommit(open: OpenBlock): Promise<void> {
    const started = performance.now();
    const journaled = this.recorder.barrier();
    const { included, rejected, deposits, parent } = open;
    // Finished in slices: requests and preconfirmations are served in between, while account()
    // reads the finishing block's executor and no block opens until its state is the tip (below).
    let moved = () => {};
    this.finishing = open;
    this.tipMoved = new Promise<void>((resolve) => {
      moved = resolve;
    });
    let result: BlockExecutionResult;
    try {
      result = await open.executor.finishInSlices(yieldToLoop, FINISH_SLICE);
    } catch (err) {
      this.finishing = null;
      this.tipMoved = null;
      moved();
      throw err;
    }
    const header: BlockHeader = {
      chainId: this.opts.chain.chainId,
      number: open.number,
      parentHash: parent.hash,
      timestamp: open.timestamp,
      proposer: this.address,
      txRoot: result.roots.txRoot,
      receiptsRoot: result.roots.receiptsRoot,
      stateRoot: result.roots.stateRoot,
      withdrawalsRoot: result.roots.withdrawalsRoot,
      l1DepositNonce: result.l1DepositNonce,
    };
    const block: SignedBlock = {
      header,
      signature: signBlockHeader(header, this.key),
      deposits,
      transactions: included.map((t) => t.vtx.tx),
    };
    const hash = blockHash(header);
    // From here the next block executes on this one's state.
    this.tip = { state: result.state, header, hash };
    this.finishing = null;
    this.tipMoved = null;
    moved();
    this.fill?.sealed(header, parent.header);
    this.schedulePump();
    // The block's records land before the commit that deletes them (and a record write that failed
    // fails the commit: the sequencer stops); so do the journal entries of its transactions, which
    // the commit deletes too (one rejected after the block's last record could still be queued).
    await Promise.all([open.durable, journaled]);
    // Committed, the head advances in memory (Chain.commit).
    await this.core.commit(
      {
        block,
        result,
        prev: open.base,
        journalRemove: [...included, ...rejected].map((t) => t.vtx.hash),
        txBytes: included.map((t) => t.bytes),
        clearOpenBlock: open.recorded,
      },
      hash,
    );
    for (const t of included) this.executing.delete(t.hash);
    this.host.onSealed(included.map((t) => t.hash));
    const senders = new Set(included.map((t) => t.sender));
    for (const t of this.mempool.prune((s) => this.account(s).nonce, senders)) this.host.onDropped(t, "nonce_passed");

    const seconds = (performance.now() - started) / 1000;
    this.metrics?.blocksTotal.inc();
    this.metrics?.blockSeconds.observe(seconds);
    this.metrics?.blockTransactions.observe(included.length);
    this.metrics?.mempoolTransactions.set(this.mempool.size);
    this.logger.info("block sealed", {
      number: header.number,
      txs: included.length,
      deposits: deposits.length,
      dropped: rejected.length,
      ms: Math.round(seconds * 1000),
    });
    try {
      this.core.events.emit("newHead", block, result.receipts);
      for (const t of included) this.core.events.emit("txStatus", t.hash);
    } catch (err) {
      // The block is committed: a subscriber's failure is that subscriber's, never a reason to stop.
      this.logger.error("newHead listener failed", { number: header.number }, err);
    }
  }
}
