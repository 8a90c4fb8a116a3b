/**
 * The admission journal. Its writer: every admitted transaction is written (with what it displaced
 * deleted in the same batch) and synced before its hash is returned, so a returned hash survives
 * kill -9; concurrent writes share one synced batch. Its replay: at start, what it holds returns to
 * the mempool.
 */
import { type ChainDb, DbError, DbErrorCode, type JournalPut, type OpenBlockWrite } from "@filverse/db";
import { parseTransactionBytes, type State, TxValidationError, validateTransaction } from "@filverse/state";
import { Namespace } from "@filverse/types";
import { fromHex, type Logger, toHex } from "@filverse/utils";
import type { DropLog } from "./dropLog.js";
import { GroupCommit } from "./groupCommit.js";
import type { Mempool, PoolTx } from "./mempool.js";

export type JournalWriterModules = {
  db: () => ChainDb;
  logger: Logger;
  /** A write failed for another reason than a closed database: the sequencer stops. */
  onFailure: (what: string, err: unknown) => void;
};

/** One item of the sequencer's write-ahead log: a journal entry, or an open block's new records. */
type LogWrite = { tx: PoolTx; displaced: PoolTx[] } | { record: OpenBlockWrite };

/**
 * The sequencer's write-ahead log: admitted transactions (the journal) and the open-block records
 * that preconfirmations promise go through one group commit, in order. So a transaction executed
 * while its journal entry is still queued has its record written in the same synced batch as that
 * entry, or a later one: never before it, which is what a rebuild after a crash needs (every
 * preconfirmed transaction is in the journal), and a preconfirmation waits for one fsync, not two
 * in a row.
 */
export class JournalWriter {
  private readonly commits: GroupCommit<LogWrite>;

  constructor(modules: JournalWriterModules) {
    this.commits = new GroupCommit<LogWrite>({
      write: (batch) => {
        const entries: JournalPut[] = [];
        const records: OpenBlockWrite[] = [];
        for (const b of batch) {
          if ("record" in b) records.push(b.record);
          else entries.push({ hash: b.tx.vtx.hash, txBytes: b.tx.bytes, remove: b.displaced.map((t) => t.vtx.hash) });
        }
        return modules.db().journalPutMany(entries, records);
      },
      // A record must never land without the entries and records queued before it: a failed write
      // fails everything queued with it (the sequencer stops anyway, below).
      failure: "all",
      // A pump scheduled by the admissions being written runs first, so their records share the batch.
      gather: true,
      onError: (err, batch) => {
        modules.logger.error("journal write failed", { count: batch.length }, err);
        // A failed log write can leave LevelDB unable to write again until it is reopened: stop
        // admitting, so the node reports itself failed and a supervisor restarts it.
        if (!(err instanceof DbError && err.code === DbErrorCode.CLOSED))
          modules.onFailure("the journal write failed", err);
      },
    });
  }

  /** Resolves once the writes queued so far are flushed (or failed). */
  idle(): Promise<void> {
    return this.commits.idle();
  }

  /**
   * Journal an admitted transaction and delete what it displaced, in one synced batch shared with
   * whatever else queued meanwhile: under load one fsync covers many transactions.
   */
  write(tx: PoolTx, displaced: PoolTx[]): Promise<void> {
    return this.commits.push({ tx, displaced });
  }

  /**
   * An open block's new records (what a pump slice preconfirmed): durable when it resolves, after
   * every journal entry queued before it.
   */
  record(write: OpenBlockWrite): Promise<void> {
    return this.commits.push({ record: write });
  }

  /** Settles once everything queued so far is written (GroupCommit.barrier). */
  barrier(): Promise<void> {
    return this.commits.barrier();
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
