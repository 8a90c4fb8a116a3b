/**
 * Misbehaving peers against `filverse devnet` (L1, contracts, sequencer, two verifier processes, the
 * storage-provider simulator), each adversary a real libp2p host on 127.0.0.1 in this test process:
 * - a peer relaying tampered blocks (a changed state root, a changed body) is refused and scored down;
 * - a peer flooding the blocks topic with junk and oversized messages is banned and disconnected,
 *   while both verifiers keep following the sequencer under a stream of transactions;
 * - a block the sequencer's key sealed at a height it already sealed (equivocation): the verifier
 *   that receives it records evidence, gossips it, the other verifier records the same evidence from
 *   gossip, and the equivocation is proven on the L1 rollup, which freezes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createFilverseClient } from "@filverse/client";
import { signBlockHeader } from "@filverse/crypto";
import { loadArtifact } from "@filverse/l1";
import { createFilverseP2P, type FilverseP2P, gossipTopic } from "@filverse/p2p";
import { encodeSignedBlock } from "@filverse/types";
import { fromHex } from "@filverse/utils";
import { type Address, createPublicClient, type Hex, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, expect, it } from "vitest";
import { rpc, spawnDevnet, tempDir, waitFor } from "./helpers.js";

const tmp = tempDir("adversary");
afterAll(() => tmp.cleanup());

type Ready = { l1: string; l2: string; rollup: Address; verifiers: string[]; l2ChainId: number };
type Peer = { peerId: string; addresses: string[]; score: number };
type EvidenceRecord = { id: string; kind: string; number: number; source: string; l1: { tx: string } | null };

const call = async <T>(url: string, method: string, params: unknown[] = []): Promise<T> => {
  const { json } = await rpc(url, { jsonrpc: "2.0", id: 1, method, params });
  const r = json as { result?: T; error?: { message: string } };
  if (r.error) throw new Error(`${method}: ${r.error.message}`);
  return r.result as T;
};

/** One labelled counter's value summed over its series in a Prometheus text page. */
async function counter(url: string, name: string, label?: string): Promise<number> {
  const text = await (await fetch(new URL("/metrics", url))).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (label && !line.includes(label)) continue;
    sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

async function adversary(chainId: number, dial: string[]): Promise<FilverseP2P> {
  const p2p = await createFilverseP2P({
    chainId,
    listen: ["/ip4/127.0.0.1/tcp/0"],
    bootstrapPeers: dial,
    peerKeyFile: null,
  });
  await p2p.start();
  return p2p;
}

it("tampered blocks are refused and scored down, a flooder is banned, equivocation becomes evidence on both verifiers and on L1", async () => {
  const dir = join(tmp.dir, "net");
  const devnet = await spawnDevnet<Ready>(dir, ["--checkpoint-interval", "2"], 120_000);
  const adversaries: FilverseP2P[] = [];
  try {
    const { l1, l2, rollup, verifiers, l2ChainId } = devnet.ready;
    expect(verifiers).toHaveLength(2);
    const [v1, v2] = verifiers as [string, string];
    const dev = JSON.parse(readFileSync(join(dir, "dev-accounts.json"), "utf8")) as {
      address: Address;
      privateKey: Hex;
    }[];
    const wallet = createFilverseClient({ url: l2, account: privateKeyToAccount(dev[0]!.privateKey) });
    const transfer = async () => {
      const { hash } = await wallet.transfer({ to: dev[1]!.address, amount: 1n });
      await wallet.waitForTransaction(hash, { timeoutMs: 30_000 });
    };
    for (let i = 0; i < 3; i++) await transfer();
    const atHead = async (url: string) => {
      const head = Number(await call<string>(l2, "filverse_blockNumber"));
      await waitFor(
        async () => Number(await call<string>(url, "filverse_blockNumber")) >= head,
        60_000,
        `${url} at ${head}`,
      );
      type Block = { header: { stateRoot: string } };
      const ours = await call<Block>(url, "filverse_getBlockByNumber", [String(head)]);
      const theirs = await call<Block>(l2, "filverse_getBlockByNumber", [String(head)]);
      expect(ours.header.stateRoot).toBe(theirs.header.stateRoot);
      return head;
    };
    await atHead(v1);
    await atHead(v2);
    const v1Identity = await call<{ peerId: string; multiaddrs: string[] }>(v1, "filverse_nodeIdentity");
    const v2Identity = await call<{ peerId: string; multiaddrs: string[] }>(v2, "filverse_nodeIdentity");
    // The devnet's second verifier peers with the first as well as with the sequencer.
    expect((await call<Peer[]>(v2, "filverse_peers")).map((p) => p.peerId)).toContain(v1Identity.peerId);

    // --- A peer relaying tampered blocks: refused, and its score drops.
    const flooder = await adversary(l2ChainId, v1Identity.multiaddrs);
    adversaries.push(flooder);
    await waitFor(
      async () => flooder.topicPeers("blocks").includes(v1Identity.peerId),
      20_000,
      "v1 in the blocks topic",
    );
    const synced = await flooder.requestBlocksByRange(v1Identity.peerId, 1, 64);
    const block = synced.map((b) => b.block).find((b) => b.transactions.length > 0)!;
    expect(block).toBeDefined();
    const topic = gossipTopic(l2ChainId, "blocks");
    const pubsub = flooder.libp2p.services.pubsub;
    // A different state root under the sequencer's seal (the seal no longer matches), and the same
    // sealed header with its transactions removed (the body no longer matches its header).
    const badRoot = { ...block, header: { ...block.header, stateRoot: new Uint8Array(32).fill(7) } };
    await pubsub.publish(topic, encodeSignedBlock(badRoot));
    await pubsub.publish(topic, encodeSignedBlock({ ...block, transactions: [] }));
    await waitFor(
      async () => (await counter(v1, "filverse_p2p_peer_penalties_total", 'reason="validation_rejected"')) >= 2,
      20_000,
      "two validation penalties at v1",
    );
    const scored = (await call<Peer[]>(v1, "filverse_peers")).find((p) => p.peerId === flooder.peerId);
    expect(scored?.score).toBeLessThanOrEqual(-15);
    expect(await call<unknown[]>(v1, "filverse_getEvidence")).toEqual([]); // a relayer's tampering is not the sequencer's fault

    // --- The same peer floods: an oversized block, then junk as fast as it can, while wallets go on.
    const sending = (async () => {
      for (let i = 0; i < 4; i++) await transfer();
    })();
    await pubsub.publish(topic, new Uint8Array(4 * 1024 * 1024 - 8 * 1024).fill(1)).catch(() => {});
    for (let i = 0; i < 2_000 && flooder.peers().some((p) => p.peerId === v1Identity.peerId); i++) {
      const junk = new Uint8Array(512);
      new DataView(junk.buffer).setUint32(0, i);
      await pubsub.publish(topic, junk).catch(() => {});
    }
    await sending;
    await waitFor(async () => (await counter(v1, "filverse_p2p_peer_bans_total")) >= 1, 20_000, "the flooder banned");
    await waitFor(
      async () => !(await call<Peer[]>(v1, "filverse_peers")).some((p) => p.peerId === flooder.peerId),
      20_000,
      "the flooder disconnected",
    );
    expect(await counter(v1, "filverse_p2p_peer_penalties_total", 'reason="oversized"')).toBeGreaterThanOrEqual(1);
    // Both verifiers kept following the sequencer through the flood, and the banned peer stays out
    // (its bootstrap dialer keeps trying).
    await atHead(v1);
    await atHead(v2);
    await new Promise((r) => setTimeout(r, 2_000));
    expect((await call<Peer[]>(v1, "filverse_peers")).some((p) => p.peerId === flooder.peerId)).toBe(false);

    // --- Equivocation: a second block at a sealed height, sealed with the sequencer's key.
    const config = JSON.parse(readFileSync(join(dir, "filverse.json"), "utf8")) as { keyFile: string };
    const sequencerKey = fromHex(readFileSync(join(dir, config.keyFile), "utf8").trim(), 32);
    const equivocator = await adversary(l2ChainId, v1Identity.multiaddrs);
    adversaries.push(equivocator);
    await waitFor(async () => equivocator.topicPeers("blocks").includes(v1Identity.peerId), 20_000, "v1 in the topic");
    const header = { ...block.header, timestamp: block.header.timestamp + 1 };
    const twin = { ...block, header, signature: signBlockHeader(header, sequencerKey) };
    await equivocator.publishBlock(twin);

    const evidenceAt = async (url: string) => {
      await waitFor(
        async () => (await call<EvidenceRecord[]>(url, "filverse_getEvidence", ["blockEquivocation"])).length > 0,
        30_000,
        `equivocation evidence at ${url}`,
      );
      return (await call<EvidenceRecord[]>(url, "filverse_getEvidence", ["blockEquivocation"]))[0]!;
    };
    const first = await evidenceAt(v1);
    expect(first.number).toBe(block.header.number);
    expect(first.source).toBe(`p2p:${equivocator.peerId}`);
    // The second verifier never met the equivocator: it has the same record from evidence gossip.
    expect(equivocator.peers().map((p) => p.peerId)).not.toContain(v2Identity.peerId);
    const second = await evidenceAt(v2);
    expect(second.id).toBe(first.id);
    expect(second.source).toMatch(/^p2p:/);
    expect(second.source).not.toBe(`p2p:${equivocator.peerId}`);
    // The equivocating block was not relayed onward, and the equivocator was not penalised for it.
    expect((await call<Peer[]>(v1, "filverse_peers")).find((p) => p.peerId === equivocator.peerId)?.score ?? 0).toBe(0);

    // A verifier proved it on the rollup (its validator key pays): the rollup is halted.
    const l1Client = createPublicClient({ transport: http(l1) });
    await waitFor(
      async () =>
        l1Client.readContract({ address: rollup, abi: loadArtifact("FilverseRollup").abi, functionName: "halted" }),
      30_000,
      "the rollup halted",
    );
    const proven = await waitFor(
      async () => {
        const records = await Promise.all([v1, v2].map((v) => call<EvidenceRecord[]>(v, "filverse_getEvidence")));
        return records.flat().find((e) => e.l1 !== null) ?? null;
      },
      30_000,
      "evidence marked as proven",
    );
    expect(proven.l1!.tx).toMatch(/^0x[0-9a-f]{64}$/);
  } finally {
    for (const a of adversaries) await a.stop().catch(() => {});
    expect(await devnet.stop()).toBe(0);
  }
}, 300_000);
