/** Server lifecycle and limits: rate limiting, connection cap, heartbeat, handler timeout, close(). */
import { RpcErrorCode } from "@filverse/types";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { defaultRpcServerOpts, RpcError, RpcServer, type RpcServerOpts } from "../../src/index.js";
import { newState, post, recordingLogger, sleep, TestWs, testMethods } from "./helpers.js";

let open: RpcServer[] = [];

async function startServer(opts: Partial<RpcServerOpts>, state = newState()) {
  const server = new RpcServer({ port: 0, ...opts }, { methods: testMethods(state), logger: recordingLogger() });
  open.push(server);
  const addr = await server.start();
  return { server, state, ...addr };
}

function countResources(kind: string): number {
  return process.getActiveResourcesInfo().filter((r) => r === kind).length;
}

afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

describe("defaults", () => {
  it("match the documented limits", () => {
    expect(defaultRpcServerOpts).toMatchObject({
      host: "127.0.0.1",
      maxBodyBytes: 2 * 1024 * 1024,
      maxBatchLength: 100,
      maxSubscriptionsPerConnection: 64,
      maxWsMessageBytes: 2 * 1024 * 1024,
      rateLimit: { requestsPerSecond: 500, burst: 1000 },
      maxConnections: 1024,
      requestTimeoutMs: 30_000,
    });
  });

  it("an explicit undefined option keeps its default", async () => {
    const { url } = await startServer({ rateLimit: undefined, maxBatchLength: undefined });
    const batch = Array.from({ length: 100 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "echo" }));
    expect((await post(url, batch)).json).toHaveLength(100);
  });

  it("start() reports the bound address", async () => {
    const { port, url, wsUrl, host } = await startServer({});
    expect(host).toBe("127.0.0.1");
    expect(port).toBeGreaterThan(0);
    expect(url).toBe(`http://127.0.0.1:${port}`);
    expect(wsUrl).toBe(`ws://127.0.0.1:${port}`);
  });
});

describe("rate limiting", () => {
  const ok = { jsonrpc: "2.0", id: 1, method: "echo" };

  it("HTTP: 429 with Retry-After past the burst, then recovers", async () => {
    const { url } = await startServer({ rateLimit: { requestsPerSecond: 20, burst: 4 } });
    for (let i = 0; i < 4; i++) expect((await post(url, ok)).status).toBe(200);
    const limited = await post(url, ok);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get("access-control-allow-origin")).toBe("*");
    expect(limited.json.error.code).toBe(RpcErrorCode.RATE_LIMITED);
    const retryAfterMs = limited.json.error.data.retryAfterMs;
    expect(retryAfterMs).toBeGreaterThan(0);
    expect(retryAfterMs).toBeLessThanOrEqual(50);
    await sleep(retryAfterMs + 10);
    expect((await post(url, ok)).status).toBe(200);
  });

  it("HTTP: each batch element costs a token", async () => {
    const { url } = await startServer({ rateLimit: { requestsPerSecond: 1, burst: 5 } });
    const batch = (n: number) => Array.from({ length: n }, (_, i) => ({ ...ok, id: i }));
    expect((await post(url, batch(3))).status).toBe(200);
    const limited = await post(url, batch(3));
    expect(limited.status).toBe(429);
    expect(limited.json.error.data.retryAfterMs).toBeGreaterThan(500);
    expect((await post(url, batch(2))).status).toBe(200);
  });

  it("WS: an error response with data.retryAfterMs, keyed by the client address", async () => {
    const { wsUrl, url } = await startServer({ rateLimit: { requestsPerSecond: 20, burst: 2 } });
    const ws = await TestWs.open(wsUrl);
    expect((await ws.request({ ...ok, id: 1 })).result).toEqual([]);
    expect((await ws.request({ ...ok, id: 2 })).result).toEqual([]);
    const limited = await ws.request({ ...ok, id: 3 });
    expect(limited).toMatchObject({ id: 3, error: { code: RpcErrorCode.RATE_LIMITED } });
    expect(limited.error.data.retryAfterMs).toBeGreaterThan(0);
    // Same address over HTTP shares the bucket.
    expect((await post(url, ok)).status).toBe(429);
    await sleep(limited.error.data.retryAfterMs + 10);
    expect((await ws.request({ ...ok, id: 4 })).result).toEqual([]);
    await ws.close();
  });
});

describe("connections", () => {
  it("rejects upgrades past maxConnections with 503", async () => {
    const { server, wsUrl } = await startServer({ maxConnections: 2 });
    const a = await TestWs.open(wsUrl);
    const b = await TestWs.open(wsUrl);
    const status = await new Promise<number>((resolve) => {
      const c = new WebSocket(wsUrl);
      c.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      c.on("error", () => {});
    });
    expect(status).toBe(503);
    expect(server.wsConnectionCount).toBe(2);
    await a.close();
    await sleep(20);
    const c = await TestWs.open(wsUrl);
    expect((await c.request({ jsonrpc: "2.0", id: 1, method: "echo" })).result).toEqual([]);
    await Promise.all([b.close(), c.close()]);
  });

  it("the heartbeat terminates a socket that does not answer pings", async () => {
    const state = newState();
    const { server, wsUrl } = await startServer({ heartbeatIntervalMs: 50 }, state);
    const alive = await TestWs.open(wsUrl);
    const dead = await TestWs.open(wsUrl, { autoPong: false });
    const sub = await dead.request({ jsonrpc: "2.0", id: 1, method: "subscribe" });
    const { code } = await dead.closed;
    expect(code).toBe(1006); // terminated, no close frame
    await sleep(20);
    expect(state.closedSubscriptions).toEqual([sub.result]);
    expect(server.wsConnectionCount).toBe(1);
    expect((await alive.request({ jsonrpc: "2.0", id: 2, method: "echo" })).result).toEqual([]);
    await alive.close();
  });
});

describe("handler timeout", () => {
  it("a handler past requestTimeoutMs gets INTERNAL_ERROR naming the timeout", async () => {
    const { url } = await startServer({ requestTimeoutMs: 100 });
    const started = Date.now();
    const res = await post(url, { jsonrpc: "2.0", id: 1, method: "slow", params: [5000] });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(res.json.error).toEqual({
      code: RpcErrorCode.INTERNAL_ERROR,
      message: "Internal error: slow timed out after 100 ms",
      data: { reason: "timeout", method: "slow", timeoutMs: 100 },
    });
    expect((await post(url, { jsonrpc: "2.0", id: 2, method: "slow", params: [10] })).json.result).toBe("done");
  });
});

describe("close()", () => {
  it("is idempotent, answers calls in flight with -32017, aborts their handlers, closes every socket and stops listening", async () => {
    const serversBefore = countResources("TCPServerWrap");
    const { server, url, wsUrl, state } = await startServer({});
    expect(countResources("TCPServerWrap")).toBe(serversBefore + 1);
    const ws = await TestWs.open(wsUrl);
    const sub = await ws.request({ jsonrpc: "2.0", id: 1, method: "subscribe" });
    ws.send({ jsonrpc: "2.0", id: 2, method: "slow", params: [60_000] });
    // A keep-alive HTTP socket and a request in flight.
    expect((await post(url, { jsonrpc: "2.0", id: 1, method: "echo" })).status).toBe(200);
    const inflight = post(url, { jsonrpc: "2.0", id: 3, method: "slow", params: [60_000] }).catch((e: unknown) => e);
    while (state.slowContexts.length < 2) await sleep(5);
    expect(server.connections).toBeGreaterThanOrEqual(2);

    await Promise.all([server.close(), server.close()]);
    await server.close();

    expect(server.connections).toBe(0);
    expect(server.wsConnectionCount).toBe(0);
    expect(countResources("TCPServerWrap")).toBe(serversBefore);
    for (const ctx of state.slowContexts) expect(ctx.signal.aborted).toBe(true);
    expect(state.closedSubscriptions).toEqual([sub.result]);
    // Calls in flight were answered (rpc.md: -32017 "server closing"), not reset, then the socket
    // closed with 1001 "going away".
    const closing = { code: RpcErrorCode.UNAVAILABLE, message: "Node unavailable", data: { reason: "server closing" } };
    const wsMessages = [];
    while (ws.pendingMessages > 0) wsMessages.push(await ws.next());
    expect(wsMessages.filter((m) => m.id === 2)).toEqual([{ jsonrpc: "2.0", id: 2, error: closing }]);
    expect((await ws.closed).code).toBe(1001);
    expect(await inflight).toMatchObject({ status: 200, json: { jsonrpc: "2.0", id: 3, error: closing } });
    await expect(fetch(url, { method: "POST", body: "{}" })).rejects.toThrow();
    await expect(TestWs.open(wsUrl)).rejects.toThrow();
  });

  it("works before start, and start after close is refused", async () => {
    const server = new RpcServer({}, { methods: {} });
    await server.close();
    await expect(server.start()).rejects.toBeInstanceOf(RpcError);
  });

  it("a second start is refused", async () => {
    const { server } = await startServer({});
    await expect(server.start()).rejects.toMatchObject({ code: RpcErrorCode.UNAVAILABLE });
  });

  it("start fails cleanly when the port is taken, with a typed error naming the address", async () => {
    const { port } = await startServer({});
    const serversBefore = countResources("TCPServerWrap");
    const other = new RpcServer({ port }, { methods: {} });
    const err = await other.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RpcError);
    expect(err).toMatchObject({
      code: RpcErrorCode.UNAVAILABLE,
      shortMessage: `Port ${port} on 127.0.0.1 is already in use (another node, or another program, listens there)`,
    });
    expect((err as RpcError).message.split("\n")).toHaveLength(1);
    await other.close();
    expect(other.connections).toBe(0);
    expect(countResources("TCPServerWrap")).toBe(serversBefore);
  });
});
