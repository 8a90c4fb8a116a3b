/**
 * The local per-address nonce cursor: back-to-back sends get consecutive nonces without waiting for
 * the node to see each one. It syncs from the node's pendingNonce on first use and after a failure.
 */
import type { Hex } from "@filverse/utils";

export class NonceManager {
  private readonly next = new Map<string, number>();
  /** One queue per address, so two concurrent sends never read the same cursor value. */
  private readonly queues = new Map<string, Promise<unknown>>();

  /** The next nonce for `address`; `fetchPending` (the node's pendingNonce) is called only when the cursor is unknown. */
  consume(address: Hex, fetchPending: () => Promise<number>): Promise<number> {
    const key = address.toLowerCase();
    const previous = this.queues.get(key) ?? Promise.resolve();
    const run = previous
      .catch(() => {})
      .then(async () => {
        let nonce = this.next.get(key);
        if (nonce === undefined) nonce = await fetchPending();
        this.next.set(key, nonce + 1);
        return nonce;
      });
    this.queues.set(key, run);
    return run;
  }

  /** Forget the cursor: the next consume() re-reads the node (after NONCE_TOO_LOW, a failed send, a restart). */
  reset(address: Hex): void {
    this.next.delete(address.toLowerCase());
  }

  /** The cursor's next value, or undefined when it must be read from the node. */
  peek(address: Hex): number | undefined {
    return this.next.get(address.toLowerCase());
  }
}
