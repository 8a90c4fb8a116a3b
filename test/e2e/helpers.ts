/**
 * End-to-end helpers: run the real `filverse` CLI as separate processes on 127.0.0.1, read its JSON
 * log lines, and stop it by its own PID (SIGTERM for a clean stop, SIGKILL for a crash).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createL1Clients,
  DEV_L1_CHAIN_ID,
  deployFilverse,
  type L1Clients,
  type LocalL1,
  loadArtifact,
  type RollupParams,
  startLocalL1,
} from "@filverse/l1";
import { loadConfig, readKeyFile } from "@filverse/node";
import { toHex } from "@filverse/utils";
import { type Address, createTestClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";

const FIL = 10n ** 18n;

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CLI = join(ROOT, "packages/cli/bin/filverse.js");

function assertBuilt(): void {
  if (!existsSync(join(ROOT, "packages/cli/lib/main.js"))) {
    throw new Error("The CLI is not built: run `npm run build` (npm test does it first)");
  }
}

export function tempDir(name: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `filverse-${name}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  assertBuilt();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export type DevAccount = { address: `0x${string}`; privateKey: `0x${string}` };

export function initDevnet(dir: string): { accounts: DevAccount[]; chainId: number; genesisTimestamp: number } {
  const r = cli(["init", "--data-dir", dir, "--preset", "devnet", "--rpc-port", "0", "--json"]);
  if (r.status !== 0) throw new Error(`filverse init failed: ${r.stderr}`);
  const accounts = JSON.parse(readFileSync(join(dir, "dev-accounts.json"), "utf8")) as DevAccount[];
  const chainId = (JSON.parse(r.stdout) as { chainId: number }).chainId;
  return { accounts, chainId, genesisTimestamp: loadConfig(dir).genesis.timestamp };
}

export type RunningNode = {
  proc: ChildProcess;
  url: string;
  wsUrl: string;
  logs: Record<string, unknown>[];
  /** What the process wrote to stderr so far. */
  stderr(): string;
  /** The exit code, once the process has exited by itself or been stopped. */
  exited: Promise<number | null>;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (a crash) and wait for the process to be gone. */
  kill(): Promise<void>;
};

export type StartNodeOpts = {
  /**
   * A file-size limit for the process (RLIMIT_FSIZE, through `sh -c "ulimit -f"`): a write that would
   * grow a file past it fails with EFBIG (Node ignores SIGXFSZ), the way a full disk fails a write.
   */
  maxFileBytes?: number;
};

export function startSequencer(dir: string, extra: string[] = [], opts: StartNodeOpts = {}): Promise<RunningNode> {
  return startNode("sequencer", dir, extra, opts);
}

/** `filverse verifier` on a data dir made by `filverse init --verifier`. */
export function startVerifier(dir: string, extra: string[] = [], opts: StartNodeOpts = {}): Promise<RunningNode> {
  return startNode("verifier", dir, extra, opts);
}

async function startNode(command: string, dir: string, extra: string[], opts: StartNodeOpts): Promise<RunningNode> {
  assertBuilt();
  const args = [CLI, command, "--data-dir", dir, "--rpc-port", "0", ...extra];
  // `exec` keeps the PID ours: the shell becomes the node.
  const proc =
    opts.maxFileBytes === undefined
      ? spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] })
      : spawn(
          "/bin/sh",
          ["-c", `ulimit -f ${Math.ceil(opts.maxFileBytes / 512)} && exec "$0" "$@"`, process.execPath, ...args],
          { stdio: ["ignore", "pipe", "pipe"] },
        );
  const logs: Record<string, unknown>[] = [];
  let stderr = "";
  proc.stderr!.on("data", (d) => {
    stderr += String(d);
  });
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  const listening = new Promise<{ url: string; wsUrl: string }>((resolve, reject) => {
    let buf = "";
    proc.stdout!.on("data", (d) => {
      buf += String(d);
      let nl = buf.indexOf("\n");
      while (nl >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.msg === "rpc listening") resolve({ url: entry.url as string, wsUrl: entry.wsUrl as string });
        } catch {
          // not a log line
        }
        nl = buf.indexOf("\n");
      }
    });
    void exited.then((code) => reject(new Error(`${command} exited (${code}) before listening: ${stderr}`)));
    setTimeout(() => reject(new Error(`${command} did not start in 20 s: ${stderr}`)), 20_000).unref();
  });
  const { url, wsUrl } = await listening;
  return {
    proc,
    url,
    wsUrl,
    logs,
    stderr: () => stderr,
    exited,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
      return exited;
    },
    kill: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
      await exited;
    },
  };
}

/** Poll until `fn` returns a truthy value, or fail after `timeoutMs`. */
export async function waitFor<T>(
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs = 20_000,
  what = "condition",
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A raw JSON-RPC call, for the tests that must see exactly what the server answers. */
export async function rpc(url: string, body: unknown): Promise<{ status: number; json: unknown; headers: Headers }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null, headers: res.headers };
}

/**
 * A JSON log line, or null when it is not one yet (a line cut at a chunk boundary: the rest comes in
 * the next chunk). Throwing from a stream's data listener would destroy the stream.
 */
export function jsonLine<T>(line: string): T | null {
  try {
    return JSON.parse(line) as T;
  } catch {
    return null;
  }
}

export type RunningDevnet<T> = {
  proc: ChildProcess;
  /** The parsed `"devnet ready"` log line (endpoints, addresses). */
  ready: T;
  /** SIGTERM, then the exit code (0 when every process it started stopped cleanly). */
  stop(): Promise<number | null>;
};

/**
 * `filverse devnet` on `dir` with any free ports, resolved once it logs "devnet ready". On failure
 * (or a timeout) it is stopped with SIGTERM, so its L1 and child processes never outlive the test.
 */
export async function spawnDevnet<T>(
  dir: string,
  extra: string[] = [],
  timeoutMs = 120_000,
): Promise<RunningDevnet<T>> {
  assertBuilt();
  const proc = spawn(
    process.execPath,
    [CLI, "devnet", "--data-dir", dir, "--rpc-port", "0", "--l1-port", "0", ...extra],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
    return exited;
  };
  let ready: T | null = null;
  let out = "";
  proc.stdout!.on("data", (d) => {
    out += String(d);
    for (const line of out.split("\n")) if (line.includes('"devnet ready"')) ready = jsonLine<T>(line) ?? ready;
  });
  proc.stderr!.resume(); // the banner: drained so the pipe never fills
  try {
    await waitFor(async () => ready, timeoutMs, "devnet ready");
  } catch (err) {
    await stop();
    throw err;
  }
  return { proc, ready: ready!, stop };
}

export type L1Chain = {
  l1: LocalL1;
  clients: L1Clients;
  testClient: ReturnType<typeof createTestClient>;
  deployer: Address;
  chainId: number;
  sequencerKey: Uint8Array;
  sequencer: ReturnType<typeof privateKeyToAccount>;
  rollup: Address;
  bridge: Address;
  /** The data dir's filverse.json as written (dev faucet off, `l1` set); edit and rewrite to change it. */
  config: Record<string, unknown> & { l1?: unknown };
  configPath: string;
};

/**
 * A devnet data dir in `dir` wired to a fresh local L1: the contracts deployed with `params`, the
 * sequencer funded and registered as the single validator, `filverse.json` pointing at the bridge
 * and the rollup (0 confirmations, 200 ms polls, checkpoints every `checkpointInterval` blocks).
 * The caller stops `l1`.
 */
export async function setupL1Chain(
  dir: string,
  params: Omit<RollupParams, "l2ChainId" | "sequencer" | "minCollateral" | "genesisTimestamp">,
  checkpointInterval = 2,
  /** Retries of a failed L1 request: a loaded box's hardhat now and then closes a kept-alive socket. */
  retryCount = 0,
  /** The sequencer validator's collateral, its weight in the genesis set. */
  sequencerCollateral = FIL,
): Promise<L1Chain> {
  const l1 = await startLocalL1();
  try {
    return await deployL1Chain(l1, dir, params, checkpointInterval, retryCount, sequencerCollateral);
  } catch (err) {
    await l1.stop(); // not left running when the setup fails half way
    throw err;
  }
}

async function deployL1Chain(
  l1: LocalL1,
  dir: string,
  params: Omit<RollupParams, "l2ChainId" | "sequencer" | "minCollateral" | "genesisTimestamp">,
  checkpointInterval: number,
  retryCount: number,
  sequencerCollateral: bigint,
): Promise<L1Chain> {
  const clients = createL1Clients({ url: l1.url, chainId: l1.chainId, pollingIntervalMs: 50, retryCount });
  const testClient = createTestClient({ mode: "hardhat", transport: http(l1.url), chain: clients.walletClient.chain });
  const [deployer] = (await clients.walletClient.getAddresses()) as [Address];
  const { chainId, genesisTimestamp } = initDevnet(dir);
  const sequencerKey = readKeyFile(join(dir, "sequencer.key"));
  const sequencer = privateKeyToAccount(toHex(sequencerKey) as `0x${string}`);
  const { rollup, bridge } = await deployFilverse(clients, deployer, {
    l2ChainId: chainId,
    sequencer: sequencer.address,
    genesisTimestamp,
    minCollateral: FIL,
    ...params,
  });
  await testClient.setBalance({ address: sequencer.address, value: 100n * FIL });
  // The sequencer's validator is the genesis set (effective at once), paid by the deployer.
  const hash = await clients.walletClient.writeContract({
    account: deployer,
    address: rollup,
    abi: loadArtifact("FilverseRollup").abi,
    functionName: "registerGenesis",
    args: [sequencer.address],
    value: sequencerCollateral,
    chain: clients.walletClient.chain,
  });
  await clients.publicClient.waitForTransactionReceipt({ hash });
  const configPath = join(dir, "filverse.json");
  const config = JSON.parse(readFileSync(configPath, "utf8"));
  config.devAccountsFile = null;
  config.chain.checkpointInterval = checkpointInterval;
  config.l1 = {
    rpcUrl: l1.url,
    chainId: DEV_L1_CHAIN_ID,
    bridge,
    rollup,
    startBlock: 0,
    confirmations: 0,
    pollIntervalMs: 200,
  };
  writeFileSync(configPath, JSON.stringify(config));
  return { l1, clients, testClient, deployer, chainId, sequencerKey, sequencer, rollup, bridge, config, configPath };
}
