/**
 * The admission journal. Its writer: every admitted transaction is written (with what it displaced
 * deleted in the same batch) and synced before its hash is returned, so a returned hash survives
 * kill -9; concurrent writes share one synced batch. Its replay: at start, what it holds returns to
 * the mempool.
 */
import { type ChainDb, DbError, DbErrorCode } from "@filverse/db";
import { parseTransactionBytes, type State, TxValidationError, validateTransaction } from "@filverse/state";
import { Namespace } from "@filverse/types";
import { fromHex, type Logger, toHex } from "@filverse/utils";
import type { DropLog } from "./dropLog.js";
import type { Mempool, PoolTx } from "./mempool.js";

export type JournalWriterModules = {
  db: () => ChainDb;
  logger: Logger;
  /** A write failed for another reason than a closed database: the sequencer stops. */
  onFailure: (what: string, err: unknown) => void;
};

export class JournalWriter {
  private readonly db: () => ChainDb;
  private readonly logger: Logger;
  private readonly onFailure: (what: string, err: unknown) => void;
  private journalQueue: {
    tx: PoolTx;
    /** What the transaction displaced (replaced, evicted): deleted in the batch that writes it. */
    displaced: PoolTx[];
    resolve: () => void;
    reject: (e: unknown) => void;
  }[] = [];
  private flushing: Promise<void> | null = null;

  constructor(modules: JournalWriterModules) {
    this.db = modules.db;
    this.logger = modules.logger;
    this.onFailure = modules.onFailure;
  }

  /** Resolves once the writes queued so far are flushed (or failed). */
  async idle(): Promise<void> {
    await this.flushing?.catch(() => {});
  }

  /**
   * Group concurrent journal writes into one synced batch: under load one fsync covers many
   * transactions, which is what lets durable admission keep up with the block builder.
   */
  write(tx: PoolTx, displaced: PoolTx[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.journalQueue.push({ tx, displaced, resolve, reject });
      if (!this.flushing) this.flushing = this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.journalQueue.length > 0) {
      const batch = this.journalQueue;
      this.journalQueue = [];
      try {
        await this.db().journalPutMany(
          batch.map((b) => ({
            hash: b.tx.vtx.hash,
            txBytes: b.tx.bytes,
            remove: b.displaced.map((t) => t.vtx.hash),
          })),
        );
        for (const b of batch) b.resolve();
      } catch (err) {
        this.logger.error("journal write failed", { count: batch.length }, err);
        for (const b of batch) b.reject(err);
        // A failed log write can leave LevelDB unable to write again until it is reopened: stop
        // admitting, so the node reports itself failed and a supervisor restarts it.
        if (!(err instanceof DbError && err.code === DbErrorCode.CLOSED))
          this.onFailure("the journal write failed", err);
      }
    }
    this.flushing = null;
  }
}

export type JournalReplayModules = {
  db: ChainDb;
  chainId: number;
  /** The head's state: a transaction's committed nonce. */
  state: State;
  mempool: Mempool;
  drops: DropLog;
  logger: Logger;
};

/**
 * Transactions accepted before a stop or crash are in the journal: re-admit them. Admission policy
 * is not applied again (their hashes were returned); only what can never be included is dropped.
 * pump() later drops anything that turns out not to be includable.
 */
export async function replayJournal(m: JournalReplayModules): Promise<void> {
  const stale: Uint8Array[] = [];
  let restored = 0;
  for (const { hash, txBytes } of await journalInOrder(m.db)) {
    try {
      if (await m.db.getTxLocation(hash)) {
        stale.push(hash);
        continue;
      }
      const vtx = validateTransaction(parseTransactionBytes(txBytes), m.chainId);
      const committed = m.state.get(Namespace.Account, vtx.sender)?.nonce ?? 0;
      const { tx, displaced } = m.mempool.restore(vtx, txBytes, committed);
      if (displaced) {
        stale.push(fromHex(displaced.hash));
        m.drops.add(displaced.hash, { reason: "replaced" });
      }
      if (tx) restored++;
      else {
        stale.push(hash);
        m.drops.add(toHex(hash), { reason: vtx.tx.message.nonce < committed ? "nonce_passed" : "replaced" });
      }
    } catch (err) {
      // A rule tightened since it was admitted (e.g. the AssetBatchMint token-id bound): it can
      // never be included, so it must not come back, or it would reach block production again.
      stale.push(hash);
      m.drops.add(toHex(hash), {
        reason: "invalid",
        ...(err instanceof TxValidationError ? { code: err.code } : {}),
      });
      m.logger.warn("journal entry dropped", { hash: toHex(hash), reason: (err as Error).message });
    }
  }
  if (stale.length > 0) await m.db.journalDelete(stale);
  if (restored > 0) m.logger.info("journal replayed", { restored, dropped: stale.length });
}

/**
 * The journal's entries, the transactions a rewind put back first in their original order (the
 * last rewind's record lists them), then the rest by hash (the mempool orders them by sender and nonce).
 */
async function journalInOrder(db: ChainDb): Promise<{ hash: Uint8Array; txBytes: Uint8Array }[]> {
  const entries: { hash: Uint8Array; txBytes: Uint8Array }[] = [];
  for await (const e of db.journalEntries()) entries.push(e);
  const rewind = await db.getRewind();
  if (!rewind || rewind.returned.length === 0) return entries;
  const rank = new Map(rewind.returned.map((h, i) => [toHex(h), i]));
  const at = (h: Uint8Array) => rank.get(toHex(h)) ?? Number.MAX_SAFE_INTEGER;
  return entries.sort((a, b) => at(a.hash) - at(b.hash));
}
