/**
 * What both node kinds run besides their chain, built from the config the same way for both: the
 * worker pool, the L1 clients and the bridge's deposit watcher, the metrics, the batch pieces, and
 * the JSON-RPC server with the routes every node serves (/healthz, /metrics, /piece/*, and the
 * explorer at / when config.rpc.explorer allows it).
 */
import type { ServerResponse } from "node:http";
import { type CryptoPool, createCryptoPool, SingleThreadCrypto } from "@filverse/crypto";
import { createExplorerRoutes, ExplorerError, type ExplorerRoute } from "@filverse/explorer";
import { createL1Clients, type DepositWatcher, type L1Clients } from "@filverse/l1";
import { RpcServer, type RpcServerOpts } from "@filverse/rpc";
import type { Logger } from "@filverse/utils";
import type { RpcHandlers } from "../api/types.js";
import { createDepositWatcher, explorerEnabled, type NodeConfigFile } from "../config.js";
import { NodeMetrics } from "../metrics.js";
import { NodeBatches } from "./batches.js";

export type NodeServices = {
  metrics: NodeMetrics;
  /** The signature worker pool, unless config.workerPool is false. */
  pool: CryptoPool | null;
  /** Where CommP is computed: the pool, or this thread. */
  commP: CryptoPool | SingleThreadCrypto;
  /** One set of L1 clients for everything that talks to L1, when config.l1 is set. */
  l1: L1Clients | null;
  /** The bridge's final deposits, when config.l1 is set. */
  depositWatcher: DepositWatcher | null;
  /** Batch pieces (checkpoint CARs), built, kept and served at /piece/. */
  batches: NodeBatches;
};

/** `signal`: the node's; the deposit watcher stops polling when it is aborted. */
export function createNodeServices(
  config: NodeConfigFile,
  modules: { logger: Logger; signal: AbortSignal },
): NodeServices {
  const pool = config.workerPool === false ? null : createCryptoPool();
  const l1 = config.l1 ? createL1Clients({ url: config.l1.rpcUrl, chainId: config.l1.chainId }) : null;
  return {
    metrics: new NodeMetrics(),
    pool,
    commP: pool ?? new SingleThreadCrypto(),
    l1,
    depositWatcher:
      config.l1 && l1 ? createDepositWatcher(config.l1, { publicClient: l1.publicClient, ...modules }) : null,
    batches: new NodeBatches(),
  };
}

export type NodeRpcServerModules = {
  methods: RpcHandlers;
  services: NodeServices;
  logger: Logger;
  /** Answers GET /healthz (see serveHealth). */
  health: (res: ServerResponse) => void;
};

/** The node's JSON-RPC server (HTTP and WebSocket on config.rpc's port) with the routes every node serves. */
export function createNodeRpcServer(
  config: NodeConfigFile,
  overrides: Partial<RpcServerOpts> | undefined,
  modules: NodeRpcServerModules,
): RpcServer {
  const { metrics, batches } = modules.services;
  const rateLimit = config.rpc.rateLimit === undefined ? {} : { rateLimit: config.rpc.rateLimit };
  const explorer = explorerEnabled(config) ? explorerRoutes(modules.logger) : {};
  const server = new RpcServer(
    { host: config.rpc.host, port: config.rpc.port, ...rateLimit, ...overrides },
    {
      methods: modules.methods,
      logger: modules.logger,
      routes: {
        "/healthz": (_req, res) => modules.health(res),
        "/metrics": (_req, res) => void serveMetrics(metrics, res),
        "/piece/*": batches.route,
        ...explorer,
      },
    },
  );
  if ("/" in explorer) explorerServers.add(server);
  return server;
}

const explorerServers = new WeakSet<RpcServer>();

/**
 * The explorer's URL on a started server (its RPC URL with `/`), or null when it does not serve
 * one: the nodes log it at start so an operator sees where to open it.
 */
export function explorerUrl(server: RpcServer, rpcUrl: string): string | null {
  return explorerServers.has(server) ? `${rpcUrl.replace(/\/+$/, "")}/` : null;
}

/**
 * The explorer's page and assets. A package installed without its bundle (a source checkout never
 * built) costs the page, not the node: it logs why and GET / keeps its JSON hint.
 */
function explorerRoutes(logger: Logger): Record<string, ExplorerRoute> {
  try {
    return createExplorerRoutes();
  } catch (e) {
    if (!(e instanceof ExplorerError)) throw e;
    logger.warn("explorer not served", { code: e.code, reason: e.shortMessage, ...e.details });
    return {};
  }
}

async function serveMetrics(metrics: NodeMetrics, res: ServerResponse): Promise<void> {
  res.writeHead(200, { "content-type": metrics.contentType }).end(await metrics.text());
}
