/**
 * Three nodes on `filverse devnet`: the sequencer and two verifier processes (each a registered
 * validator) connected over libp2p. Under a stream of transactions both verifiers reach the
 * sequencer's head with equal state roots, and the checkpoints on L1 carry three signatures: the
 * sequencer's and both verifiers', gathered over p2p (the sequencer alone holds a third of the weight).
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createFilverseClient } from "@filverse/client";
import { loadArtifact } from "@filverse/l1";
import { type Address, createPublicClient, decodeFunctionData, type Hex, http, parseAbiItem } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, expect, it } from "vitest";
import { CLI, jsonLine, rpc, tempDir, waitFor } from "./helpers.js";

const tmp = tempDir("network");
afterAll(() => tmp.cleanup());

type Ready = { l1: string; l2: string; rollup: Address; verifiers: string[] };

const call = async <T>(url: string, method: string, params: unknown[] = []): Promise<T> =>
  ((await rpc(url, { jsonrpc: "2.0", id: 1, method, params })).json as { result: T }).result;

it("two verifiers follow the sequencer over p2p to equal state roots; checkpoints carry three signatures", async () => {
  const dir = join(tmp.dir, "net");
  const proc = spawn(
    process.execPath,
    [CLI, "devnet", "--data-dir", dir, "--rpc-port", "0", "--l1-port", "0", "--checkpoint-interval", "2"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  let ready: Ready | null = null;
  let out = "";
  proc.stdout!.on("data", (d) => {
    out += String(d);
    for (const line of out.split("\n"))
      if (line.includes('"devnet ready"')) ready = jsonLine<NonNullable<typeof ready>>(line) ?? ready;
  });
  try {
    await waitFor(async () => ready, 120_000, "devnet ready");
    const { l1, l2, rollup, verifiers } = ready!;
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

    proc.kill("SIGTERM");
    expect(await exited).toBe(0);
  } finally {
    if (proc.exitCode === null) {
      proc.kill("SIGTERM");
      await exited;
    }
  }
}, 240_000);
