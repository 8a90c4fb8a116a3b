/** Shared fixtures for the RPC server tests: test methods, a recording logger, POST; the queued WebSocket client is @filverse/test-utils's. */

import type { Json } from "@filverse/test-utils";
import { RpcErrorCode } from "@filverse/types";
import { FilverseError, type LogContext, type Logger } from "@filverse/utils";
import { paramString, paramUint, type RpcContext, RpcError, type RpcHandler } from "../../src/index.js";

export { type Json, sleep, TestWs } from "@filverse/test-utils";

export type LogEntry = { level: string; msg: string; ctx?: LogContext; err?: unknown };

export function recordingLogger(entries: LogEntry[] = []): Logger & { entries: LogEntry[] } {
  const make = (): Logger & { entries: LogEntry[] } => ({
    entries,
    error: (msg, ctx, err) => void entries.push({ level: "error", msg, ctx, err }),
    warn: (msg, ctx, err) => void entries.push({ level: "warn", msg, ctx, err }),
    info: (msg, ctx) => void entries.push({ level: "info", msg, ctx }),
    debug: (msg, ctx) => void entries.push({ level: "debug", msg, ctx }),
    child: () => make(),
  });
  return make();
}

export type TestState = {
  /** Contexts seen by `slow`, to check their signals after close(). */
  slowContexts: RpcContext[];
  /** Subscription ids whose onClose ran. */
  closedSubscriptions: string[];
  notifications: number;
};

export function testMethods(state: TestState): Record<string, RpcHandler> {
  return {
    echo: (params) => params,
    deepMalformed: Object.assign(() => "never runs", { tooDeepCode: RpcErrorCode.MALFORMED_TRANSACTION }),
    add: (params) => paramUint(params, 0, "a") + paramUint(params, 1, "b"),
    ctx: (_params, ctx) => ({ clientId: ctx.clientId, transport: ctx.transport, ws: ctx.connection !== null }),
    asyncEcho: async (params) => params,
    slow: (params, ctx) => {
      state.slowContexts.push(ctx);
      const ms = paramUint(params, 0, "ms");
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => resolve("done"), ms);
        ctx.signal.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(new RpcError(RpcErrorCode.UNAVAILABLE));
        });
      });
    },
    rpcError: () => {
      throw new RpcError(RpcErrorCode.NONCE_TOO_LOW, { data: { expected: "5", got: "3" } });
    },
    rejects: async () => {
      throw new RpcError(RpcErrorCode.FEE_TOO_LOW, { message: "Fee too low: minimum is 10" });
    },
    fail: () => {
      throw new TypeError("secret internal detail");
    },
    filverseFail: () => {
      throw new FilverseError("STATE_MISSING", "state object missing", { details: { key: "0xab" } });
    },
    bigint: () => ({ balance: 10n ** 30n, list: [1n, 2n] }),
    undef: () => undefined,
    circular: () => {
      const o: Record<string, unknown> = {};
      o.self = o;
      return o;
    },
    subscribe: (_params, ctx) => {
      const conn = ctx.connection;
      if (conn === null) throw new RpcError(RpcErrorCode.WEBSOCKET_REQUIRED);
      const id = conn.addSubscription(() => state.closedSubscriptions.push(id));
      setImmediate(() => conn.notify(id, { hello: "world", n: 1n }));
      return id;
    },
    unsubscribe: (params, ctx) => ctx.connection?.removeSubscription(paramString(params, 0, "id")) ?? false,
    /** Push `count` notifications of `bytes` bytes each to a subscription; returns how many were dropped. */
    flood: (params, ctx) => {
      const conn = ctx.connection!;
      const id = paramString(params, 0, "id");
      const count = paramUint(params, 1, "count");
      const payload = "x".repeat(paramUint(params, 2, "bytes"));
      for (let i = 0; i < count; i++) conn.notify(id, payload);
      return conn.droppedNotifications;
    },
  };
}

export function newState(): TestState {
  return { slowContexts: [], closedSubscriptions: [], notifications: 0 };
}

export async function post(
  url: string,
  body: string | object,
): Promise<{ status: number; headers: Headers; json: Json }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text === "" ? undefined : JSON.parse(text) };
}
