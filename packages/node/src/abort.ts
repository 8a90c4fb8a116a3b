/**
 * How long-running work stops: a node owns one AbortController and passes its signal down; loops,
 * timers, retries and waits on a remote end stop when it is aborted instead of keeping their own
 * stopped flags. A part that is also closed on its own (a Verifier or Sequencer used without a node)
 * keeps a controller that follows the node's signal (`followSignal`), so either way stops it.
 */

/**
 * A controller that is also aborted when `parent` is, with `reason()` (the part's own error, e.g.
 * NodeError CLOSED, so what it refuses reads the same however it was stopped).
 */
export function followSignal(parent: AbortSignal | null | undefined, reason: () => unknown): AbortController {
  const controller = new AbortController();
  if (parent) {
    if (parent.aborted) controller.abort(reason());
    else parent.addEventListener("abort", () => controller.abort(reason()), { once: true });
  }
  return controller;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it is aborted (the timer is cleared). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * `promise`, or a rejection with the signal's reason as soon as it is aborted: a wait on a remote end
 * (a source that never answers) does not hold up a close. The promise itself is left to settle unobserved.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}
