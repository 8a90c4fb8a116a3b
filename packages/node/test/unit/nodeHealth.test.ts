/**
 * /healthz once a node can make no more progress: a block commit that fails for storage reasons (a
 * full disk, injected here) turns the sequencer node and the verifier node to 503 with the reason,
 * resolves their `failed` promise (the CLI then exits non-zero), and the sequencer refuses sends.
 */
import { DbError, DbErrorCode } from "@filverse/db";
import { RpcServer } from "@filverse/rpc";
import { RpcErrorCode, TxKind } from "@filverse/types";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createRpcHandlers } from "../../src/api/index.js";
import { fetchChainIdentity, initDataDir, initVerifierDataDir, loadConfig } from "../../src/config.js";
import { FilverseSequencerNode } from "../../src/node/sequencerNode.js";
import { FilverseVerifierNode } from "../../src/node/verifierNode.js";
import { key, SequencerFixture, tempDirs } from "./chainFixture.js";

const alice = key(871, "alice");
const bob = key(872, "bob");
const tmp = tempDirs();
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const x of open.splice(0).reverse()) await x.close();
  tmp.cleanup();
});

/** What LevelDB's "No space left on device" becomes in ChainDb. */
const diskFull = () =>
  new DbError(DbErrorCode.STORAGE, "The database storage failed: No space left on device", {
    details: { reason: "No space left on device" },
  });

async function health(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/healthz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** /healthz once it stops answering 200, or its last answer after `ms`. */
async function healthOnceUnhealthy(url: string, ms = 5_000): Promise<Awaited<ReturnType<typeof health>>> {
  const until = Date.now() + ms;
  for (;;) {
    const h = await health(url);
    if (h.status !== 200 || Date.now() > until) return h;
    await sleep(20);
  }
}

describe("a node that cannot commit", () => {
  it("sequencer: /healthz answers 503 with the reason, sends get -32017, `failed` resolves", async () => {
    const dir = tmp.make("health");
    initDataDir({ dataDir: dir, preset: "devnet", rpcPort: 0, devAccounts: 2 });
    const config = { ...loadConfig(dir), workerPool: false };
    const node = new FilverseSequencerNode({ dataDir: dir, config });
    open.push(node);
    const { url } = await node.start();
    expect(await health(url)).toEqual({ status: 200, body: { status: "ok", head: 0, pending: 0 } });

    // The faucet's deposits open block 1 at the next tick; its commit fails.
    vi.spyOn(node.sequencer.db, "commitBlock").mockRejectedValue(diskFull());
    const reason = "The sequencer stopped: block 1 could not be committed (No space left on device)";
    expect(await healthOnceUnhealthy(url)).toEqual({ status: 503, body: { status: "failed", reason, head: 0 } });
    expect((await node.failed).shortMessage).toBe(reason);

    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "filverse_sendTransaction", params: [{}] }),
    });
    expect(((await res.json()) as { error: unknown }).error).toEqual({
      code: RpcErrorCode.UNAVAILABLE,
      message: reason,
      data: { reason: "node failed" },
    });
    await node.close();
  });

  it("verifier: /healthz answers 503 with the reason and `failed` resolves", async () => {
    const f = await SequencerFixture.start(tmp.make("seq"), [alice, bob]);
    open.push(f.seq);
    await f.block();
    const seqRpc = new RpcServer({ port: 0, rateLimit: null }, { methods: createRpcHandlers(f.seq) });
    open.push(seqRpc);
    const { url: sequencerRpc } = await seqRpc.start();
    const dir = tmp.make("verifier");
    initVerifierDataDir({ dataDir: dir, identity: await fetchChainIdentity(sequencerRpc), sequencerRpc, rpcPort: 0 });
    const config = loadConfig(dir);
    config.workerPool = false;
    config.verifier!.followIntervalMs = 20;
    const node = new FilverseVerifierNode({ dataDir: dir, config });
    open.push(node);
    const { url } = await node.start();
    while (node.verifier.head.number < 1) await sleep(10);
    expect((await health(url)).status).toBe(200);

    vi.spyOn(node.verifier.db, "commitBlock").mockRejectedValue(diskFull());
    await f.block([f.sign(alice, TxKind.Transfer, { to: bob.address, amount: 1n })]);
    const reason = "The verifier stopped: block 2 could not be committed (No space left on device)";
    expect(await healthOnceUnhealthy(url)).toEqual({ status: 503, body: { status: "failed", reason, head: 1 } });
    expect((await node.failed).shortMessage).toBe(reason);
    await node.close();
  });
});
