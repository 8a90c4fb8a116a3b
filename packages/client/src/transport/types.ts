/** The transport seam: one typed JSON-RPC request function (HTTP or WebSocket), plus subscriptions over WebSocket. */
import type { RpcMethod, RpcMethods } from "@filverse/types";

export type RequestOptions = {
  /** Overrides the transport's timeout for this request. */
  timeoutMs?: number;
};

export type RequestFn = <M extends RpcMethod>(
  method: M,
  params: RpcMethods[M][0],
  opts?: RequestOptions,
) => Promise<RpcMethods[M][1]>;

export type SubscriptionHandlers = {
  onData: (result: unknown) => void;
  /** The connection closed or broke; the subscription is gone. */
  onError?: (error: Error) => void;
};

export type Transport = {
  readonly type: "http" | "webSocket";
  readonly url: string;
  request: RequestFn;
  /**
   * WebSocket only: `filverse_subscribe` with `params`; notifications go to `onData`. Resolves with
   * a function that unsubscribes (`filverse_unsubscribe`).
   */
  subscribe?: (
    params: RpcMethods["filverse_subscribe"][0],
    handlers: SubscriptionHandlers,
  ) => Promise<() => Promise<void>>;
  /** Closes the WebSocket (a no-op over HTTP). Idempotent. */
  close(): Promise<void>;
};

export type TransportOptions = {
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Extra HTTP headers (HTTP only). */
  headers?: Record<string, string>;
};

/** 10 s covers a loaded node answering a read; submits are answered before inclusion, so they are as fast. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
