/**
 * Group commit: items pushed while a write is in flight are written together by the next one, so
 * under load one synced batch (one fsync) covers many of them. Writes run one at a time, in push
 * order: an item's promise resolves only after every item pushed before it was written.
 */

export type GroupCommitOptions<T> = {
  /** Writes one batch; durable when it resolves. Never called with an empty batch. */
  write: (items: T[]) => Promise<void>;
  /**
   * After a write fails: "batch" rejects that batch's items only, and what queued meanwhile is
   * written next; "all" rejects what queued meanwhile too (with the same error), because a later
   * item must never land without an earlier one.
   */
  failure: "batch" | "all";
  /** Told of each failed write, after its items were rejected. */
  onError?: (err: unknown, items: readonly T[]) => void;
  /**
   * Before taking each batch, let the callbacks already queued with setImmediate run (they may push
   * items that belong in the same write). Without it, a push with no write in flight starts one at once.
   */
  gather?: boolean;
};

type Entry<T> = { item: T; resolve: () => void; reject: (e: unknown) => void };

export class GroupCommit<T> {
  private queue: Entry<T>[] = [];
  private flushing: Promise<void> | null = null;
  /** The promise of the last item pushed. */
  private last: Promise<void> = Promise.resolve();

  constructor(private readonly opts: GroupCommitOptions<T>) {}

  /** Items waiting for the next write (not the one in flight). */
  get queued(): number {
    return this.queue.length;
  }

  /** Queue an item: resolves once the write that carries it has landed, rejects if it failed. */
  push(item: T): Promise<void> {
    this.last = new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.flushing) this.flushing = this.flush();
    });
    return this.last;
  }

  /**
   * Settles as the last item pushed so far does: every earlier one has been written when it
   * resolves (rejects if that item's write failed). Pushes nothing.
   */
  barrier(): Promise<void> {
    return this.last;
  }

  /** Resolves once what was queued so far is written (or failed); never rejects. */
  async idle(): Promise<void> {
    await this.flushing?.catch(() => {});
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      if (this.opts.gather) await new Promise((r) => setImmediate(r));
      const batch = this.queue;
      this.queue = [];
      const items = batch.map((e) => e.item);
      try {
        await this.opts.write(items);
      } catch (err) {
        const failed = this.opts.failure === "all" ? [...batch, ...this.queue] : batch;
        if (this.opts.failure === "all") this.queue = [];
        for (const e of failed) e.reject(err);
        this.opts.onError?.(err, items);
        continue;
      }
      for (const e of batch) e.resolve();
    }
    this.flushing = null;
  }
}
