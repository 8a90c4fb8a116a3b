/**
 * Three nodes on `filverse devnet`: the sequencer and two verifier processes (each a registered
 * validator) connected over libp2p. Under a stream of transactions both verifiers reach the
 * sequencer's head with equal state roots, and the checkpoints on L1 carry three signatures: the
 * sequencer's and both verifiers', gathered over p2p (the sequencer alone holds a third of the weight).
 * A third verifier that joins late without the sequencer's RPC catches up by p2p range sync alone,
 * forwards a wallet's transaction to the sequencer over gossip, and after a kill -9 and restart
 * catches up over p2p range sync again.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createFilverseClient } from "@filverse/client";
import { loadArtifact } from "@filverse/l1";
import { type Address, createPublicClient, decodeFunctionData, type Hex, http, parseAbiItem } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, expect, it } from "vitest";
import { cli, rpc, spawnDevnet, startVerifier, tempDir, waitFor } from "./helpers.js";

const tmp = tempDir("network");
afterAll(() => tmp.cleanup());

type Ready = { l1: string; l2: string; rollup: Address; verifiers: string[]; sequencerP2P: string[] };

const call = async <T>(url: string, method: string, params: unknown[] = []): Promise<T> =>
  ((await rpc(url, { jsonrpc: "2.0", id: 1, method, params })).json as { result: T }).result;

it("two verifiers follow the sequencer over p2p to equal state roots, a late one range-syncs over p2p alone (also after kill -9), checkpoints carry three signatures", async () => {
  const dir = join(tmp.dir, "net");
  const devnet = await spawnDevnet<Ready>(dir, ["--checkpoint-interval", "2"], 120_000);
  try {
    const ready = devnet.ready;
    const { l1, l2, rollup, verifiers } = ready;
    expect(verifiers).toHaveLength(2);
    const dev = JSON.parse(readFileSync(join(dir, "dev-accounts.json"), "utf8")) as {
      address: Address;
      privateKey: Hex;
    }[];
    const clients = [0, 1].map((i) =>
      createFilverseClient({ url: l2, account: privateKeyToAccount(dev[i]!.privateKey) }),
    );
    for (let round = 0; round < 6; round++) {
      const sent = await Promise.all(clients.map((c, i) => c.transfer({ to: dev[i + 2]!.address, amount: 5n })));
      await clients[0]!.waitForTransaction(sent[0]!.hash, { timeoutMs: 30_000 });
      await clients[1]!.waitForTransaction(sent[1]!.hash, { timeoutMs: 30_000 });
    }
    const head = Number(await call<string>(l2, "filverse_blockNumber"));
    type Block = { header: { stateRoot: string } };
    const sequencerBlock = await call<Block>(l2, "filverse_getBlockByNumber", [String(head)]);
    for (const v of verifiers) {
      await waitFor(
        async () => Number(await call<string>(v, "filverse_blockNumber")) >= head,
        60_000,
        `verifier ${v} at head`,
      );
      const theirs = await call<Block>(v, "filverse_getBlockByNumber", [String(head)]);
      expect(theirs.header.stateRoot).toBe(sequencerBlock.header.stateRoot);
      expect(await call<unknown[]>(v, "filverse_getEvidence")).toEqual([]);
    }

    // A third verifier that joins late and has no sequencer RPC: it can only range-sync over p2p.
    const late = join(tmp.dir, "late");
    const made = cli(["init", "--verifier", "--genesis-from", l2, "--data-dir", late, "--json"]);
    expect(made.status, made.stderr).toBe(0);
    const lateConfig = JSON.parse(readFileSync(join(late, "filverse.json"), "utf8"));
    lateConfig.verifier.sequencerRpc = null;
    lateConfig.p2p = { listen: ["/ip4/127.0.0.1/tcp/0"], bootstrapPeers: ready.sequencerP2P };
    writeFileSync(join(late, "filverse.json"), JSON.stringify(lateConfig));
    let lateNode = await startVerifier(late);
    try {
      await waitFor(
        async () => Number(await call<string>(lateNode.url, "filverse_blockNumber")) >= head,
        60_000,
        "the late verifier at head over p2p",
      );
      const synced = await call<Block>(lateNode.url, "filverse_getBlockByNumber", [String(head)]);
      expect(synced.header.stateRoot).toBe(sequencerBlock.header.stateRoot);
      // With no sequencer RPC it forwards a wallet's transaction over the `txs` gossip topic.
      const viaGossip = createFilverseClient({ url: lateNode.url, account: privateKeyToAccount(dev[4]!.privateKey) });
      const { hash } = await viaGossip.transfer({ to: dev[5]!.address, amount: 3n });
      await clients[0]!.waitForTransaction(hash, { timeoutMs: 30_000 });
      await viaGossip.waitForTransaction(hash, { timeoutMs: 30_000 });
      await viaGossip.close();

      // Killed (-9) while the chain moves on, restarted: it catches up over p2p range sync again.
      await lateNode.kill();
      for (let round = 0; round < 3; round++) {
        const { hash: h } = await clients[0]!.transfer({ to: dev[2]!.address, amount: 1n });
        await clients[0]!.waitForTransaction(h, { timeoutMs: 30_000 });
      }
      const newHead = Number(await call<string>(l2, "filverse_blockNumber"));
      lateNode = await startVerifier(late);
      await waitFor(
        async () => Number(await call<string>(lateNode.url, "filverse_blockNumber")) >= newHead,
        60_000,
        "the restarted verifier at head over p2p",
      );
      const ours = await call<Block>(l2, "filverse_getBlockByNumber", [String(newHead)]);
      const caughtUp = await call<Block>(lateNode.url, "filverse_getBlockByNumber", [String(newHead)]);
      expect(caughtUp.header.stateRoot).toBe(ours.header.stateRoot);
    } finally {
      await lateNode.stop();
    }

    // The checkpoints the rollup accepted carry the sequencer's and both verifiers' signatures.
    const l1Client = createPublicClient({ transport: http(l1) });
    const rollupAbi = loadArtifact("FilverseRollup").abi;
    await waitFor(
      async () =>
        Number(await l1Client.readContract({ address: rollup, abi: rollupAbi, functionName: "nextCheckpointIndex" })) >=
        2,
      60_000,
      "two checkpoints",
    );
    const logs = await l1Client.getLogs({
      address: rollup,
      event: parseAbiItem(
        "event CheckpointSubmitted(uint64 indexed index, bytes32 stateRoot, bytes32 withdrawalsRoot, uint64 lastBlock, string pieceCid)",
      ),
      fromBlock: 0n,
    });
    expect(logs.length).toBeGreaterThanOrEqual(2);
    const counts: number[] = [];
    for (const log of logs) {
      const tx = await l1Client.getTransaction({ hash: log.transactionHash! });
      const { args } = decodeFunctionData({ abi: rollupAbi, data: tx.input });
      counts.push((args![1] as Hex[]).length);
    }
    // The first checkpoints may predate the verifiers' registration; the later ones need them.
    expect(counts.at(-1)).toBe(3);
    for (const c of clients) await c.close();

    expect(await devnet.stop()).toBe(0);
  } finally {
    await devnet.stop();
  }
}, 240_000);
