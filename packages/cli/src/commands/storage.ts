/**
 * `filverse sp-sim`: the storage-provider simulator for the devnet, a process of its own. It plays
 * Boost's part in contract deals against FilverseDealClient and DevnetMarket (docs/storage.md):
 * fetch the piece from `location_ref`, check its CommP, publish, activate, serve `/piece/{cid}`.
 * `filverse devnet` starts one; it can also run alone against any L1 with those contracts.
 */
import { resolve } from "node:path";
import { createCryptoPool } from "@filverse/crypto";
import { createPieceStore, StorageProviderSimulator } from "@filverse/filecoin";
import { createL1Clients } from "@filverse/l1";
import { createLogger } from "@filverse/node";
import { isHex } from "@filverse/utils";
import type { Command } from "commander";
import type { Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { UsageError } from "../output.js";
import { readKey } from "./bridge.js";

type SpSimOpts = {
  l1Rpc: string;
  l1ChainId: string;
  dealClient: string;
  market: string;
  keyFile: string;
  pieceDir: string;
  host: string;
  port: string;
  startBlock: string;
  confirmations: string;
  logLevel: string;
};

export async function runSpSimulator(o: SpSimOpts): Promise<void> {
  for (const [flag, value] of [
    ["--deal-client", o.dealClient],
    ["--market", o.market],
  ] as const) {
    if (!isHex(value, 20)) throw new UsageError(`${flag} is not an address: ${value}`);
  }
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port is not a port: ${o.port}`);
  const logger = createLogger({ level: o.logLevel as "info" });
  const account = privateKeyToAccount(readKey(o.keyFile, "--key-file"));
  const pool = createCryptoPool();
  const sim = new StorageProviderSimulator(
    {
      dealClient: o.dealClient as Address,
      market: o.market as Address,
      startBlock: BigInt(o.startBlock),
      confirmations: Number(o.confirmations),
      host: o.host,
      port,
    },
    {
      clients: createL1Clients({ url: o.l1Rpc, chainId: Number(o.l1ChainId), pollingIntervalMs: 200 }),
      account,
      store: await createPieceStore({ dir: resolve(o.pieceDir) }),
      committer: pool,
      logger,
    },
  );
  const { url } = await sim.start();
  logger.info("sp-sim ready", { url, provider: account.address });
  await new Promise<void>((done) => {
    const stop = (signal: string) => {
      logger.info("shutting down", { signal });
      void sim
        .close()
        .then(() => pool.close())
        .finally(done);
    };
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
  });
}

export function registerStorageCommands(program: Command): void {
  program
    .command("sp-sim")
    .description(
      "run the devnet storage-provider simulator: takes FilverseDealClient deals, checks each piece's CommP, publishes and activates them on DevnetMarket, serves /piece/",
    )
    .requiredOption("--l1-rpc <url>", "L1 JSON-RPC URL")
    .requiredOption("--l1-chain-id <id>", "L1 chain id", "31415926")
    .requiredOption("--deal-client <address>", "FilverseDealClient address")
    .requiredOption("--market <address>", "DevnetMarket address")
    .requiredOption("--key-file <file>", "the provider's L1 key (0x hex, mode 0600)")
    .option("--piece-dir <dir>", "where accepted pieces are kept", ".filverse/sp-sim/pieces")
    .option("--host <host>", "listen address", "127.0.0.1")
    .option("--port <port>", "listen port (0: any free port)", "0")
    .option("--start-block <n>", "the L1 block the deal client was deployed at", "0")
    .option("--confirmations <n>", "L1 confirmations before a proposal is taken", "0")
    .option("--log-level <level>", "error, warn, info or debug", "info")
    .action((o: SpSimOpts) => runSpSimulator(o));
}
