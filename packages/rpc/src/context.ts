/** The contract between the RPC transport and the node's method handlers: context, handler, connection. */
import type { RpcErrorCode } from "@filverse/types";
import type { Hex } from "@filverse/utils";

/** What a handler learns about the call. One object per HTTP request or per WebSocket connection: do not mutate it. */
export type RpcContext = {
  /** The client's remote address; the rate-limit key. */
  clientId: string;
  transport: "http" | "ws";
  /** The WebSocket connection, for subscriptions; null over HTTP. */
  connection: WsConnection | null;
  /** Aborted when the server closes (and, over WebSocket, when the connection closes). */
  signal: AbortSignal;
};

/**
 * A method handler. `params` is always an array (absent params arrive as []), and no param nests
 * deeper than MAX_JSON_DEPTH (@filverse/types), so a handler may recurse into them. Throw RpcError
 * for typed errors.
 */
export type RpcHandler = {
  (params: unknown[], ctx: RpcContext): unknown | Promise<unknown>;
  /** The code for params nested too deeply (INVALID_PARAMS when unset), e.g. MALFORMED_TRANSACTION. */
  readonly tooDeepCode?: RpcErrorCode;
};

export interface WsConnection {
  readonly id: string;
  /** Notifications dropped because the client was not reading fast enough. */
  readonly droppedNotifications: number;
  /**
   * Register a subscription; throws RpcError SUBSCRIPTION_LIMIT past maxSubscriptionsPerConnection
   * (and UNAVAILABLE once the connection has closed). `onClose` runs on unsubscribe or when the socket
   * closes. Returns the subscription id (0x-hex, 16 random bytes).
   */
  addSubscription(onClose: () => void): Hex;
  /** Remove a subscription and run its `onClose`; false if this connection has no such subscription. */
  removeSubscription(id: string): boolean;
  /**
   * Send {"jsonrpc":"2.0","method":"filverse_subscription","params":{"subscription":id,"result":result}}.
   * Dropped (and counted) when the socket's buffered amount is over the bound: slow consumer protection.
   * A notification for an unknown (already removed) subscription is silently ignored.
   */
  notify(subscriptionId: string, result: unknown): void;
}
