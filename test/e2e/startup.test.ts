/**
 * Start-up failures of the CLI: a busy RPC port, a data dir in use by another node, a busy L1 port
 * for `filverse devnet`. Each exits non-zero with one line that names the cause, and leaves nothing
 * running behind (the process exits by itself: a start that failed half way closed what it opened).
 */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { startLocalL1 } from "@filverse/l1";
import { afterAll, expect, it } from "vitest";
import { CLI, initDevnet, rpc, startSequencer, tempDir } from "./helpers.js";

const tmp = tempDir("startup");
afterAll(() => tmp.cleanup());

/** Run the CLI until it exits by itself (or 30 s: then it is killed and reported as still running). */
function run(args: string[]): Promise<{ code: number | string | null; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    let stdout = "";
    proc.stderr!.on("data", (d) => {
      stderr += String(d);
    });
    proc.stdout!.on("data", (d) => {
      stdout += String(d);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      proc.kill("SIGTERM");
      setTimeout(() => proc.kill("SIGKILL"), 5_000).unref();
    }, 30_000);
    proc.once("exit", (code, signal) => {
      clearTimeout(timer);
      // A signal is reported by name (a native abort while closing would show as SIGABRT), with stderr.
      const how = timedOut ? "still running after 30 s" : code === null ? `killed by ${signal}: ${stderr}` : code;
      resolve({ code: how, stderr, stdout });
    });
  });
}

it("`filverse dev` on a busy RPC port exits 1 with one line naming the port", async () => {
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
  const port = (holder.address() as { port: number }).port;
  try {
    const r = await run(["dev", "--data-dir", join(tmp.dir, "dev"), "--rpc-port", String(port)]);
    expect(r.code).toBe(1);
    // The first run creates the devnet (one line about it), then one line of error; no stack trace.
    const errors = r.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("created devnet"));
    expect(errors).toEqual([
      `error: Port ${port} on 127.0.0.1 is already in use (another node, or another program, listens there)`,
    ]);
  } finally {
    await new Promise<void>((resolve) => holder.close(() => resolve()));
  }
});

it("a second node on a data dir in use exits 1 naming the cause", async () => {
  const dir = join(tmp.dir, "locked");
  initDevnet(dir);
  const first = await startSequencer(dir);
  try {
    const r = await run(["sequencer", "--data-dir", dir, "--rpc-port", "0"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split("\n")).toEqual([
      `error: Database ${join(dir, "chaindb")} failed to open: in use by another process (another node on this data dir?)`,
    ]);
  } finally {
    expect(await first.stop()).toBe(0);
  }
});

it("`filverse devnet --l1-port P` refuses P when another L1 holds it, and deploys nothing there", async () => {
  const other = await startLocalL1();
  try {
    const r = await run([
      "devnet",
      "--data-dir",
      join(tmp.dir, "devnet"),
      "--rpc-port",
      "0",
      "--l1-port",
      String(other.port),
      "--verifiers",
      "0",
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain("devnet ready");
    expect(r.stderr).toMatch(new RegExp(`^error: L1 port ${other.port} on 127.0.0.1 is already in use`, "m"));
    // The other devnet's L1 saw no deployment: still at block 0.
    const { json } = await rpc(other.url, { jsonrpc: "2.0", id: 1, method: "eth_blockNumber", params: [] });
    expect((json as { result: string }).result).toBe("0x0");
  } finally {
    await other.stop();
  }
}, 60_000);
