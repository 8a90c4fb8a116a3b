/**
 * The chain both node kinds hold: the ChainDb (with its indexes), the head, the head State and
 * recent past states, and the events. `open()` is the one start-up path (a restart resumes from the stored
 * head) and `commit()` the one way the head advances, so the sequencer and the verifier cannot drift.
 */
import { EventEmitter } from "node:events";
import { ChainDb, type CommitBlockInput } from "@filverse/db";
import type { ChainConfig } from "@filverse/params";
import { type BlockExecutionResult, createGenesis, type State } from "@filverse/state";
import type { BlockHeader } from "@filverse/types";
import { bytesEqual, toHex } from "@filverse/utils";
import { NodeError, NodeErrorCode } from "../errors.js";
import type { NodeMetrics } from "../metrics.js";
import type { ChainReader, GenesisConfig, HeadInfo, NodeEvents } from "./interface.js";
import { finishPendingRewind } from "./rewind.js";

export type ChainOpts = {
  chain: ChainConfig;
  genesis: GenesisConfig;
  /** The genesis header's proposer: the sequencer's address. */
  proposer: Uint8Array;
  /** The LevelDB directory. */
  dataDir: string;
  /** Past states kept in memory, for proofs against recent blocks. */
  stateHistory: number;
  /** A sequencer's chain: a rewind puts the removed blocks' transactions back in the journal. */
  returnRewoundTransactions?: boolean;
};

export type ChainModules = { metrics?: NodeMetrics | null };

export class Chain implements ChainReader {
  readonly events = new EventEmitter<NodeEvents>();
  readonly opts: ChainOpts;
  private readonly metrics: NodeMetrics | null;
  private db_: ChainDb | null = null;
  private state_: State | null = null;
  private head_: HeadInfo | null = null;
  private readonly history = new Map<number, State>();

  constructor(opts: ChainOpts, modules: ChainModules = {}) {
    this.opts = opts;
    this.metrics = modules.metrics ?? null;
  }

  get chainId(): number {
    return this.opts.chain.chainId;
  }
  get chain(): ChainConfig {
    return this.opts.chain;
  }
  get db(): ChainDb {
    if (!this.db_) throw notStarted();
    return this.db_;
  }
  get state(): State {
    if (!this.state_) throw notStarted();
    return this.state_;
  }
  get head(): HeadInfo {
    if (!this.head_) throw notStarted();
    return this.head_;
  }
  /** The head, or null before open(): for callers that must not throw (logs, health, sync status). */
  get headIfOpen(): HeadInfo | null {
    return this.head_;
  }
  /** The head state, or null before open(). */
  get stateIfOpen(): State | null {
    return this.state_;
  }

  /** The state after block `n`, if still kept in memory. */
  stateAt(n: number): State | undefined {
    return n === this.head_?.number ? this.state_! : this.history.get(n);
  }

  /**
   * Open the database (writing the genesis into an empty one), load the head state and check it
   * against the head's stateRoot, and backfill the database's indexes if it predates them. The
   * database stays open on failure: close().
   */
  async open(): Promise<void> {
    const { genesis: g } = this.opts;
    const db = await ChainDb.open({ dir: this.opts.dataDir });
    this.db_ = db;
    const genesis = createGenesis({ chainId: g.chainId }, { timestamp: g.timestamp, proposer: this.opts.proposer });
    const fresh = await db.initGenesis(genesis);
    let head = await db.getHead();
    if (!head) throw new NodeError(NodeErrorCode.STATE_MISMATCH, "The database has a genesis but no head");
    let state = fresh ? genesis.state : await db.loadState();
    // A rewind decided and not written (killed before its batch): finish it before anything else.
    const pending = await finishPendingRewind(db, this.opts, state, this.metrics);
    if (pending) {
      state = pending.state;
      head = pending.head;
    }
    if (!bytesEqual(state.roots().stateRoot, head.header.stateRoot)) {
      throw new NodeError(NodeErrorCode.STATE_MISMATCH, `Stored state does not match head ${head.number}'s stateRoot`, {
        details: { head: head.number, computed: toHex(state.roots().stateRoot), header: toHex(head.header.stateRoot) },
      });
    }
    this.state_ = state;
    this.head_ = head;
    // A database written before the lookup indexes existed gets them now (once; see @filverse/db).
    await db.backfillLookups(state);
    this.metrics?.headNumber.set(head.number);
  }

  /**
   * Commit the block after the head in one atomic batch (ChainDb.commitBlock), then advance the head
   * in memory: the head state joins the history, the block's state becomes the head's. Events are
   * the caller's to emit (the sequencer and the verifier say different things first).
   */
  async commit(input: CommitBlockInput, hash: Uint8Array): Promise<void> {
    await this.db.commitBlock(input);
    this.advance(input.block.header, hash, input.result);
  }

  private advance(header: BlockHeader, hash: Uint8Array, result: BlockExecutionResult): void {
    const previous = this.head;
    this.history.set(previous.number, this.state);
    this.history.delete(previous.number - this.opts.stateHistory);
    this.state_ = result.state;
    this.head_ = { number: header.number, hash, header };
    this.metrics?.headNumber.set(header.number);
  }

  /**
   * The head went back (a rewind, chain/rewind.ts): the stored head is `head` with `state`. The
   * history above it is forgotten (the database's indexes moved in the rewind's own batch).
   */
  resetTo(head: HeadInfo, state: State): void {
    for (const n of this.history.keys()) if (n >= head.number) this.history.delete(n);
    this.state_ = state;
    this.head_ = head;
    this.metrics?.headNumber.set(head.number);
  }

  /** Idempotent: closes the database; listeners are removed. */
  async close(): Promise<void> {
    await this.db_?.close();
    this.events.removeAllListeners();
  }
}

function notStarted(): NodeError {
  return new NodeError(NodeErrorCode.NOT_STARTED, "The node is not started");
}
