/**
 * FilverseSequencerNode's lifecycle: a start() that fails half way closes whatever it had opened (the worker
 * pool's threads, the sequencer's timers, the database: its LOCK is free again) and reports one typed
 * error; close() (what SIGTERM runs) answers a call in flight with -32017 instead of resetting it.
 */
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { signTransaction } from "@filverse/crypto";
import { ChainDb, DbError, DbErrorCode } from "@filverse/db";
import { RpcError } from "@filverse/rpc";
import { RpcErrorCode, signedTxToJson, TxKind } from "@filverse/types";
import { fromHex } from "@filverse/utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { initDataDir, loadConfig, readDevAccounts } from "../../src/config.js";
import { FilverseSequencerNode } from "../../src/node/sequencerNode.js";
import { tempDirs } from "./chainFixture.js";

const tmp = tempDirs();
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const x of open.splice(0).reverse()) await x.close();
  tmp.cleanup();
});

/** Handles that keep a process alive (timers, sockets, threads' ports), by kind, once closes settled. */
async function liveResources(): Promise<string[]> {
  await new Promise((r) => setTimeout(r, 20));
  return process
    .getActiveResourcesInfo()
    .filter((r) => r !== "FSReqCallback" && r !== "FSReqPromise")
    .sort();
}

/** The resources in `after` that `before` did not have (a multiset difference): what leaked. */
function added(before: string[], after: string[]): string[] {
  const left = [...before];
  return after.filter((r) => {
    const i = left.indexOf(r);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}

async function holdPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  open.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  return { port: (server.address() as { port: number }).port, server };
}

function newNode(rpcPort: number): { node: FilverseSequencerNode; dir: string } {
  const dir = tmp.make("lifecycle");
  initDataDir({ dataDir: dir, preset: "devnet", rpcPort, devAccounts: 1 });
  // The worker pool on: its threads are among what a failed start must release.
  const node = new FilverseSequencerNode({ dataDir: dir, config: { ...loadConfig(dir), workerPool: true } });
  return { node, dir };
}

describe("FilverseSequencerNode.start() failing half way", () => {
  it("on a busy RPC port: one typed error naming the port; pool, timers and database released", async () => {
    const { port } = await holdPort();
    const before = await liveResources();
    const { node, dir } = newNode(port);
    expect(node.pool?.threads).toBeGreaterThan(0);
    const err = await node.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).message).toBe(
      `Port ${port} on 127.0.0.1 is already in use (another node, or another program, listens there)`,
    );
    expect(added(before, await liveResources())).toEqual([]);
    // The database was closed: its LOCK is free.
    const db = await ChainDb.open({ dir: join(dir, "chaindb") });
    await db.close();
  });

  it("on a database in use: the cause is named; pool and timers released", async () => {
    const before = await liveResources();
    const { node, dir } = newNode(0);
    const holder = await ChainDb.open({ dir: join(dir, "chaindb") });
    open.push(holder);
    const err = await node.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DbError);
    expect(err).toMatchObject({ code: DbErrorCode.OPEN_FAILED });
    expect((err as DbError).shortMessage).toMatch(/failed to open: in use by another process/);
    expect(added(before, await liveResources())).toEqual([]);
  });
});

describe("FilverseSequencerNode.close()", () => {
  it("answers a sendTransaction in flight with -32017 server closing, then closes", async () => {
    const dir = tmp.make("lifecycle");
    initDataDir({ dataDir: dir, preset: "devnet", rpcPort: 0, devAccounts: 1 });
    const config = { ...loadConfig(dir), workerPool: false };
    const node = new FilverseSequencerNode({ dataDir: dir, config });
    open.push(node);
    const { url } = await node.start();
    const [dev] = readDevAccounts(dir, config);
    while (node.sequencer.head.number < 1) await new Promise((r) => setTimeout(r, 20)); // the faucet's block

    // The transaction's journal write is held: its call is in flight when the node closes.
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const write = node.sequencer.db.journalPutMany.bind(node.sequencer.db);
    const journaling = vi.spyOn(node.sequencer.db, "journalPutMany").mockImplementation(async (...args) => {
      await held;
      return write(...args);
    });
    const tx = signTransaction(
      config.genesis.chainId,
      { kind: TxKind.Transfer, message: { to: fromHex(dev!.address), amount: 1n, nonce: 0, fee: 0n } },
      fromHex(dev!.privateKey),
    );
    const inflight = fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "filverse_sendTransaction", params: [signedTxToJson(tx)] }),
    }).then(async (res) => ({ status: res.status, body: await res.json() }));
    while (journaling.mock.calls.length === 0) await new Promise((r) => setTimeout(r, 5));

    const closing = node.close();
    const answer = await inflight.catch((err: unknown) => err);
    release();
    await closing;
    expect(answer).toEqual({
      status: 200,
      body: {
        jsonrpc: "2.0",
        id: 7,
        error: { code: RpcErrorCode.UNAVAILABLE, message: "Node unavailable", data: { reason: "server closing" } },
      },
    });
  });
});
