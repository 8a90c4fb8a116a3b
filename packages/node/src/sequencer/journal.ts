/**
 * The admission journal's writer: every admitted transaction is written (with what it displaced
 * deleted in the same batch) and synced before its hash is returned, so a returned hash survives
 * kill -9. Concurrent writes share one synced batch.
 */
import { type ChainDb, DbError, DbErrorCode } from "@filverse/db";
import type { Logger } from "@filverse/utils";
import type { PoolTx } from "./mempool.js";

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
