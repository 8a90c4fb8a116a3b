/** Identity, bootstrap redial and shutdown: the PeerId survives restarts, and stop() leaves nothing open. */
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createFilverseP2P, P2PErrorCode, ReqRespErrorCode } from "../../src/index.js";
import { buildChain, CHAIN_ID, connected, startNode, stopAll, tempDir, waitFor } from "./helpers.js";

afterEach(stopAll);

const LEAK_KINDS = ["TCPServerWrap", "TCPSocketWrap", "Timeout"];
const resources = () => {
  const counts = new Map<string, number>(LEAK_KINDS.map((k) => [k, 0]));
  for (const r of process.getActiveResourcesInfo()) if (counts.has(r)) counts.set(r, counts.get(r)! + 1);
  return counts;
};
/** Nothing of these kinds is open beyond what was open before the nodes started. */
const noMoreThan = (before: Map<string, number>) => [...resources()].every(([k, n]) => n <= before.get(k)!);

describe("identity", () => {
  it("keeps its PeerId across restarts in a 0600 key file", async () => {
    const peerKeyFile = join(tempDir(), "keys", "p2p.key");
    const first = await startNode({ peerKeyFile });
    const id = first.peerId;
    expect(first.multiaddrs.every((m) => m.startsWith("/ip4/127.0.0.1/tcp/") && m.endsWith(`/p2p/${id}`))).toBe(true);
    await first.stop();
    expect(statSync(peerKeyFile).mode & 0o777).toBe(0o600);
    const second = await startNode({ peerKeyFile });
    expect(second.peerId).toBe(id);
    const ephemeral = await startNode();
    expect(ephemeral.peerId).not.toBe(id);
  });

  it("refuses a key file that holds no key", async () => {
    const peerKeyFile = join(tempDir(), "bad.key");
    writeFileSync(peerKeyFile, "not a key");
    await expect(createFilverseP2P({ chainId: CHAIN_ID, peerKeyFile })).rejects.toMatchObject({
      code: P2PErrorCode.PEER_KEY,
    });
  });

  it("refuses bad options with a typed error naming the option", async () => {
    const invalid = (init: Omit<Parameters<typeof createFilverseP2P>[0], "chainId">) =>
      createFilverseP2P({ chainId: CHAIN_ID, ...init }).then(
        () => "accepted",
        (e) => `${e.code}: ${e.shortMessage}`,
      );
    expect(await invalid({ bootstrapPeers: ["/ip4/127.0.0.1/tcp/1"] })).toMatch(/INVALID_CONFIG.*no \/p2p\//);
    expect(await invalid({ listen: ["nonsense"] })).toMatch(/INVALID_CONFIG: Option listen must be a multiaddr/);
    expect(await invalid({ gossip: { rateLimits: { blocks: { perSecond: 0, burst: 1 } } } })).toMatch(
      /gossip\.rateLimits\.blocks/,
    );
    expect(await invalid({ reqResp: { maxBlocksPerRequest: 1000 } })).toMatch(/blocks_by_range\.burst/);
    expect(await invalid({ scoring: { banThreshold: 5 } })).toMatch(/Option scoring/);
  });
});

describe("bootstrap", () => {
  it("redials a bootstrap peer that restarts at the same address", async () => {
    const peerKeyFile = join(tempDir(), "p2p.key");
    const a = await startNode({ peerKeyFile });
    const addr = a.multiaddrs[0]!;
    const b = await startNode({ bootstrapPeers: [addr], redial: { initialDelayMs: 50, maxDelayMs: 200 } });
    await waitFor(() => connected(b, a), "b to connect to a");
    await a.stop();
    await waitFor(() => !connected(b, a), "b to notice a is gone");
    const listen = addr.replace(/\/p2p\/.*$/, "");
    const again = await startNode({ peerKeyFile, listen: [listen] });
    expect(again.peerId).toBe(a.peerId);
    await waitFor(() => connected(b, again), "b to redial a");
  });
});

describe("shutdown", () => {
  it("stop() closes every socket and timer, is idempotent, and fails later requests", async () => {
    const before = resources();
    const chain = buildChain(3);
    const a = await startNode({}, { getBlockBytes: (n) => chain.bytes[n] ?? null });
    const b = await startNode({ bootstrapPeers: a.multiaddrs });
    b.subscribe("blocks", { onMessage: () => {} });
    a.subscribe("blocks", { onMessage: () => {} });
    await waitFor(() => connected(a, b), "a connection");
    expect(await b.requestBlocksByRange(a.peerId, 0, 4)).toHaveLength(4);
    await waitFor(() => b.topicPeers("blocks").includes(a.peerId), "subscriptions");
    await b.publishBlock(chain.blocks[1]!);

    await Promise.all([a.stop(), b.stop()]);
    await b.stop();
    await expect(b.requestStatus(a.peerId)).rejects.toMatchObject({ code: P2PErrorCode.NOT_RUNNING });
    await expect(b.publishBlock(chain.blocks[2]!)).rejects.toMatchObject({ code: P2PErrorCode.NOT_RUNNING });
    await expect(b.start()).rejects.toMatchObject({ code: P2PErrorCode.NOT_RUNNING });
    // libp2p's address manager may still hold a 1 s debounce timer right after stop(); it runs out.
    await waitFor(() => noMoreThan(before), "sockets and timers to be released");
  });

  it("stop() aborts a request in flight", async () => {
    let release: (() => void) | null = null;
    const head = { headNumber: 0, headHash: new Uint8Array(32) };
    const slow = await startNode({}, { getStatus: () => new Promise((r) => (release = () => r(head))) });
    const client = await startNode({ bootstrapPeers: slow.multiaddrs });
    await waitFor(() => connected(client, slow), "a connection");
    const pending = client.requestStatus(slow.peerId).catch((e) => e.code);
    await waitFor(() => release !== null, "the request to reach the server");
    await client.stop();
    expect(await pending).toBe(ReqRespErrorCode.ABORTED);
    release!();
  });
});
