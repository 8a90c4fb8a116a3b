/**
 * `filverse devnet` from the CLI: a local L1, the contracts, a sequencer wired to the bridge, and dev
 * accounts funded by real bridge deposits and on the L1; the L1's clock moves while it is idle; an
 * unfunded L1 key is told it cannot pay for gas; a withdrawal on the idle devnet is checkpointed without
 * filler traffic, and `bridge exit` takes one from withdraw to paid on L1; SIGTERM stops the L2 node
 * and the L1 process.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createFilverseClient } from "@filverse/client";
import { afterAll, expect, it } from "vitest";
import { CLI, jsonLine, tempDir, waitFor } from "./helpers.js";

const FIL = 10n ** 18n;

const tmp = tempDir("devnet");
afterAll(() => tmp.cleanup());

/** The CLI as a child process, without blocking this one (the devnet's output keeps flowing). */
function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => {
      stdout += String(d);
    });
    child.stderr!.on("data", (d) => {
      stderr += String(d);
    });
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

it("starts the whole local network in one command, funds dev accounts through the bridge, and stops cleanly", async () => {
  const dir = join(tmp.dir, "net");
  const proc = spawn(process.execPath, [CLI, "devnet", "--data-dir", dir, "--rpc-port", "0", "--l1-port", "0"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  let ready: { l1: string; l2: string; bridge: string; explorer: string; verifiers: string[] } | null = null;
  let l2Url: string | null = null;
  let out = "";
  let err = "";
  proc.stdout!.on("data", (d) => {
    out += String(d);
    for (const line of out.split("\n")) {
      if (line.includes('"devnet ready"')) ready = jsonLine<NonNullable<typeof ready>>(line) ?? ready;
      if (!l2Url && line.includes('"rpc listening"') && !line.includes('"verifier"'))
        l2Url = jsonLine<{ url: string }>(line)?.url ?? null;
    }
  });
  proc.stderr!.on("data", (d) => {
    err += String(d);
  });
  const health = async () => {
    const r = await fetch(`${l2Url}/healthz`);
    return { code: r.status, body: (await r.json()) as { status: string; reason?: string } };
  };
  try {
    // The sequencer serves before the verifiers are up: /healthz says so until every process is.
    await waitFor(async () => l2Url, 60_000, "the sequencer's RPC");
    expect(await health()).toEqual({ code: 503, body: { status: "starting", reason: "devnet processes starting" } });
    await waitFor(async () => ready, 60_000, "devnet ready");
    expect((await health()).code).toBe(200);
    const { l1, l2 } = ready!;
    // The explorer: its URL in the ready line and on the banner, served by the sequencer and the verifiers.
    expect(ready!.explorer).toBe(`${l2}/`);
    expect(err).toContain(`explorer  ${l2}/`);
    for (const url of [ready!.explorer, ...ready!.verifiers.map((v) => `${v}/`)]) {
      const page = await fetch(url);
      expect(page.status, url).toBe(200);
      expect(await page.text()).toContain("/explorer/app.js");
    }
    const accounts = JSON.parse(readFileSync(join(dir, "dev-accounts.json"), "utf8")) as {
      address: `0x${string}`;
      privateKey: string;
    }[];
    const client = createFilverseClient({ url: l2 });
    await waitFor(
      async () => BigInt((await client.getAccount({ address: accounts[0]!.address })).balance) === 100n * 10n ** 18n,
      30_000,
      "a funded dev account",
    );
    const last = accounts[accounts.length - 1]!.address;
    await waitFor(
      async () => BigInt((await client.getAccount({ address: last })).balance) > 0n,
      30_000,
      "every dev account funded",
    );
    await client.close();

    // The dev accounts hold FIL on the L1 too (the same keys), for gas.
    const l1Call = async (method: string, params: unknown[]) =>
      (
        (await (
          await fetch(l1, { method: "POST", body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) })
        ).json()) as { result: string }
      ).result;
    expect(BigInt(await l1Call("eth_getBalance", [accounts[0]!.address, "latest"]))).toBe(100n * 10n ** 18n);
    // An idle L1 still mines, so its clock (and every challenge window) moves on.
    const before = await l1Call("eth_getBlockByNumber", ["latest", false]);
    await new Promise((r) => setTimeout(r, 2_500));
    const after = await l1Call("eth_getBlockByNumber", ["latest", false]);
    const time = (b: unknown) => BigInt((b as { timestamp: string }).timestamp);
    expect(time(after) > time(before)).toBe(true);
    // A key with no L1 FIL is told so, not "invalid parameters".
    const keyFile = join(tmp.dir, "empty.key");
    writeFileSync(keyFile, `0x${randomBytes(32).toString("hex")}\n`, { mode: 0o600 });
    const r = await runCli([
      "bridge",
      "deposit",
      "--data-dir",
      dir,
      "--to",
      accounts[0]!.address,
      "--amount",
      "1",
      "--l1-key-file",
      keyFile,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/L1: the account cannot pay for gas/);

    // A withdrawal on an otherwise idle devnet reaches a checkpoint by itself: the sequencer seals
    // empty blocks to complete its range (no filler transactions).
    const devKey = join(tmp.dir, "dev0.key");
    writeFileSync(devKey, `${accounts[0]!.privateKey}\n`, { mode: 0o600 });
    const w = await runCli([
      "bridge",
      "withdraw",
      "--data-dir",
      dir,
      "--to",
      accounts[0]!.address,
      "--amount",
      String(FIL),
      "--key-file",
      devKey,
      "--rpc",
      l2,
      "--json",
    ]);
    expect(w.code, w.stderr).toBe(0);
    const { hash } = JSON.parse(w.stdout) as { hash: string };
    const status = async () => {
      const s = await runCli(["bridge", "status", hash, "--data-dir", dir, "--rpc", l2, "--json"]);
      return JSON.parse(s.stdout) as { checkpointed: boolean };
    };
    await waitFor(async () => (await status()).checkpointed, 45_000, "the withdrawal checkpointed");

    // A withdrawal's whole life in one command, on the idle devnet: withdraw, checkpoint, challenge
    // window (60 s), finalize on L1; the FIL lands at a fresh L1 address.
    const key1 = join(tmp.dir, "dev1.key");
    writeFileSync(key1, `${accounts[1]!.privateKey}\n`, { mode: 0o600 });
    const recipient = `0x${randomBytes(20).toString("hex")}`;
    const exit = await runCli([
      "bridge",
      "exit",
      "--data-dir",
      dir,
      "--rpc",
      l2,
      "--to",
      recipient,
      "--amount",
      String(2n * FIL),
      "--key-file",
      key1,
      "--l1-key-file",
      key1,
      "--timeout",
      "150",
      "--json",
    ]);
    expect(exit.code, exit.stderr).toBe(0);
    const life = JSON.parse(exit.stdout) as { stages: { stage: string; atSec: number }[]; status: string };
    expect(life.stages.map((x) => x.stage)).toEqual(["sent", "sequenced", "checkpointed", "finalized", "paid"]);
    expect(life.status).toBe("success");
    expect(life.stages.at(-1)!.atSec).toBeLessThan(150);
    expect(BigInt(await l1Call("eth_getBalance", [recipient, "latest"]))).toBe(2n * FIL);

    // A verifier that dies turns the devnet's health to failed, naming it.
    const pid = Number(/verifier 1 JSON-RPC .*\(pid (\d+)\)/.exec(err)?.[1]);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, "SIGTERM");
    await waitFor(async () => (await health()).code === 503, 15_000, "health failed");
    expect((await health()).body).toEqual({ status: "failed", reason: `verifier 1 (pid ${pid}) exited` });

    proc.kill("SIGTERM");
    expect(await exited).toBe(0);
    // The L1 process went with it.
    await expect(fetch(l1, { method: "POST", body: "{}" })).rejects.toThrow();
  } finally {
    // SIGTERM first: a SIGKILLed devnet could not stop its L1 child process.
    if (proc.exitCode === null) {
      proc.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (proc.exitCode === null) proc.kill("SIGKILL");
    }
  }
}, 300_000);
