/** Node commands: `init` (key, genesis, config), `sequencer` (run a node) and `dev` (a local devnet in one command). */
import { existsSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  CONFIG_FILE,
  createLogger,
  FilverseSequencerNode,
  fetchChainIdentity,
  initDataDir,
  initVerifierDataDir,
  loadConfig,
} from "@filverse/node";
import type { ChainPreset } from "@filverse/params";
import type { FilverseError, Logger } from "@filverse/utils";
import type { Command } from "commander";
import { type OutputOpts, print, UsageError } from "../output.js";
import { collect } from "./verifier.js";

const PRESETS = ["devnet", "calibration", "mainnet"];

import { DEFAULT_DEV_DIR } from "../constants.js";

export { DEFAULT_DEV_DIR };

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`--rpc-port must be a port number, got "${value}"`);
  return n;
}

/**
 * Run a node until SIGINT/SIGTERM, then close it cleanly (the in-flight block commits, the DB closes).
 * A node that fails (it can make no more progress, e.g. its disk is full) is closed too, flushing
 * what it can, and the failure is thrown: the process exits non-zero and a supervisor restarts it.
 */
async function runNode(
  dataDir: string,
  flags: { rpcHost?: string; rpcPort?: number; logLevel?: string },
): Promise<void> {
  const config = loadConfig(dataDir);
  if (flags.rpcHost) config.rpc.host = flags.rpcHost;
  if (flags.rpcPort !== undefined) config.rpc.port = flags.rpcPort;
  const logger = createLogger({ level: (flags.logLevel ?? "info") as "info" });
  const node = new FilverseSequencerNode({ dataDir, config }, { logger });
  await node.start();
  await runUntilStopped(node, logger);
}

/** Waits for SIGINT/SIGTERM or the node's failure, then closes the node; rethrows the failure. */
async function runUntilStopped(
  node: { close(): Promise<void>; failed: Promise<FilverseError> },
  logger: Logger,
): Promise<void> {
  const stopped = await new Promise<{ signal: string } | { failure: FilverseError }>((done) => {
    process.once("SIGINT", () => done({ signal: "SIGINT" }));
    process.once("SIGTERM", () => done({ signal: "SIGTERM" }));
    void node.failed.then((failure) => done({ failure }));
  });
  const failure = "failure" in stopped ? stopped.failure : null;
  if (failure) logger.error("node failed; closing it and exiting", { reason: failure.shortMessage });
  else logger.info("shutting down", stopped);
  await node.close().catch((err) => logger.error("shutdown failed", {}, err));
  if (failure) throw failure;
}

type VerifierInitFlags = {
  verifier?: boolean;
  genesisFrom?: string;
  sequencerRpc?: string;
  l1Rpc?: string;
  l1ChainId?: number;
  rollup?: string;
  bridge?: string;
  l1StartBlock: number;
  l1Confirmations?: number;
  pieceUrl: string[];
};

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;

/** `filverse init --verifier`: the chain's identity from a node's filverse_getGenesis, a fresh validator key. */
async function initVerifier(
  o: { dataDir: string; rpcHost: string; rpcPort: number; force?: boolean } & VerifierInitFlags & OutputOpts,
): Promise<void> {
  if (!o.genesisFrom) {
    throw new UsageError("--verifier needs --genesis-from <url>", [
      "Give the JSON-RPC URL of a node of the chain (the sequencer's); its genesis and sequencer are checked and kept.",
    ]);
  }
  const l1Given = [o.l1Rpc, o.rollup, o.bridge].filter((x) => x !== undefined).length;
  if (l1Given > 0 && (l1Given < 3 || o.l1ChainId === undefined)) {
    throw new UsageError("An L1 needs --l1-rpc, --l1-chain-id, --rollup and --bridge together");
  }
  for (const [flag, v] of [
    ["--rollup", o.rollup],
    ["--bridge", o.bridge],
  ] as const) {
    if (v !== undefined && !ADDRESS_RE.test(v)) throw new UsageError(`${flag} must be a 0x address, got "${v}"`);
  }
  const identity = await fetchChainIdentity(o.genesisFrom);
  const { dir, config, address } = initVerifierDataDir({
    dataDir: o.dataDir,
    identity,
    sequencerRpc: o.sequencerRpc ?? o.genesisFrom,
    rpcHost: o.rpcHost,
    rpcPort: o.rpcPort,
    pieceUrls: o.pieceUrl,
    force: o.force,
    l1:
      l1Given === 3
        ? {
            rpcUrl: o.l1Rpc!,
            chainId: o.l1ChainId!,
            rollup: o.rollup as `0x${string}`,
            bridge: o.bridge as `0x${string}`,
            startBlock: o.l1StartBlock,
            ...(o.l1Confirmations === undefined ? {} : { confirmations: o.l1Confirmations }),
          }
        : null,
  });
  print(
    o,
    {
      dataDir: dir,
      chainId: config.genesis.chainId,
      genesisHash: identity.genesisHash,
      sequencer: identity.sequencer,
      validator: address,
      config: join(dir, CONFIG_FILE),
    },
    () =>
      [
        `initialised verifier ${dir}`,
        `  chain id     ${config.genesis.chainId}`,
        `  genesis      ${identity.genesisHash}`,
        `  sequencer    ${identity.sequencer}`,
        `  validator    ${address} (register it on the rollup to co-sign checkpoints)`,
        `  run it:      filverse verifier --data-dir ${o.dataDir}`,
      ].join("\n"),
  );
}

export function registerNodeCommands(program: Command): void {
  program
    .command("init")
    .description(
      "create a data dir: a sequencer key (mode 0600), a genesis and a config; with --verifier, a verifier's (validator key, the sequencer's genesis)",
    )
    .requiredOption("--data-dir <dir>", "where the node keeps its config, keys and database")
    .option("--preset <name>", `chain preset: ${PRESETS.join(", ")}`, "devnet")
    .option("--rpc-host <host>", "JSON-RPC listen address", "127.0.0.1")
    .option("--rpc-port <port>", "JSON-RPC port (HTTP and WebSocket)", port, 8645)
    .option("--dev-accounts <n>", "devnet: how many funded dev accounts", (v) => Number(v), 10)
    .option("--verifier", "a verifier's data dir: follows the chain of --genesis-from")
    .option("--genesis-from <url>", "verifier: a node of the chain to follow (its filverse_getGenesis)")
    .option("--sequencer-rpc <url>", "verifier: the sequencer's JSON-RPC (default: --genesis-from)")
    .option("--l1-rpc <url>", "verifier: the L1 JSON-RPC (checks deposits and checkpoints, co-signs)")
    .option("--l1-chain-id <id>", "verifier: the L1 chain id (314, 314159, 31415926)", (v) => Number(v))
    .option("--rollup <address>", "verifier: the FilverseRollup address")
    .option("--bridge <address>", "verifier: the FilverseBridge address")
    .option("--l1-start-block <n>", "verifier: the L1 block the contracts were deployed at", (v) => Number(v), 0)
    .option("--l1-confirmations <n>", "verifier: L1 confirmations where the L1 has no finalized tag", (v) => Number(v))
    .option("--piece-url <url>", "verifier: a piece server for --from-l1; repeatable", collect, [])
    .option("--force", "overwrite an existing config")
    .option("--json", "print JSON")
    .action(
      (
        o: {
          dataDir: string;
          preset: string;
          rpcHost: string;
          rpcPort: number;
          devAccounts: number;
          force?: boolean;
        } & VerifierInitFlags &
          OutputOpts,
      ) => {
        if (o.verifier) return initVerifier(o);
        if (!PRESETS.includes(o.preset))
          throw new UsageError(`Unknown preset "${o.preset}"`, [`Use one of: ${PRESETS.join(", ")}`]);
        const { dir, config, address } = initDataDir({
          dataDir: o.dataDir,
          preset: o.preset as ChainPreset,
          rpcHost: o.rpcHost,
          rpcPort: o.rpcPort,
          devAccounts: o.devAccounts,
          force: o.force,
        });
        print(
          o,
          { dataDir: dir, chainId: config.genesis.chainId, sequencer: address, config: join(dir, CONFIG_FILE) },
          () =>
            [
              `initialised ${dir}`,
              `  chain id   ${config.genesis.chainId}`,
              `  sequencer  ${address}`,
              `  run it:    filverse sequencer --data-dir ${o.dataDir}`,
            ].join("\n"),
        );
      },
    );

  program
    .command("sequencer")
    .description("run a sequencer node (JSON-RPC over HTTP and WebSocket, /healthz, /metrics)")
    .requiredOption("--data-dir <dir>", "a data dir made by `filverse init`")
    .option("--rpc-host <host>", "override the JSON-RPC listen address")
    .option("--rpc-port <port>", "override the JSON-RPC port (0: any free port)", port)
    .option("--log-level <level>", "error, warn, info or debug", "info")
    .action((o: { dataDir: string; rpcHost?: string; rpcPort?: number; logLevel: string }) => runNode(o.dataDir, o));

  program
    .command("dev")
    .description(
      "start a local devnet sequencer on embedded defaults (creates its data dir, dev key and funded dev accounts)",
    )
    .option("--data-dir <dir>", "data dir", DEFAULT_DEV_DIR)
    .option("--rpc-port <port>", "JSON-RPC port", port, 8645)
    .option("--reset", "delete the data dir first (a new chain)")
    .option("--log-level <level>", "error, warn, info or debug", "info")
    .action((o: { dataDir: string; rpcPort: number; reset?: boolean; logLevel: string }) => {
      const dir = resolve(o.dataDir);
      if (o.reset) rmSync(dir, { recursive: true, force: true });
      if (!existsSync(join(dir, CONFIG_FILE))) {
        const { address } = initDataDir({ dataDir: dir, preset: "devnet", rpcPort: o.rpcPort });
        process.stderr.write(
          `created devnet in ${dir} (sequencer ${address}); dev account keys: ${join(dir, "dev-accounts.json")}\n`,
        );
      }
      return runNode(dir, { rpcPort: o.rpcPort, logLevel: o.logLevel });
    });
}
