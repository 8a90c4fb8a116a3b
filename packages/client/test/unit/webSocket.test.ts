/** Real WebSocket round trips (ws server in-process): requests, txStatus and newHeads subscriptions, close(). */
import type { BlockJson } from "@filverse/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFilverseClient } from "../../src/createFilverseClient.js";
import { ClientErrorCode, TransportErrorCode } from "../../src/errors.js";
import { alice, CHAIN_ID, inputs } from "./fixtures.js";
import { TestNode } from "./testNode.js";

const HASH = `0x${"42".repeat(32)}` as const;
const block = (n: number): BlockJson => ({
  hash: `0x${n.toString(16).padStart(64, "0")}`,
  header: { number: String(n) },
  signature: "0x",
  transactions: [],
  deposits: [],
});

let node: TestNode;
/** Subscriptions the server holds: id → [socket, params]. */
let subs: Map<string, [import("ws").WebSocket, unknown[]]>;
/** What the server does right after answering a subscribe. */
let onSubscribed: (ws: import("ws").WebSocket, id: string, params: unknown[]) => void;
/** Methods the server never answers. */
let silent: Set<string>;

function notify(ws: import("ws").WebSocket, subscription: string, result: unknown): void {
  ws.send(JSON.stringify({ jsonrpc: "2.0", method: "filverse_subscription", params: { subscription, result } }));
}

beforeEach(async () => {
  subs = new Map();
  silent = new Set();
  onSubscribed = () => {};
  let nextSub = 1;
  node = await new TestNode().start((ws, req) => {
    const params = (req.params ?? []) as unknown[];
    if (silent.has(req.method as string)) return true;
    if (req.method === "filverse_subscribe") {
      const id = `0x${(nextSub++).toString(16).padStart(2, "0")}`;
      subs.set(id, [ws, params]);
      ws.send(JSON.stringify({ jsonrpc: "2.0", id: req.id, result: id }));
      onSubscribed(ws, id, params);
      return true;
    }
    if (req.method === "filverse_unsubscribe") {
      const existed = subs.delete(String(params[0]));
      ws.send(JSON.stringify({ jsonrpc: "2.0", id: req.id, result: existed }));
      return true;
    }
    return false;
  });
});
afterEach(async () => {
  await node.stop();
});

describe("WebSocket transport", () => {
  it("requests and writes work over ws:// (chain id read once, typed results)", async () => {
    const client = createFilverseClient({ url: node.wsUrl, account: alice });
    try {
      expect(client.transport.type).toBe("webSocket");
      const [a, b] = await Promise.all([client.transfer(inputs.Transfer), client.transfer(inputs.Transfer)]);
      expect([a.nonce, b.nonce].sort()).toEqual([0, 1]);
      expect(node.accepted.map((x) => x.hash).sort()).toEqual([a.hash, b.hash].sort());
      expect(await client.getChainId()).toBe(CHAIN_ID);
      await expect(client.getSyncStatus()).rejects.toMatchObject({ name: "MethodNotFoundRpcError" });
    } finally {
      await client.close();
    }
  });

  it("waitForTransaction subscribes to txStatus and sees a notification sent in the same burst as the reply", async () => {
    node.statusScript.set(HASH, ["pending"]);
    onSubscribed = (ws, id, params) => {
      expect(params).toEqual(["txStatus", HASH]);
      notify(ws, id, { hash: HASH, status: "pending" });
      notify(ws, id, { hash: HASH, status: "sequenced", blockNumber: "3", result: "success", code: 0 });
    };
    const client = createFilverseClient({ url: node.wsUrl });
    try {
      const status = await client.waitForTransaction(HASH, { timeoutMs: 2_000 });
      expect(status).toMatchObject({ status: "sequenced", blockNumber: "3" });
      expect(node.count("filverse_getTransactionStatus")).toBe(0);
      // The subscription is released once the wait is over.
      await expect.poll(() => subs.size).toBe(0);
    } finally {
      await client.close();
    }
  });

  it("waitForTransaction checks the current status after subscribing (already past the wanted one)", async () => {
    node.statusScript.set(HASH, ["stored"]);
    const client = createFilverseClient({ url: node.wsUrl });
    try {
      expect(await client.waitForTransaction({ hash: HASH, status: "checkpointed" })).toEqual({
        hash: HASH,
        status: "stored",
      });
    } finally {
      await client.close();
    }
  });

  it("waitForTransaction rejects on dropped", async () => {
    onSubscribed = (ws, id) => notify(ws, id, { hash: HASH, status: "dropped" });
    node.statusScript.set(HASH, ["pending"]);
    const client = createFilverseClient({ url: node.wsUrl });
    try {
      await expect(client.waitForTransaction(HASH)).rejects.toMatchObject({ code: ClientErrorCode.TX_DROPPED });
    } finally {
      await client.close();
    }
  });

  it("watchBlocks delivers newHeads until unsubscribed", async () => {
    const client = createFilverseClient({ url: node.wsUrl });
    try {
      const seen: string[] = [];
      const unwatch = client.watchBlocks((b) => seen.push(b.header.number as string));
      await expect.poll(() => subs.size).toBe(1);
      const [id, [ws, params]] = [...subs][0]!;
      expect(params).toEqual(["newHeads"]);
      notify(ws, id, block(1));
      notify(ws, id, block(2));
      await expect.poll(() => seen).toEqual(["1", "2"]);
      unwatch();
      await expect.poll(() => subs.size).toBe(0);
      notify(ws, id, block(3));
      await client.getChainId();
      expect(seen).toEqual(["1", "2"]);
    } finally {
      await client.close();
    }
  });

  it("close() fails in-flight requests with CLOSED, is idempotent, and refuses new requests", async () => {
    silent.add("filverse_blockNumber");
    const client = createFilverseClient({ url: node.wsUrl });
    await client.getChainId();
    const inFlight = client.getBlockNumber().catch((e: unknown) => e);
    await client.close();
    await client.close();
    expect(await inFlight).toMatchObject({ code: TransportErrorCode.CLOSED });
    await expect(client.getChainId()).rejects.toMatchObject({ code: TransportErrorCode.CLOSED });
  });

  it("a request the node never answers is TIMEOUT; an unreachable ws:// is CONNECTION", async () => {
    silent.add("filverse_blockNumber");
    const client = createFilverseClient({ url: node.wsUrl, timeoutMs: 100 });
    try {
      await expect(client.getBlockNumber()).rejects.toMatchObject({ code: TransportErrorCode.TIMEOUT });
    } finally {
      await client.close();
    }
    const port = Number(new URL(node.wsUrl).port);
    await node.stop();
    const down = createFilverseClient({ url: `ws://127.0.0.1:${port}` });
    await expect(down.getChainId()).rejects.toMatchObject({ code: TransportErrorCode.CONNECTION });
    await down.close();
    node = await new TestNode().start();
  });

  it("a server that drops the connection fails the subscription's wait", async () => {
    onSubscribed = (ws) => ws.terminate();
    const client = createFilverseClient({ url: node.wsUrl });
    try {
      await expect(client.waitForTransaction(HASH)).rejects.toMatchObject({ code: TransportErrorCode.CLOSED });
    } finally {
      await client.close();
    }
  });
});
