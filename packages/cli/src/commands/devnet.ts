/**
 * `filverse devnet`: the whole local network in one command. A local L1 (a hardhat node process,
 * chain id 31415926), the rollup and bridge contracts deployed on it (with the fault-proof game set
 * in the rollup once the one-step executor is complete, and every node playing it), the sequencer
 * registered as a validator, dev accounts funded through real bridge deposits, a sequencer wired to the bridge that
 * stores every checkpoint's batch through FilverseDealClient, and the storage-provider simulator (a
 * process of its own) that takes those deals on DevnetMarket. The local L1 keeps its state in
 * memory, so every run is a fresh chain.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { privateKeyToAddress } from "@filverse/crypto";
import {
  createL1Clients,
  DEV_L1_CHAIN_ID,
  deployFilverse,
  type LocalL1,
  loadArtifact,
  startLocalL1,
} from "@filverse/l1";
import {
  CONFIG_FILE,
  chainConfigOf,
  createLogger,
  FilverseSequencerNode,
  fetchChainIdentity,
  initDataDir,
  initVerifierDataDir,
  loadConfig,
  RemoteRpcError,
  RemoteRpcErrorCode,
  readDevAccounts,
  readKeyFile,
  writeSecretFile,
} from "@filverse/node";
import { toHex } from "@filverse/utils";
import type { Command } from "commander";
import type { Address, Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

const FIL = 10n ** 18n;
/** What each dev account holds on the L1 (for gas, deposits, collateral). */
const DEV_L1_FUNDS = 100n * FIL;
/** The devnet L1 mines a block this often even when idle, so its clock (and every window) moves. */
const L1_BLOCK_MS = 1_000;
export const DEFAULT_DEVNET_DIR = ".filverse/devnet";
/** The devnet's challenge window, seconds: checkpoints are final a minute after acceptance. */
const CHALLENGE_WINDOW_SEC = 60;
/**
 * The devnet's fault-proof clocks, seconds: each team has a minute per path of the claim tree, and
 * a move leaves its team at least 10 s. Short, so a game ends within minutes; the nodes poll every
 * second, far inside them.
 */
const DISPUTE_MAX_CLOCK_SEC = 60;
const DISPUTE_CLOCK_EXTENSION_SEC = 10;
const DISPUTE_POLL_MS = 1_000;
const CLI_BIN = fileURLToPath(new URL("../../bin/filverse.js", import.meta.url));

/** Start `filverse sp-sim` as its own process; resolves with its URL once it is ready. */
function startSpSimulator(args: string[]): Promise<{ proc: ChildProcess; url: string }> {
  return startChild(["sp-sim", ...args], (line) => line.includes('"sp-sim ready"'));
}

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
/** The devnet's own log level; children log at info (their ready lines) and are filtered to it. */
let forwardLevel = LEVELS.info!;

/** Start `filverse <args>` as its own process; resolves with the `url` of the first line `ready` accepts. */
function startChild(args: string[], ready: (line: string) => boolean): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, [CLI_BIN, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolvePromise, reject) => {
    let out = "";
    const onData = (d: Buffer) => {
      out += String(d);
      let nl = out.indexOf("\n");
      while (nl !== -1) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        let level = LEVELS.info!;
        try {
          level = (JSON.parse(line) as { level?: number }).level ?? level;
        } catch {
          // not a log line: shown
        }
        if (level >= forwardLevel) process.stdout.write(`${line}\n`); // its log lines join the devnet's
        if (ready(line)) resolvePromise({ proc, url: (JSON.parse(line) as { url: string }).url });
        nl = out.indexOf("\n");
      }
    };
    proc.stdout!.on("data", onData);
    proc.once("exit", (code) => reject(new Error(`filverse ${args[0]} exited with code ${code} before it was ready`)));
  });
}

/** A node's p2p identity over its RPC (`filverse_nodeIdentity`). */
async function fetchNodeIdentity(url: string): Promise<{ peerId: string; multiaddrs: string[] }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "filverse_nodeIdentity", params: [] }),
  });
  const body = (await res.json()) as { result?: { peerId: string; multiaddrs: string[] }; error?: { message: string } };
  if (!body.result) {
    throw new RemoteRpcError(
      body.error ? RemoteRpcErrorCode.RPC_ERROR : RemoteRpcErrorCode.BAD_RESPONSE,
      `filverse_nodeIdentity at ${url}: ${body.error?.message ?? res.status}`,
      { details: { url, status: res.status } },
    );
  }
  return body.result;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new TypeError(`not a port: ${value}`);
  return n;
}

async function startDevnet(o: {
  dataDir: string;
  rpcPort: number;
  l1Port: number;
  devAccounts: number;
  checkpointInterval: number;
  verifiers: number;
  logLevel: string;
}): Promise<void> {
  const dir = resolve(o.dataDir);
  const logger = createLogger({ level: o.logLevel as "info" });
  forwardLevel = LEVELS[o.logLevel] ?? LEVELS.info!;
  // A fresh chain every run: the local L1 forgets its state when it stops.
  rmSync(dir, { recursive: true, force: true });
  initDataDir({ dataDir: dir, preset: "devnet", rpcPort: o.rpcPort, devAccounts: o.devAccounts });
  let l1: LocalL1 | null = null;
  let node: FilverseSequencerNode | null = null;
  let sp: ChildProcess | null = null;
  const verifiers: ChildProcess[] = [];
  const stopChild = async (proc: ChildProcess | null) => {
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGTERM");
    await exited;
  };
  const shutdown = async () => {
    for (const v of verifiers) await stopChild(v);
    await node?.close();
    await stopChild(sp);
    await l1?.stop();
  };
  try {
    l1 = await startLocalL1(o.l1Port ? { port: o.l1Port } : {});
    const clients = createL1Clients({ url: l1.url, chainId: DEV_L1_CHAIN_ID, pollingIntervalMs: 100, retryCount: 0 });
    // Hardhat mines only on transactions, and contract views read the last block's time: an idle L1
    // would never see a challenge window end. A block every L1_BLOCK_MS keeps its clock running
    // (transactions are still mined at once).
    await clients.publicClient.request({ method: "evm_setIntervalMining" as never, params: [L1_BLOCK_MS] as never });
    const [funder] = (await clients.walletClient.getAddresses()) as [Address];
    const config = loadConfig(dir);
    const sequencerKey = readKeyFile(join(dir, config.keyFile));
    const sequencer = toHex(privateKeyToAddress(sequencerKey)) as Address;
    const minCollateral = 10n * FIL;
    const chainParams = chainConfigOf(config);
    const deployment = await deployFilverse(
      clients,
      funder,
      {
        l2ChainId: config.genesis.chainId,
        sequencer,
        // The rollup keeps the genesis block's hash: checkpoint 0's parent, which the game judges.
        genesisTimestamp: config.genesis.timestamp,
        minCollateral,
        challengeWindowSec: CHALLENGE_WINDOW_SEC,
        exitDelaySec: 120,
        // Ten minutes: long enough for the devnet sequencer (0 confirmations, 500 ms polls) to
        // consume a forced transaction, short enough to see the rule at work.
        forceInclusionDelaySec: 600,
      },
      {
        // Deals for batch data: FilverseDealClient on a DevnetMarket; the sequencer's key proposes.
        deals: { market: "devnet", proposers: [sequencer] },
        // The fault-proof game, default bonds (5 FIL to challenge, 1 FIL a move), short clocks.
        faultProofs: {
          chain: {
            maxBlockTxs: chainParams.maxBlockTxs,
            maxBlockDeposits: chainParams.maxBlockDeposits,
            minTxFee: chainParams.minTxFee,
          },
          maxClockDurationSec: DISPUTE_MAX_CLOCK_SEC,
          clockExtensionSec: DISPUTE_CLOCK_EXTENSION_SEC,
        },
        log: logger,
      },
    );
    const game = deployment.faultProofs?.game ?? null;
    // Every node plays the game (its L1 key: the sequencer's own, each verifier's validator key).
    const disputeConfig = game ? { game, startBlock: 0, pollIntervalMs: DISPUTE_POLL_MS } : null;
    const deals = deployment.deals!;
    const send = async (
      request:
        | Parameters<typeof clients.walletClient.writeContract>[0]
        | Parameters<typeof clients.walletClient.sendTransaction>[0],
      write = true,
    ) => {
      const hash = write
        ? await clients.walletClient.writeContract(request as never)
        : await clients.walletClient.sendTransaction(request as never);
      await clients.publicClient.waitForTransactionReceipt({ hash });
    };
    /**
     * L1 FIL for gas, then a genesis validator with minCollateral (paid by the funder): weight in the
     * 2/3 quorum at once. Validators joining later wait for an epoch boundary a challenge window away.
     */
    const registerValidator = async (key: Uint8Array) => {
      const account = privateKeyToAccount(toHex(key) as Hex);
      await send({ account: funder, to: account.address, value: 100n * FIL, chain: clients.walletClient.chain }, false);
      await send({
        account: funder,
        address: deployment.rollup,
        abi: loadArtifact("FilverseRollup").abi,
        functionName: "registerGenesis",
        args: [account.address],
        value: minCollateral,
        chain: clients.walletClient.chain,
      } as never);
    };
    await registerValidator(sequencerKey);
    // Dev accounts get their L2 FIL the way users do: bridge deposits on L1. They hold L1 FIL too
    // (the same keys are L1 accounts), so `bridge deposit`, `bridge finalize` and `validator
    // register` work with their key files out of the box.
    const accounts = readDevAccounts(dir, config);
    for (const a of accounts) {
      await clients.publicClient.request({
        method: "hardhat_setBalance" as never,
        params: [a.address, `0x${DEV_L1_FUNDS.toString(16)}`] as never,
      });
      await send({
        account: funder,
        address: deployment.bridge,
        abi: loadArtifact("FilverseBridge").abi,
        functionName: "deposit",
        args: [a.address],
        value: 100n * FIL,
        chain: clients.walletClient.chain,
      } as never);
    }
    // The storage provider: its own L1 key (0600) and gas, and its own process.
    const spKey = toHex(randomBytes(32)) as Hex;
    writeSecretFile(join(dir, "sp.key"), `${spKey}\n`);
    const spAddress = privateKeyToAccount(spKey).address;
    await send({ account: funder, to: spAddress, value: 100n * FIL, chain: clients.walletClient.chain }, false);
    const started = await startSpSimulator([
      "--l1-rpc",
      l1.url,
      "--l1-chain-id",
      String(DEV_L1_CHAIN_ID),
      "--deal-client",
      deals.dealClient,
      "--market",
      deals.devnetMarket!,
      "--key-file",
      join(dir, "sp.key"),
      "--piece-dir",
      join(dir, "sp-pieces"),
      "--log-level",
      "info",
    ]);
    sp = started.proc;
    const configPath = join(dir, CONFIG_FILE);
    const onDisk = JSON.parse(readFileSync(configPath, "utf8"));
    // With verifiers, blocks travel over p2p and checkpoints are co-signed through it.
    if (o.verifiers > 0) onDisk.p2p = { listen: ["/ip4/127.0.0.1/tcp/0"] };
    onDisk.storage = {
      backend: "dealclient",
      pollIntervalMs: 500,
      dealClient: { address: deals.dealClient, startOffsetEpochs: 200 },
    };
    onDisk.chain.checkpointInterval = o.checkpointInterval;
    // The sequencer's and every verifier's L1 section.
    const l1Config = {
      rpcUrl: l1.url,
      chainId: DEV_L1_CHAIN_ID,
      bridge: deployment.bridge,
      rollup: deployment.rollup,
      startBlock: 0,
      confirmations: 0,
      pollIntervalMs: 500,
    };
    onDisk.l1 = l1Config;
    if (disputeConfig) onDisk.dispute = disputeConfig;
    writeFileSync(configPath, `${JSON.stringify(onDisk, null, 2)}\n`);

    node = new FilverseSequencerNode({ dataDir: dir, config: loadConfig(dir) }, { logger });
    // /healthz says "starting" until every process is up, and "failed" once one of them exits.
    let up = false;
    const children = () => [
      { name: "storage provider simulator", proc: sp },
      ...verifiers.map((proc, i) => ({ name: `verifier ${i + 1}`, proc })),
    ];
    node.healthGate = () => {
      for (const c of children()) {
        if (c.proc && (c.proc.exitCode !== null || c.proc.signalCode !== null))
          return { status: "failed", reason: `${c.name} (pid ${c.proc.pid}) exited` };
      }
      return up ? null : { status: "starting", reason: "devnet processes starting" };
    };
    const { url, wsUrl } = await node.start();
    // Verifiers: each its own process and data dir, a registered validator (its collateral is weight
    // in the 2/3 quorum), following the sequencer over p2p (and its RPC for catching up).
    const verifierUrls: string[] = [];
    const verifierP2P: string[] = [];
    if (o.verifiers > 0) {
      const identity = await fetchChainIdentity(url);
      for (let i = 1; i <= o.verifiers; i++) {
        const vdir = join(dir, `verifier-${i}`);
        const made = initVerifierDataDir({
          dataDir: vdir,
          identity,
          sequencerRpc: url,
          rpcHost: "127.0.0.1",
          rpcPort: 0,
          pieceUrls: [url, started.url],
          l1: l1Config,
        });
        // Each verifier peers with the sequencer and the verifiers before it (evidence and blocks
        // then reach every verifier even when the sequencer would not relay them), and pays for
        // proving equivocation on L1 with its validator key (funded by registerValidator).
        const vconfig = {
          ...made.config,
          verifier: { ...made.config.verifier!, l1KeyFile: made.config.keyFile },
          ...(disputeConfig ? { dispute: disputeConfig } : {}),
          p2p: { listen: ["/ip4/127.0.0.1/tcp/0"], bootstrapPeers: [...node.network!.multiaddrs, ...verifierP2P] },
        };
        writeFileSync(join(vdir, CONFIG_FILE), `${JSON.stringify(vconfig, null, 2)}\n`);
        await registerValidator(readKeyFile(join(vdir, made.config.keyFile)));
        const child = await startChild(
          ["verifier", "--data-dir", vdir, "--log-level", "info"],
          (line) => line.includes('"rpc listening"') && line.includes('"verifier"'),
        );
        verifiers.push(child.proc);
        verifierUrls.push(child.url);
        verifierP2P.push(...(await fetchNodeIdentity(child.url)).multiaddrs);
      }
    }
    up = true;
    logger.info("devnet ready", {
      l1: l1.url,
      l1ChainId: DEV_L1_CHAIN_ID,
      rollup: deployment.rollup,
      bridge: deployment.bridge,
      dealClient: deals.dealClient,
      market: deals.devnetMarket,
      disputeGame: game,
      oneStepExecutor: deployment.faultProofs?.executor ?? null,
      storageProvider: started.url,
      verifiers: verifierUrls,
      sequencerP2P: node.network?.multiaddrs ?? [],
      l2: url,
      l2Ws: wsUrl,
      explorer: `${url}/`,
      l2ChainId: config.genesis.chainId,
      sequencer,
      devAccounts: join(dir, "dev-accounts.json"),
    });
    process.stderr.write(
      [
        "",
        "Filverse devnet is up:",
        `  L1 (hardhat, chain ${DEV_L1_CHAIN_ID})  ${l1.url}`,
        `  rollup  ${deployment.rollup}`,
        `  bridge  ${deployment.bridge}`,
        `  deal client  ${deals.dealClient}   market (devnet)  ${deals.devnetMarket}`,
        game
          ? `  fault-proof game  ${game}   (every node plays it)`
          : "  fault-proof game  not wired: the one-step executor is not complete (see the log)",
        `  storage provider simulator  ${started.url}   (pid ${sp.pid})`,
        ...verifierUrls.map((v, i) => `  verifier ${i + 1} JSON-RPC  ${v}   (pid ${verifiers[i]!.pid})`),
        `  L2 JSON-RPC (chain ${config.genesis.chainId})  ${url}  ${wsUrl}`,
        `  explorer  ${url}/   (open it in a browser; every node serves one at / on its RPC port)`,
        `  dev accounts (100 FIL each on the L2, deposited through the bridge, and 100 FIL each on the L1 for gas): ${join(dir, "dev-accounts.json")}`,
        `  try: npm run demo -- --data-dir ${o.dataDir} --rpc ${url}`,
        "",
      ].join("\n"),
    );
  } catch (err) {
    await shutdown();
    throw err;
  }
  await new Promise<void>((done) => {
    const stop = (signal: string) => {
      logger.info("shutting down", { signal });
      shutdown().then(done, done);
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
}

export function registerDevnetCommand(program: Command): void {
  program
    .command("devnet")
    .description(
      "start a local L1, deploy the contracts, fund dev accounts through the bridge, and run a sequencer wired to it (a fresh chain each run)",
    )
    .option("--data-dir <dir>", "data dir (recreated every run)", DEFAULT_DEVNET_DIR)
    .option("--rpc-port <port>", "L2 JSON-RPC port (0: any free port)", port, 8645)
    .option("--l1-port <port>", "L1 JSON-RPC port (0: any free port)", port, 8545)
    .option("--dev-accounts <n>", "funded dev accounts", (v) => Number(v), 10)
    .option("--checkpoint-interval <blocks>", "L2 blocks per checkpoint", (v) => Number(v), 32)
    .option(
      "--verifiers <n>",
      "verifier nodes (each a registered validator that co-signs checkpoints)",
      (v) => Number(v),
      2,
    )
    .option("--log-level <level>", "error, warn, info or debug", "info")
    .action(
      (o: {
        dataDir: string;
        rpcPort: number;
        l1Port: number;
        devAccounts: number;
        checkpointInterval: number;
        verifiers: number;
        logLevel: string;
      }) => startDevnet(o),
    );
}
