/**
 * Verifier nodes on `filverse devnet` (L1, contracts, sequencer and storage-provider simulator, each a
 * process): a `filverse verifier` process initialised from the sequencer's genesis follows its RPC
 * under a stream of transactions (some sent through the verifier, which forwards them), survives a
 * kill -9 and catches up, and reaches the same state root with no evidence; then `filverse verifier --from-l1` rebuilds from the rollup's
 * checkpoints and the batch pieces alone to the last checkpoint's state root.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createFilverseClient } from "@filverse/client";
import { loadArtifact } from "@filverse/l1";
import { type Address, createPublicClient, type Hex, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, expect, it } from "vitest";
import { CLI, cli, jsonLine, type RunningNode, rpc, startVerifier, tempDir, waitFor } from "./helpers.js";

const tmp = tempDir("verifier");
afterAll(() => tmp.cleanup());

type Ready = { l1: string; l2: string; rollup: Address; bridge: Address; storageProvider: string };
type Header = { number: string; stateRoot: string };

const call = async <T>(url: string, method: string, params: unknown[] = []): Promise<T> => {
  const { json } = await rpc(url, { jsonrpc: "2.0", id: 1, method, params });
  const r = json as { result?: T; error?: { message: string } };
  if (r.error) throw new Error(`${method}: ${r.error.message}`);
  return r.result as T;
};
const headerAt = async (url: string, n: number) =>
  (await call<{ header: Header } | null>(url, "filverse_getBlockByNumber", [String(n)]))?.header ?? null;

/** Run the CLI to completion (async, so the devnet's output keeps flowing meanwhile). */
function run(args: string[], timeoutMs: number): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout!.on("data", (d) => {
      stdout += String(d);
    });
    proc.stderr!.on("data", (d) => {
      stderr += String(d);
    });
    const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
    proc.once("exit", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

it("a verifier follows the devnet to the sequencer's state root; --from-l1 rebuilds to the last checkpoint", async () => {
  const dir = join(tmp.dir, "net");
  const devnet: ChildProcess = spawn(
    process.execPath,
    [CLI, "devnet", "--data-dir", dir, "--rpc-port", "0", "--l1-port", "0", "--checkpoint-interval", "3"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const exited = new Promise<number | null>((resolve) => devnet.once("exit", (code) => resolve(code)));
  let ready: Ready | null = null;
  let out = "";
  devnet.stdout!.on("data", (d) => {
    out += String(d);
    for (const line of out.split("\n"))
      if (line.includes('"devnet ready"')) ready = jsonLine<NonNullable<typeof ready>>(line) ?? ready;
  });
  let verifier: RunningNode | null = null;
  try {
    await waitFor(async () => ready, 90_000, "devnet ready");
    const { l1, l2, rollup, bridge, storageProvider } = ready!;
    const l1Flags = ["--l1-rpc", l1, "--l1-chain-id", "31415926", "--rollup", rollup, "--bridge", bridge];
    const init = (d: string) =>
      cli([
        "init",
        "--verifier",
        "--data-dir",
        d,
        "--genesis-from",
        l2,
        ...l1Flags,
        "--l1-confirmations",
        "0",
        "--json",
      ]);

    // A verifier that knows the chain only from the sequencer's genesis, and checks deposits on L1.
    const vdir = join(tmp.dir, "verifier");
    const made = init(vdir);
    expect(made.status, made.stderr).toBe(0);
    const identity = JSON.parse(made.stdout) as { sequencer: string; genesisHash: string };
    verifier = await startVerifier(vdir);

    // A stream of transactions: some straight to the sequencer, some through the verifier.
    const dev = JSON.parse(readFileSync(join(dir, "dev-accounts.json"), "utf8")) as {
      address: Address;
      privateKey: Hex;
    }[];
    const direct = [0, 1].map((i) =>
      createFilverseClient({ url: l2, account: privateKeyToAccount(dev[i]!.privateKey) }),
    );
    const viaVerifier = createFilverseClient({ url: verifier.url, account: privateKeyToAccount(dev[2]!.privateKey) });
    for (let round = 0; round < 8; round++) {
      const sent = await Promise.all(
        direct.flatMap((c, i) =>
          [0, 1, 2].map(() => c.transfer({ to: dev[(i + 3) % dev.length]!.address, amount: 1n })),
        ),
      );
      const forwarded = await viaVerifier.transfer({ to: dev[5]!.address, amount: 7n });
      await direct[0]!.waitForTransaction(sent.at(-1)!.hash, { timeoutMs: 30_000 });
      // The verifier serves it once it has re-executed its block (on a slow box a checkpoint may
      // already cover the block by the time the status is read: any stage from sequenced on).
      const seen = await viaVerifier.waitForTransaction(forwarded.hash, { timeoutMs: 30_000 });
      expect(["sequenced", "checkpointed", "stored", "finalized"]).toContain(seen.status);
    }

    // Killed (kill -9) while the chain moves on, restarted on its database: it catches up.
    await verifier.kill();
    for (let round = 0; round < 3; round++) {
      const { hash } = await direct[1]!.transfer({ to: dev[4]!.address, amount: 2n });
      await direct[1]!.waitForTransaction(hash, { timeoutMs: 30_000 });
    }
    verifier = await startVerifier(vdir);

    // The same head and state root.
    const head = Number(await call<string>(l2, "filverse_blockNumber"));
    await waitFor(
      async () => Number(await call<string>(verifier!.url, "filverse_blockNumber")) >= head,
      30_000,
      "verifier at head",
    );
    const [ours, theirs] = await Promise.all([headerAt(verifier.url, head), headerAt(l2, head)]);
    expect(ours!.stateRoot).toBe(theirs!.stateRoot);
    expect(await call<unknown[]>(verifier.url, "filverse_getEvidence")).toEqual([]);
    const genesis = await call<{ hash: string }>(verifier.url, "filverse_getGenesis");
    expect(genesis.hash).toBe(identity.genesisHash);
    for (const c of [...direct, viaVerifier]) await c.close();

    // Rebuild from L1 and the pieces alone (nothing followed), once checkpoints are on L1.
    const l1Client = createPublicClient({ transport: http(l1) });
    const rollupAbi = loadArtifact("FilverseRollup").abi;
    const checkpoints = await waitFor(
      async () => {
        const n = Number(
          await l1Client.readContract({ address: rollup, abi: rollupAbi, functionName: "nextCheckpointIndex" }),
        );
        return n >= 2 ? n : null;
      },
      60_000,
      "two checkpoints on L1",
    );
    const rdir = join(tmp.dir, "rebuilt");
    expect(init(rdir).status).toBe(0);
    const rebuilt = await run(
      [
        "verifier",
        "--data-dir",
        rdir,
        "--rpc-port",
        "0",
        "--from-l1",
        "--rebuild-only",
        "--piece-url",
        storageProvider,
        "--piece-url",
        l2,
        "--json",
        "--log-level",
        "warn",
      ],
      120_000,
    );
    expect(rebuilt.status, rebuilt.stderr).toBe(0);
    const result = JSON.parse(rebuilt.stdout.trim().split("\n").at(-1)!) as {
      checkpoints: number;
      head: number;
      stateRoot: string;
      lastCheckpoint: { index: number; lastBlock: number; stateRoot: string };
    };
    expect(result.checkpoints).toBeGreaterThanOrEqual(checkpoints);
    expect(result.head).toBe(result.lastCheckpoint.lastBlock);
    expect(result.stateRoot).toBe(result.lastCheckpoint.stateRoot);
    expect((await headerAt(l2, result.head))!.stateRoot).toBe(result.stateRoot);
    expect((await headerAt(verifier.url, result.head))!.stateRoot).toBe(result.stateRoot);
    expect(rebuilt.stderr).toMatch(/rebuild \[#+\] 100%/);

    expect(await verifier.stop()).toBe(0);
    devnet.kill("SIGTERM");
    expect(await exited).toBe(0);
  } finally {
    await verifier?.kill();
    if (devnet.exitCode === null) {
      devnet.kill("SIGTERM");
      await exited;
    }
  }
}, 300_000);
