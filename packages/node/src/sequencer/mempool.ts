/**
 * The mempool: transactions ordered per sender by nonce and across senders by fee. Holds future
 * nonces up to a bound, replaces by nonce at +10% fee, evicts the lowest fee when full. Signatures
 * are checked once, before admission (the caller passes ValidatedTransactions).
 */
import { type FeePlan, type Reserved, signerPaysFee, type ValidatedTransaction } from "@filverse/state";
import { RpcErrorCode } from "@filverse/types";
import { type Hex, toHex } from "@filverse/utils";
import { MempoolError } from "../errors.js";

export type MempoolOpts = {
  /** Transactions held in total. */
  maxTxs: number;
  /** Transactions held per sender. */
  maxPerSender: number;
  /** How far past the account nonce a transaction may be held. */
  maxNonceGap: number;
  /** A replacement must pay at least old fee × (1 + this / 100). */
  replacementBumpPercent: number;
};

export const defaultMempoolOpts: MempoolOpts = {
  maxTxs: 100_000,
  maxPerSender: 256,
  maxNonceGap: 64,
  replacementBumpPercent: 10,
};

export type PoolTx = {
  vtx: ValidatedTransaction;
  /** SSZ of the signed transaction (what the journal stores). */
  bytes: Uint8Array;
  hash: string;
  sender: Hex;
  nonce: number;
  fee: bigint;
  /**
   * False until its journal entry is queued in the write-ahead log (admission queues it right after
   * adding it); the block builder skips it until then, so no record of it can precede its entry.
   */
  durable: boolean;
  /** Admission order, the tie-break between equal fees (first come, first served). */
  seq: number;
  /** What a held Via transaction promises out of an allowance, a grant and a payer (see Mempool.reserved). */
  holds?: Hold[];
};

/** An amount a held transaction will take from an allowance, a grant or another's balance. */
type Hold = { key: string; amount: bigint };

/** What the mempool needs to know of the head state. */
export type AccountView = (sender: Uint8Array) => { nonce: number; balance: bigint };

/** A sender's account nonce where execution has got to. */
export type NonceView = (sender: Uint8Array) => number;

export type AddResult = { tx: PoolTx; replaced: PoolTx | null; evicted: PoolTx | null; known: boolean };

export class Mempool {
  private readonly byHash = new Map<string, PoolTx>();
  private readonly bySender = new Map<string, Map<number, PoolTx>>();
  /**
   * Each pending sender's address bytes, so select() and prune() can look accounts up without
   * parsing the hex key again (select() visits every pending sender on every pump slice).
   */
  private readonly senderAddress = new Map<string, Uint8Array>();
  private seq = 0;
  /** The sums of the holds of the held transactions, by key (see holdsOf). */
  private readonly held = new Map<string, bigint>();

  constructor(readonly opts: MempoolOpts = defaultMempoolOpts) {}

  get size(): number {
    return this.byHash.size;
  }

  get(hash: string): PoolTx | undefined {
    return this.byHash.get(hash);
  }

  /**
   * Admit a validated transaction, or throw MempoolError with the RPC code that explains why not.
   * Resubmitting a known transaction returns it (`known: true`): sending is idempotent.
   */
  add(vtx: ValidatedTransaction, bytes: Uint8Array, account: AccountView, plan?: FeePlan): AddResult {
    const hash = toHex(vtx.hash);
    const existing = this.byHash.get(hash);
    if (existing) return { tx: existing, replaced: null, evicted: null, known: true };

    const sender = toHex(vtx.sender);
    const { nonce, fee } = vtx.tx.message;
    const acct = account(vtx.sender);
    if (nonce < acct.nonce) {
      throw new MempoolError(RpcErrorCode.NONCE_TOO_LOW, `Nonce ${nonce} is already used; the next is ${acct.nonce}`, {
        details: { expected: acct.nonce, got: nonce },
      });
    }
    if (nonce > acct.nonce + this.opts.maxNonceGap) {
      throw new MempoolError(
        RpcErrorCode.NONCE_GAP,
        `Nonce ${nonce} is more than ${this.opts.maxNonceGap} ahead of ${acct.nonce}`,
        {
          details: { expected: acct.nonce, got: nonce, maxNonceGap: this.opts.maxNonceGap },
        },
      );
    }
    const queue = this.bySender.get(sender);
    const replaced = queue?.get(nonce) ?? null;
    if (replaced) {
      const bump = BigInt(100 + this.opts.replacementBumpPercent);
      if (fee * 100n < replaced.fee * bump) {
        throw new MempoolError(
          RpcErrorCode.REPLACEMENT_UNDERPRICED,
          `A replacement must pay at least ${(replaced.fee * bump + 99n) / 100n}`,
          {
            details: { pendingFee: replaced.fee, got: fee },
          },
        );
      }
    } else if (queue && queue.size >= this.opts.maxPerSender) {
      throw new MempoolError(RpcErrorCode.SENDER_LIMIT, `The sender already has ${queue.size} pending transactions`);
    }
    // The sender must be able to pay this fee and the fees of its other queued transactions: those it
    // pays itself. A sponsored transaction (its sponsor's allowance pays) or a session transaction
    // (its account pays) asks nothing of the signer's balance, so a 0-FIL signer may send one;
    // admission checked the sponsor's or the account's side before (checkSponsorship).
    const paysOwnFee = signerPaysFee(vtx.tx, vtx.sender);
    let queuedFees = paysOwnFee ? fee : 0n;
    if (queue)
      for (const [n, t] of queue) if (n !== nonce && signerPaysFee(t.vtx.tx, t.vtx.sender)) queuedFees += t.fee;
    if (paysOwnFee && acct.balance < queuedFees) {
      throw new MempoolError(
        RpcErrorCode.INSUFFICIENT_FUNDS,
        `Balance ${acct.balance} does not cover the fees ${queuedFees}`,
        {
          details: { balance: acct.balance, fees: queuedFees },
        },
      );
    }
    let evicted: PoolTx | null = null;
    if (!replaced && this.byHash.size >= this.opts.maxTxs) {
      evicted = this.lowestFee();
      if (!evicted || evicted.fee >= fee) {
        throw new MempoolError(
          RpcErrorCode.MEMPOOL_FULL,
          `The mempool is full; a fee above ${evicted?.fee ?? 0n} may enter`,
          {
            details: { lowestFee: evicted?.fee ?? 0n },
          },
        );
      }
      this.remove(evicted.hash);
    }
    const tx: PoolTx = { vtx, bytes, hash, sender, nonce, fee, durable: false, seq: this.seq++ };
    if (plan) tx.holds = holdsOf(vtx, plan);
    if (replaced) this.remove(replaced.hash);
    this.byHash.set(hash, tx);
    this.hold(tx, 1n);
    let q = this.bySender.get(sender);
    if (!q) {
      this.bySender.set(sender, (q = new Map()));
      this.senderAddress.set(sender, vtx.sender);
    }
    q.set(nonce, tx);
    return { tx, replaced, evicted, known: false };
  }

  /**
   * Re-admit a journaled transaction at start. Its hash was returned once, so admission policy
   * (funds, nonce window, per-sender and total bounds) is not applied again against a head that may
   * lag the block it was accepted for; only what can never be included is refused. Of two journaled
   * transactions with one sender and nonce (a replacement), the higher fee stays. Returns the
   * displaced transaction, if any.
   */
  restore(
    vtx: ValidatedTransaction,
    bytes: Uint8Array,
    committedNonce: number,
  ): { tx: PoolTx | null; displaced: PoolTx | null } {
    const hash = toHex(vtx.hash);
    const existing = this.byHash.get(hash);
    if (existing) return { tx: existing, displaced: null };
    const { nonce, fee } = vtx.tx.message;
    if (nonce < committedNonce) return { tx: null, displaced: null };
    const sender = toHex(vtx.sender);
    let q = this.bySender.get(sender);
    const other = q?.get(nonce) ?? null;
    if (other && other.fee >= fee) return { tx: null, displaced: null };
    if (other) this.remove(other.hash);
    const tx: PoolTx = { vtx, bytes, hash, sender, nonce, fee, durable: true, seq: this.seq++ };
    this.byHash.set(hash, tx);
    q = this.bySender.get(sender);
    if (!q) {
      this.bySender.set(sender, (q = new Map()));
      this.senderAddress.set(sender, vtx.sender);
    }
    q.set(nonce, tx);
    return { tx, displaced: other };
  }

  /** Every pending transaction, in no particular order. */
  all(): IterableIterator<PoolTx> {
    return this.byHash.values();
  }

  remove(hash: string): PoolTx | undefined {
    const tx = this.byHash.get(hash);
    if (!tx) return undefined;
    this.byHash.delete(hash);
    this.hold(tx, -1n);
    const q = this.bySender.get(tx.sender);
    if (q?.get(tx.nonce) === tx) {
      q.delete(tx.nonce);
      if (q.size === 0) {
        this.bySender.delete(tx.sender);
        this.senderAddress.delete(tx.sender);
      }
    }
    return tx;
  }

  /**
   * What the held Via transactions already promise, for admission's check of another (planFee): the
   * fees an allowance pays, the FIL a session grant spends, the fees an address pays for others. The
   * transaction `vtx` would replace (same signer and nonce) is left out. Without this, one open
   * allowance could be promised to any number of held transactions that execution then drops, free
   * of charge, evicting others' transactions from a full pool.
   */
  reserved(vtx: ValidatedTransaction): Reserved {
    const replaced = this.bySender.get(toHex(vtx.sender))?.get(vtx.tx.message.nonce);
    const sum = (key: string) => {
      let total = this.held.get(key) ?? 0n;
      for (const h of replaced?.holds ?? []) if (h.key === key) total -= h.amount;
      return total;
    };
    return {
      allowance: (id) => sum(`a${toHex(id)}`),
      session: (id) => sum(`s${toHex(id)}`),
      payer: (address) => sum(`p${toHex(address)}`),
    };
  }

  /**
   * A held transaction's share, planned once the state it relies on is there (a journaled one
   * restored at start, after the open blocks are rebuilt); replaces any it had.
   */
  setHolds(tx: PoolTx, plan: FeePlan): void {
    if (this.byHash.get(tx.hash) !== tx) return;
    this.hold(tx, -1n);
    const holds = holdsOf(tx.vtx, plan);
    if (holds) tx.holds = holds;
    else delete tx.holds;
    this.hold(tx, 1n);
  }

  private hold(tx: PoolTx, sign: 1n | -1n): void {
    for (const h of tx.holds ?? []) {
      const total = (this.held.get(h.key) ?? 0n) + sign * h.amount;
      if (total === 0n) this.held.delete(h.key);
      else this.held.set(h.key, total);
    }
  }

  /**
   * The eviction candidate: the lowest fee, and within a sender its highest nonce, so eviction never
   * opens a gap in front of a sender's remaining transactions. O(senders); runs only when full.
   */
  private lowestFee(): PoolTx | null {
    let worst: PoolTx | null = null;
    for (const q of this.bySender.values()) {
      let last: PoolTx | null = null;
      for (const t of q.values()) if (!last || t.nonce > last.nonce) last = t;
      if (last && (!worst || last.fee < worst.fee || (last.fee === worst.fee && last.seq > worst.seq))) worst = last;
    }
    return worst;
  }

  /** The next nonce a sender should use: past its account nonce and every consecutive pending one. */
  pendingNonce(sender: Uint8Array, accountNonce: number): number {
    const q = this.bySender.get(toHex(sender));
    let n = accountNonce;
    while (q?.has(n)) n++;
    return n;
  }

  /**
   * Up to `max` transactions for the next block: each sender's consecutive journaled run from its
   * account nonce, interleaved across senders by fee (highest first, then arrival).
   */
  select(max: number, accountNonce: NonceView): PoolTx[] {
    const heap = new FeeHeap();
    for (const [sender, q] of this.bySender) {
      const first = q.get(accountNonce(this.senderAddress.get(sender)!));
      if (first?.durable) heap.push(first);
    }
    const out: PoolTx[] = [];
    while (out.length < max && heap.size > 0) {
      const tx = heap.pop()!;
      out.push(tx);
      const next = this.bySender.get(tx.sender)?.get(tx.nonce + 1);
      if (next?.durable) heap.push(next);
    }
    return out;
  }

  /** Drop every transaction whose nonce the head has passed (included, or replaced on chain). */
  prune(accountNonce: NonceView, senders: Iterable<string>): PoolTx[] {
    const dropped: PoolTx[] = [];
    for (const sender of senders) {
      const q = this.bySender.get(sender);
      if (!q) continue;
      const n = accountNonce(this.senderAddress.get(sender)!);
      for (const t of [...q.values()]) {
        if (t.nonce < n) {
          this.remove(t.hash);
          dropped.push(t);
        }
      }
    }
    return dropped;
  }

  /** Counts for metrics and sync status. */
  stats(): { txs: number; senders: number } {
    return { txs: this.byHash.size, senders: this.bySender.size };
  }
}

/** A binary max-heap by (fee desc, seq asc). */
class FeeHeap {
  private readonly items: PoolTx[] = [];

  get size(): number {
    return this.items.length;
  }

  private before(a: PoolTx, b: PoolTx): boolean {
    return a.fee > b.fee || (a.fee === b.fee && a.seq < b.seq);
  }

  push(tx: PoolTx): void {
    const items = this.items;
    items.push(tx);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): PoolTx | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < items.length && this.before(items[l]!, items[best]!)) best = l;
        if (r < items.length && this.before(items[r]!, items[best]!)) best = r;
        if (best === i) break;
        [items[i], items[best]] = [items[best]!, items[i]!];
        i = best;
      }
    }
    return top;
  }
}

/** The holds of a Via transaction admitted with `plan` (keys: a = allowance id, s = grant id, p = payer). */
function holdsOf(vtx: ValidatedTransaction, plan: FeePlan): Hold[] | undefined {
  const fee = vtx.tx.message.fee;
  const holds: Hold[] = [];
  if (plan.allowanceId) holds.push({ key: `a${toHex(plan.allowanceId)}`, amount: fee });
  if (plan.sessionId) {
    holds.push({ key: `s${toHex(plan.sessionId)}`, amount: plan.filAmount + (plan.allowanceId ? 0n : fee) });
  }
  if (toHex(plan.payer) !== toHex(vtx.sender)) holds.push({ key: `p${toHex(plan.payer)}`, amount: fee });
  return holds.length > 0 ? holds : undefined;
}
