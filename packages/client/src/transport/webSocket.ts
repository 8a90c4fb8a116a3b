/**
 * The WebSocket transport: requests matched to responses by id, `filverse_subscription`
 * notifications routed to their subscription. Uses the global WebSocket when there is one, else `ws`.
 */
import type { RpcMethod, RpcMethods } from "@filverse/types";
import { TransportError, TransportErrorCode } from "../errors.js";
import { buildRequest, type JsonRpcRequest, parseResponse, stringifyRequest } from "./jsonRpc.js";
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  type RequestOptions,
  type SubscriptionHandlers,
  type Transport,
  type TransportOptions,
} from "./types.js";

/** The part of the WHATWG WebSocket that both the global one and `ws` implement. */
type WebSocketLike = {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code?: number; reason?: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
};
type WebSocketConstructor = new (url: string) => WebSocketLike;

const OPEN = 1;
/** How long close() waits for the peer's close frame. */
const CLOSE_TIMEOUT_MS = 1_000;

async function webSocketConstructor(): Promise<WebSocketConstructor> {
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global) return global;
  const mod = (await import("ws")) as unknown as { WebSocket?: WebSocketConstructor; default?: WebSocketConstructor };
  return (mod.WebSocket ?? mod.default)!;
}

type Pending = {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  /** Runs synchronously with the response, before any later message is handled. */
  onResult?: (result: unknown) => void;
};

export function createWebSocketTransport(url: string, opts: TransportOptions = {}): Transport {
  const defaultTimeoutMs = opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const pending = new Map<number, Pending>();
  const subscriptions = new Map<string, SubscriptionHandlers>();
  let socket: Promise<WebSocketLike> | null = null;
  let closed = false;

  function failAll(error: TransportError): void {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      pending.delete(id);
      p.reject(error);
    }
    for (const [id, s] of subscriptions) {
      subscriptions.delete(id);
      s.onError?.(error);
    }
  }

  function onMessage(raw: unknown): void {
    const text =
      typeof raw === "string" ? raw : new TextDecoder().decode(raw instanceof ArrayBuffer ? raw : (raw as Uint8Array));
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return; // Not JSON: nothing can be matched to it.
    }
    if (msg.method === "filverse_subscription") {
      const params = msg.params as { subscription?: string; result?: unknown } | undefined;
      const sub = params?.subscription === undefined ? undefined : subscriptions.get(params.subscription);
      sub?.onData(params!.result);
      return;
    }
    const p = typeof msg.id === "number" ? pending.get(msg.id) : undefined;
    if (!p) return;
    pending.delete(msg.id as number);
    clearTimeout(p.timer);
    try {
      const result = parseResponse(msg, msg.id as number);
      p.onResult?.(result);
      p.resolve(result);
    } catch (error) {
      p.reject(error as Error);
    }
  }

  function connect(): Promise<WebSocketLike> {
    if (socket) return socket;
    socket = (async () => {
      const Ctor = await webSocketConstructor();
      const ws = new Ctor(url);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          ws.close();
          reject(
            new TransportError(
              TransportErrorCode.TIMEOUT,
              `Connecting to ${url} timed out after ${defaultTimeoutMs} ms`,
              {
                details: { url },
              },
            ),
          );
        }, defaultTimeoutMs);
        ws.onopen = () => {
          clearTimeout(timer);
          resolve();
        };
        ws.onerror = (ev) => {
          clearTimeout(timer);
          const message =
            (ev as { message?: string; error?: Error })?.error?.message ?? (ev as { message?: string })?.message;
          reject(
            new TransportError(TransportErrorCode.CONNECTION, `Could not connect to the node at ${url}`, {
              details: { url, ...(message ? { reason: message } : {}) },
            }),
          );
        };
      });
      ws.onmessage = (ev) => onMessage(ev.data);
      ws.onerror = () => {};
      ws.onclose = (ev) => {
        socket = null;
        failAll(
          new TransportError(TransportErrorCode.CLOSED, "The WebSocket connection closed", {
            details: { url, code: ev.code, reason: ev.reason },
          }),
        );
      };
      return ws;
    })();
    socket.catch(() => {
      socket = null;
    });
    return socket;
  }

  async function send(body: JsonRpcRequest, timeoutMs: number, onResult?: (result: unknown) => void): Promise<unknown> {
    if (closed) {
      throw new TransportError(TransportErrorCode.CLOSED, "The client was closed", { details: { url } });
    }
    const ws = await connect();
    if (closed) {
      throw new TransportError(TransportErrorCode.CLOSED, "The client was closed", { details: { url } });
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(body.id);
        reject(
          new TransportError(TransportErrorCode.TIMEOUT, `The request timed out after ${timeoutMs} ms`, {
            details: { url, method: body.method, timeoutMs },
          }),
        );
      }, timeoutMs);
      pending.set(body.id, { resolve, reject, timer, ...(onResult ? { onResult } : {}) });
      try {
        if (ws.readyState !== OPEN) throw new TypeError("socket not open");
        ws.send(stringifyRequest(body));
      } catch (cause) {
        clearTimeout(timer);
        pending.delete(body.id);
        reject(new TransportError(TransportErrorCode.CLOSED, "The WebSocket connection is not open", { cause }));
      }
    });
  }

  async function request<M extends RpcMethod>(
    method: M,
    params: RpcMethods[M][0],
    reqOpts: RequestOptions = {},
  ): Promise<RpcMethods[M][1]> {
    return (await send(buildRequest(method, params), reqOpts.timeoutMs ?? defaultTimeoutMs)) as RpcMethods[M][1];
  }

  async function subscribe(
    params: RpcMethods["filverse_subscribe"][0],
    handlers: SubscriptionHandlers,
  ): Promise<() => Promise<void>> {
    // Register the handler as the response is read, so a notification in the same frame batch is not lost.
    const id = (await send(buildRequest("filverse_subscribe", params), defaultTimeoutMs, (result) => {
      subscriptions.set(String(result), handlers);
    })) as string;
    let active = true;
    return async () => {
      if (!active) return;
      active = false;
      subscriptions.delete(id);
      if (closed || !socket) return;
      await request("filverse_unsubscribe", [id as `0x${string}`]).catch(() => false);
    };
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    const current = socket;
    socket = null;
    failAll(new TransportError(TransportErrorCode.CLOSED, "The client was closed", { details: { url } }));
    if (!current) return;
    const ws = await current.catch(() => null);
    if (!ws) return;
    await new Promise<void>((resolve) => {
      // A peer that never answers the close frame must not hold close() forever.
      const timer = setTimeout(resolve, CLOSE_TIMEOUT_MS);
      ws.onclose = () => {
        clearTimeout(timer);
        resolve();
      };
      ws.close(1000, "client closed");
    });
    // Anything registered while the socket was closing fails now rather than at its timeout.
    failAll(new TransportError(TransportErrorCode.CLOSED, "The client was closed", { details: { url } }));
  }

  return { type: "webSocket", url, request, subscribe, close };
}
