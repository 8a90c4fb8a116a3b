/**
 * Admission: a wallet's transaction from JSON-RPC to a durable hash. Decoding and the stateless
 * checks, signature recovery (batched on the pool), the fee and size bounds, the mempool's policy,
 * then the journal (concurrent submissions share one synced batch): the hash is returned only then.
 */
import { recoverAddress, type SignatureRecoverer } from "@filverse/crypto";
import type { ChainDb } from "@filverse/db";
import { type ChainConfig, MAX_TX_BYTES } from "@filverse/params";
import {
  completeValidation,
  type FeePlan,
  parseTransactionBytes,
  parseTransactionJson,
  prevalidateTransaction,
  type Reserved,
  TxValidationError,
  type ValidatedTransaction,
} from "@filverse/state";
import { encodeSignedTx, RpcErrorCode, type SignedTransaction, type TxDropReason } from "@filverse/types";
import { type Hex, toHex } from "@filverse/utils";
import { MempoolError, SubmitError, toSubmitError } from "../errors.js";
import type { NodeMetrics } from "../metrics.js";
import type { JournalWriter } from "./journal.js";
import type { Mempool, PoolTx } from "./mempool.js";
import { RecoverBatcher } from "./recoverBatcher.js";

/** What admission reads of the sequencer and tells it. */
export type AdmissionHost = {
  /** An account where execution has got to (BlockProducer.account). */
  account(address: Uint8Array): { nonce: number; balance: bigint };
  /**
   * A Via transaction's session and sponsor checks where execution has got to
   * (BlockProducer.checkSponsorship): throws TxValidationError 202, 205–214.
   */
  checkSponsorship?(vtx: ValidatedTransaction, reserved?: Reserved): FeePlan;
  db(): ChainDb;
  /** A transaction this admission displaced (evicted, replaced) is dropped. */
  onDropped(tx: PoolTx, reason: TxDropReason, opts?: { code?: number; keepEntry?: boolean }): void;
  /** A transaction's journal entry is queued: block production may execute it (its record follows the entry). */
  queued(): void;
  /** A transaction is durable: status subscribers hear of it. */
  accepted(hash: Hex): void;
};

export type AdmissionModules = {
  chain: ChainConfig;
  mempool: Mempool;
  /** Transactions executed into the open block or a block being committed (the producer's map). */
  executing: ReadonlyMap<string, PoolTx>;
  /** Where signatures are recovered in batches; null: on this thread. */
  recoverer: SignatureRecoverer | null;
  journal: JournalWriter;
  metrics: NodeMetrics | null;
  host: AdmissionHost;
};

export class Admission {
  private readonly chain: ChainConfig;
  private readonly mempool: Mempool;
  private readonly executing: ReadonlyMap<string, PoolTx>;
  /** Batches admission's signature recoveries on the pool; null: recover on this thread. */
  private readonly recoverBatcher: RecoverBatcher | null;
  private readonly journal: JournalWriter;
  private readonly metrics: NodeMetrics | null;
  private readonly host: AdmissionHost;
  /** Transactions being journaled, by hash: the same one sent again waits for the same write. */
  private readonly durableWaiters = new Map<string, Promise<void>>();

  constructor(modules: AdmissionModules) {
    this.chain = modules.chain;
    this.mempool = modules.mempool;
    this.executing = modules.executing;
    this.recoverBatcher = modules.recoverer ? new RecoverBatcher(modules.recoverer) : null;
    this.journal = modules.journal;
    this.metrics = modules.metrics;
    this.host = modules.host;
  }

  /**
   * Admit a transaction: resolves with its hash once it is durable (journaled with fsync), so a
   * returned hash survives kill -9. Throws SubmitError with the RPC code.
   */
  submitJson(json: unknown): Promise<Hex> {
    let tx: SignedTransaction;
    try {
      tx = parseTransactionJson(json);
    } catch (err) {
      return Promise.reject(this.refusal(err));
    }
    return this.admit(tx);
  }

  /** Admit a transaction given as its SSZ bytes (sendRawTransaction): the same checks and answers. */
  submitBytes(bytes: Uint8Array): Promise<Hex> {
    let tx: SignedTransaction;
    try {
      tx = parseTransactionBytes(bytes);
    } catch (err) {
      return Promise.reject(this.refusal(err));
    }
    return this.admit(tx);
  }

  private refusal(err: unknown): unknown {
    if (!(err instanceof TxValidationError)) return err;
    this.metrics?.submitted.inc({ result: "invalid" });
    return toSubmitError(err);
  }

  private async admit(tx: SignedTransaction): Promise<Hex> {
    let vtx: ValidatedTransaction;
    try {
      const { digest } = prevalidateTransaction(tx, this.chain.chainId);
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
      throw this.refusal(err);
    }
    const hash = toHex(vtx.hash);
    const journaling = this.durableWaiters.get(hash);
    if (journaling) return this.sameAgain(hash, journaling); // sent again while its entry is written
    if (this.executing.has(hash)) return hash; // already executing into a block: idempotent
    if (vtx.tx.message.fee < this.chain.minTxFee) {
      throw new SubmitError(
        RpcErrorCode.FEE_TOO_LOW,
        `Fee ${vtx.tx.message.fee} is below the minimum ${this.chain.minTxFee}`,
      );
    }
    const bytes = encodeSignedTx(vtx.tx);
    if (bytes.length > MAX_TX_BYTES) throw new SubmitError(RpcErrorCode.TOO_LARGE, "Transaction too large");
    let plan: FeePlan | undefined;
    if (vtx.tx.via !== undefined && this.host.checkSponsorship) {
      // Refused now with its typed code (no allowance covers it, the session does not allow it), not
      // dropped later: the sender learns why at once. What the pool already holds against the same
      // allowance, grant and payer counts as spent.
      try {
        plan = this.host.checkSponsorship(vtx, this.mempool.reserved(vtx));
      } catch (err) {
        throw this.refusal(err);
      }
    }
    let added: ReturnType<Mempool["add"]>;
    try {
      added = this.mempool.add(vtx, bytes, (a) => this.host.account(a), plan);
    } catch (err) {
      if (err instanceof MempoolError) {
        // An included transaction sent again has a used nonce: answer with its hash (idempotent).
        // Only this path reads the database, so the hot path does not.
        if (err.code === RpcErrorCode.NONCE_TOO_LOW && (await this.host.db().getTxLocation(vtx.hash))) return hash;
        this.metrics?.submitted.inc({ result: "rejected" });
        throw new SubmitError(err.code, err.shortMessage, { cause: err, details: err.details });
      }
      throw err;
    }
    if (added.known) return this.sameAgain(hash, this.durableWaiters.get(hash));
    // The displaced transactions leave the journal only in the batch that writes their successor: a
    // crash before it is durable must leave the acknowledged one behind, not neither.
    const displaced = [added.evicted, added.replaced].filter((t) => t !== null);
    if (added.evicted) this.host.onDropped(added.evicted, "evicted", { keepEntry: true });
    if (added.replaced) this.host.onDropped(added.replaced, "replaced", { keepEntry: true });
    // The pump may execute it once its entry is queued (below, in this same step): the open-block
    // record of it is queued behind the entry in the same write-ahead log (JournalWriter), and the
    // log gathers what the pump scheduled here records before it writes, so one synced batch
    // usually carries both. The hash is still returned only once the entry is durable.
    added.tx.durable = true;
    this.host.queued();
    const durable = this.journal.write(added.tx, displaced);
    this.durableWaiters.set(hash, durable);
    try {
      await durable;
    } catch (err) {
      this.mempool.remove(hash);
      throw new SubmitError(RpcErrorCode.UNAVAILABLE, "The transaction could not be stored", { cause: err });
    } finally {
      this.durableWaiters.delete(hash);
    }
    this.metrics?.submitted.inc({ result: "accepted" });
    this.metrics?.mempoolTransactions.set(this.mempool.size);
    this.host.accepted(hash);
    return hash;
  }

  /** The same transaction sent again: answered once its first journal write is durable. */
  private async sameAgain(hash: Hex, journaling: Promise<void> | undefined): Promise<Hex> {
    try {
      await journaling;
    } catch (cause) {
      throw new SubmitError(RpcErrorCode.UNAVAILABLE, "The transaction could not be stored", { cause });
    }
    return hash;
  }
}
