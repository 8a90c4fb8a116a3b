/**
 * A running verifier node: the Verifier (following the sequencer's RPC, or blocks handed to it by
 * p2p), the read-only JSON-RPC (with `sendTransaction` forwarded to the sequencer, and
 * `filverse_getEvidence`), /healthz, /metrics and /piece/ (the batches it packs or rebuilds), and
 * with an L1: the bridge's messages checked against every block's deposits, the rollup's
 * checkpoints compared with re-execution, checkpoint co-signing with its validator key, and
 * equivocation evidence proven on the rollup when an L1 key is configured.
 */

import type { ServerResponse } from "node:http";
import { join, resolve } from "node:path";
import { type CryptoPool, recoverBlockSigner, type SingleThreadCrypto } from "@filverse/crypto";
import {
  type CheckpointDomain,
  type DepositWatcher,
  type L1Clients,
  readRollupIdentity,
  rollupJudgesEquivocationByContent,
  rollupReaderAbi,
} from "@filverse/l1";
import { type FilverseP2P, GossipValidationResult } from "@filverse/p2p";
import type { RpcServer, RpcServerOpts } from "@filverse/rpc";
import { bytesEqual, type FilverseError, fromHex, type Logger, nullLogger, toHex } from "@filverse/utils";
import type { Address, Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createRpcHandlers, type SettlementView } from "../api/index.js";
import { chainConfigOf, type NodeConfigFile, readKeyFile } from "../config.js";
import type { DisputePlayer } from "../dispute/index.js";
import { createDisputeReader } from "../dispute/reader.js";
import { ConfigError, ConfigErrorCode, VerifierError, VerifierErrorCode } from "../errors.js";
import type { NodeMetrics } from "../metrics.js";
import { createNodeNetwork, gossipEvidence, watchNetwork } from "../network/network.js";
import { type BlockSource, JsonRpcClient, RpcBlockSource } from "../sync/blockSource.js";
import { P2PBlockSource } from "../sync/p2pBlockSource.js";
import { bodyMatchesHeader } from "../verifier/blockTransactions.js";
import { type Evidence, submitEvidenceToL1 } from "../verifier/evidence.js";
import { type RebuildFromL1ReturnType, type RebuildProgress, rebuildFromL1 } from "../verifier/rebuild.js";
import type { RollupWatcher } from "../verifier/rollupWatcher.js";
import { defaultVerifierOpts, Verifier } from "../verifier/verifier.js";
import type { NodeBatches } from "./batches.js";
import { createCheckpointReader } from "./checkpointReader.js";
import { serveHealth } from "./health.js";
import type { RewindWatcher } from "./rewindWatcher.js";
import { createNodeRpcServer, createNodeServices, explorerUrl } from "./services.js";
import { registerVerifierMetrics, wireVerifierSettlement } from "./verifierSettlement.js";

export type FilverseVerifierNodeOpts = {
  dataDir: string;
  config: NodeConfigFile;
  /** Overrides of config.rpc and the RPC server limits. */
  rpc?: Partial<RpcServerOpts>;
  /** Do not follow the sequencer at start (`--from-l1` rebuilds first, then follows). */
  deferFollow?: boolean;
};

export type FilverseVerifierNodeModules = {
  logger?: Logger | null;
  /** Replaces the sequencer-RPC block source (p2p range sync). */
  source?: BlockSource | null;
};

export class FilverseVerifierNode {
  readonly verifier: Verifier;
  readonly rpc: RpcServer;
  readonly metrics: NodeMetrics;
  readonly pool: CryptoPool | null;
  /** Its own batches of each checkpoint's range (compared with the checkpoints), kept and served at /piece/. */
  readonly batches: NodeBatches;
  private readonly commP: CryptoPool | SingleThreadCrypto;
  private readonly depositWatcher: DepositWatcher | null;
  private readonly l1: L1Clients | null;
  private readonly config: NodeConfigFile;
  private readonly dataDir: string;
  private readonly logger: Logger;
  private readonly rollup: Address | null;
  private readonly l1KeyFile: string | null;
  /** The rollup's EIP-712 domain for checkpoints (co-signing, checkpoint evidence); null without L1. */
  private readonly checkpointDomain: CheckpointDomain | null;
  /** The rollup as last read: accepted checkpoints' last blocks, final count, checked up to. */
  /** The rollup's checkpoints compared with re-execution, and their finality, when config.l1.rollup is set. */
  private readonly rollupWatcher: RollupWatcher | null;
  /** Lost fault-proof games on L1 (rewinds), when config.l1.rollup is set. */
  private readonly rewindWatcher: RewindWatcher | null;
  /** Plays the fault-proof game when config.dispute is set (with an L1 key): see dispute/player.ts. */
  readonly disputePlayer: DisputePlayer | null;
  private closing: Promise<void> | null = null;
  /**
   * The node's one AbortController: close() aborts it first, and its signal, passed to every part at
   * construction, stops their loops, timers, retries and waits on remote ends at once.
   */
  private readonly controller = new AbortController();
  /**
   * Resolves with the reason once the verifier can make no more progress (a block commit failed;
   * /healthz answers 503 from then on). Never rejects; pending while the node runs or closes normally.
   */
  readonly failed: Promise<FilverseError>;
  /** The p2p host, when config.p2p is set: gossiped blocks in, co-signing requests answered. */
  network: FilverseP2P | null = null;
  url = "";
  wsUrl = "";

  constructor(opts: FilverseVerifierNodeOpts, modules: FilverseVerifierNodeModules = {}) {
    const { config } = opts;
    const v = config.verifier;
    if (!v) {
      throw new ConfigError(ConfigErrorCode.INVALID, "This data dir is not a verifier's (no `verifier` section)", {
        metaMessages: ["Create one with `filverse init --verifier --genesis-from <sequencer rpc> --data-dir <dir>`."],
      });
    }
    const dataDir = resolve(opts.dataDir);
    this.dataDir = dataDir;
    this.config = config;
    this.logger = modules.logger ?? nullLogger;
    const chain = chainConfigOf(config);
    const key = readKeyFile(join(dataDir, config.keyFile));
    const { signal } = this.controller;
    const services = createNodeServices(config, { logger: this.logger, signal });
    this.metrics = services.metrics;
    this.batches = services.batches;
    this.pool = services.pool;
    this.commP = services.commP;
    this.l1 = services.l1;
    this.rollup = config.l1?.rollup ?? null;
    this.l1KeyFile = v.l1KeyFile ? resolve(dataDir, v.l1KeyFile) : null;
    this.checkpointDomain =
      config.l1 && this.rollup ? { l1ChainId: config.l1.chainId, rollup: this.rollup, l2ChainId: chain.chainId } : null;
    this.depositWatcher = services.depositWatcher;
    const forward = v.sequencerRpc ? new JsonRpcClient({ url: v.sequencerRpc }, { signal }) : null;
    const rpcSource = forward ? new RpcBlockSource(forward) : null;
    // With p2p, blocks are synced from the best peer (the sequencer's RPC as the fallback).
    const source =
      modules.source ?? (config.p2p ? new P2PBlockSource(() => this.network, rpcSource, this.logger) : rpcSource);
    this.verifier = new Verifier(
      {
        ...defaultVerifierOpts,
        chain,
        genesis: config.genesis,
        sequencer: fromHex(v.sequencer, 20),
        dataDir: join(dataDir, "chaindb"),
        followIntervalMs: opts.deferFollow ? null : (v.followIntervalMs ?? defaultVerifierOpts.followIntervalMs),
        maxGossipLagSec: v.maxGossipLagSec ?? defaultVerifierOpts.maxGossipLagSec,
        stateHistory: config.stateHistory ?? defaultVerifierOpts.stateHistory,
      },
      {
        logger: this.logger,
        signal,
        metrics: this.metrics,
        recoverer: this.pool,
        source,
        deposits: this.depositWatcher,
        checkpointSigning: this.checkpointDomain ? { key, domain: this.checkpointDomain } : null,
        batches: this.batches.build,
        forward,
        // Only the sequencer subscribes to `txs`: with no subscriber in reach nothing is published
        // (a message gossipsub saw once it would drop as a duplicate when sent again).
        gossipTransaction: config.p2p
          ? async (tx) => {
              const net = this.network;
              return net && net.topicPeers("txs").length > 0 ? net.publishTransaction(tx) : 0;
            }
          : null,
      },
    );
    const verifier = this.verifier;
    this.failed = new Promise((resolve) => verifier.events.once("failed", resolve));
    ({
      disputePlayer: this.disputePlayer,
      rollupWatcher: this.rollupWatcher,
      rewindWatcher: this.rewindWatcher,
    } = wireVerifierSettlement({
      config,
      l1: this.l1,
      rollup: this.rollup,
      l1KeyFile: this.l1KeyFile,
      verifier,
      source,
      metrics: this.metrics,
      logger: this.logger,
      signal,
    }));
    const settlement: SettlementView | null = this.rollupWatcher;
    registerVerifierMetrics(this.metrics, verifier, this.rollupWatcher, this.depositWatcher);
    this.rpc = createNodeRpcServer(config, opts.rpc, {
      methods: createRpcHandlers(
        this.verifier,
        settlement,
        () => this.network,
        config.dispute && this.l1 ? createDisputeReader(config.dispute.game, this.l1, this.disputePlayer) : null,
        config.l1?.rollup && this.l1
          ? createCheckpointReader(
              {
                rollup: config.l1.rollup,
                bridge: config.l1.bridge,
                startBlock: BigInt(config.l1.startBlock),
              },
              { l1: this.l1, deals: () => null },
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
    await this.checkRollup();
    await this.batches.open(
      { dataDir: this.dataDir, pieceDir: this.config.storage?.pieceDir },
      { db: () => this.verifier.db, committer: this.commP, logger: this.logger },
    );
    await this.depositWatcher?.start();
    await this.verifier.start();
    await this.rewindWatcher?.start();
    if (this.config.p2p) await this.startNetwork(this.config.p2p);
    if (this.l1KeyFile && this.rollup) {
      this.verifier.onEvidence((e) => void this.proveOnL1(e));
      for (const kind of ["blockEquivocation", "preconfirmationBreach"] as const) {
        for (const e of this.verifier.evidence(kind)) if (!e.l1) void this.proveOnL1(e);
      }
    }
    const { url, wsUrl } = await this.rpc.start();
    this.url = url;
    this.wsUrl = wsUrl;
    this.rollupWatcher?.start();
    this.disputePlayer?.start();
    this.logger.info("rpc listening", { url, wsUrl, role: "verifier", workerPool: this.pool ? this.pool.threads : 0 });
    const explorer = explorerUrl(this.rpc, url);
    if (explorer) this.logger.info("explorer served", { url: explorer });
    return { url, wsUrl };
  }

  /** Rebuild from the rollup's checkpoints and their pieces (the node must be started with deferFollow), then follow. */
  async rebuildFromL1(
    pieceUrls: string[],
    onProgress: ((p: RebuildProgress) => void) | null = null,
    signal?: AbortSignal,
  ): Promise<RebuildFromL1ReturnType> {
    if (!this.l1 || !this.rollup || !this.config.l1) {
      throw new ConfigError(
        ConfigErrorCode.INVALID,
        "Rebuilding from L1 needs `l1.rpcUrl` and `l1.rollup` in the config",
      );
    }
    const urls = [...pieceUrls, ...(this.config.verifier?.pieceUrls ?? [])];
    if (urls.length === 0) {
      throw new ConfigError(ConfigErrorCode.INVALID, "Rebuilding from L1 needs at least one piece URL (--piece-url)");
    }
    const result = await rebuildFromL1(
      {
        rollup: this.rollup,
        startBlock: BigInt(this.config.l1.startBlock),
        pieceUrls: urls,
        // Closing the node aborts a rebuild too.
        signal: signal ? AbortSignal.any([signal, this.controller.signal]) : this.controller.signal,
      },
      {
        verifier: this.verifier,
        publicClient: this.l1.publicClient,
        committer: this.commP,
        pieceStore: this.batches.store,
        logger: this.logger,
        onProgress,
      },
    );
    this.verifier.startFollowing();
    return result;
  }

  /**
   * Idempotent. Aborts the node's signal (following, queued imports, the L1 pollers and waits on
   * the sequencer stop at once), then closes in order: RPC first (no new work), then the verifier
   * (its DB), the pool.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.controller.abort();
      await this.rpc.close();
      await this.network?.stop();
      // A rollup poll in flight is awaited before the verifier closes.
      await this.rollupWatcher?.idle();
      await this.disputePlayer?.idle();
      await this.rewindWatcher?.close();
      await this.verifier.close();
      await this.depositWatcher?.close();
      await this.pool?.close();
    })();
    return this.closing;
  }

  /**
   * Gossiped blocks go through the same `importBlock` as synced ones; a block whose seal does not
   * recover to the sequencer is rejected at the gossip layer (the relaying peer is scored down).
   * Checkpoint-signature requests are answered by `signCheckpoint` (a refusal is an error response).
   */
  private async startNetwork(config: NonNullable<NodeConfigFile["p2p"]>): Promise<void> {
    const verifier = this.verifier;
    const sequencer = fromHex(this.config.verifier!.sequencer, 20);
    const network = await createNodeNetwork(
      { config, dataDir: this.dataDir, chainId: this.config.genesis.chainId },
      {
        db: () => verifier.db,
        head: () => verifier.head,
        logger: this.logger,
        signCheckpoint: (cp) => verifier.signCheckpoint(cp, "p2p"),
      },
    );
    network.subscribe("blocks", {
      validate: async ({ value, bytes, from }) => {
        const receivedAt = Date.now();
        try {
          if (!bytesEqual(recoverBlockSigner(value.header, value.signature), sequencer)) {
            return GossipValidationResult.Reject;
          }
        } catch {
          return GossipValidationResult.Reject;
        }
        const source = `p2p:${from}`;
        // A height this node has committed: a duplicate or equivocation (recorded; the evidence is
        // gossiped instead of the block) is not relayed; the sealed header with another body was
        // altered by the peer, which checked it before relaying, as this node does below.
        const committed = async () => {
          const verdict = await verifier.judgeCommittedHeight(value, bytes, source);
          return verdict === "duplicate" || verdict === "equivocation" || verdict === "rewound"
            ? GossipValidationResult.Ignore
            : GossipValidationResult.Reject;
        };
        const head = verifier.head.number;
        if (value.header.number <= head) return committed();
        if (value.header.number > head + 1) {
          // Ahead (this node is behind): relayed once its body is the one its sealed header commits
          // to; imported (buffered) on delivery, checked in full when its turn comes.
          return bodyMatchesHeader(value) ? GossipValidationResult.Accept : GossipValidationResult.Reject;
        }
        // The next block: checked in full before it is relayed.
        if (!verifier.syncing()) verifier.observeGossipedBlock(value, receivedAt);
        try {
          const result = await verifier.importBlock(value, source);
          if (result.status === "known") return committed();
          return result.status === "imported" ? GossipValidationResult.Accept : GossipValidationResult.Ignore;
        } catch (err) {
          this.logger.warn("gossiped block refused", { number: value.header.number, from, err: String(err) });
          // Invalid is the relayer's fault (it validates before relaying); the rest (deposits not
          // final here yet, a timestamp ahead of this clock, equivocation) is not.
          return err instanceof VerifierError && err.code === VerifierErrorCode.INVALID_BLOCK
            ? GossipValidationResult.Reject
            : GossipValidationResult.Ignore;
        }
      },
      onMessage: ({ value, from }) => {
        if (value.header.number <= verifier.head.number) return; // imported while it was validated
        verifier.importBlock(value, `p2p:${from}`).catch((err) => {
          this.logger.warn("gossiped block refused", { number: value.header.number, from, err: String(err) });
        });
      },
    });
    gossipEvidence(
      network,
      { sequencer, checkpointDomain: this.checkpointDomain },
      {
        record: (e) => verifier.evidenceStore.record(e),
        onEvidence: (listener) => verifier.onEvidence(listener),
        metrics: this.metrics,
        logger: this.logger,
      },
    );
    watchNetwork(network, this.metrics);
    await network.start();
    this.network = network;
    this.logger.info("p2p listening", { peerId: network.peerId, multiaddrs: network.multiaddrs });
  }

  /** The configured rollup must be this chain's, with this sequencer. */
  private async checkRollup(): Promise<void> {
    if (!this.l1 || !this.rollup) return;
    const id = await readRollupIdentity(this.rollup, this.l1);
    const sequencer = this.config.verifier!.sequencer.toLowerCase();
    if (id.l2ChainId !== this.config.genesis.chainId || id.sequencer.toLowerCase() !== sequencer) {
      throw new ConfigError(ConfigErrorCode.INVALID, "The configured rollup is not this chain's", {
        details: { rollup: this.rollup, rollupChainId: id.l2ChainId, rollupSequencer: id.sequencer, sequencer },
      });
    }
    // A rollup from before content-based equivocation would slash a checkpoint re-signed for a new
    // validator set: against it this node never signs a second digest at an index.
    if (!(await rollupJudgesEquivocationByContent(this.rollup, this.l1))) {
      this.verifier.setEquivocationRule("digest");
      this.logger.warn(
        "the rollup judges checkpoint equivocation by digest; re-signing for a new validator set is off",
      );
    }
  }

  /** Prove block equivocation or a broken preconfirmation on the rollup, once (the record notes the L1 tx). */
  private async proveOnL1(e: Evidence): Promise<void> {
    if (e.kind !== "blockEquivocation" && e.kind !== "preconfirmationBreach") return;
    if (!this.l1 || !this.rollup || !this.l1KeyFile) return;
    try {
      const read = (functionName: "halted" | "sequencerBond") =>
        this.l1!.publicClient.readContract({ address: this.rollup!, abi: rollupReaderAbi, functionName });
      if (e.kind === "blockEquivocation" && (await read("halted"))) {
        this.logger.info("rollup already halted; equivocation not proven again", { id: e.id });
        return;
      }
      if ((await read("sequencerBond")) === 0n) {
        this.logger.info("the sequencer has no bond; evidence not proven", { id: e.id, kind: e.kind });
        return;
      }
      const account = privateKeyToAccount(toHex(readKeyFile(this.l1KeyFile)) as Hex);
      const tx = await submitEvidenceToL1(e, {
        ...this.l1,
        account,
        rollup: this.rollup,
        sequencer: this.verifier.sequencer,
        chainId: this.verifier.chainId,
      });
      await this.verifier.evidenceStore.markSubmitted(e.id, tx);
      this.logger.warn("evidence proven on L1", { id: e.id, kind: e.kind, number: e.number, tx });
    } catch (err) {
      this.logger.error("proving evidence on L1 failed", { id: e.id, kind: e.kind }, err);
    }
  }

  private healthz(res: ServerResponse): void {
    const v = this.verifier;
    serveHealth(res, v.failure, () => ({
      role: "verifier",
      head: v.head.number,
      syncing: v.syncing(),
      evidence: v.evidence().length,
    }));
  }
}
