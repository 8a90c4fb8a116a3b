/**
 * The sequencer's preconfirmations: the store that signs them, answers for them and hands them to
 * sync senders and subscribers until their block is committed. What they promise is made durable
 * before any of them leaves the process by the write-ahead log (JournalWriter.record).
 */

import { signPreconfirmation } from "@filverse/crypto";
import { type PreconfirmationJson, Receipt as ReceiptType, RpcErrorCode } from "@filverse/types";
import { toHex } from "@filverse/utils";
import type { Preconfirmed } from "../chain/interface.js";
import { SubmitError } from "../errors.js";

export type { Preconfirmed } from "../chain/interface.js";

export type PreconfirmationStoreModules = {
  chainId: number;
  /** The block-sealing key. Never logged. */
  key: Uint8Array;
  /** Called with each newly durable preconfirmation, signed, when someone listens (the node event). */
  emit: ((p: Preconfirmed) => void) | null;
  /** Whether anyone listens to `emit`: signing is skipped when nobody does. */
  listening: () => boolean;
};

type Waiter = { resolve: (p: Preconfirmed) => void; reject: (e: unknown) => void; timer: NodeJS.Timeout };

/**
 * Durable preconfirmations by transaction hash, until their block is committed (then the receipt is
 * final and getPreconfirmation answers null). Signed lazily: on the main thread a signature costs
 * about 40 µs (libsecp256k1), which a sequencer nobody asks would spend on every transaction.
 */
export class PreconfirmationStore {
  private readonly byHash = new Map<string, Preconfirmed>();
  private readonly waiters = new Map<string, Waiter[]>();

  constructor(private readonly m: PreconfirmationStoreModules) {}

  get size(): number {
    return this.byHash.size;
  }

  /** Newly durable: wake sync senders, tell listeners. */
  add(items: readonly Preconfirmed[]): void {
    const listening = this.m.emit !== null && this.m.listening();
    for (const p of items) {
      this.byHash.set(p.hash, p);
      const waiting = this.waiters.get(p.hash);
      if (waiting) {
        this.waiters.delete(p.hash);
        this.sign(p);
        for (const w of waiting) {
          clearTimeout(w.timer);
          w.resolve(p);
        }
      }
      if (listening) this.m.emit!(this.sign(p));
    }
  }

  /** The signed preconfirmation of a transaction whose block is still open (or being committed). */
  get(hash: string): Preconfirmed | undefined {
    const p = this.byHash.get(hash);
    return p && this.sign(p);
  }

  /** Where a preconfirmed transaction will be (no signing). */
  peek(hash: string): { number: number; position: number } | undefined {
    const p = this.byHash.get(hash)?.preconfirmation;
    return p && { number: p.number, position: p.position };
  }

  /**
   * A rewind dropped the open block: its promises are void (the transactions are executed again and
   * preconfirmed anew; waiters keep waiting for that).
   */
  clear(): void {
    this.byHash.clear();
  }

  /** Their block is committed: forget them. */
  sealed(hashes: Iterable<string>): void {
    for (const h of hashes) this.byHash.delete(h);
  }

  /**
   * Resolves with the transaction's signed preconfirmation once it is durable; rejects with
   * NOT_PRECONFIRMED after `timeoutMs`, or at once through `refuse` (dropped, already sealed).
   */
  wait(hash: string, timeoutMs: number): Promise<Preconfirmed> {
    const ready = this.get(hash);
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.forget(hash, w);
          reject(
            notPreconfirmed(
              hash,
              "pending",
              `No preconfirmation within ${timeoutMs} ms; the transaction stays admitted`,
            ),
          );
        }, timeoutMs),
      };
      const list = this.waiters.get(hash);
      if (list) list.push(w);
      else this.waiters.set(hash, [w]);
    });
  }

  /** Fail the waiters of a transaction that will not be preconfirmed (dropped). */
  refuse(hash: string, status: string, message: string): void {
    const list = this.waiters.get(hash);
    if (!list) return;
    this.waiters.delete(hash);
    for (const w of list) {
      clearTimeout(w.timer);
      w.reject(notPreconfirmed(hash, status, message));
    }
  }

  /** Every waiter fails with `err` (the node failed or closes); the preconfirmations stay readable. */
  rejectWaiters(err: unknown): void {
    for (const list of this.waiters.values()) {
      for (const w of list) {
        clearTimeout(w.timer);
        w.reject(err);
      }
    }
    this.waiters.clear();
  }

  /** The node closes: every waiter fails (UNAVAILABLE), and nothing is kept. */
  close(): void {
    this.rejectWaiters(new SubmitError(RpcErrorCode.UNAVAILABLE, "The node is shutting down"));
    this.byHash.clear();
  }

  private forget(hash: string, w: Waiter): void {
    const list = this.waiters.get(hash);
    if (!list) return;
    const rest = list.filter((x) => x !== w);
    if (rest.length > 0) this.waiters.set(hash, rest);
    else this.waiters.delete(hash);
  }

  private sign(p: Preconfirmed): Preconfirmed {
    p.signature ??= signPreconfirmation(this.m.chainId, p.preconfirmation, this.m.key);
    return p;
  }
}

export function notPreconfirmed(hash: string, status: string, message: string): SubmitError {
  return new SubmitError(RpcErrorCode.NOT_PRECONFIRMED, message, { details: { hash, status } });
}

/** The JSON form the RPC returns (sendTransactionSync, getPreconfirmation, the subscription). */
export function preconfirmationToJson(p: Preconfirmed): PreconfirmationJson {
  const { preconfirmation: c } = p;
  return {
    hash: p.hash,
    preconfirmation: {
      number: String(c.number),
      position: c.position,
      receiptRoot: toHex(c.receiptRoot),
      touchedRoot: toHex(c.touchedRoot),
      signature: toHex(p.signature!),
    },
    receipt: ReceiptType.toJson(p.receipt) as Record<string, unknown>,
    touched: p.touched.map((t) => ({ key: toHex(t.key), valueHash: toHex(t.valueHash) })),
  };
}
