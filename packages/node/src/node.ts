/**
 * A running sequencer node: the Sequencer, its JSON-RPC server (HTTP + WS on one port, with
 * /healthz and /metrics), logging and metrics, started and closed as one unit.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { join, resolve } from "node:path";
import { type CryptoPool, createCryptoPool, signDigest } from "@filverse/crypto";
import { CheckpointSubmitter, createL1Clients, DepositWatcher } from "@filverse/l1";
import { getChainConfig } from "@filverse/params";
import { RpcServer, type RpcServerOpts } from "@filverse/rpc";
import { fromHex, type Logger, nullLogger, toHex } from "@filverse/utils";
import { privateKeyToAccount } from "viem/accounts";
import { type NodeConfigFile, readDevAccounts, readKeyFile } from "./config.js";
import { DevFaucet } from "./devFaucet.js";
import { NodeMetrics } from "./metrics.js";
import { createRpcHandlers } from "./rpcHandlers.js";
import { type DepositSource, defaultSequencerOpts, Sequencer } from "./sequencer.js";

export type FilverseNodeOpts = {
  dataDir: string;
  config: NodeConfigFile;
  /** Overrides of config.rpc and the RPC server limits. */
  rpc?: Partial<RpcServerOpts>;
};

export class FilverseNode {
  readonly sequencer: Sequencer;
  readonly rpc: RpcServer;
  readonly metrics = new NodeMetrics();
  /** The signature worker pool, unless config.workerPool is false. */
  readonly pool: CryptoPool | null;
  /** Deposits from the L1 bridge, when config.l1 is set. */
  readonly depositWatcher: DepositWatcher | null;
  /** Checkpoints to the L1 rollup, when config.l1.rollup is set. */
  readonly checkpointSubmitter: CheckpointSubmitter | null;
  private readonly logger: Logger;
  private closing: Promise<void> | null = null;
  url = "";
  wsUrl = "";

  constructor(opts: FilverseNodeOpts, modules: { logger?: Logger | null; deposits?: DepositSource | null } = {}) {
    const { config } = opts;
    const dataDir = resolve(opts.dataDir);
    this.logger = modules.logger ?? nullLogger;
    const chain = getChainConfig(config.preset, { ...config.chain, chainId: config.genesis.chainId });
    const key = readKeyFile(join(dataDir, config.keyFile));
    const devAccounts = readDevAccounts(dataDir, config);
    this.depositWatcher = config.l1
      ? new DepositWatcher(
          {
            bridge: config.l1.bridge,
            startBlock: BigInt(config.l1.startBlock),
            ...(config.l1.confirmations === undefined ? {} : { confirmations: config.l1.confirmations }),
            ...(config.l1.pollIntervalMs === undefined ? {} : { pollIntervalMs: config.l1.pollIntervalMs }),
          },
          {
            publicClient: createL1Clients({ url: config.l1.rpcUrl, chainId: config.l1.chainId }).publicClient,
            logger: this.logger,
          },
        )
      : null;
    const deposits =
      modules.deposits ??
      this.depositWatcher ??
      (devAccounts.length > 0
        ? new DevFaucet(
            devAccounts.map((a) => ({ address: fromHex(a.address), amount: BigInt(config.devAccountBalance) })),
          )
        : null);
    this.pool = config.workerPool === false ? null : createCryptoPool();
    this.checkpointSubmitter = null;
    this.sequencer = new Sequencer(
      { ...defaultSequencerOpts, chain, genesis: config.genesis, dataDir: join(dataDir, "chaindb") },
      { key, logger: this.logger, metrics: this.metrics, deposits, recoverer: this.pool },
    );
    if (config.l1?.rollup) {
      const l1 = createL1Clients({ url: config.l1.rpcUrl, chainId: config.l1.chainId });
      const sequencer = this.sequencer;
      // The sequencer signs alone until verifier nodes co-sign (it must be a registered validator).
      this.checkpointSubmitter = new CheckpointSubmitter(
        { rollup: config.l1.rollup, l2ChainId: chain.chainId, interval: chain.checkpointInterval },
        {
          publicClient: l1.publicClient,
          walletClient: l1.walletClient,
          account: privateKeyToAccount(toHex(key) as `0x${string}`),
          chain: {
            headNumber: () => sequencer.head.number,
            header: async (n) => (await sequencer.db.getBlockByNumber(n))?.header ?? null,
          },
          sign: async (digest) => [toHex(signDigest(fromHex(digest), key)) as `0x${string}`],
          logger: this.logger,
        },
      );
    }
    const rateLimit = config.rpc.rateLimit === undefined ? {} : { rateLimit: config.rpc.rateLimit };
    this.rpc = new RpcServer(
      { host: config.rpc.host, port: config.rpc.port, ...rateLimit, ...opts.rpc },
      {
        methods: createRpcHandlers(this.sequencer, this.checkpointSubmitter),
        logger: this.logger,
        routes: {
          "/healthz": (req, res) => this.healthz(req, res),
          "/metrics": (req, res) => void this.serveMetrics(req, res),
        },
      },
    );
  }

  async start(): Promise<{ url: string; wsUrl: string }> {
    await this.depositWatcher?.start();
    await this.sequencer.start();
    await this.checkpointSubmitter?.start();
    const { url, wsUrl } = await this.rpc.start();
    this.url = url;
    this.wsUrl = wsUrl;
    this.logger.info("rpc listening", { url, wsUrl, workerPool: this.pool ? this.pool.threads : 0 });
    return { url, wsUrl };
  }

  /** Idempotent; RPC first (no new work), then the sequencer (commits its block, closes the DB). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.rpc.close();
      await this.checkpointSubmitter?.close();
      await this.sequencer.close();
      await this.depositWatcher?.close();
      await this.pool?.close();
    })();
    return this.closing;
  }

  private healthz(_req: IncomingMessage, res: ServerResponse): void {
    let body: Record<string, unknown>;
    let status = 200;
    try {
      body = { status: "ok", head: this.sequencer.head.number, pending: this.sequencer.mempool.size };
    } catch {
      status = 503;
      body = { status: "starting" };
    }
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  }

  private async serveMetrics(_req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.writeHead(200, { "content-type": this.metrics.contentType }).end(await this.metrics.text());
  }
}
