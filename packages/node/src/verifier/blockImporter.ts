/**
 * Block import: every block, from gossip, sync or a batch from Filecoin, goes through `importBlock`.
 * The header and the sequencer's seal, the deposits against L1, the transactions on the pool,
 * re-execution and every root are checked before one atomic commit (Chain.commit); blocks ahead of
 * the head wait in a bounded buffer; a sealed block that breaks a rule, or a second seal at a height,
 * becomes evidence (blockFaults.ts).
 */
import type { SignatureRecoverer } from "@filverse/crypto";
import type { ChainDb } from "@filverse/db";
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
import { blockHash, Deposit, type SignedBlock } from "@filverse/types";
import { bytesEqual, type Logger, toHex } from "@filverse/utils";
import type { Chain } from "../chain/chain.js";
import type { DepositSource, HeadInfo } from "../chain/interface.js";
import { NodeError, NodeErrorCode, VerifierError, VerifierErrorCode } from "../errors.js";
import type { NodeMetrics } from "../metrics.js";
import { BlockFaults } from "./blockFaults.js";
import { bodyMatchesHeader, validateBlockTransactions } from "./blockTransactions.js";
import type { EvidenceStore } from "./evidence.js";
import type { VerifierOpts } from "./options.js";
import { SerialQueue } from "./serialQueue.js";

export type ImportStatus = "imported" | "known" | "buffered" | "ignored";
export type ImportResult = { status: ImportStatus; number: number; hash: Uint8Array };

/** What import reads of the verifier and tells it: its lifecycle, the follow loop, forwarding. */
export type ImportTarget = {
  head(): HeadInfo;
  db(): ChainDb;
  state(): State;
  evidenceStore(): EvidenceStore;
  isClosed(): boolean;
  /** A commit failed: the verifier stops. */
  fail(what: string, err: unknown): void;
  /** A block ahead of the head was seen: the source is at least there. */
  noteRemoteHead(n: number): void;
  requestSync(): void;
  /** A block was committed: these transactions are no longer pending here. */
  settled(receipts: { txHash: Uint8Array; sender: Uint8Array }[]): void;
};

export type BlockImporterModules = {
  core: Chain;
  target: ImportTarget;
  recoverer: SignatureRecoverer | null;
  depositSource: DepositSource | null;
  metrics: NodeMetrics | null;
  logger: Logger;
  /** The verifier's signal: once aborted, imports not started are refused and the buffer is not drained. */
  signal: AbortSignal;
  /** See BlockFaults: heights a proven fault put back in play. */
  unsettledAbove?: (() => number | null) | null;
};

export class BlockImporter {
  private readonly opts: VerifierOpts;
  private readonly core: Chain;
  private readonly target: ImportTarget;
  private readonly recoverer: SignatureRecoverer | null;
  private readonly depositSource: DepositSource | null;
  private readonly metrics: NodeMetrics | null;
  private readonly logger: Logger;
  private readonly signal: AbortSignal;
  /** Imports run one at a time: each builds on the head the previous one left. */
  private readonly importQueue = new SerialQueue();
  /** Imports queued and not started yet. */
  private queued = 0;
  private readonly buffer = new Map<number, { block: SignedBlock; source: string | null }>();
  /** Seals seen above the head, blocks known bad, and the evidence both become. */
  private readonly faults: BlockFaults;
  /** Blocks whose transactions are being validated ahead of their import (see prepare). */
  private readonly prepared = new WeakMap<SignedBlock, Promise<ValidatedTransaction[]>>();

  constructor(opts: VerifierOpts, modules: BlockImporterModules) {
    this.opts = opts;
    this.core = modules.core;
    this.target = modules.target;
    this.recoverer = modules.recoverer;
    this.depositSource = modules.depositSource;
    this.metrics = modules.metrics;
    this.logger = modules.logger;
    this.signal = modules.signal;
    this.faults = new BlockFaults(opts, {
      evidenceStore: () => this.target.evidenceStore(),
      metrics: modules.metrics,
      unsettledAbove: modules.unsettledAbove ?? null,
    });
  }

  /** Queue one block's import behind the ones before it (see Verifier.importBlock); bounded by maxQueuedImports. */
  importBlock(block: SignedBlock, source: string | null): Promise<ImportResult> {
    if (this.signal.aborted) return Promise.reject(this.signal.reason);
    if (this.queued >= this.opts.maxQueuedImports) {
      return Promise.reject(
        new VerifierError(
          VerifierErrorCode.QUEUE_FULL,
          `Block ${block.header.number} not queued: the import queue is full`,
          {
            details: { number: block.header.number, queued: this.queued, max: this.opts.maxQueuedImports },
          },
        ),
      );
    }
    this.queued++;
    return this.importQueue.run(() => {
      this.queued--;
      // Aborted while it waited: an import that started commits; this one never starts.
      if (this.signal.aborted) return Promise.reject(this.signal.reason);
      return this.importOne(block, source);
    });
  }

  /** Resolves once every import queued so far has settled. */
  idle(): Promise<void> {
    return this.importQueue.idle();
  }

  /**
   * Run `fn` between imports, none in flight (a rewind moves the head back under them), then forget
   * what the removed chain left above `target`: buffered blocks and the seals remembered there.
   */
  exclusive<T>(fn: () => Promise<T>, target: () => number | null): Promise<T> {
    return this.importQueue.run(async () => {
      const result = await fn();
      const t = target();
      if (t !== null) {
        for (const n of this.buffer.keys()) if (n > t) this.buffer.delete(n);
        this.faults.rewound(t);
      }
      return result;
    });
  }

  /** Forget the buffered blocks (closing, or stopped after a failed commit). */
  clearBuffer(): void {
    this.buffer.clear();
  }

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
  ): Promise<"duplicate" | "altered" | "equivocation" | "rewound" | "invalid"> {
    const n = block.header.number;
    const ours = n === 0 ? null : await this.target.db().getBlockByNumber(n);
    if (!ours) return "invalid";
    const ourHash = blockHash(ours.header);
    const hash = blockHash(block.header);
    if (bytesEqual(ourHash, hash)) {
      const ourBytes = await this.target.db().getBlockBytes(n);
      return ourBytes && bytesEqual(ourBytes, bytes) ? "duplicate" : "altered";
    }
    if (!this.faults.sealedBySequencer(block)) return "invalid";
    if (this.faults.excused(n)) return "rewound";
    await this.faults.equivocation(
      { hash: ourHash, header: ours.header, signature: ours.signature },
      block,
      hash,
      source,
    );
    return "equivocation";
  }

  private async importOne(block: SignedBlock, source: string | null): Promise<ImportResult> {
    const { header } = block;
    const head = this.target.head();
    const hash = blockHash(header);
    if (header.chainId !== this.opts.chain.chainId) {
      throw this.faults.invalid(
        new BlockError(BlockErrorCode.WRONG_CHAIN, `Block is for chain ${header.chainId}`),
        block,
        hash,
        false,
      );
    }
    if (header.number <= head.number) return this.importKnownHeight(block, hash, source);
    const bad = this.faults.knownBad(hash);
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
      const genesisHash = await this.target.db().getGenesisHash();
      if (genesisHash && bytesEqual(genesisHash, hash)) return { status: "known", number: n, hash };
      throw this.faults.invalid(
        new BlockError(BlockErrorCode.BAD_NUMBER, "Block 0 is the genesis: it is never sent"),
        block,
        hash,
        false,
      );
    }
    const ours = await this.target.db().getBlockByNumber(n);
    if (!ours) throw new NodeError(NodeErrorCode.STATE_MISMATCH, `Block ${n} is below the head but not stored`);
    const ourHash = blockHash(ours.header);
    if (bytesEqual(ourHash, hash)) return { status: "known", number: n, hash };
    if (!this.faults.sealedBySequencer(block)) {
      throw this.faults.invalid(
        new BlockError(BlockErrorCode.BAD_SEAL, `Block ${n}: not sealed by the sequencer`),
        block,
        hash,
        false,
      );
    }
    throw await this.faults.equivocation(
      { hash: ourHash, header: ours.header, signature: ours.signature },
      block,
      hash,
      source,
    );
  }

  private async bufferBlock(block: SignedBlock, hash: Uint8Array, source: string | null): Promise<ImportResult> {
    const n = block.header.number;
    if (!this.faults.sealedBySequencer(block)) {
      throw this.faults.invalid(
        new BlockError(BlockErrorCode.BAD_SEAL, `Block ${n}: not sealed by the sequencer`),
        block,
        hash,
        false,
      );
    }
    await this.faults.checkSeal(block, hash, source);
    const head = this.target.head().number;
    if (
      n - head > this.opts.maxAheadBlocks ||
      (this.buffer.size >= this.opts.maxBufferedBlocks && !this.buffer.has(n))
    ) {
      this.target.requestSync();
      return { status: "ignored", number: n, hash };
    }
    this.buffer.set(n, { block, source });
    this.target.noteRemoteHead(n);
    this.target.requestSync();
    return { status: "buffered", number: n, hash };
  }

  /** Imports buffered blocks that now follow the head. A failing one is dropped (and reported). */
  private async drainBuffer(): Promise<void> {
    while (!this.signal.aborted) {
      const next = this.buffer.get(this.target.head().number + 1);
      for (const n of this.buffer.keys()) if (n <= this.target.head().number) this.buffer.delete(n);
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

  /** The whole check of the block after the head, then one atomic commit. Nothing is applied on failure. */
  private async verifyAndCommit(block: SignedBlock, hash: Uint8Array, source: string | null): Promise<ImportResult> {
    const started = performance.now();
    const { header } = block;
    const head = this.target.head();
    const prev = this.target.state();
    try {
      assertBlockHeader(head.header, block, this.opts.sequencer);
    } catch (err) {
      if (!(err instanceof BlockError)) throw err;
      // A new block on a chain L1 put back in play, before this node has rewound: not a fault.
      if (err.code === BlockErrorCode.PARENT_MISMATCH && this.faults.excused(header.number)) {
        throw this.faults.rewindPending(header.number);
      }
      const sealed = err.code !== BlockErrorCode.BAD_SEAL && this.faults.sealedBySequencer(block);
      const refused = this.faults.invalid(err, block, hash, sealed);
      if (sealed) await this.faults.recordInvalid(refused, block, hash, source);
      throw refused;
    }
    // Sealed by the sequencer from here on: a fault is evidence, and so is another seal at this height.
    await this.faults.checkSeal(block, hash, source).catch((err) => {
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
        validateBlockTransactions(block.transactions, this.opts.chain.chainId, this.recoverer));
      result = applyBlock(prev, block, {
        chainId: this.opts.chain.chainId,
        minTxFee: this.opts.chain.minTxFee,
        maxBlockTxs: this.opts.chain.maxBlockTxs,
        maxBlockDeposits: this.opts.chain.maxBlockDeposits,
        validated,
      });
      assertBlockRoots(header, result);
    } catch (err) {
      if (!(err instanceof BlockError)) throw err;
      // The seal covers the body only through txRoot: a body that does not hash to it was changed on
      // the way (anyone can do that), so it is refused without blaming the sequencer or the block's hash.
      const sealed = result ? bytesEqual(result.roots.txRoot, header.txRoot) : bodyMatchesHeader(block);
      const refused = this.faults.invalid(err, block, hash, sealed);
      if (sealed) await this.faults.recordInvalid(refused, block, hash, source);
      throw refused;
    }
    try {
      // Committed, the head advances in memory (Chain.commit).
      await this.core.commit({ block, result, prev, journalRemove: [] }, hash);
    } catch (err) {
      if (!this.target.isClosed()) this.target.fail(`block ${header.number} could not be committed`, err);
      throw err;
    }
    this.faults.committed(header.number);
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
    this.target.settled(result.receipts);
    this.core.events.emit("newHead", block, result.receipts);
    for (const r of result.receipts) this.core.events.emit("txStatus", toHex(r.txHash));
    return { status: "imported", number: header.number, hash };
  }

  /**
   * Start the stateless checks and signature recovery of a block that will be imported soon, so the
   * pool recovers it while this thread executes and commits the blocks before it (sync and rebuild
   * prepare a few blocks ahead). Idempotent; the result is used if this very block object is imported.
   */
  prepare(block: SignedBlock): void {
    if (this.prepared.has(block) || block.transactions.length === 0 || block.header.chainId !== this.opts.chain.chainId)
      return;
    const job = validateBlockTransactions(block.transactions, this.opts.chain.chainId, this.recoverer);
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
}
