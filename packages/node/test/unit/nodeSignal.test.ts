/**
 * One AbortController per node, its signal passed down: aborting it stops the follow loop, the
 * import queue, block production and waits on a remote end at once, so close() returns promptly
 * even while a sync waits on a sequencer that never answers.
 */
import { createServer, type Server } from "node:http";
import { RpcServer } from "@filverse/rpc";
import { TxKind } from "@filverse/types";
import { afterEach, describe, expect, it } from "vitest";
import { createRpcHandlers } from "../../src/api/index.js";
import { fetchChainIdentity, initVerifierDataDir, loadConfig } from "../../src/config.js";
import { NodeErrorCode, RemoteRpcErrorCode } from "../../src/errors.js";
import { FilverseVerifierNode } from "../../src/node/verifierNode.js";
import { DevFaucet } from "../../src/sequencer/devFaucet.js";
import { defaultSequencerOpts } from "../../src/sequencer/options.js";
import { Sequencer } from "../../src/sequencer/sequencer.js";
import type { BlockSource } from "../../src/sync/blockSource.js";
import { JsonRpcClient } from "../../src/sync/blockSource.js";
import { GENESIS, key, SequencerFixture, sequencerKey, startVerifier, tempDirs, testChain } from "./chainFixture.js";

const alice = key(881, "alice");
const bob = key(882, "bob");
const tmp = tempDirs();
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
  tmp.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How long `p` took; fails instead of hanging if it takes more than `limitMs`. */
async function timed(p: Promise<unknown>, limitMs = 5_000): Promise<number> {
  const t0 = performance.now();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new RangeError(`still pending after ${limitMs} ms`)), limitMs);
    }),
  ]).finally(() => clearTimeout(timer));
  return performance.now() - t0;
}

async function until(cond: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new RangeError("condition not met in time");
    await sleep(5);
  }
}

/** An HTTP server that accepts requests and never answers them. */
async function silentServer(): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  const server: Server = createServer(() => {
    requests++;
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  open.push({
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, requests: () => requests };
}

describe("a Verifier given the node's signal", () => {
  it("stops following when it is aborted, without waiting for a source that never answers", async () => {
    let heads = 0;
    const source: BlockSource = {
      head: () => {
        heads++;
        return new Promise(() => {}); // never settles
      },
      blocksByRange: async () => [],
    };
    const controller = new AbortController();
    const v = await startVerifier(tmp.make(), { source, signal: controller.signal }, testChain(), {
      followIntervalMs: 10,
    });
    open.push(v);
    await until(() => heads === 1);
    controller.abort();
    // Before the signal reached the follow loop, close() waited on that sync for ever.
    expect(await timed(v.close())).toBeLessThan(1_000);
    await sleep(50);
    expect(heads).toBe(1);
  });

  it("stops the follow loop's backoff wait: no poll after the abort", async () => {
    let heads = 0;
    const source: BlockSource = {
      head: async () => {
        heads++;
        throw new RangeError("source down");
      },
      blocksByRange: async () => [],
    };
    const controller = new AbortController();
    const v = await startVerifier(tmp.make(), { source, signal: controller.signal }, testChain(), {
      followIntervalMs: 10,
      maxBackoffMs: 40,
    });
    open.push(v);
    await until(() => heads >= 3);
    controller.abort();
    const seen = heads;
    await sleep(150);
    expect(heads).toBe(seen);
    expect(v.syncing()).toBe(false);
  });

  it("refuses imports queued before the abort with NODE_CLOSED and applies none of them", async () => {
    const f = await SequencerFixture.start(tmp.make("seq"), [alice]);
    open.push(f.seq);
    const transfer = () => f.sign(alice, TxKind.Transfer, { to: bob.address, amount: 1n });
    const blocks = [await f.block(), await f.block([transfer()]), await f.block([transfer()])];
    const controller = new AbortController();
    const v = await startVerifier(tmp.make(), { signal: controller.signal });
    open.push(v);
    const queued = blocks.map((b) => v.importBlock(b, "test"));
    controller.abort();
    for (const p of queued) await expect(p).rejects.toMatchObject({ code: NodeErrorCode.CLOSED });
    await expect(v.importBlock(blocks[0]!, "test")).rejects.toMatchObject({ code: NodeErrorCode.CLOSED });
    expect(v.head.number).toBe(0);
  });
});

describe("a Sequencer given the node's signal", () => {
  it("seals no block after the abort (the seal timer is cleared)", async () => {
    const controller = new AbortController();
    const seq = new Sequencer(
      {
        ...defaultSequencerOpts,
        chain: testChain({ blockTimeMs: 10 }),
        genesis: GENESIS,
        dataDir: tmp.make("seq"),
        sealEmptyBlocks: true,
      },
      // A deposit source (with nothing to deposit) opens a block at every tick, so empty blocks are sealed.
      { key: sequencerKey.priv, recoverer: null, deposits: new DevFaucet([]), signal: controller.signal },
    );
    open.push(seq);
    await seq.start();
    await until(() => seq.head.number >= 2);
    controller.abort();
    await sleep(30); // a seal that had started commits
    const head = seq.head.number;
    await sleep(100);
    expect(seq.head.number).toBe(head);
    expect(await timed(seq.close())).toBeLessThan(1_000);
  });
});

describe("JsonRpcClient with the node's signal", () => {
  it("ends a request in flight at the abort instead of after timeoutMs", async () => {
    const { url, requests } = await silentServer();
    const controller = new AbortController();
    const client = new JsonRpcClient({ url, timeoutMs: 60_000 }, { signal: controller.signal });
    const call = client.call("filverse_syncStatus");
    call.catch(() => {});
    await until(() => requests() === 1);
    controller.abort();
    expect(await timed(call.catch(() => {}))).toBeLessThan(1_000);
    await expect(call).rejects.toMatchObject({ code: RemoteRpcErrorCode.UNREACHABLE });
  });
});

describe("FilverseVerifierNode.close()", () => {
  it("returns promptly while its sync waits on a sequencer that never answers", async () => {
    // The chain's identity from a real sequencer; then the verifier is pointed at a silent one.
    const f = await SequencerFixture.start(tmp.make("seq"), [alice]);
    open.push(f.seq);
    const seqRpc = new RpcServer({ port: 0, rateLimit: null }, { methods: createRpcHandlers(f.seq) });
    open.push(seqRpc);
    const identity = await fetchChainIdentity((await seqRpc.start()).url);
    const silent = await silentServer();
    const dir = tmp.make("verifier");
    initVerifierDataDir({ dataDir: dir, identity, sequencerRpc: silent.url, rpcPort: 0 });
    const config = loadConfig(dir);
    config.workerPool = false;
    config.verifier!.followIntervalMs = 10;
    const node = new FilverseVerifierNode({ dataDir: dir, config });
    await node.start();
    await until(() => silent.requests() >= 1);
    // The request would otherwise hold close() for the client's timeout (15 s).
    expect(await timed(node.close())).toBeLessThan(2_000);
  });
});
