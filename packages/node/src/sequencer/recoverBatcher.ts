/**
 * Signature recovery for admission on the worker pool, batched: concurrent submissions share one
 * pool job, so the pool gets large jobs and the main thread stays free to execute and commit blocks.
 */
import type { SignatureRecoverer } from "@filverse/crypto";

/** How long admission gathers signatures before sending them to the pool as one batch. */
const RECOVER_BATCH_WAIT_MS = 1;

export class RecoverBatcher {
  private readonly recoverer: SignatureRecoverer;
  private recoverQueue: {
    digest: Uint8Array;
    signature: Uint8Array;
    resolve: (sender: Uint8Array | null) => void;
    reject: (e: unknown) => void;
  }[] = [];
  private recoverInFlight = 0;

  constructor(recoverer: SignatureRecoverer) {
    this.recoverer = recoverer;
  }

  /**
   * Recover on the pool, batching concurrent submissions: requests that arrive while batches are in
   * flight wait for the next one, so the pool gets large jobs and the main thread stays free to
   * execute and commit blocks (the pipeline). Two batches in flight keep both workers busy.
   */
  recover(digest: Uint8Array, signature: Uint8Array): Promise<Uint8Array | null> {
    return new Promise((resolve, reject) => {
      this.recoverQueue.push({ digest, signature, resolve, reject });
      // Gather for up to RECOVER_BATCH_WAIT_MS: piscina's dispatch cost per job showed up at about
      // 4% of the main thread with one job per request batch; fewer, larger jobs amortise it.
      if (this.recoverQueue.length === 1) setTimeout(() => this.flushRecoveries(), RECOVER_BATCH_WAIT_MS);
    });
  }

  private flushRecoveries(): void {
    while (this.recoverQueue.length > 0 && this.recoverInFlight < 2) {
      const batch = this.recoverQueue;
      this.recoverQueue = [];
      this.recoverInFlight++;
      this.recoverer
        .recoverBatch(
          batch.map((b) => b.digest),
          batch.map((b) => b.signature),
        )
        .then(
          (senders) => {
            for (let i = 0; i < batch.length; i++) batch[i]!.resolve(senders[i] ?? null);
          },
          (err) => {
            for (const b of batch) b.reject(err);
          },
        )
        .finally(() => {
          this.recoverInFlight--;
          if (this.recoverQueue.length > 0) this.flushRecoveries();
        });
    }
  }
}
