/**
 * The local L1: a hardhat node in its own process on 127.0.0.1 with chain id 31415926 (like a Lotus
 * devnet). The node is spawned as `node <hardhat>/internal/cli/bootstrap.js node` rather than through
 * npx, so the PID we hold is the node's own and stop() ends exactly that process. Only our own
 * process counts as started: a port something else already answers on is refused.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import type { Deposit } from "@filverse/types";
import { type Address, encodeAbiParameters, keccak256, numberToHex, type PublicClient } from "viem";
import { l1MessageRecord } from "./depositWatcher.js";
import { L1Error, L1ErrorCode } from "./errors.js";

export const DEV_L1_CHAIN_ID = 31_415_926;
const PACKAGE_DIR = fileURLToPath(new URL("../", import.meta.url));
/** Hardhat's start (config load, provider, server) takes 1–3 s here; 30 s covers a loaded 2-core box. */
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

export type StartLocalL1Options = { port?: number; startTimeoutMs?: number };

export type LocalL1 = {
  url: string;
  port: number;
  chainId: number;
  pid: number;
  /** Ends the node process (SIGTERM, then SIGKILL after a grace period). Idempotent. */
  stop(): Promise<void>;
};

/** Hardhat's line on stdout once its server listens: proof that the answering node is ours. */
const LISTENING_LINE = "Started HTTP and WebSocket JSON-RPC server at";

/** Resolves true if `port` on 127.0.0.1 can be bound now (nothing listens there). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

function portInUse(port: number): L1Error {
  return new L1Error(
    L1ErrorCode.PORT_IN_USE,
    `L1 port ${port} on 127.0.0.1 is already in use (another devnet's L1?); choose another with --l1-port, or 0 for any free port`,
    { details: { port } },
  );
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function chainIdAt(url: string): Promise<number | null> {
  try {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(1_000),
    });
    const body = (await res.json()) as { result?: string };
    return body.result ? Number.parseInt(body.result, 16) : null;
  } catch {
    return null;
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/**
 * Start a hardhat node on `opts.port` (default: a free port). Throws L1Error PORT_IN_USE if the port
 * is taken, before anything is spawned: deploying onto another devnet's L1 would report success
 * on a chain this devnet does not own. Resolves only once our own process has printed that it
 * listens and answers eth_chainId with the devnet chain id.
 */
export async function startLocalL1(opts: StartLocalL1Options = {}): Promise<LocalL1> {
  if (opts.port !== undefined && opts.port !== 0 && !(await portIsFree(opts.port))) throw portInUse(opts.port);
  const port = opts.port || (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const cli = createRequire(import.meta.url).resolve("hardhat/internal/cli/bootstrap.js");
  const child = spawn(process.execPath, [cli, "node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: "true", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    if (stderr.length < 10_000) stderr += d.toString();
  });
  // Hardhat logs every request on stdout: read it (so the pipe never fills) until it says it listens.
  let listening = false;
  let stdout = "";
  child.stdout?.on("data", (d: Buffer) => {
    if (listening) return;
    stdout += d.toString();
    if (stdout.includes(LISTENING_LINE)) listening = true;
    else if (stdout.length > 10_000) stdout = stdout.slice(-1_000);
  });
  // A crashed test runner must not leave the node behind.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  const stop = async () => {
    process.removeListener("exit", killOnExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    await exited(child);
    clearTimeout(timer);
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? START_TIMEOUT_MS);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    // An answer before our process listens comes from someone else on the port (taken since the check).
    const chainId = listening ? await chainIdAt(url) : null;
    if (chainId !== null) {
      if (chainId !== DEV_L1_CHAIN_ID) {
        await stop();
        throw new L1Error(L1ErrorCode.WRONG_CHAIN, `Local L1 answered chain id ${chainId}, not ${DEV_L1_CHAIN_ID}`);
      }
      return { url, port, chainId, pid: child.pid!, stop };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  if (/EADDRINUSE/.test(stderr)) throw portInUse(port);
  throw new L1Error(L1ErrorCode.NODE_START_FAILED, "The local L1 (hardhat node) did not answer eth_chainId", {
    details: { url, exitCode: child.exitCode, stderr: stderr.slice(-2_000) },
  });
}

/**
 * The storage slot of FilverseBridge's `messageRecord` mapping (its storage layout;
 * test/unit/oneStepExecutor.test.ts finds it from a real deposit and checks it is this one).
 */
export const BRIDGE_MESSAGE_RECORD_SLOT = 7n;

/**
 * On a hardhat L1 only (`hardhat_setStorageAt`): write FilverseBridge's record of each message as
 * deposit() or forceTransaction() would have, for tests whose blocks consume L1 messages they made up
 * (any sender, amount or nonce). A one-step executor naming the bridge then takes them as the bridge's.
 */
export async function writeL1MessageRecords(client: PublicClient, bridge: Address, messages: Deposit[]): Promise<void> {
  for (const d of messages) {
    const key = keccak256(
      encodeAbiParameters([{ type: "uint256" }, { type: "uint256" }], [BigInt(d.l1Nonce), BRIDGE_MESSAGE_RECORD_SLOT]),
    );
    await client.request({
      method: "hardhat_setStorageAt" as never,
      params: [bridge, numberToHex(BigInt(key)), l1MessageRecord(d)] as never,
    });
  }
}
