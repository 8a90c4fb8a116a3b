/**
 * A running sequencer node: the Sequencer, its JSON-RPC server (HTTP + WS on one port, with
 * /healthz, /metrics and /piece/{pieceCid}), logging and metrics, and, with an L1, the deposit
 * watcher, the checkpoint submitter (whose batch fields come from the batch builder) and the deal
 * tracker, started and closed as one unit.
 */

import type { ServerResponse } from "node:http";
import { join, resolve } from "node:path";
import { type CryptoPool, type SingleThreadCrypto, signDigest } from "@filverse/crypto";
import { createDealClientBackend, createPdpBackend, DealTracker, type StorageBackend } from "@filverse/filecoin";
import { CheckpointSubmitter, createQuorumCollector, type DepositWatcher, type L1Clients } from "@filverse/l1";
import type { FilverseP2P } from "@filverse/p2p";
import type { RpcServer, RpcServerOpts } from "@filverse/rpc";
import type { Checkpoint } from "@filverse/types";
import { type FilverseError, fromHex, type Logger, nullLogger, toHex } from "@filverse/utils";
import { privateKeyToAccount } from "viem/accounts";
import { createRpcHandlers } from "../api/index.js";
import type { DepositSource } from "../chain/interface.js";
import { chainConfigOf, checkpointFillOf, type NodeConfigFile, readDevAccounts, readKeyFile } from "../config.js";
import { createDisputePlayer, type DisputePlayer, disputeChainView } from "../dispute/index.js";
import { createDisputeReader } from "../dispute/reader.js";
import { ConfigError, ConfigErrorCode } from "../errors.js";
import type { NodeMetrics } from "../metrics.js";
import { createNodeNetwork, gossipAsSequencer, gossipEvidence, watchNetwork } from "../network/network.js";
import { DevFaucet } from "../sequencer/devFaucet.js";
import { defaultSequencerOpts, Sequencer } from "../sequencer/sequencer.js";
import type { NodeBatches } from "./batches.js";
import { createCheckpointReader } from "./checkpointReader.js";
import { type HealthGate, serveHealth } from "./health.js";
import { registerOperationsMetrics } from "./operationsMetrics.js";
import { createRewindWatcher, type RewindWatcher, sameRoots } from "./rewindWatcher.js";
import { createNodeRpcServer, createNodeServices, explorerUrl } from "./services.js";

export type FilverseSequencerNodeOpts = {
  dataDir: string;
  config: NodeConfigFile;
  /** Overrides of config.rpc and the RPC server limits. */
  rpc?: Partial<RpcServerOpts>;
};

export class FilverseSequencerNode {
  readonly sequencer: Sequencer;
  readonly rpc: RpcServer;
  readonly metrics: NodeMetrics;
  /** The signature worker pool, unless config.workerPool is false. */
  readonly pool: CryptoPool | null;
  /** Deposits from the L1 bridge, when config.l1 is set. */
  readonly depositWatcher: DepositWatcher | null;
  /** Lost fault-proof games on L1 (rewinds), when config.l1.rollup is set. */
  private readonly rewindWatcher: RewindWatcher | null;
  /** While the rollup is halted by a proven fault: the last block L1 still vouches for. */
  private unsettledAbove: number | null = null;
  /** The target of the last rewind this node applied. */
  private rewoundTo: number | null = null;
  /** Checkpoints to the L1 rollup, when config.l1.rollup is set. */
  readonly checkpointSubmitter: CheckpointSubmitter | null;
  /** Batch pieces (checkpoint CARs), built, kept and served at /piece/, when config.l1.rollup is set. */
  readonly batches: NodeBatches;
  /** Deals for the batches, when config.storage.backend is set. */
  dealTracker: DealTracker | null = null;
  /** The p2p host, when config.p2p is set. */
  network: FilverseP2P | null = null;
  /** Defends this sequencer's blocks in the fault-proof game when config.dispute is set (dispute/player.ts). */
  readonly disputePlayer: DisputePlayer | null;
  /** One set of L1 clients for the deposit watcher, the submitter and the deal backend. */
  private readonly l1: L1Clients | null;
  private readonly commP: CryptoPool | SingleThreadCrypto;
  private readonly config: NodeConfigFile;
  private readonly dataDir: string;
  private readonly key: Uint8Array;
  private readonly logger: Logger;
  private closing: Promise<void> | null = null;
  /**
   * The node's one AbortController: close() aborts it first, and its signal, passed to every part at
   * construction, stops their loops, timers, retries and waits on remote ends at once.
   */
  private readonly controller = new AbortController();
  /**
   * Resolves with the reason once the node can make no more progress (a block commit or journal
   * write failed; /healthz answers 503 from then on). Never rejects; a node that closes normally
   * leaves it pending. A supervisor-run node should close and exit non-zero when it resolves.
   */
  readonly failed: Promise<FilverseError>;
  url = "";
  wsUrl = "";

  constructor(
    opts: FilverseSequencerNodeOpts,
    modules: { logger?: Logger | null; deposits?: DepositSource | null } = {},
  ) {
    const { config } = opts;
    const dataDir = resolve(opts.dataDir);
    this.logger = modules.logger ?? nullLogger;
    const chain = chainConfigOf(config);
    const key = readKeyFile(join(dataDir, config.keyFile));
    const devAccounts = readDevAccounts(dataDir, config);
    const { signal } = this.controller;
    const services = createNodeServices(config, { logger: this.logger, signal });
    this.metrics = services.metrics;
    this.batches = services.batches;
    this.l1 = services.l1;
    this.depositWatcher = services.depositWatcher;
    const deposits =
      modules.deposits ??
      this.depositWatcher ??
      (devAccounts.length > 0
        ? new DevFaucet(
            devAccounts.map((a) => ({ address: fromHex(a.address), amount: BigInt(config.devAccountBalance) })),
          )
        : null);
    this.pool = services.pool;
    this.commP = services.commP;
    this.config = config;
    this.dataDir = dataDir;
    this.key = key;
    this.checkpointSubmitter = null;
    this.sequencer = new Sequencer(
      {
        ...defaultSequencerOpts,
        chain,
        genesis: config.genesis,
        dataDir: join(dataDir, "chaindb"),
        stateHistory: config.stateHistory ?? defaultSequencerOpts.stateHistory,
        // Only a node that checkpoints completes ranges with empty blocks.
        checkpointFill: config.l1?.rollup ? checkpointFillOf(config) : null,
      },
      { key, logger: this.logger, metrics: this.metrics, deposits, recoverer: this.pool, signal },
    );
    const sequencer = this.sequencer;
    this.failed = new Promise((resolve) => sequencer.events.once("failed", resolve));
    if (config.l1?.rollup && this.l1) {
      const l1 = this.l1;
      const sequencer = this.sequencer;
      // The sequencer signs alone until verifier nodes co-sign (it must be a registered validator).
      this.checkpointSubmitter = new CheckpointSubmitter(
        { rollup: config.l1.rollup, l2ChainId: chain.chainId, interval: chain.checkpointInterval },
        {
          publicClient: l1.publicClient,
          walletClient: l1.walletClient,
          account: privateKeyToAccount(toHex(key) as `0x${string}`),
          chain: {
            // While L1 is halted by a proven fault this node has not rewound for yet, the blocks
            // past the last valid checkpoint are not offered: their checkpoint was proven wrong.
            headNumber: () =>
              this.unsettledAbove !== null && this.rewoundTo !== this.unsettledAbove
                ? Math.min(sequencer.head.number, this.unsettledAbove)
                : sequencer.head.number,
            header: async (n) => (await sequencer.db.getBlockByNumber(n))?.header ?? null,
          },
          ...(config.p2p
            ? {
                // Every connected peer is asked (verifiers answer when their own execution agrees);
                // signatures that do not recover to an active validator are dropped by the collector.
                collect: createQuorumCollector(
                  { rollup: config.l1.rollup, graceMs: 2_000 },
                  {
                    publicClient: l1.publicClient,
                    signers: () => [
                      async (_cp, digest) => toHex(signDigest(fromHex(digest), key)) as `0x${string}`,
                      ...(this.network?.peers() ?? []).map(
                        (peer) => async (cp: Checkpoint) =>
                          toHex(await this.network!.requestCheckpointSignature(peer.peerId, cp)) as `0x${string}`,
                      ),
                    ],
                    logger: this.logger,
                  },
                ),
              }
            : { sign: async (digest) => [toHex(signDigest(fromHex(digest), key)) as `0x${string}`] }),
          // Each checkpoint's blocks packed into their CAR, its Piece CID computed, the piece kept.
          batch: this.batches.build,
          logger: this.logger,
          signal,
        },
      );
    }
    // A lost fault-proof game on L1: the sequencer rewinds to the last valid checkpoint and re-seals.
    this.rewindWatcher = createRewindWatcher(config.l1, {
      l1: this.l1,
      rewind: async (req) => {
        await sequencer.rewind(req);
        this.rewoundTo = req.target;
      },
      implicated: async (cp) => {
        const own = await sequencer.db.getBlockByNumber(cp.lastBlock);
        return !!own && sameRoots(own.header, cp);
      },
      // The chain was right (a quorum's checkpoint over it was not): nothing to rewind, and the
      // submitter may sign checkpoint i again at once.
      notImplicated: (req) => {
        this.rewoundTo = req.target;
      },
      genesisHash: async () => (await sequencer.db.getGenesisHash())!,
      onUnsettled: (above) => {
        this.unsettledAbove = above;
      },
      logger: this.logger,
      signal,
    });
    // The sequencer defends its own blocks; it pays with its key, as for checkpoints.
    this.disputePlayer = createDisputePlayer(config, {
      l1: this.l1,
      account: config.dispute ? privateKeyToAccount(toHex(key) as `0x${string}`) : null,
      chain: disputeChainView(this.sequencer.core),
      metrics: this.metrics,
      logger: this.logger,
      signal,
    });
    this.metrics.validatorSetSource = () => this.checkpointSubmitter?.validatorSet ?? null;
    const core = this.sequencer.core;
    registerOperationsMetrics(this.metrics, {
      checkpoints: () => this.checkpointSubmitter?.stats ?? null,
      finalizedBlock: () => this.checkpointSubmitter?.finalizedBlock() ?? null,
      deals: () => this.dealTracker?.dealCounts() ?? null,
      l1: () => this.depositWatcher?.l1Status ?? null,
      head: () => ({ state: core.state, stateAt: (n) => core.stateAt(n) }),
    });
    this.rpc = createNodeRpcServer(config, opts.rpc, {
      methods: createRpcHandlers(
        this.sequencer,
        this.checkpointSubmitter && {
          checkpointedBlock: () => this.checkpointSubmitter!.checkpointedBlock(),
          finalizedBlock: () => this.checkpointSubmitter!.finalizedBlock(),
          storedBlock: () => this.dealTracker?.storedBlock() ?? 0,
        },
        () => this.network,
        config.dispute && this.l1 ? createDisputeReader(config.dispute.game, this.l1, this.disputePlayer) : null,
        config.l1?.rollup && this.l1
          ? createCheckpointReader(
              {
                rollup: config.l1.rollup,
                bridge: config.l1.bridge,
                startBlock: BigInt(config.l1.startBlock),
              },
              { l1: this.l1, deals: () => this.dealTracker },
            )
          : null,
      ),
      services,
      logger: this.logger,
      health: (res) => this.healthz(res),
    });
  }

  /**
   * Starts every part, the RPC server last. A start that fails half way (the RPC port in use, a
   * locked database) closes whatever it opened (timers, pool threads, the database) and rethrows.
   */
  async start(): Promise<{ url: string; wsUrl: string }> {
    try {
      return await this.startParts();
    } catch (err) {
      await this.close().catch((closeErr: unknown) =>
        this.logger.error("closing after a failed start failed", {}, closeErr),
      );
      throw err;
    }
  }

  private async startParts(): Promise<{ url: string; wsUrl: string }> {
    await this.depositWatcher?.start();
    await this.sequencer.start();
    const rewound = await this.sequencer.db.getRewind();
    this.rewoundTo = rewound?.status === "done" ? rewound.target : null;
    await this.rewindWatcher?.start();
    if (this.config.p2p) {
      const sequencer = this.sequencer;
      this.network = await createNodeNetwork(
        { config: this.config.p2p, dataDir: this.dataDir, chainId: this.config.genesis.chainId },
        { db: () => sequencer.db, head: () => sequencer.head, logger: this.logger },
      );
      gossipAsSequencer(this.network, sequencer, this.logger);
      // Evidence (even against this sequencer) is checked and relayed, so verifiers that peer only
      // with the sequencer still hear of it; the sequencer keeps no records.
      const l1 = this.config.l1;
      gossipEvidence(
        this.network,
        {
          sequencer: fromHex(privateKeyToAccount(toHex(this.key) as `0x${string}`).address, 20),
          checkpointDomain: l1?.rollup
            ? { l1ChainId: l1.chainId, rollup: l1.rollup, l2ChainId: this.config.genesis.chainId }
            : null,
        },
        { metrics: this.metrics, logger: this.logger },
      );
      watchNetwork(this.network, this.metrics);
      await this.network.start();
      this.logger.info("p2p listening", { peerId: this.network.peerId, multiaddrs: this.network.multiaddrs });
    }
    if (this.checkpointSubmitter) {
      const sequencer = this.sequencer;
      await this.batches.open(
        { dataDir: this.dataDir, pieceDir: this.config.storage?.pieceDir },
        { db: () => sequencer.db, committer: this.commP, logger: this.logger },
      );
    }
    await this.checkpointSubmitter?.start();
    this.disputePlayer?.start();
    const { url, wsUrl } = await this.rpc.start();
    this.url = url;
    this.wsUrl = wsUrl;
    if (this.batches.store) await this.startDeals(url);
    this.logger.info("rpc listening", { url, wsUrl, workerPool: this.pool ? this.pool.threads : 0 });
    const explorer = explorerUrl(this.rpc, url);
    if (explorer) this.logger.info("explorer served", { url: explorer });
    return { url, wsUrl };
  }

  /** The deal tracker, once the RPC URL (the pieces' public URL by default) is known. */
  private async startDeals(rpcUrl: string): Promise<void> {
    const storage = this.config.storage;
    const store = this.batches.store;
    if (!storage?.backend || !this.l1 || !this.checkpointSubmitter || !store) return;
    const submitter = this.checkpointSubmitter;
    let backend: StorageBackend;
    if (storage.backend === "pdp" && storage.pdp) {
      const { keyFile, ...pdp } = storage.pdp;
      backend = await createPdpBackend(
        { ...pdp, privateKey: readKeyFile(resolve(this.dataDir, keyFile)) },
        { logger: this.logger },
      );
    } else if (storage.backend === "dealclient" && storage.dealClient) {
      backend = createDealClientBackend(
        {
          dealClient: storage.dealClient.address,
          ...(storage.dealClient.startOffsetEpochs === undefined
            ? {}
            : { startOffsetEpochs: storage.dealClient.startOffsetEpochs }),
          ...(storage.dealClient.durationEpochs === undefined
            ? {}
            : { durationEpochs: storage.dealClient.durationEpochs }),
        },
        {
          clients: this.l1,
          account: privateKeyToAccount(toHex(this.key) as `0x${string}`),
        },
      );
    } else {
      throw new ConfigError(
        ConfigErrorCode.INVALID,
        `storage.backend "${storage.backend}" needs its storage.${storage.backend} settings`,
      );
    }
    this.dealTracker = new DealTracker(
      {
        stateFile: join(this.dataDir, "deals.json"),
        interval: submitter.interval,
        pieceBaseUrl: storage.publicUrl ?? rpcUrl,
        ...(storage.replication === undefined ? {} : { replication: storage.replication }),
        ...(storage.pollIntervalMs === undefined ? {} : { pollIntervalMs: storage.pollIntervalMs }),
      },
      {
        backend,
        batches: this.batches.build,
        store,
        checkpointedBlock: () => submitter.checkpointedBlock(),
        logger: this.logger,
        signal: this.controller.signal,
      },
    );
    await this.dealTracker.start();
  }

  /**
   * Idempotent. Aborts the node's signal (every loop and timer stops), then closes in order: RPC
   * first (no new work), then the sequencer (commits its block, closes the DB).
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.controller.abort();
      await this.rpc.close();
      await this.network?.stop();
      await this.dealTracker?.close();
      await this.checkpointSubmitter?.close();
      await this.disputePlayer?.idle();
      await this.rewindWatcher?.close();
      await this.sequencer.close();
      await this.depositWatcher?.close();
      await this.pool?.close();
    })();
    return this.closing;
  }

  /** What the process around this node adds to /healthz (the devnet: its other processes). */
  healthGate: HealthGate | null = null;

  private healthz(res: ServerResponse): void {
    serveHealth(
      res,
      this.sequencer.failure,
      () => ({ head: this.sequencer.head.number, pending: this.sequencer.mempool.size }),
      this.healthGate,
    );
  }
}
