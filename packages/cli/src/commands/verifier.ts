/**
 * `filverse verifier`: run a verifier node (re-executes every block of the sequencer it follows,
 * serves read-only JSON-RPC, records evidence), or with `--from-l1` first rebuild the chain from the
 * L1 rollup's checkpoints and the batch pieces alone.
 */
import { createLogger, FilverseVerifierNode, loadConfig, ProgressLine, type RebuildProgress } from "@filverse/node";
import type { Command } from "commander";
import { type OutputOpts, print, UsageError } from "../output.js";

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`--rpc-port must be a port number, got "${value}"`);
  return n;
}

export const collect = (value: string, previous: string[]): string[] => [...previous, value];

type VerifierFlags = {
  dataDir: string;
  sequencerRpc?: string;
  fromL1?: boolean;
  pieceUrl: string[];
  rebuildOnly?: boolean;
  rpcHost?: string;
  rpcPort?: number;
  logLevel: string;
} & OutputOpts;

async function runVerifier(o: VerifierFlags): Promise<void> {
  const config = loadConfig(o.dataDir);
  if (!config.verifier) {
    throw new UsageError(`${o.dataDir} is not a verifier's data dir`, [
      "Create one with `filverse init --verifier --genesis-from <sequencer rpc> --data-dir <dir>`.",
    ]);
  }
  if (o.sequencerRpc) config.verifier.sequencerRpc = o.sequencerRpc;
  if (o.rpcHost) config.rpc.host = o.rpcHost;
  if (o.rpcPort !== undefined) config.rpc.port = o.rpcPort;
  if (o.rebuildOnly && !o.fromL1) throw new UsageError("--rebuild-only needs --from-l1");
  const logger = createLogger({ level: o.logLevel as "info" });
  const node = new FilverseVerifierNode({ dataDir: o.dataDir, config, deferFollow: o.fromL1 === true }, { logger });
  const stopped = new AbortController();
  let stopping: Promise<void> | null = null;
  const stop = (signal: string) => {
    logger.info("shutting down", { signal });
    stopped.abort();
    stopping ??= node.close().catch((err) => logger.error("shutdown failed", {}, err));
    return stopping;
  };
  const signals = new Promise<void>((done) => {
    process.once("SIGINT", () => void stop("SIGINT").then(done));
    process.once("SIGTERM", () => void stop("SIGTERM").then(done));
  });
  try {
    await node.start();
    if (o.fromL1) {
      const line = new ProgressLine(process.stderr);
      const seen: { last: RebuildProgress | null } = { last: null };
      const result = await node.rebuildFromL1(
        o.pieceUrl,
        (p) => {
          seen.last = p;
          line.update(p);
        },
        stopped.signal,
      );
      if (seen.last) line.done(seen.last);
      if (o.rebuildOnly) {
        print(o, result, () =>
          [
            `rebuilt from L1: ${result.checkpoints} checkpoints, head ${result.head}`,
            `  state root  ${result.stateRoot}`,
            `  blocks      ${result.blocks} (${result.transactions} transactions) in ${result.seconds.toFixed(1)} s`,
          ].join("\n"),
        );
        await stop("rebuild done");
        return;
      }
    }
  } catch (err) {
    await stop("error");
    throw err;
  }
  // Until a signal, or the node's failure (it can make no more progress): then close what can be
  // closed and exit non-zero, so that a supervisor restarts it.
  const failure = await Promise.race([signals.then(() => null), node.failed]);
  if (failure) {
    logger.error("node failed; closing it and exiting", { reason: failure.shortMessage });
    await stop("failure");
    throw failure;
  }
}

export function registerVerifierCommand(program: Command): void {
  program
    .command("verifier")
    .description(
      "run a verifier node: re-execute every block of the sequencer it follows, serve read-only JSON-RPC, record evidence, co-sign checkpoints",
    )
    .requiredOption("--data-dir <dir>", "a data dir made by `filverse init --verifier`")
    .option(
      "--sequencer-rpc <url>",
      "override the sequencer's JSON-RPC URL (blocks are followed from it, transactions forwarded to it)",
    )
    .option("--from-l1", "first rebuild the chain from the L1 rollup's checkpoints and the batch pieces alone")
    .option(
      "--piece-url <url>",
      "a piece server for --from-l1 (the sequencer's RPC URL, a storage provider); repeatable",
      collect,
      [],
    )
    .option("--rebuild-only", "with --from-l1: print the result and exit instead of following")
    .option("--rpc-host <host>", "override the JSON-RPC listen address")
    .option("--rpc-port <port>", "override the JSON-RPC port (0: any free port)", port)
    .option("--log-level <level>", "error, warn, info or debug", "info")
    .option("--json", "print the --rebuild-only result as JSON")
    .action((o: VerifierFlags) => runVerifier(o));
}
