/**
 * `filverse devnet` from the CLI: a local L1, the contracts, a sequencer wired to the bridge, and dev
 * accounts funded by real bridge deposits; SIGTERM stops the L2 node and the L1 process.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createFilverseClient } from "@filverse/client";
import { afterAll, expect, it } from "vitest";
import { CLI, jsonLine, tempDir, waitFor } from "./helpers.js";

const tmp = tempDir("devnet");
afterAll(() => tmp.cleanup());

it("starts the whole local network in one command, funds dev accounts through the bridge, and stops cleanly", async () => {
  const dir = join(tmp.dir, "net");
  const proc = spawn(process.execPath, [CLI, "devnet", "--data-dir", dir, "--rpc-port", "0", "--l1-port", "0"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  let ready: { l1: string; l2: string; bridge: string } | null = null;
  let out = "";
  proc.stdout!.on("data", (d) => {
    out += String(d);
    for (const line of out.split("\n")) {
      if (line.includes('"devnet ready"')) ready = jsonLine<NonNullable<typeof ready>>(line) ?? ready;
    }
  });
  try {
    await waitFor(async () => ready, 60_000, "devnet ready");
    const { l1, l2 } = ready!;
    const accounts = JSON.parse(readFileSync(join(dir, "dev-accounts.json"), "utf8")) as { address: `0x${string}` }[];
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
}, 120_000);
