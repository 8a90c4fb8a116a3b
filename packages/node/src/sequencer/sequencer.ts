/**
 * The sequencer node: admits signed transactions (journaled before their hash is returned), seals a
 * block every blockTimeMs or at maxBlockTxs, executes it with the state machine, signs it, and
 * commits block, receipts, state changes, indexes and head in one atomic LevelDB batch.
 */

import type { EventEmitter } from "node:events";
import { privateKeyToAddress, recoverAddress, type SignatureRecoverer, signBlockHeader } from "@filverse/crypto";
import { type ChainDb, DbError, DbErrorCode } from "@filverse/db";
import { type ChainConfig, MAX_TX_BYTES } from "@filverse/params";
import {
  type BlockExecutionResult,
  BlockExecutor,
  completeValidation,
  parseTransactionBytes,
  parseTransactionJson,
  prevalidateTransaction,
  type State,
  TxValidationError,
  TxValidationErrorCode,
  type ValidatedTransaction,
  validateTransaction,
} from "@filverse/state";
import {
  BlockHeader,
  blockHash,
  Deposit,
  encodeSignedTx,
  Namespace,
  RpcErrorCode,
  type SignedBlock,
  type TxDropReason,
} from "@filverse/types";
import { FilverseError, fromHex, type Hex, type Logger, nullLogger, toHex } from "@filverse/utils";
import { Chain } from "../chain/chain.js";
import type { IdentityIndex } from "../chain/identityIndex.js";
import type { DepositSource, DropInfo, GenesisConfig, HeadInfo, NodeEvents } from "../chain/interface.js";
import { MempoolError, NodeError, NodeErrorCode, SubmitError, toSubmitError } from "../errors.js";
import type { NodeMetrics } from "../metrics.js";
import type { Evidence } from "../verifier/evidence.js";
import { JournalWriter } from "./journal.js";
import { defaultMempoolOpts, Mempool, type MempoolOpts, type PoolTx } from "./mempool.js";
import { RecoverBatcher } from "./recoverBatcher.js";

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
  droppedHistory: 10_000,
  maxBlockBytes: 4 * 1024 * 1024 - 128 * 1024,
};

/** SSZ bytes of a signed block besides its lists' items: the header, the seal and three offsets. */
const BLOCK_FIXED_BYTES = (BlockHeader.ssz.fixedSize ?? 0) + 65 + 3 * 4;

export type SequencerModules = {
  /** The sequencer's secp256k1 key: it seals every block and earns the fees. Never logged. */
  key: Uint8Array;
  logger?: Logger | null;
  metrics?: NodeMetrics | null;
  deposits?: DepositSource | null;
  /**
   * Where admission recovers signatures: a worker pool (CryptoPool) batches them off the main
   * thread, which then only executes and commits. null: recover on the main thread.
   */
  recoverer?: SignatureRecoverer | null;
};

/**
 * Transactions executed per pump step: about 15 ms of work at ~60 µs each (measured), short
 * enough that admission keeps flowing between steps.
 */
const PUMP_SLICE = 256;

type OpenBlock = {
  executor: BlockExecutor;
  base: State;
  parent: { state: State; header: BlockHeader; hash: Uint8Array };
  timestamp: number;
  deposits: Deposit[];
  included: PoolTx[];
  rejected: PoolTx[];
  /** The block's SSZ size so far (fixed part, deposits, included transactions with their offsets). */
  bytes: number;
};

export class Sequencer {
  /** The chain core the verifier shares: the database, the head and its state, the indexes, the events. */
  readonly core: Chain;
  readonly events: EventEmitter<NodeEvents>;
  readonly identities: IdentityIndex;
  readonly mempool: Mempool;
  readonly address: Uint8Array;
  private readonly opts: SequencerOpts;
  private readonly logger: Logger;
  private readonly metrics: NodeMetrics | null;
  private readonly depositSource: DepositSource | null;
  private readonly key: Uint8Array;
  private readonly dropped = new Map<string, DropInfo>();
  /** Batches admission's signature recoveries on the pool; null: recover on this thread. */
  private readonly recoverBatcher: RecoverBatcher | null;
  private readonly journalWriter: JournalWriter;
  private readonly durableWaiters = new Map<string, Promise<void>>();
  /** The last sealed block: committed, or being committed while the next one executes on it. */
  private tip: { state: State; header: BlockHeader; hash: Uint8Array } | null = null;
  /** The block being filled: admitted transactions execute into it slice by slice. */
  private open: OpenBlock | null = null;
  private opening: Promise<void> | null = null;
  private sealing: Promise<void> | null = null;
  /** Transactions executed into the open block or a block being committed: still "pending". */
  private readonly executing = new Map<string, PoolTx>();
  private pumpScheduled = false;
  private sealTimer: NodeJS.Timeout | null = null;
  /** Set once block production or the journal failed: nothing is admitted or sealed after it. */
  private fatal: NodeError | null = null;
  private closed = false;

  constructor(opts: SequencerOpts, modules: SequencerModules) {
    this.opts = opts;
    this.key = modules.key;
    this.address = privateKeyToAddress(modules.key);
    this.logger = (modules.logger ?? nullLogger).child({ module: "sequencer" });
    this.metrics = modules.metrics ?? null;
    this.depositSource = modules.deposits ?? null;
    this.recoverBatcher = modules.recoverer ? new RecoverBatcher(modules.recoverer) : null;
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
      },
      { metrics: this.metrics },
    );
    this.events = this.core.events;
    this.identities = this.core.identities;
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
    await this.replayJournal();
    this.logger.info("sequencer started", {
      chainId: chain.chainId,
      head: head.number,
      stateRoot: toHex(state.roots().stateRoot),
      address: toHex(this.address),
      pending: this.mempool.size,
    });
    this.tip = { state, header: head.header, hash: head.hash };
    this.sealTimer = setInterval(() => void this.seal(), this.chain.blockTimeMs);
    this.schedulePump();
  }

  /** Idempotent. Stops sealing, lets an in-flight block commit, flushes the journal, closes the DB. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sealTimer) clearInterval(this.sealTimer);
    // A block being committed finishes; the open block is dropped: its transactions are still in the
    // journal and return to the mempool at the next start.
    await this.sealing?.catch(() => {});
    this.open = null;
    await this.journalWriter.idle();
    await this.core.close();
    this.logger.info("sequencer closed");
  }

  /**
   * Transactions accepted before a stop or crash are in the journal: re-admit them. Admission policy
   * is not applied again (their hashes were returned); only what can never be included is dropped.
   * pump() later drops anything that turns out not to be includable.
   */
  private async replayJournal(): Promise<void> {
    const stale: Uint8Array[] = [];
    let restored = 0;
    for await (const { hash, txBytes } of this.db.journalEntries()) {
      try {
        if (await this.db.getTxLocation(hash)) {
          stale.push(hash);
          continue;
        }
        const vtx = validateTransaction(parseTransactionBytes(txBytes), this.chainId);
        const committed = this.state.get(Namespace.Account, vtx.sender)?.nonce ?? 0;
        const { tx, displaced } = this.mempool.restore(vtx, txBytes, committed);
        if (displaced) {
          stale.push(fromHex(displaced.hash));
          this.remember(displaced.hash, { reason: "replaced" });
        }
        if (tx) restored++;
        else {
          stale.push(hash);
          this.remember(toHex(hash), { reason: vtx.tx.message.nonce < committed ? "nonce_passed" : "replaced" });
        }
      } catch (err) {
        // A rule tightened since it was admitted (e.g. the AssetBatchMint token-id bound): it can
        // never be included, so it must not come back, or it would reach block production again.
        stale.push(hash);
        this.remember(toHex(hash), {
          reason: "invalid",
          ...(err instanceof TxValidationError ? { code: err.code } : {}),
        });
        this.logger.warn("journal entry dropped", { hash: toHex(hash), reason: (err as Error).message });
      }
    }
    if (stale.length > 0) await this.db.journalDelete(stale);
    if (restored > 0) this.logger.info("journal replayed", { restored, dropped: stale.length });
  }

  /**
   * An account where execution has got to: the open block's working state, else the last sealed
   * block's. Admission and selection use it, so nonces already executed are not offered again.
   */
  private account(address: Uint8Array): { nonce: number; balance: bigint } {
    if (this.open) return this.open.executor.account(address);
    const a = (this.tip?.state ?? this.state).get(Namespace.Account, address);
    return a ? { nonce: a.nonce, balance: a.balance } : { nonce: 0, balance: 0n };
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
  async submitJson(json: unknown): Promise<Hex> {
    if (this.closed) throw new SubmitError(RpcErrorCode.UNAVAILABLE, "The node is shutting down");
    if (this.fatal) {
      throw new SubmitError(RpcErrorCode.UNAVAILABLE, this.fatal.shortMessage, { details: { reason: "node failed" } });
    }
    let vtx: ValidatedTransaction;
    try {
      const tx = parseTransactionJson(json);
      const { digest } = prevalidateTransaction(tx, this.chainId);
      let sender: Uint8Array | null = null;
      let cause: unknown;
      if (this.recoverBatcher) {
        sender = await this.recoverBatcher.recover(digest, tx.signature);
      } else {
        try {
          sender = recoverAddress(digest, tx.signature);
        } catch (err) {
          cause = err;
        }
      }
      vtx = completeValidation(tx, digest, sender, cause);
    } catch (err) {
      if (err instanceof TxValidationError) {
        this.metrics?.submitted.inc({ result: "invalid" });
        throw toSubmitError(err);
      }
      throw err;
    }
    const hash = toHex(vtx.hash);
    if (this.executing.has(hash)) return hash; // already executing into a block: idempotent
    if (vtx.tx.message.fee < this.chain.minTxFee) {
      throw new SubmitError(
        RpcErrorCode.FEE_TOO_LOW,
        `Fee ${vtx.tx.message.fee} is below the minimum ${this.chain.minTxFee}`,
      );
    }
    const bytes = encodeSignedTx(vtx.tx);
    if (bytes.length > MAX_TX_BYTES) throw new SubmitError(RpcErrorCode.TOO_LARGE, "Transaction too large");
    let added: ReturnType<Mempool["add"]>;
    try {
      added = this.mempool.add(vtx, bytes, (a) => this.account(a));
    } catch (err) {
      if (err instanceof MempoolError) {
        // An included transaction sent again has a used nonce: answer with its hash (idempotent).
        // Only this path reads the database, so the hot path does not.
        if (err.code === RpcErrorCode.NONCE_TOO_LOW && (await this.db.getTxLocation(vtx.hash))) return hash;
        this.metrics?.submitted.inc({ result: "rejected" });
        throw new SubmitError(err.code, err.shortMessage, { cause: err, details: err.details });
      }
      throw err;
    }
    if (added.known) {
      try {
        await this.durableWaiters.get(hash);
      } catch (cause) {
        throw new SubmitError(RpcErrorCode.UNAVAILABLE, "The transaction could not be stored", { cause });
      }
      return hash;
    }
    // The displaced transactions leave the journal only in the batch that writes their successor: a
    // crash before it is durable must leave the acknowledged one behind, not neither.
    const displaced = [added.evicted, added.replaced].filter((t) => t !== null);
    if (added.evicted) this.onDropped(added.evicted, "evicted", { keepEntry: true });
    if (added.replaced) this.onDropped(added.replaced, "replaced", { keepEntry: true });
    const durable = this.journalWriter.write(added.tx, displaced);
    this.durableWaiters.set(hash, durable);
    try {
      await durable;
    } catch (err) {
      this.mempool.remove(hash);
      throw new SubmitError(RpcErrorCode.UNAVAILABLE, "The transaction could not be stored", { cause: err });
    } finally {
      this.durableWaiters.delete(hash);
    }
    added.tx.durable = true;
    this.metrics?.submitted.inc({ result: "accepted" });
    this.metrics?.mempoolTransactions.set(this.mempool.size);
    this.events.emit("txStatus", hash);
    this.schedulePump();
    return hash;
  }

  /**
   * Forget a dropped transaction everywhere, its journal entry included (unless `keepEntry`: its
   * successor's journal write deletes it), so it cannot come back at restart.
   */
  private onDropped(tx: PoolTx, reason: TxDropReason, opts: { code?: number; keepEntry?: boolean } = {}): void {
    this.remember(tx.hash, opts.code === undefined ? { reason } : { reason, code: opts.code });
    if (!opts.keepEntry && !this.closed) {
      this.db
        .journalDelete([fromHex(tx.hash)])
        .catch((err) => this.logger.warn("journal delete failed", { hash: tx.hash }, err));
    }
    this.logger.debug("transaction dropped", { hash: tx.hash, reason });
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

  private remember(hash: string, info: DropInfo): void {
    this.metrics?.droppedTransactions.inc({ reason: info.reason });
    this.dropped.set(hash, info);
    if (this.dropped.size > this.opts.droppedHistory) {
      const first = this.dropped.keys().next().value as string;
      this.dropped.delete(first);
    }
  }

  isDropped(hash: string): boolean {
    return this.dropped.has(hash);
  }

  /** Why a remembered dropped transaction was dropped. */
  dropInfo(hash: string): DropInfo | undefined {
    return this.dropped.get(hash);
  }

  /** Run pump() soon (coalesced): admission never waits for execution. */
  private schedulePump(): void {
    if (this.pumpScheduled || this.closed) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump().catch((err) => this.fail("block production failed", err));
    });
  }

  /**
   * Execute ready transactions into the open block, PUMP_SLICE at a time, so that execution is
   * spread between requests instead of one long stall at seal time (the profile showed 100–250 ms
   * event-loop stalls per block before this). Opens a block when there is none.
   */
  private async pump(): Promise<void> {
    if (this.closed || this.fatal || this.mempool.size === 0) return;
    if (!this.open) await this.openBlock();
    const open = this.open;
    if (!open) {
      // A seal dropped the block we waited for: try again, or admitted transactions would wait
      // for the next submission.
      if (this.mempool.size > 0) this.schedulePump();
      return;
    }
    const room = this.chain.maxBlockTxs - open.included.length;
    const batch =
      room > 0 ? this.mempool.select(Math.min(room, PUMP_SLICE), (s) => open.executor.account(s).nonce) : [];
    let full = false;
    for (const ptx of batch) {
      // Past the size one gossip message carries: this and the rest wait in the mempool.
      if (open.bytes + 4 + ptx.bytes.length > this.opts.maxBlockBytes && open.included.length > 0) {
        full = true;
        break;
      }
      this.mempool.remove(ptx.hash);
      try {
        open.executor.applyTransaction(ptx.vtx);
        open.included.push(ptx);
        open.bytes += 4 + ptx.bytes.length;
        this.executing.set(ptx.hash, ptx);
      } catch (err) {
        // The executor left nothing of it behind (its undo log). Whatever it threw, this one
        // transaction goes and the block goes on: execution touches no storage, so no error here
        // is a reason to stop the chain.
        open.rejected.push(ptx);
        if (err instanceof TxValidationError && err.code !== TxValidationErrorCode.EXECUTION_FAULT) {
          // Not includable any more (e.g. its fee is no longer covered).
          this.onDropped(ptx, "not_includable", { code: err.code });
        } else {
          this.onExecutionFault(ptx, err);
        }
      }
    }
    if (full || open.included.length >= this.chain.maxBlockTxs) setImmediate(() => void this.seal());
    else if (batch.length === PUMP_SLICE) this.schedulePump();
  }

  /** Open a block on the last sealed state, with the deposits that are final on L1. */
  private openBlock(): Promise<void> {
    this.opening ??= (async () => {
      const tip = this.tip!;
      let deposits: Deposit[] = [];
      try {
        if (this.depositSource)
          deposits = await this.depositSource.pending(tip.state.globals().l1DepositNonce, this.chain.maxBlockDeposits);
      } catch (err) {
        // A transient L1 error must not stop the chain: this block goes without deposits; the next retries.
        this.logger.warn("deposit source failed; sealing without deposits", {}, err);
      }
      if (this.closed || this.open) return;
      const timestamp = Math.max(tip.header.timestamp, Math.floor(Date.now() / 1000));
      const executor = new BlockExecutor(tip.state, {
        chainId: this.chainId,
        timestamp,
        proposer: this.address,
        minTxFee: this.chain.minTxFee,
      });
      for (const d of deposits) executor.applyDeposit(d);
      this.open = {
        executor,
        base: tip.state,
        parent: tip,
        timestamp,
        deposits,
        included: [],
        rejected: [],
        bytes: BLOCK_FIXED_BYTES + deposits.reduce((n, d) => n + 4 + Deposit.serialize(d).length, 0),
      };
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
    if (this.sealing || this.closed || this.fatal) return;
    if (!this.open && this.depositSource) await this.openBlock(); // an idle chain still takes deposits
    const open = this.open;
    if (!open) return;
    if (open.included.length === 0 && open.deposits.length === 0 && !this.opts.sealEmptyBlocks) {
      this.open = null; // nothing executed: drop it, so a later block gets a fresh timestamp
      if (this.mempool.size > 0) this.schedulePump();
      return;
    }
    this.open = null;
    this.sealing = this.sealAndCommit(open)
      .catch((err) => this.fail(`block ${open.parent.header.number + 1} could not be committed`, err))
      .finally(() => {
        this.sealing = null;
      });
    this.schedulePump();
    await this.sealing;
  }

  private async sealAndCommit(open: OpenBlock): Promise<void> {
    const started = performance.now();
    const { included, rejected, deposits, parent } = open;
    const result: BlockExecutionResult = open.executor.finish();
    const header: BlockHeader = {
      chainId: this.chainId,
      number: parent.header.number + 1,
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
    this.schedulePump();
    // Committed, the head advances in memory (Chain.commit).
    await this.core.commit(
      {
        block,
        result,
        prev: open.base,
        journalRemove: [...included, ...rejected].map((t) => t.vtx.hash),
        txBytes: included.map((t) => t.bytes),
      },
      hash,
    );
    for (const t of included) this.executing.delete(t.hash);
    const senders = new Set(included.map((t) => t.sender));
    for (const t of this.mempool.prune((s) => this.account(s).nonce, senders)) this.onDropped(t, "nonce_passed");

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
      this.events.emit("newHead", block, result.receipts);
      for (const t of included) this.events.emit("txStatus", t.hash);
    } catch (err) {
      // The block is committed: a subscriber's failure is that subscriber's, never a reason to stop.
      this.logger.error("newHead listener failed", { number: header.number }, err);
    }
  }

  /**
   * A commit or a journal write failed: later blocks would build on a state the database does not
   * have, and the storage may refuse every write until it is reopened. Stop admitting and sealing,
   * and say so (`failure`, the `failed` event, /healthz): the remedy is a restart.
   */
  private fail(what: string, err: unknown): void {
    if (this.fatal) return;
    const reason =
      err instanceof DbError && err.code === DbErrorCode.STORAGE
        ? String(err.details.reason)
        : err instanceof FilverseError
          ? err.shortMessage
          : String((err as Error)?.message ?? err);
    this.fatal = new NodeError(NodeErrorCode.FAILED, `The sequencer stopped: ${what} (${reason})`, {
      cause: err,
      details: { reason },
    });
    if (this.sealTimer) clearInterval(this.sealTimer);
    this.logger.error("sequencer stopped", { what, reason }, err);
    this.events.emit("failed", this.fatal);
  }
}
