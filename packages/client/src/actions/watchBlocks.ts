/**
 * `watchBlocks`: call `onBlock` with each new head. Over WebSocket it subscribes to ["newHeads"];
 * over HTTP it polls the head and fetches each new block in order. Returns the function that stops it.
 */
import type { BlockJson } from "@filverse/types";
import type { FilverseBaseClient } from "../baseClient.js";

export type WatchBlocksParameters = {
  onBlock: (block: BlockJson) => void;
  /** Subscription and polling failures; the watch stops after a WebSocket error. */
  onError?: (error: Error) => void;
  /** HTTP polling interval; default the client's (250 ms). */
  pollIntervalMs?: number;
};
export type WatchBlocksReturnType = () => void;

export function watchBlocks(client: FilverseBaseClient, params: WatchBlocksParameters): WatchBlocksReturnType {
  const { onBlock, onError } = params;
  let stopped = false;
  const subscribe = client.transport.subscribe;

  if (subscribe) {
    let unsubscribe: (() => Promise<void>) | undefined;
    subscribe(["newHeads"], {
      onData: (result) => {
        if (!stopped) onBlock(result as BlockJson);
      },
      onError: (error) => onError?.(error),
    })
      .then((unsub) => {
        unsubscribe = unsub;
        if (stopped) void unsub();
      })
      .catch((error: Error) => onError?.(error));
    return () => {
      stopped = true;
      void unsubscribe?.();
    };
  }

  const pollIntervalMs = params.pollIntervalMs ?? client.pollIntervalMs;
  let last: bigint | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const poll = async (): Promise<void> => {
    try {
      const head = BigInt(await client.request("filverse_blockNumber", []));
      // The first poll only sets the starting point: watchBlocks reports blocks made after it started.
      let next = last === undefined ? head + 1n : last + 1n;
      for (; next <= head && !stopped; next++) {
        const block = await client.request("filverse_getBlockByNumber", [next.toString(), false]);
        if (!block) break;
        onBlock(block);
        last = next;
      }
      if (last === undefined) last = head;
    } catch (error) {
      onError?.(error as Error);
    }
    if (!stopped) timer = setTimeout(poll, pollIntervalMs);
  };
  void poll();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
