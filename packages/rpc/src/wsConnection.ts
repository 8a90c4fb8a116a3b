/**
 * One WebSocket client: its subscriptions (cleaned up on close), subscription notifications with
 * slow-consumer protection, the heartbeat flag and its handler context.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { RpcErrorCode } from "@filverse/types";
import type { Hex, Logger } from "@filverse/utils";
import type { WebSocket } from "ws";
import type { RpcContext, WsConnection } from "./context.js";
import { RpcError } from "./errors.js";
import { toJson } from "./json.js";

export const SUBSCRIPTION_METHOD = "filverse_subscription";

export class RpcWsConnection implements WsConnection {
  readonly id = randomUUID();
  readonly ctx: RpcContext;
  /** Cleared by each heartbeat, set by the pong: still false at the next beat means the peer is gone. */
  alive = true;
  private dropped = 0;
  private closed = false;
  private readonly subscriptions = new Map<string, () => void>();
  private readonly abort = new AbortController();

  constructor(
    readonly ws: WebSocket,
    clientId: string,
    private readonly maxSubscriptions: number,
    private readonly maxBufferedBytes: number,
    private readonly log: Logger,
  ) {
    // The server disposes every connection when it closes, so this one signal covers both cases.
    this.ctx = Object.freeze({ clientId, transport: "ws" as const, connection: this, signal: this.abort.signal });
  }

  get droppedNotifications(): number {
    return this.dropped;
  }

  get subscriptionCount(): number {
    return this.subscriptions.size;
  }

  addSubscription(onClose: () => void): Hex {
    if (this.closed) {
      throw new RpcError(RpcErrorCode.UNAVAILABLE, { message: "Connection closed", data: { connection: this.id } });
    }
    if (this.subscriptions.size >= this.maxSubscriptions) {
      throw new RpcError(RpcErrorCode.SUBSCRIPTION_LIMIT, { data: { limit: this.maxSubscriptions } });
    }
    let id: Hex;
    do id = `0x${randomBytes(16).toString("hex")}`;
    while (this.subscriptions.has(id));
    this.subscriptions.set(id, onClose);
    return id;
  }

  removeSubscription(id: string): boolean {
    const onClose = this.subscriptions.get(id);
    if (onClose === undefined) return false;
    this.subscriptions.delete(id);
    this.runOnClose(id, onClose);
    return true;
  }

  notify(subscriptionId: string, result: unknown): void {
    if (this.closed || !this.subscriptions.has(subscriptionId)) return;
    if (this.ws.bufferedAmount > this.maxBufferedBytes) {
      this.dropped++;
      if (this.dropped === 1 || this.dropped % 1000 === 0) {
        this.log.warn("ws slow consumer: notifications dropped", { connection: this.id, dropped: this.dropped });
      }
      return;
    }
    let resultJson: string;
    try {
      resultJson = toJson(result);
    } catch (e) {
      this.log.error("ws notification not serializable", { connection: this.id }, e);
      return;
    }
    this.ws.send(
      `{"jsonrpc":"2.0","method":"${SUBSCRIPTION_METHOD}","params":{"subscription":${JSON.stringify(subscriptionId)},"result":${resultJson}}}`,
    );
  }

  /** Send a response if the socket is still open. */
  send(response: string): void {
    if (this.ws.readyState === 1 /* OPEN */) this.ws.send(response);
  }

  /** Abort the context and run every subscription's onClose. Idempotent. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    const subs = [...this.subscriptions];
    this.subscriptions.clear();
    for (const [id, onClose] of subs) this.runOnClose(id, onClose);
  }

  private runOnClose(id: string, onClose: () => void): void {
    try {
      onClose();
    } catch (e) {
      this.log.error("subscription onClose failed", { connection: this.id, subscription: id }, e);
    }
  }
}
