// Network benchmarks (issue 7): a real local L1 (hardhat process) with the rollup and bridge, a
// `filverse sequencer` process gossiping over libp2p TCP on 127.0.0.1, `filverse verifier`
// processes following it over gossip, and a separate load process (bench/load.mjs) sending a steady
// stream of signed mixed transactions. It measures
//   seal_to_verified_p50_ms / _p99_ms: the sequencer's `block sealed` log line to each verifier's
//     `block verified` line (both pino `time`, Date.now() of the one system clock);
//   replay_tps_range_sync: a fresh verifier node catching up by blocks_by_range over libp2p TCP;
//   replay_tps_from_filecoin: rebuildFromL1 (checkpoints from the rollup, pieces over HTTP /piece/,
//     CommP checked, every block re-executed);
// each replay against a local import of the same blocks by a Verifier in the same run.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createCryptoPool, privateKeyToAddress } from "@filverse/crypto";
import { ChainDb } from "@filverse/db";
import { createL1Clients, DEV_L1_CHAIN_ID, deployFilverse, loadArtifact, startLocalL1 } from "@filverse/l1";
import {
  CONFIG_FILE,
  defaultVerifierOpts,
  FilverseVerifierNode,
  fetchChainIdentity,
  initDataDir,
  initVerifierDataDir,
  JsonRpcClient,
  loadConfig,
  PREPARE_AHEAD_BLOCKS,
  RpcBlockSource,
  readKeyFile,
  rebuildFromL1,
  Verifier,
} from "@filverse/node";
import { getChainConfig } from "@filverse/params";
import { prevalidateTransaction } from "@filverse/state";
import { TxKind } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import { privateKeyToAccount } from "viem/accounts";
import { makeEntry, round3 } from "./lib.mjs";
import { sign, signAll } from "./load.mjs";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const CLI = join(ROOT, "packages/cli/bin/filverse.js");
const LOAD = join(ROOT, "bench/load.mjs");
const FIL = 10n ** 18n;
const LOCALHOST = "/ip4/127.0.0.1/tcp/0";
/** Every wait is bounded: a broken node fails the module instead of hanging the suite. */
const START_TIMEOUT_MS = 30_000;
const WAIT_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;

export const names = [
  "replay_tps_range_sync",
  "replay_tps_from_filecoin",
  "seal_to_verified_p50_ms",
  "seal_to_verified_p99_ms",
];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(fn, what, timeoutMs = WAIT_TIMEOUT_MS) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`network bench: timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function call(url, method, params = []) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await res.json();
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

const headNumber = async (url) => Number(await call(url, "filverse_blockNumber"));
const stateRootAt = async (url, n) => (await call(url, "filverse_getBlockByNumber", [String(n)]))?.header.stateRoot;

/** Child processes started here, each stopped by its own PID (SIGTERM, SIGKILL after a grace period). */
class Children {
  procs = [];

  /** `filverse <args>`; resolves once a JSON log line has msg `readyMsg`. `onLine` sees every log line. */
  startCli(args, readyMsg, onLine = () => {}) {
    const proc = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    this.procs.push(proc);
    let stderr = "";
    proc.stderr.on("data", (d) => {
      if (stderr.length < 20_000) stderr += String(d);
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`filverse ${args[0]} not ready in ${START_TIMEOUT_MS} ms: ${stderr}`)),
        START_TIMEOUT_MS,
      );
      let buf = "";
      const lines = [];
      proc.stdout.on("data", (d) => {
        buf += String(d);
        let nl = buf.indexOf("\n");
        while (nl >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          nl = buf.indexOf("\n");
          let entry;
          try {
            entry = JSON.parse(line);
          } catch {
            continue;
          }
          lines.push(entry);
          onLine(entry);
          if (entry.msg === readyMsg) {
            clearTimeout(timer);
            resolve({ proc, lines, entry });
          }
        }
      });
      proc.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`filverse ${args[0]} exited (${code}) before it was ready: ${stderr}`));
      });
    });
  }

  /** A node script; resolves with its last stdout line parsed, rejects on a non-zero exit or a timeout. */
  runScript(args, timeoutMs) {
    const proc = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    this.procs.push(proc);
    let out = "";
    let err = "";
    proc.stdout.on("data", (d) => {
      out += String(d);
    });
    proc.stderr.on("data", (d) => {
      if (err.length < 20_000) err += String(d);
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        proc.kill("SIGKILL");
        reject(new Error(`${args[0]} did not finish in ${timeoutMs} ms`));
      }, timeoutMs);
      proc.once("exit", (code) => {
        clearTimeout(timer);
        if (code !== 0) reject(new Error(`${args[0]} exited ${code}: ${err}`));
        else resolve(JSON.parse(out.trim().split("\n").pop()));
      });
    });
  }

  static async stop(proc) {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once("exit", r));
    proc.stdout?.resume();
    proc.stderr?.resume();
    proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }

  async stopAll() {
    await Promise.all(this.procs.map((proc) => Children.stop(proc)));
  }

  /** PIDs that still answer signal 0 (should be none). */
  alive() {
    return this.procs.map((p) => p.pid).filter((pid) => pidAlive(pid));
  }
}

function pidAlive(pid) {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function quantile(sorted, q) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/** Wraps an object so that every call of a method that returns a promise adds its duration to acc[key]. */
function timedCalls(target, acc, key) {
  return new Proxy(target, {
    get(t, prop) {
      const v = Reflect.get(t, prop, t);
      if (typeof v !== "function") return v;
      return (...args) => {
        const t0 = performance.now();
        const out = v.apply(t, args);
        if (out && typeof out.then === "function") {
          return out.finally(() => {
            acc[key] += performance.now() - t0;
          });
        }
        return out;
      };
    },
  });
}

/** The local L1 with the contracts, the sequencer registered as the single validator (setupL1Chain's steps). */
async function setupL1(seqDir, chainId) {
  const l1 = await startLocalL1();
  try {
    const clients = createL1Clients({ url: l1.url, chainId: l1.chainId, pollingIntervalMs: 50, retryCount: 0 });
    const [deployer] = await clients.walletClient.getAddresses();
    const sequencerKey = readKeyFile(join(seqDir, "sequencer.key"));
    const sequencer = privateKeyToAccount(toHex(sequencerKey));
    const { rollup, bridge } = await deployFilverse(clients, deployer, {
      l2ChainId: chainId,
      sequencer: sequencer.address,
      genesisTimestamp: loadConfig(seqDir).genesis.timestamp,
      minCollateral: FIL,
      challengeWindowSec: 60,
      exitDelaySec: 120,
      forceInclusionDelaySec: 600,
    });
    const chain = clients.walletClient.chain;
    const send = async (request) =>
      clients.publicClient.waitForTransactionReceipt({ hash: await clients.walletClient.writeContract(request) });
    const gas = await clients.walletClient.sendTransaction({
      account: deployer,
      to: sequencer.address,
      value: 10n * FIL,
      chain,
    });
    await clients.publicClient.waitForTransactionReceipt({ hash: gas });
    // The sequencer's validator is the genesis set (effective at once), paid by the deployer: a
    // validator that joins with register() counts only from a later epoch boundary.
    await send({
      account: deployer,
      address: rollup,
      abi: loadArtifact("FilverseRollup").abi,
      functionName: "registerGenesis",
      args: [sequencer.address],
      value: FIL,
      chain,
    });
    return { l1, clients, deployer, rollup, bridge, send };
  } catch (error) {
    await l1.stop();
    throw error;
  }
}

/** Blocks of the untimed warm-up import: enough for the JIT (about 3,000 transactions in quick mode). */
const WARMUP_BLOCKS = 8;

/**
 * Every thread of `pool` started and past its first recovery, so that no timed run pays for a
 * worker's start (module loading, about 0.1–0.3 s on this box) in its first block.
 */
async function warmPool(pool, blocks, chainId) {
  const tx = blocks.find((b) => b.transactions.length > 0)?.transactions[0];
  if (!pool || !tx) return;
  const { digest } = prevalidateTransaction(tx, chainId);
  await Promise.all(Array.from({ length: pool.threads * 2 }, () => pool.recoverBatch([digest], [tx.signature])));
}

/**
 * Import `blocks` into a fresh Verifier with its own pool and LevelDB, preparing ahead as sync does:
 * the same work as a verifier minus the network. Seconds to the end and to block `prefixEnd`.
 */
async function localImport(blocks, config, dir, prefixEnd) {
  const pool = createCryptoPool();
  const chain = getChainConfig(config.preset, { ...config.chain, chainId: config.genesis.chainId });
  const verifier = new Verifier(
    {
      ...defaultVerifierOpts,
      chain,
      genesis: config.genesis,
      sequencer: fromHex(config.verifier.sequencer, 20),
      dataDir: dir,
      followIntervalMs: null,
    },
    { recoverer: pool },
  );
  try {
    await verifier.start();
    await warmPool(pool, blocks, config.genesis.chainId);
    let prefixSeconds = null;
    const t0 = performance.now();
    for (let i = 0; i < blocks.length; i++) {
      for (let j = i; j < Math.min(i + PREPARE_AHEAD_BLOCKS, blocks.length); j++) verifier.prepare(blocks[j]);
      await verifier.importBlock(blocks[i], "local");
      if (blocks[i].header.number === prefixEnd) prefixSeconds = (performance.now() - t0) / 1000;
    }
    const seconds = (performance.now() - t0) / 1000;
    return { seconds, prefixSeconds, stateRoot: toHex(verifier.head.header.stateRoot) };
  } finally {
    await verifier.close();
    await pool.close();
  }
}

export async function run({ quick }) {
  // A steady stream well below the sequencer's capacity (about 7k tx/s alone here), so that the
  // latency is that of a verifier keeping up, not of a backlog: the sequencer, two verifiers, the
  // load process and the L1 share the 2 cores.
  // At most the mempool's 256 pending transactions per sender: the funder sends one to each.
  const senders = quick ? 40 : 200;
  // Quick mode: one verifier (each process start costs about a core-second) and a short window.
  const verifierCount = quick ? 1 : 2;
  const txPerSecond = 2_000;
  const windowMs = quick ? 1_500 : 30_000;
  const checkpointInterval = quick ? 4 : 16;
  const perSender = Math.ceil(((windowMs / 1000) * txPerSecond) / senders);

  const tmp = mkdtempSync(join(tmpdir(), "filverse-netbench-"));
  const children = new Children();
  let l1 = null;
  const inProcess = [];
  const started = performance.now();
  const phases = {};
  const loadBefore = loadavg()[0];
  let phaseStart = started;
  const phase = (name) => {
    const now = performance.now();
    phases[name] = round3((now - phaseStart) / 1000);
    phaseStart = now;
  };
  try {
    // The sequencer's data dir and keys, the signed load (in this process, while nothing else runs).
    const seqDir = join(tmp, "sequencer");
    const { config: seqInit } = initDataDir({ dataDir: seqDir, preset: "devnet", rpcPort: 0, devAccounts: senders });
    const chainId = seqInit.genesis.chainId;
    const keys = JSON.parse(readFileSync(join(seqDir, "dev-accounts.json"), "utf8"));
    const signed = signAll(keys, perSender, chainId);
    const signedFile = join(tmp, "signed.json");
    writeFileSync(signedFile, JSON.stringify(signed));
    phase("signSeconds");

    const setup = await setupL1(seqDir, chainId);
    l1 = setup.l1;
    const { rollup, bridge, clients } = setup;
    phase("l1Seconds");
    const l1Config = {
      rpcUrl: l1.url,
      chainId: DEV_L1_CHAIN_ID,
      bridge,
      rollup,
      startBlock: 0,
      confirmations: 0,
      pollIntervalMs: 200,
    };
    const seqConfig = loadConfig(seqDir);
    seqConfig.devAccountsFile = null; // funded through the bridge below, as users are
    seqConfig.chain.checkpointInterval = checkpointInterval;
    seqConfig.rpc.rateLimit = null; // one load process on one address
    seqConfig.l1 = l1Config;
    seqConfig.p2p = { listen: [LOCALHOST] };
    writeFileSync(join(seqDir, CONFIG_FILE), JSON.stringify(seqConfig));

    const sealedAt = new Map(); // block number → Date.now() of its `block sealed` line
    const sealedTxs = new Map();
    const checkpointWork = []; // Date.now() of the sequencer's checkpoint log lines
    let p2pAddrs = null;
    const seq = await children.startCli(
      ["sequencer", "--data-dir", seqDir, "--rpc-port", "0", "--log-level", "info"],
      "rpc listening",
      (e) => {
        if (e.msg === "block sealed") {
          sealedAt.set(e.number, e.time);
          sealedTxs.set(e.number, e.txs);
        } else if (e.msg === "batch packed" || e.msg === "Checkpoint submitted") checkpointWork.push(e.time);
        else if (e.msg === "p2p listening") p2pAddrs = e.multiaddrs;
      },
    );
    const url = seq.entry.url;
    const wsUrl = seq.entry.wsUrl;
    if (!p2pAddrs) throw new Error("network bench: the sequencer logged no p2p addresses");
    phase("sequencerStartSeconds");

    // Verifier processes: p2p only (no sequencer RPC), blocks by gossip. Their follow poll (range
    // sync when the best peer's status is ahead) runs every second instead of 500 ms: it catches
    // blocks gossiped before the mesh formed, and rarely beats gossip to a block (details.bySource).
    const identity = await fetchChainIdentity(url);
    const makeVerifierDir = (name, extra) => {
      const dir = join(tmp, name);
      const { config } = initVerifierDataDir({
        dataDir: dir,
        identity,
        sequencerRpc: null,
        rpcHost: "127.0.0.1",
        rpcPort: 0,
        ...extra,
      });
      return { dir, config };
    };
    const verifiedAt = [];
    const verifiers = [];
    // Started while the senders are funded below; awaited before the load.
    const verifiersStarted = Promise.all(
      Array.from({ length: verifierCount }, async (_, i) => {
        const { dir, config } = makeVerifierDir(`verifier-${i + 1}`, {});
        config.p2p = { listen: [LOCALHOST], bootstrapPeers: p2pAddrs };
        config.verifier.followIntervalMs = 1_000;
        writeFileSync(join(dir, CONFIG_FILE), JSON.stringify(config));
        const seen = new Map();
        verifiedAt[i] = seen;
        const v = await children.startCli(
          ["verifier", "--data-dir", dir, "--rpc-port", "0", "--log-level", "debug"],
          "rpc listening",
          (e) => {
            if (e.msg === "block verified") seen.set(e.number, { time: e.time, ms: e.ms, source: e.source });
          },
        );
        verifiers[i] = v.entry.url;
      }),
    );
    verifiersStarted.catch(() => {}); // awaited below; a failure there is the module's failure

    // Funding through the bridge: one L1 deposit to a funder, then one L2 transfer to each sender.
    const funderKey = randomBytes(32);
    const funder = toHex(privateKeyToAddress(funderKey));
    await setup.send({
      account: setup.deployer,
      address: bridge,
      abi: loadArtifact("FilverseBridge").abi,
      functionName: "deposit",
      args: [funder],
      value: 1_000n * FIL,
      chain: clients.walletClient.chain,
    });
    await waitFor(async () => BigInt((await call(url, "filverse_getAccount", [funder])).balance) > 0n, "the deposit");
    const funding = keys.map((k, nonce) =>
      sign(chainId, TxKind.Transfer, { to: fromHex(k.address), amount: FIL, nonce, fee: 0n }, funderKey),
    );
    for (let i = 0; i < funding.length; i += 50) {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(
          funding
            .slice(i, i + 50)
            .map((tx, k) => ({ jsonrpc: "2.0", id: i + k, method: "filverse_sendTransaction", params: [tx] })),
        ),
      });
      const answers = await res.json();
      const bad = answers.find((a) => a.error);
      if (bad) throw new Error(`network bench: funding refused: ${bad.error.message}`);
    }
    const lastSender = keys[keys.length - 1].address;
    await waitFor(
      async () => BigInt((await call(url, "filverse_getAccount", [lastSender])).balance) > 0n,
      "the senders funded",
    );
    await verifiersStarted;
    // A verifier's first follow poll runs before its libp2p host has a peer, fails, and backs off
    // for 2 s; a fresh block gossiped to it makes it sync the gap at once. So: one small transfer
    // from the funder every 400 ms until the verifiers are at the head. These blocks precede the
    // measured ones.
    let fundedHead = 0;
    let nudgeNonce = funding.length;
    await waitFor(async () => {
      fundedHead = await headNumber(url);
      if ((await Promise.all(verifiers.map(headNumber))).every((h) => h >= fundedHead)) return true;
      const nudge = sign(
        chainId,
        TxKind.Transfer,
        { to: fromHex(funder), amount: 1n, nonce: nudgeNonce++, fee: 0n },
        funderKey,
      );
      await call(url, "filverse_sendTransaction", [nudge]);
      await sleep(400);
      return false;
    }, "the verifiers at the sequencer's head");

    phase("verifiersAndFundingSeconds");
    // The steady stream, from a separate process; its window's blocks are the latency samples.
    const loadStarted = Date.now();
    const load = await children.runScript(
      [LOAD, "run", signedFile, url, wsUrl, String(windowMs), String(txPerSecond)],
      windowMs + 90_000,
    );
    const head = await headNumber(url);
    // Until every block's log lines have been read here too (a line can come after the RPC answer).
    const logged = (seen) => {
      for (let n = fundedHead + 1; n <= head; n++) if (!seen.has(n)) return false;
      return true;
    };
    await waitFor(
      async () =>
        logged(sealedAt) &&
        verifiedAt.every(logged) &&
        (await Promise.all(verifiers.map(headNumber))).every((h) => h >= head),
      "the verifiers at the head after the load",
    );
    const headRoot = await stateRootAt(url, head);
    for (const v of verifiers) {
      const root = await stateRootAt(v, head);
      if (root !== headRoot) throw new Error(`network bench: verifier ${v} has state root ${root} at ${head}`);
    }
    phase("loadSeconds");
    const latencies = [];
    const perVerifier = [];
    const bySource = {};
    // Each sample split: until the verifier started checking it (gossip and queueing), and its own
    // check and commit (the `ms` of its `block verified` line).
    const arrivals = [];
    const checks = [];
    for (const seen of verifiedAt) {
      const mine = [];
      for (const [n, t] of sealedAt) {
        if (n <= fundedHead || t < loadStarted) continue;
        const v = seen.get(n);
        if (!v) throw new Error(`network bench: block ${n} has no verification time`);
        mine.push(v.time - t);
        arrivals.push(v.time - v.ms - t);
        checks.push(v.ms);
        const src = String(v.source).startsWith("p2p:") ? "gossip" : v.source;
        bySource[src] = (bySource[src] ?? 0) + 1;
      }
      mine.sort((a, b) => a - b);
      perVerifier.push({
        samples: mine.length,
        p50Ms: quantile(mine, 0.5),
        p99Ms: quantile(mine, 0.99),
        maxMs: mine.at(-1),
      });
      latencies.push(...mine);
    }
    latencies.sort((a, b) => a - b);
    // The gossip followers are done: stopped (during the untimed warm-up below) so that they take
    // no CPU from the timed runs.
    const followersStopped = Promise.all(children.procs.slice(1, 1 + verifierCount).map((p) => Children.stop(p)));
    followersStopped.catch(() => {}); // awaited below
    const sampledBlocks = [...sealedAt.keys()].filter((n) => n > fundedHead && sealedAt.get(n) >= loadStarted);
    const latencyDetails = {
      verifiers: verifierCount,
      samples: latencies.length,
      blocks: sampledBlocks.length,
      txsInBlocks: sampledBlocks.reduce((s, n) => s + sealedTxs.get(n), 0),
      offeredTxPerSecond: txPerSecond,
      windowMs,
      loadTps: round3(load.tps),
      loadErrors: load.errors,
      blockTimeMs: getChainConfig("devnet").blockTimeMs,
      maxMs: latencies.at(-1) ?? null,
      arrivalP50Ms: quantile(
        arrivals.sort((a, b) => a - b),
        0.5,
      ),
      verifyP50Ms: quantile(
        checks.sort((a, b) => a - b),
        0.5,
      ),
      verifyP99Ms: quantile(checks, 0.99),
      bySource,
      perVerifier,
      clock: "pino `time` (Date.now()) of the sequencer's `block sealed` and each verifier's `block verified` log line",
    };

    // The checkpoints on L1 will cover every full interval of the chain. The sequencer packs and
    // submits the last ones after the load; in full mode that is waited for before the range sync,
    // so that nothing else runs in the sequencer while it serves blocks_by_range. Quick mode waits
    // only before the rebuild (it saves up to the submitter's 2 s poll); details.checkpointWorkDuringSync
    // counts the sequencer's `batch packed`/`Checkpoint submitted` lines that fell inside the sync.
    const lastCheckpointBlock = Math.floor(head / checkpointInterval) * checkpointInterval;
    const rollupAbi = loadArtifact("FilverseRollup").abi;
    const checkpointed = async () => {
      await waitFor(
        async () =>
          Number(
            await clients.publicClient.readContract({
              address: rollup,
              abi: rollupAbi,
              functionName: "nextCheckpointIndex",
            }),
          ) *
            checkpointInterval >=
          lastCheckpointBlock,
        "the checkpoints on L1",
      );
      phase("checkpointWaitSeconds");
    };
    if (!quick) await checkpointed();

    // Range sync: a fresh verifier node in this process, p2p only, deferFollow so that the sync is
    // started (and timed) here once its libp2p host is connected to the sequencer.
    const rs = makeVerifierDir("rangesync", {});
    rs.config.p2p = { listen: [LOCALHOST], bootstrapPeers: p2pAddrs };
    // Untimed: the first blocks (from the sequencer's RPC) imported once in this process, so that
    // the three timed imports below all run JIT-compiled code, not the first of them alone.
    const warmBlocks = await new RpcBlockSource(new JsonRpcClient({ url })).blocksByRange(
      1,
      Math.min(head, WARMUP_BLOCKS),
    );
    await localImport(warmBlocks, rs.config, join(tmp, "warmup", "chaindb"), -1);
    await followersStopped;
    phase("warmupSeconds");
    const rsNode = new FilverseVerifierNode({ dataDir: rs.dir, config: rs.config, deferFollow: true });
    inProcess.push(rsNode);
    await rsNode.start();
    await waitFor(async () => (rsNode.network?.peers().length ?? 0) > 0, "the range-sync node connected");
    await warmPool(rsNode.pool, warmBlocks, chainId);
    // Transactions and deposits, as rebuildFromL1 counts them.
    let rsTxs = 0;
    rsNode.verifier.events.on("newHead", (block) => {
      rsTxs += block.transactions.length + block.deposits.length;
    });
    // The time spent waiting for blocks_by_range answers (request, transfer, SSZ decoding, the p2p
    // layer's checks): sync fetches a range, then imports it, so this adds to the import time.
    // `follower.source` (the Verifier's ChainFollower) is TypeScript-private, plain JavaScript here.
    const rangeTimes = { fetchMs: 0 };
    const source = rsNode.verifier.follower?.source;
    if (!source) throw new Error("network bench: the verifier has no block source to time (Verifier.follower.source)");
    const blocksByRange = source.blocksByRange.bind(source);
    source.blocksByRange = async (...args) => {
      const t0 = performance.now();
      try {
        return await blocksByRange(...args);
      } finally {
        rangeTimes.fetchMs += performance.now() - t0;
      }
    };
    const syncStartedAt = Date.now();
    const tSync = performance.now();
    await rsNode.verifier.sync();
    const syncSeconds = (performance.now() - tSync) / 1000;
    const syncEndedAt = Date.now();
    const rsHead = rsNode.verifier.head;
    if (rsHead.number !== head || toHex(rsHead.header.stateRoot) !== headRoot) {
      throw new Error(`network bench: range sync ended at ${rsHead.number}, not at the sequencer's head ${head}`);
    }
    await rsNode.close();
    inProcess.pop();
    phase("rangeSyncSeconds");

    // The baseline: the same blocks, read from the synced node's LevelDB, imported by a Verifier.
    const db = await ChainDb.open({ dir: join(rs.dir, "chaindb") });
    const blocks = [];
    try {
      for (let n = 1; n <= head; n++) blocks.push(await db.getBlockByNumber(n));
    } finally {
      await db.close();
    }
    const local = await localImport(blocks, rs.config, join(tmp, "local", "chaindb"), lastCheckpointBlock);
    if (local.stateRoot !== headRoot) throw new Error("network bench: the local import reached another state root");
    const localTps = rsTxs / local.seconds;
    const prefixTxs = blocks
      .filter((b) => b.header.number <= lastCheckpointBlock)
      .reduce((s, b) => s + b.transactions.length + b.deposits.length, 0);
    phase("localImportSeconds");
    const localPrefixTps = local.prefixSeconds ? prefixTxs / local.prefixSeconds : null;

    if (quick) await checkpointed();
    // Rebuild from Filecoin: a verifier node with the L1 and no peers, rebuildFromL1 with its own
    // modules wrapped to time the L1 reads, CommP and block imports.
    const rb = makeVerifierDir("rebuild", { l1: l1Config, pieceUrls: [url] });
    const rbNode = new FilverseVerifierNode({ dataDir: rb.dir, config: rb.config, deferFollow: true });
    inProcess.push(rbNode);
    await rbNode.start();
    await warmPool(rbNode.pool, warmBlocks, chainId);
    const split = { l1Ms: 0, commPMs: 0, importMs: 0 };
    const verifier = rbNode.verifier;
    const importBlock = verifier.importBlock.bind(verifier);
    verifier.importBlock = async (...args) => {
      const t0 = performance.now();
      try {
        return await importBlock(...args);
      } finally {
        split.importMs += performance.now() - t0;
      }
    };
    const publicClient = timedCalls(
      createL1Clients({ url: l1.url, chainId: DEV_L1_CHAIN_ID, retryCount: 0 }).publicClient,
      split,
      "l1Ms",
    );
    const rebuilt = await rebuildFromL1(
      { rollup, startBlock: 0n, pieceUrls: [url] },
      {
        verifier,
        publicClient,
        committer: timedCalls(rbNode.pool, split, "commPMs"),
        pieceStore: rbNode.batches.store,
      },
    );
    if (rebuilt.head !== lastCheckpointBlock || rebuilt.stateRoot !== (await stateRootAt(url, lastCheckpointBlock))) {
      throw new Error(
        `network bench: the rebuild ended at ${rebuilt.head}, not at checkpointed block ${lastCheckpointBlock}`,
      );
    }
    await rbNode.close();
    inProcess.pop();
    phase("rebuildSeconds");
    const rebuildTps = rebuilt.transactions / rebuilt.seconds;
    const ms = (x) => Math.round(x);

    return [
      makeEntry({
        name: "replay_tps_range_sync",
        value: rsTxs / syncSeconds,
        unit: "tx/s",
        baseline: "local_import",
        baselineValue: localTps,
        quick,
        details: {
          blocks: head,
          txs: rsTxs,
          seconds: round3(syncSeconds),
          localImportSeconds: round3(local.seconds),
          blocksByRangeMs: Math.round(rangeTimes.fetchMs),
          transport: "blocks_by_range over libp2p TCP on 127.0.0.1 from the sequencer process",
          checkpointWorkDuringSync: checkpointWork.filter((t) => t >= syncStartedAt && t <= syncEndedAt).length,
          stateRoot: headRoot,
        },
      }),
      makeEntry({
        name: "replay_tps_from_filecoin",
        value: rebuildTps,
        unit: "tx/s",
        baseline: "local_import",
        baselineValue: localPrefixTps,
        quick,
        details: {
          checkpoints: rebuilt.checkpoints,
          blocks: rebuilt.blocks,
          txs: rebuilt.transactions,
          seconds: round3(rebuilt.seconds),
          checkpointInterval,
          l1ReadMs: ms(split.l1Ms),
          commPMs: ms(split.commPMs),
          importMs: ms(split.importMs),
          pieceFetchAndRestMs: ms(rebuilt.seconds * 1000 - split.l1Ms - split.commPMs - split.importMs),
          localImportSecondsSameBlocks: local.prefixSeconds === null ? null : round3(local.prefixSeconds),
          stateRoot: rebuilt.stateRoot,
        },
      }),
      makeEntry({
        name: "seal_to_verified_p50_ms",
        value: quantile(latencies, 0.5),
        unit: "ms",
        quick,
        details: latencyDetails,
      }),
      makeEntry({
        name: "seal_to_verified_p99_ms",
        value: quantile(latencies, 0.99),
        unit: "ms",
        quick,
        details: { samples: latencies.length, maxMs: latencyDetails.maxMs, perVerifier },
      }),
    ].map((e) => ({
      ...e,
      details: { ...e.details, phases, loadAverage1mBeforeAfter: [round3(loadBefore), round3(loadavg()[0])] },
    }));
  } finally {
    for (const node of inProcess) await node.close().catch(() => {});
    await children.stopAll(); // before the L1: the sequencer's close lets an L1 submission finish
    await l1?.stop();
    const left = [...children.alive(), ...(l1 && pidAlive(l1.pid) ? [l1.pid] : [])];
    rmSync(tmp, { recursive: true, force: true });
    if (left.length > 0) {
      // Not thrown from here, which would replace the module's own error: the run fails all the same.
      process.exitCode = 1;
      console.error(`[network] processes still running after the stop: ${left.join(", ")}`);
    }
  }
}
