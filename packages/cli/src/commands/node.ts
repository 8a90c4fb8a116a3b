/** Node commands: `init` (key, genesis, config), `sequencer` (run a node) and `dev` (a local devnet in one command). */
import { existsSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { CONFIG_FILE, createLogger, FilverseNode, initDataDir, loadConfig } from "@filverse/node";
import type { ChainPreset } from "@filverse/params";
import type { Command } from "commander";
import { type OutputOpts, print, UsageError } from "../output.js";

const PRESETS = ["devnet", "calibration", "mainnet"];
export const DEFAULT_DEV_DIR = ".filverse/dev";

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`--rpc-port must be a port number, got "${value}"`);
  return n;
}

/** Run a node until SIGINT/SIGTERM, then close it cleanly (the in-flight block commits, the DB closes). */
async function runNode(
  dataDir: string,
  flags: { rpcHost?: string; rpcPort?: number; logLevel?: string },
): Promise<void> {
  const config = loadConfig(dataDir);
  if (flags.rpcHost) config.rpc.host = flags.rpcHost;
  if (flags.rpcPort !== undefined) config.rpc.port = flags.rpcPort;
  const logger = createLogger({ level: (flags.logLevel ?? "info") as "info" });
  const node = new FilverseNode({ dataDir, config }, { logger });
  await node.start();
  await new Promise<void>((done) => {
    const stop = (signal: string) => {
      logger.info("shutting down", { signal });
      node.close().then(done, (err) => {
        logger.error("shutdown failed", {}, err);
        done();
      });
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
}

export function registerNodeCommands(program: Command): void {
  program
    .command("init")
    .description("create a data dir: a sequencer key (mode 0600), a genesis and a config")
    .requiredOption("--data-dir <dir>", "where the node keeps its config, keys and database")
    .option("--preset <name>", `chain preset: ${PRESETS.join(", ")}`, "devnet")
    .option("--rpc-host <host>", "JSON-RPC listen address", "127.0.0.1")
    .option("--rpc-port <port>", "JSON-RPC port (HTTP and WebSocket)", port, 8645)
    .option("--dev-accounts <n>", "devnet: how many funded dev accounts", (v) => Number(v), 10)
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
        } & OutputOpts,
      ) => {
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
