// End-to-end benchmarks: sequencer_tps (a real sequencer process fed by a separate load process over
// JSON-RPC, with and without the signature worker pool) and replay_tps (re-executing the stored
// blocks with full signature checks, as a verifier does).
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createCryptoPool, privateKeyToAddress, recoverAddress, sha256, signDigest } from "@filverse/crypto";
import { ChainDb } from "@filverse/db";
import { readKeyFile } from "@filverse/node";
import { applyBlock, completeValidation, createGenesis, prevalidateTransaction } from "@filverse/state";
import { measureRates } from "./lib.mjs";

/**
 * Issue 16's targets: the sequencer spends at most 1.5 signature recoveries of CPU per transaction,
 * and answers sendTransactionSync within 50 ms at p99 under half the rate it sustains.
 */
export const targets = { sequencer_cpu_us_per_tx: { ratio: 0.667 }, preconfirm_p99_ms: { max: 50 } };

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const CLI = join(ROOT, "packages/cli/bin/filverse.js");
const LOAD = join(ROOT, "bench/load.mjs");
const LOOPMON = join(ROOT, "bench/loopmon.cjs");

function cli(args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`filverse ${args[0]} failed: ${r.stderr}`);
  return r.stdout;
}

/**
 * Extra node options for the sequencer process only, e.g. to profile it:
 * FILVERSE_BENCH_SEQUENCER_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" node bench/run.mjs --only sequencer_tps --quick
 */
// biome-ignore lint/suspicious/noUndeclaredEnvVars: read by the bench script, which turbo does not run
const SEQUENCER_NODE_OPTIONS = (process.env.FILVERSE_BENCH_SEQUENCER_NODE_OPTIONS ?? "").split(" ").filter(Boolean);
/** FILVERSE_BENCH_SEQUENCER_LOG=<file>: every sequencer process's log lines are appended there (e.g. its `block sealed` lines). */
// biome-ignore lint/suspicious/noUndeclaredEnvVars: read by the bench script, which turbo does not run
const SEQUENCER_LOG = process.env.FILVERSE_BENCH_SEQUENCER_LOG ?? null;

function startNode(dir) {
  const loopmon = join(dir, "loopmon.json");
  const args = [
    ...SEQUENCER_NODE_OPTIONS,
    "--require",
    LOOPMON,
    CLI,
    "sequencer",
    "--data-dir",
    dir,
    "--rpc-port",
    "0",
  ];
  const proc = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, FILVERSE_LOOPMON_OUT: loopmon },
  });
  return new Promise((resolve, reject) => {
    let buf = "";
    proc.stdout.on("data", (d) => {
      buf += String(d);
      const lines = buf.split("\n");
      buf = lines.pop();
      if (SEQUENCER_LOG && lines.length > 0) appendFileSync(SEQUENCER_LOG, `${lines.join("\n")}\n`);
      for (const line of lines) {
        if (!line.includes('"rpc listening"')) continue;
        const entry = JSON.parse(line);
        resolve({ proc, url: entry.url, wsUrl: entry.wsUrl, loopmon });
      }
    });
    proc.once("exit", (code) => reject(new Error(`sequencer exited ${code}`)));
  });
}

async function stopNode(node) {
  const exited = new Promise((r) => node.proc.once("exit", r));
  node.proc.stdout.resume();
  node.proc.kill("SIGTERM");
  await exited;
}

async function call(url, method, params) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return (await res.json()).result;
}

/**
 * FILVERSE_BENCH_RAW=1: every measured run sends the load as SSZ hex (filverse_sendRawTransaction,
 * or sendTransactionSync with the hex) instead of JSON, to compare the two paths run against run.
 */
const RAW = process.env.FILVERSE_BENCH_RAW === "1";
/**
 * FILVERSE_BENCH_SYNC_RATE=<tx/s>: the preconfirmation run sends at this rate instead of half the
 * rate just measured, so that two builds compared on a shared box get the same offered load. With
 * `--only preconfirm_p99_ms` only that run is made (about 15 s in quick mode).
 */
const SYNC_RATE = process.env.FILVERSE_BENCH_SYNC_RATE ? Number(process.env.FILVERSE_BENCH_SYNC_RATE) : null;

function runLoad(signedFile, node, durationMs, { txPerSecond = null, sync = false } = {}) {
  const args = [LOAD, "run", signedFile, node.url, node.wsUrl, String(durationMs)];
  args.push(txPerSecond === null ? "max" : String(Math.round(txPerSecond)));
  if (sync) args.push("sync");
  if (RAW) args.push("raw");
  const r = spawnSync(process.execPath, args, {
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`load process failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split("\n").pop());
}

/** A data dir for one run; the same dev accounts (so the same pre-signed load) in every run. */
function prepare(dir, accountsFrom, workerPool) {
  cli(["init", "--data-dir", dir, "--preset", "devnet", "--dev-accounts", "1"]);
  copyFileSync(accountsFrom, join(dir, "dev-accounts.json"));
  const configPath = join(dir, "filverse.json");
  const config = JSON.parse(readFileSync(configPath, "utf8"));
  config.rpc.rateLimit = null; // one load process on one address: the per-client limit would throttle it
  config.workerPool = workerPool;
  if (process.env.FILVERSE_BENCH_BLOCK_TIME_MS)
    config.chain.blockTimeMs = Number(process.env.FILVERSE_BENCH_BLOCK_TIME_MS);
  writeFileSync(configPath, JSON.stringify(config));
  return config;
}

/**
 * CPU seconds (user + system) of the sequencer process: its main thread, and all its threads (the
 * pool's workers, libuv's, LevelDB's). Linux only (/proc); null elsewhere. Clock ticks are 10 ms.
 */
function cpuSeconds(pid) {
  try {
    let main = 0;
    let all = 0;
    // The main thread's time waiting for a core (runnable, not running): on a box shared with other
    // jobs it can exceed its CPU time, and then latency measures the box, not the node.
    const sched = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, "utf8").split(" ");
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
      all += ticks;
      if (tid === String(pid)) main = ticks;
    }
    return { main: main / 100, all: all / 100, mainWait: Number(sched[1]) / 1e9 };
  } catch {
    return null;
  }
}

async function measure(dir, signedFile, keys, durationMs, loadOpts = {}) {
  const node = await startNode(dir);
  let result;
  const window = [0, 0];
  try {
    // The dev faucet funds every sender over the first blocks.
    const last = keys[keys.length - 1].address;
    for (let i = 0; i < 400 && BigInt((await call(node.url, "filverse_getAccount", [last])).balance) === 0n; i++)
      await new Promise((r) => setTimeout(r, 50));
    const before = cpuSeconds(node.proc.pid);
    window[0] = Date.now();
    result = runLoad(signedFile, node, durationMs, loadOpts);
    window[1] = Date.now();
    const after = cpuSeconds(node.proc.pid);
    if (before && after) {
      // Per transaction sequenced during the load process (its setup transactions included): what
      // the node spends on each, which the box's noise moves far less than the rate.
      const txs = result.sequenced + result.setup;
      result.cpuUsPerTx = {
        mainThread: Math.round(((after.main - before.main) * 1e6) / txs),
        // All threads: the pool's workers, V8's GC and compiler helpers, libuv's, LevelDB's.
        process: Math.round(((after.all - before.all) * 1e6) / txs),
      };
      result.mainThreadSeconds = {
        cpu: Number((after.main - before.main).toFixed(2)),
        waitingForACore: Number((after.mainWait - before.mainWait).toFixed(2)),
      };
    }
  } finally {
    await stopNode(node);
  }
  result.loop = loopStats(node.loopmon, window);
  return result;
}

/** The sequencer's event-loop stalls (> 20 ms) and GC pauses inside the load window (bench/loopmon.cjs). */
function loopStats(file, [from, to]) {
  try {
    const { stalls, gc } = JSON.parse(readFileSync(file, "utf8"));
    const inside = (l) => l.filter(([t]) => t >= from && t <= to);
    const s = inside(stalls).map(([, ms]) => ms);
    const g = inside(gc);
    const pauses = g.map(([, ms]) => ms);
    const sum = (l) => Math.round(l.reduce((a, b) => a + b, 0));
    return {
      stallsOver20Ms: s.length,
      stallMsMax: s.length ? Math.max(...s) : 0,
      stallMsSum: sum(s),
      gcPauses: g.length,
      gcMsSum: sum(pauses),
      gcMsMax: pauses.length ? Math.max(...pauses) : 0,
      gcOver10Ms: pauses.filter((ms) => ms > 10).length,
    };
  } catch {
    return null;
  }
}

/**
 * The CPU of one signature recovery on this box now: the best single-thread rate of `recoverAddress`
 * (what the pool's workers run) over about a second, as microseconds per recovery. The baseline of
 * `sequencer_cpu_us_per_tx`, measured in the same run so the ratio holds across boxes.
 */
async function recoveryCpuUs() {
  const key = sha256(new TextEncoder().encode("bench recovery key"));
  const pairs = Array.from({ length: 64 }, (_, i) => {
    const digest = sha256(new Uint8Array([i, 1, 2, 3]));
    return [digest, signDigest(digest, key)];
  });
  let k = 0;
  const { recover } = await measureRates(
    {
      recover: () => {
        for (let j = 0; j < 32; j++, k++) recoverAddress(pairs[k % 64][0], pairs[k % 64][1]);
        return 32;
      },
    },
    { durationMs: 1_000, rounds: 3 },
  );
  return 1e6 / recover.best;
}

/** Replay every stored block from genesis with full signature checks on the pool, as a verifier. */
async function replay(dir, config) {
  const sequencer = privateKeyToAddress(readKeyFile(join(dir, "sequencer.key")));
  let { state } = createGenesis(
    { chainId: config.genesis.chainId },
    { timestamp: config.genesis.timestamp, proposer: sequencer },
  );
  const db = await ChainDb.open({ dir: join(dir, "chaindb") });
  const pool = createCryptoPool();
  try {
    const head = await db.getHead();
    const blocks = [];
    for (let n = 1; n <= head.number; n++) blocks.push(await db.getBlockByNumber(n));
    let txs = 0;
    const start = performance.now();
    for (const block of blocks) {
      const pre = block.transactions.map((tx) => prevalidateTransaction(tx, config.genesis.chainId).digest);
      const senders = await pool.recoverBatch(
        pre,
        block.transactions.map((tx) => tx.signature),
      );
      const validated = block.transactions.map((tx, i) => completeValidation(tx, pre[i], senders[i]));
      state = applyBlock(state, block, { chainId: config.genesis.chainId, validated }).state;
      txs += block.transactions.length;
    }
    const seconds = (performance.now() - start) / 1000;
    const root = Buffer.from(state.roots().stateRoot).toString("hex");
    const headRoot = Buffer.from(head.header.stateRoot).toString("hex");
    if (root !== headRoot) throw new Error("replay reached a different state root");
    return { tps: txs / seconds, txs, blocks: blocks.length, seconds };
  } finally {
    await pool.close();
    await db.close();
  }
}

export async function run({ quick, only = null }) {
  const syncOnly = only !== null && only.length === 1 && only[0] === "preconfirm_p99_ms";
  const senders = quick ? 200 : 1000;
  const durationMs = quick ? 5_000 : 60_000;
  // Enough signed load that the node, not the load, runs out first: sized above the measured
  // capacity (about 7k tx/s here); the result says `exhausted: true` if the load ran out.
  const perSender = Math.ceil(
    ((durationMs / 1000) * (syncOnly && SYNC_RATE !== null ? 2 * SYNC_RATE : quick ? 25_000 : 12_000)) / senders,
  );
  const tmp = mkdtempSync(join(tmpdir(), "filverse-bench-"));
  try {
    const seed = join(tmp, "seed");
    cli(["init", "--data-dir", seed, "--preset", "devnet", "--dev-accounts", String(senders)]);
    const accountsFile = join(seed, "dev-accounts.json");
    const keys = JSON.parse(readFileSync(accountsFile, "utf8"));
    const chainId = JSON.parse(readFileSync(join(seed, "filverse.json"), "utf8")).genesis.chainId;
    const signedFile = join(tmp, "signed.json");
    const t = performance.now();
    const s = spawnSync(
      process.execPath,
      [LOAD, "sign", accountsFile, signedFile, String(perSender), String(chainId)],
      { encoding: "utf8" },
    );
    if (s.status !== 0) throw new Error(`signing failed: ${s.stderr}`);
    const signSeconds = (performance.now() - t) / 1000;

    if (syncOnly && SYNC_RATE === null) throw new Error("--only preconfirm_p99_ms needs FILVERSE_BENCH_SYNC_RATE");
    const poolDir = join(tmp, "pool");
    const poolConfig = prepare(poolDir, accountsFile, true);
    const withPool = syncOnly ? null : await measure(poolDir, signedFile, keys, durationMs);
    const noPoolDir = join(tmp, "nopool");
    prepare(noPoolDir, accountsFile, false);
    const withoutPool = syncOnly ? null : await measure(noPoolDir, signedFile, keys, durationMs);
    const replayed = syncOnly ? null : await replay(poolDir, poolConfig);
    const recoveryUs = syncOnly ? null : await recoveryCpuUs();
    // Preconfirmations under a steady half of the rate the node just sustained, every transaction
    // sent with filverse_sendTransactionSync (issue 16's targets: p99 ≤ 50 ms, sequenced p99 ≤ 300 ms).
    const syncDir = join(tmp, "sync");
    prepare(syncDir, accountsFile, true);
    const halfRate = SYNC_RATE ?? Math.max(100, withPool.tps / 2);
    const synced = await measure(syncDir, signedFile, keys, durationMs, { txPerSecond: halfRate, sync: true });

    const preconfirm = {
      name: "preconfirm_p99_ms",
      value: synced.preconfirmP99Ms,
      unit: "ms",
      baseline: null,
      baselineValue: null,
      ratio: null,
      details: {
        method: `filverse_sendTransactionSync (${RAW ? "SSZ hex" : "JSON"}) in batches of 5; each batch's round trip counts for its transactions`,
        rateTxPerSecond: Math.round(halfRate),
        rateFixed: SYNC_RATE !== null,
        achievedTps: synced.tps,
        preconfirmed: synced.preconfirmed,
        preconfirmP50Ms: synced.preconfirmP50Ms,
        // Without the window's first second: tells a warm-up tail (JIT, first GCs) from a steady one.
        preconfirmP99AfterFirstSecondMs: synced.preconfirmP99AfterFirstSecondMs,
        sequencedP50Ms: synced.p50Ms,
        sequencedP99Ms: synced.p99Ms,
        errors: synced.errors,
        errorCodes: synced.errorCodes,
        cpuUsPerTx: synced.cpuUsPerTx ?? null,
        // What else held the answers: the main thread's CPU against its time waiting for a core
        // (another job's), and the event loop's stalls and GC pauses in the window (bench/loopmon.cjs).
        mainThreadSeconds: synced.mainThreadSeconds ?? null,
        loop: synced.loop,
      },
    };
    if (syncOnly) return [preconfirm];
    const common = {
      senders,
      durationMs,
      presigned: senders * perSender,
      signSeconds: Number(signSeconds.toFixed(1)),
      encoding: RAW ? "ssz hex (filverse_sendRawTransaction)" : "json (filverse_sendTransaction)",
    };
    return [
      {
        name: "sequencer_tps",
        value: withPool.tps,
        unit: "tx/s",
        baseline: "pool_disabled",
        baselineValue: withoutPool.tps,
        ratio: withoutPool.tps > 0 ? withPool.tps / withoutPool.tps : null,
        details: { ...common, p50Ms: withPool.p50Ms, p99Ms: withPool.p99Ms, withPool, withoutPool },
      },
      {
        name: "replay_tps",
        value: replayed.tps,
        unit: "tx/s",
        baseline: null,
        baselineValue: null,
        ratio: null,
        details: { ...replayed, vsSequencerTps: withPool.tps > 0 ? replayed.tps / withPool.tps : null },
      },
      preconfirm,
      {
        // The sequencer process's CPU (every thread) per sequenced transaction, with the pool, against
        // the CPU of one signature recovery: issue 16's target is at most 1.5 recoveries (ratio ≥ 0.67).
        name: "sequencer_cpu_us_per_tx",
        value: withPool.cpuUsPerTx?.process ?? null,
        unit: "us",
        baseline: "one_recovery_us",
        baselineValue: Math.round(recoveryUs * 10) / 10,
        details: {
          mainThreadUs: withPool.cpuUsPerTx?.mainThread ?? null,
          recoveriesPerTx: withPool.cpuUsPerTx?.process > 0 ? withPool.cpuUsPerTx.process / recoveryUs : null,
          withoutPool: withoutPool.cpuUsPerTx ?? null,
        },
      },
    ];
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
