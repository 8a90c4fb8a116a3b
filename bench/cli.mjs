/**
 * How fast the `filverse` command starts: `filverse wallet --help`, and a read (`wallet balance`)
 * against a running sequencer, each as a new process, against bare `node -e 0` measured in the same
 * run, interleaved so a burst of load on the shared box hits all three alike. The value is the
 * slower of the two commands' medians; the target: at most 3× bare node (ratio ≥ 0.33, since for
 * times ratio = baselineValue / value).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { makeEntry, median } from "./lib.mjs";

export const names = ["cli_startup_ms"];
export const targets = { cli_startup_ms: { ratio: 0.33 } };

/** FILVERSE_BENCH_CLI=<path to a filverse.js> times another build (e.g. an older one, for a before/after). */
const CLI = process.env.FILVERSE_BENCH_CLI
  ? resolve(process.env.FILVERSE_BENCH_CLI)
  : fileURLToPath(new URL("../packages/cli/bin/filverse.js", import.meta.url));

/** Wall time of one process from spawn to exit, in ms; it must exit 0. */
function timeProcess(args) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: "utf8", timeout: 60_000 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/** `filverse init` + `filverse sequencer` on a temp dir; resolves once its RPC listens. */
async function startSequencer(dir) {
  const init = spawnSync(process.execPath, [CLI, "init", "--data-dir", dir, "--rpc-port", "0", "--json"], {
    encoding: "utf8",
  });
  if (init.status !== 0) throw new Error(`filverse init failed: ${init.stderr}`);
  const proc = spawn(process.execPath, [CLI, "sequencer", "--data-dir", dir, "--log-level", "info"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const listening = new Promise((resolve, reject) => {
    let out = "";
    proc.stdout.on("data", (d) => {
      out += String(d);
      for (const line of out.split("\n")) {
        if (!line.includes('"rpc listening"')) continue;
        try {
          resolve(JSON.parse(line).url);
        } catch {
          // a partial line: the rest comes with the next chunk
        }
      }
    });
    proc.once("exit", (code) => reject(new Error(`filverse sequencer exited ${code} before listening`)));
    setTimeout(() => reject(new Error("filverse sequencer did not listen within 60 s")), 60_000).unref();
  });
  try {
    return { proc, url: await listening };
  } catch (error) {
    proc.kill("SIGTERM");
    throw error;
  }
}

export async function run({ quick = false } = {}) {
  const runs = quick ? 5 : 15;
  const dir = mkdtempSync(join(tmpdir(), "filverse-bench-cli-"));
  const loadBefore = loadavg();
  const node = await startSequencer(dir);
  try {
    const address = "0x000000000000000000000000000000000000beef";
    const commands = {
      bare: ["-e", "0"],
      help: [CLI, "wallet", "--help"],
      read: [CLI, "wallet", "balance", address, "--rpc", node.url, "--json"],
    };
    // One warm-up each (the file cache), then the runs interleaved.
    for (const args of Object.values(commands)) timeProcess(args);
    const samples = { bare: [], help: [], read: [] };
    for (let i = 0; i < runs; i++) for (const [k, args] of Object.entries(commands)) samples[k].push(timeProcess(args));
    const med = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
    const value = Math.max(med.help, med.read);
    return [
      makeEntry({
        name: "cli_startup_ms",
        value,
        unit: "ms",
        baseline: "node_e_0",
        baselineValue: med.bare,
        quick,
        details: {
          method:
            "wall time from spawn to exit of a new process, median of interleaved runs after one warm-up each; " +
            "value: the slower of `filverse wallet --help` and `filverse wallet balance <address> --json` against a " +
            "running sequencer on 127.0.0.1; baseline: `node -e 0`",
          runs,
          cli: process.env.FILVERSE_BENCH_CLI ?? "packages/cli/bin/filverse.js",
          medianMs: Object.fromEntries(Object.entries(med).map(([k, v]) => [k, Math.round(v * 10) / 10])),
          timesBare: {
            help: Math.round((med.help / med.bare) * 100) / 100,
            read: Math.round((med.read / med.bare) * 100) / 100,
          },
          samplesMs: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, v.map((x) => Math.round(x))])),
          // The box is shared: a load average above the core count means other processes took CPU time.
          loadAverage1mBeforeAfter: [Math.round(loadBefore[0] * 100) / 100, Math.round(loadavg()[0] * 100) / 100],
        },
      }),
    ];
  } finally {
    const exited = new Promise((r) => node.proc.once("exit", r));
    node.proc.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}
