/** WebSocket transport: requests, batches, subscriptions and their cleanup, slow consumers, limits. */
import { RpcErrorCode } from "@filverse/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { RpcServer, SUBSCRIPTION_METHOD } from "../../src/index.js";
import { type Json, newState, sleep, TestWs, testMethods } from "./helpers.js";

const state = newState();
let server: RpcServer;
let wsUrl: string;

beforeAll(async () => {
  server = new RpcServer(
    {
      port: 0,
      rateLimit: null,
      maxSubscriptionsPerConnection: 2,
      maxWsMessageBytes: 16 * 1024,
      maxWsBufferedBytes: 256 * 1024,
    },
    { methods: testMethods(state) },
  );
  ({ wsUrl } = await server.start());
});

afterAll(async () => {
  await server.close();
});

describe("requests over WebSocket", () => {
  it("answers single requests with a ws context, on / and on any path", async () => {
    const ws = await TestWs.open(wsUrl);
    expect(await ws.request({ jsonrpc: "2.0", id: 1, method: "add", params: [20, 22] })).toEqual({
      jsonrpc: "2.0",
      id: 1,
      result: 42,
    });
    const ctx = await ws.request({ jsonrpc: "2.0", id: 2, method: "ctx" });
    expect(ctx.result).toEqual({ clientId: "127.0.0.1", transport: "ws", ws: true });
    await ws.close();
    const other = await TestWs.open(`${wsUrl}/any/path`);
    expect((await other.request({ jsonrpc: "2.0", id: 3, method: "echo", params: [1] })).result).toEqual([1]);
    await other.close();
  });

  it("answers batches in order and sends nothing for notifications", async () => {
    const ws = await TestWs.open(wsUrl);
    ws.send([
      { jsonrpc: "2.0", id: 1, method: "asyncEcho", params: ["a"] },
      { jsonrpc: "2.0", method: "echo" },
      { jsonrpc: "2.0", id: 2, method: "rpcError" },
    ]);
    expect(await ws.next()).toEqual([
      { jsonrpc: "2.0", id: 1, result: ["a"] },
      {
        jsonrpc: "2.0",
        id: 2,
        error: { code: RpcErrorCode.NONCE_TOO_LOW, message: expect.any(String), data: { expected: "5", got: "3" } },
      },
    ]);
    // All-notification batch and single notification: no reply; the next message answers id 9.
    ws.send([{ jsonrpc: "2.0", method: "echo" }]);
    ws.send({ jsonrpc: "2.0", method: "asyncEcho" });
    ws.send({ jsonrpc: "2.0", id: 9, method: "echo" });
    expect(await ws.next()).toEqual({ jsonrpc: "2.0", id: 9, result: [] });
    await ws.close();
  });

  it("errors: parse, empty batch, invalid request, binary frame", async () => {
    const ws = await TestWs.open(wsUrl);
    ws.send("{not json");
    expect(await ws.next()).toMatchObject({ id: null, error: { code: RpcErrorCode.PARSE_ERROR } });
    ws.send("[]");
    expect(await ws.next()).toMatchObject({ id: null, error: { code: RpcErrorCode.INVALID_REQUEST } });
    ws.send({ jsonrpc: "2.0", id: 4, method: "echo", params: { a: 1 } });
    expect(await ws.next()).toMatchObject({ id: 4, error: { code: RpcErrorCode.INVALID_PARAMS } });
    ws.ws.send(Buffer.from('{"jsonrpc":"2.0","id":1,"method":"echo"}'), { binary: true });
    expect(await ws.next()).toMatchObject({ id: null, error: { code: RpcErrorCode.INVALID_REQUEST } });
    // The connection is still usable.
    expect((await ws.request({ jsonrpc: "2.0", id: 5, method: "echo" })).result).toEqual([]);
    await ws.close();
  });

  it("a message over maxWsMessageBytes closes the socket with 1009", async () => {
    const ws = await TestWs.open(wsUrl);
    ws.send({ jsonrpc: "2.0", id: 1, method: "echo", params: ["x".repeat(32 * 1024)] });
    expect((await ws.closed).code).toBe(1009);
  });
});

describe("subscriptions", () => {
  it("notifies, unsubscribes, and enforces the per-connection limit", async () => {
    const ws = await TestWs.open(wsUrl);
    const sub1 = await ws.request({ jsonrpc: "2.0", id: 1, method: "subscribe" });
    expect(sub1.result).toMatch(/^0x[0-9a-f]{32}$/);
    expect(await ws.next()).toEqual({
      jsonrpc: "2.0",
      method: SUBSCRIPTION_METHOD,
      params: { subscription: sub1.result, result: { hello: "world", n: "1" } },
    });
    const sub2 = await ws.request({ jsonrpc: "2.0", id: 2, method: "subscribe" });
    await ws.next(); // its first notification
    expect(sub2.result).not.toBe(sub1.result);
    const third = await ws.request({ jsonrpc: "2.0", id: 3, method: "subscribe" });
    expect(third.error).toEqual({
      code: RpcErrorCode.SUBSCRIPTION_LIMIT,
      message: "Too many subscriptions on this connection",
      data: { limit: 2 },
    });
    expect((await ws.request({ jsonrpc: "2.0", id: 4, method: "unsubscribe", params: [sub1.result] })).result).toBe(
      true,
    );
    expect(state.closedSubscriptions).toContain(sub1.result);
    expect((await ws.request({ jsonrpc: "2.0", id: 5, method: "unsubscribe", params: [sub1.result] })).result).toBe(
      false,
    );
    // A slot is free again.
    const sub3 = await ws.request({ jsonrpc: "2.0", id: 6, method: "subscribe" });
    expect(sub3.result).toMatch(/^0x/);
    await ws.next();
    await ws.close();
    await sleep(20);
    expect(state.closedSubscriptions).toEqual(expect.arrayContaining([sub1.result, sub2.result, sub3.result]));
    expect(server.wsConnectionCount).toBe(0);
  });

  it("subscribing over HTTP is WEBSOCKET_REQUIRED", async () => {
    const res = await fetch(wsUrl.replace("ws:", "http:"), {
      method: "POST",
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "subscribe" }),
    });
    expect(((await res.json()) as Json).error.code).toBe(RpcErrorCode.WEBSOCKET_REQUIRED);
  });

  it("drops and counts notifications for a client that does not read", async () => {
    const ws = await TestWs.open(wsUrl);
    const sub = (await ws.request({ jsonrpc: "2.0", id: 1, method: "subscribe" })).result;
    await ws.next();
    // Stop reading: 25 MiB in one tick overflows the socket buffers, then notifications are dropped.
    ws.send({ jsonrpc: "2.0", id: 2, method: "flood", params: [sub, 400, 64 * 1024] });
    ws.ws.pause();
    await sleep(200);
    ws.ws.resume();
    let reply: { id?: number; result?: number } | undefined;
    let received = 0;
    while (reply === undefined) {
      const m = await ws.next(5000);
      if (m.id === 2) reply = m;
      else received++;
    }
    expect(reply.result).toBeGreaterThan(0);
    expect(received + (reply.result ?? 0)).toBe(400);
    await ws.close();
  });
});

describe("upgrade", () => {
  it("a plain ws client with a subprotocol still connects", async () => {
    const ws = new WebSocket(wsUrl, "jsonrpc");
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    ws.close();
  });
});
