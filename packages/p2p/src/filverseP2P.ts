/**
 * FilverseP2P: one libp2p 3 host (TCP, noise, yamux, identify, gossipsub) with Filverse's gossip
 * topics, req/resp protocols, limits and peer scoring. Created with `createFilverseP2P(opts, modules)`;
 * `start()` listens and dials the bootstrap peers, `stop()` releases every socket and timer.
 */
import { createHash } from "node:crypto";
import { EventEmitter } from "node:events";
import { noise } from "@chainsafe/libp2p-noise";
import { yamux } from "@chainsafe/libp2p-yamux";
import type { Checkpoint, SignedBlock, SignedTransaction } from "@filverse/types";
import { type Logger, nullLogger } from "@filverse/utils";
import {
  type GossipSub,
  type GossipsubMessage,
  gossipsub,
  type Message,
  TopicValidatorResult,
} from "@libp2p/gossipsub";
import { identify } from "@libp2p/identify";
import type { Libp2p, PeerId, PrivateKey } from "@libp2p/interface";
import { tcp } from "@libp2p/tcp";
import { createLibp2p } from "libp2p";
import { BootstrapDialer, parseBootstrapPeers } from "./bootstrap.js";
import { P2PError, P2PErrorCode } from "./errors.js";
import { GOSSIP_SCORE_THRESHOLDS, gossipScoreParams } from "./gossipScoring.js";
import {
  type CheckpointSignature,
  decodeGossip,
  type Evidence,
  encodeGossip,
  type GossipPayloads,
  type Status,
} from "./messages.js";
import {
  type FilverseP2PInit,
  type FilverseP2POpts,
  GOSSIPSUB_MAX_RPC_BYTES,
  resolveP2POpts,
  validateP2POpts,
} from "./options.js";
import { loadOrCreatePeerKey } from "./peerKey.js";
import { type BanInfo, PeerScoreStore, PenaltyReason, type ScoreChange } from "./peerScore.js";
import { RateLimiter } from "./rateLimiter.js";
import { type BlockWithBytes, ReqResp, type ReqRespServers, toPeerId } from "./reqresp/reqResp.js";
import { GOSSIP_TOPICS, type GossipTopicName, gossipTopic } from "./topics.js";

/** A validator's verdict on a gossip message, as gossipsub takes it. */
export enum GossipValidationResult {
  /** Valid: deliver it to the subscriber and forward it. */
  Accept = "accept",
  /** Not forwarded, no penalty (a duplicate, something not yet checkable). */
  Ignore = "ignore",
  /** Invalid: not forwarded, and the peer that sent it is penalized. */
  Reject = "reject",
}

const TO_GOSSIPSUB: Record<GossipValidationResult, TopicValidatorResult> = {
  [GossipValidationResult.Accept]: TopicValidatorResult.Accept,
  [GossipValidationResult.Ignore]: TopicValidatorResult.Ignore,
  [GossipValidationResult.Reject]: TopicValidatorResult.Reject,
};

export type GossipMessage<T extends GossipTopicName = GossipTopicName> = {
  topic: T;
  value: GossipPayloads[T];
  /** The message's bytes as received. */
  bytes: Uint8Array;
  /** The peer that forwarded it to us (not necessarily its author). */
  from: string;
};

export type GossipHandler<T extends GossipTopicName> = {
  /** Decides whether a decoded message is forwarded and delivered. Absent: accept anything that decodes. */
  validate?: (msg: GossipMessage<T>) => Promise<GossipValidationResult> | GossipValidationResult;
  /** Called for each accepted message. */
  onMessage: (msg: GossipMessage<T>) => void;
};

export type FilverseP2PModules = Partial<ReqRespServers> & { logger?: Logger | null };

export type PeerInfo = { peerId: string; addresses: string[]; score: number };

export type FilverseP2PEvents = {
  "peer:connected": [{ peerId: string }];
  "peer:disconnected": [{ peerId: string }];
  /** The local score of a peer dropped. */
  "peer:penalized": [ScoreChange];
  /** A peer fell under the ban threshold and is being disconnected. */
  "peer:banned": [BanInfo];
};

type Services = { identify: unknown; pubsub: GossipSub };

/** Messages are identified by sha256(topic ‖ 0x00 ‖ data), first 20 bytes: no signatures, no sequence numbers. */
function messageId(msg: Message): Uint8Array {
  return createHash("sha256")
    .update(msg.topic)
    .update(new Uint8Array([0]))
    .update(msg.data)
    .digest()
    .subarray(0, 20);
}

export async function createFilverseP2P(init: FilverseP2PInit, modules: FilverseP2PModules = {}): Promise<FilverseP2P> {
  const opts = resolveP2POpts(init);
  validateP2POpts(opts);
  const privateKey = opts.peerKeyFile === null ? undefined : await loadOrCreatePeerKey(opts.peerKeyFile);
  return new FilverseP2P(opts, modules, privateKey);
}

export class FilverseP2P extends EventEmitter<FilverseP2PEvents> {
  readonly opts: FilverseP2POpts;
  private readonly logger: Logger;
  private readonly controller = new AbortController();
  private readonly scores: PeerScoreStore;
  private readonly gossipLimiters: Record<GossipTopicName, RateLimiter>;
  private readonly handlers = new Map<GossipTopicName, GossipHandler<GossipTopicName>>();
  /** Decoded messages between validation and delivery; gossipsub hands the same Message object to both. */
  private readonly accepted = new WeakMap<Message, GossipMessage>();
  private readonly modules: FilverseP2PModules;
  private readonly privateKey: PrivateKey | undefined;
  private node: Libp2p<Services> | null = null;
  private reqResp: ReqResp | null = null;
  private bootstrap: BootstrapDialer | null = null;
  private state: "created" | "starting" | "running" | "stopped" = "created";

  /** Prefer `createFilverseP2P`, which resolves defaults and loads the key file. */
  constructor(opts: FilverseP2POpts, modules: FilverseP2PModules, privateKey?: PrivateKey) {
    super();
    this.opts = opts;
    this.modules = modules;
    this.privateKey = privateKey;
    this.logger = (modules.logger ?? nullLogger).child({ module: "p2p" });
    this.scores = new PeerScoreStore(opts.scoring, {
      onChange: (c) => {
        this.logger.debug("peer penalized", { ...c });
        this.emit("peer:penalized", c);
      },
      onBan: (b) => this.onBan(b),
    });
    this.gossipLimiters = {
      blocks: new RateLimiter(opts.gossip.rateLimits.blocks),
      txs: new RateLimiter(opts.gossip.rateLimits.txs),
      "checkpoint-signatures": new RateLimiter(opts.gossip.rateLimits["checkpoint-signatures"]),
      evidence: new RateLimiter(opts.gossip.rateLimits.evidence),
    };
    parseBootstrapPeers(opts.bootstrapPeers); // fail at construction on a malformed address
  }

  /** Listen, register the protocols, subscribe the topics with handlers, dial the bootstrap peers. */
  async start(): Promise<void> {
    if (this.state !== "created") {
      throw new P2PError(P2PErrorCode.NOT_RUNNING, `start() called on a node that is ${this.state}`);
    }
    this.state = "starting";
    const { opts } = this;
    const signal = this.controller.signal;
    const banned = (peer: PeerId) => this.scores.isBanned(peer.toString());
    const node = await createLibp2p<Services>({
      start: false,
      ...(this.privateKey ? { privateKey: this.privateKey } : {}),
      addresses: { listen: opts.listen, announce: opts.announce },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      connectionGater: {
        denyDialPeer: banned,
        denyInboundEncryptedConnection: banned,
        denyOutboundEncryptedConnection: banned,
      },
      connectionManager: { maxConnections: opts.maxConnections },
      services: {
        identify: identify(),
        pubsub: gossipsub({
          // Filverse messages authenticate themselves (seals, transaction and checkpoint signatures);
          // like Ethereum, gossip carries no author signature, sequence number or peer id.
          globalSignaturePolicy: "StrictNoSign",
          msgIdFn: messageId,
          fallbackToFloodsub: false,
          allowPublishToZeroTopicPeers: true,
          ignoreDuplicatePublishError: true,
          emitSelf: false,
          allowedTopics: GOSSIP_TOPICS.map((t) => gossipTopic(opts.chainId, t)),
          // A larger RPC frame ends gossipsub's stream with the peer before anything is decoded.
          maxInboundDataLength: GOSSIPSUB_MAX_RPC_BYTES,
          scoreParams: gossipScoreParams(opts.chainId, (peerId) => this.scores.score(peerId)),
          scoreThresholds: GOSSIP_SCORE_THRESHOLDS,
        }),
      },
    });
    this.node = node;
    node.addEventListener("peer:connect", (evt) => {
      const peerId = evt.detail.toString();
      if (this.scores.isBanned(peerId)) void node.hangUp(evt.detail).catch(() => {});
      this.emit("peer:connected", { peerId });
    });
    node.addEventListener("peer:disconnect", (evt) => {
      const peerId = evt.detail.toString();
      this.emit("peer:disconnected", { peerId });
      this.bootstrap?.onDisconnect(peerId);
    });

    await node.start();
    const pubsub = node.services.pubsub;
    for (const name of GOSSIP_TOPICS) {
      pubsub.topicValidators.set(gossipTopic(opts.chainId, name), (peer, msg) => this.validateGossip(name, peer, msg));
    }
    pubsub.addEventListener("gossipsub:message", this.onGossipMessage);
    for (const name of this.handlers.keys()) pubsub.subscribe(gossipTopic(opts.chainId, name));

    this.reqResp = new ReqResp(opts.reqResp, {
      libp2p: node,
      chainId: opts.chainId,
      scores: this.scores,
      logger: this.logger,
      signal,
      servers: {
        getBlockBytes: this.modules.getBlockBytes ?? null,
        getStatus: this.modules.getStatus ?? null,
        signCheckpoint: this.modules.signCheckpoint ?? null,
      },
    });
    await this.reqResp.register();

    this.bootstrap = new BootstrapDialer(parseBootstrapPeers(opts.bootstrapPeers), opts.redial, {
      dial: (addr, s) => node.dial(addr, { signal: s }),
      isConnected: (peerId) => node.getPeers().some((p) => p.toString() === peerId),
      bannedUntil: (peerId) => this.scores.bannedUntil(peerId),
      logger: this.logger,
      signal,
    });
    this.state = "running";
    this.bootstrap.start();
    this.logger.info("p2p started", { peerId: this.peerId, addresses: this.multiaddrs });
  }

  /** Close every connection, listener and timer. Idempotent; a stopped node cannot start again. */
  async stop(): Promise<void> {
    if (this.state === "stopped") return;
    this.state = "stopped";
    this.controller.abort();
    this.bootstrap?.stop();
    await this.reqResp?.unregister();
    if (this.node) {
      this.node.services.pubsub.removeEventListener("gossipsub:message", this.onGossipMessage);
      await this.node.stop();
    }
    this.logger.info("p2p stopped");
  }

  get peerId(): string {
    return this.libp2p.peerId.toString();
  }

  /** The addresses peers can dial, each ending in `/p2p/<peerId>`. */
  get multiaddrs(): string[] {
    return this.libp2p.getMultiaddrs().map((m) => m.toString());
  }

  /** The underlying libp2p host, for what this class does not wrap. */
  get libp2p(): Libp2p<Services> {
    if (!this.node) throw new P2PError(P2PErrorCode.NOT_RUNNING, "The p2p node has not been started");
    return this.node;
  }

  peers(): PeerInfo[] {
    const node = this.libp2p;
    return node.getPeers().map((p) => ({
      peerId: p.toString(),
      addresses: node.getConnections(p).map((c) => c.remoteAddr.toString()),
      score: this.scores.score(p.toString()),
    }));
  }

  /** The local score of a peer (0 when never penalized). */
  scoreOf(peerId: string): number {
    return this.scores.score(peerId);
  }

  /** gossipsub's own score of a peer (mesh behaviour, invalid deliveries, plus the local score). */
  gossipScoreOf(peerId: string): number {
    // The implementation has getScore; the exported GossipSub interface does not declare it.
    return (this.libp2p.services.pubsub as unknown as { getScore(id: string): number }).getScore(peerId);
  }

  isBanned(peerId: string): boolean {
    return this.scores.isBanned(peerId);
  }

  /** Lower a peer's score from outside (for example the node found a synced block invalid). */
  penalize(peerId: string, reason: PenaltyReason): number {
    return this.scores.penalize(peerId, reason);
  }

  // ------------------------------------------------------------------ gossip

  /** Subscribe to a topic; one handler per topic, a second call replaces the first. */
  subscribe<T extends GossipTopicName>(topic: T, handler: GossipHandler<T>): void {
    this.handlers.set(topic, handler as unknown as GossipHandler<GossipTopicName>);
    if (this.state === "running") this.libp2p.services.pubsub.subscribe(gossipTopic(this.opts.chainId, topic));
  }

  unsubscribe(topic: GossipTopicName): void {
    this.handlers.delete(topic);
    if (this.state === "running") this.libp2p.services.pubsub.unsubscribe(gossipTopic(this.opts.chainId, topic));
  }

  /** Peers we know to be subscribed to a topic. */
  topicPeers(topic: GossipTopicName): string[] {
    return this.libp2p.services.pubsub.getSubscribers(gossipTopic(this.opts.chainId, topic)).map((p) => p.toString());
  }

  /** Publish a value (or its SSZ bytes) on a topic; resolves to the number of peers it was sent to. */
  async publish<T extends GossipTopicName>(topic: T, value: GossipPayloads[T] | Uint8Array): Promise<number> {
    if (this.state !== "running") throw new P2PError(P2PErrorCode.NOT_RUNNING, "The p2p node is not running");
    const bytes = value instanceof Uint8Array ? value : encodeGossip(topic, value);
    const limit = this.opts.gossip.maxMessageBytes[topic];
    if (bytes.length > limit) {
      throw new P2PError(
        P2PErrorCode.MESSAGE_TOO_LARGE,
        `A ${topic} message of ${bytes.length} bytes is over ${limit}`,
        {
          details: { topic, bytes: bytes.length, limit },
        },
      );
    }
    const result = await this.libp2p.services.pubsub.publish(gossipTopic(this.opts.chainId, topic), bytes);
    return result.recipients.length;
  }

  publishBlock(block: SignedBlock | Uint8Array): Promise<number> {
    return this.publish("blocks", block);
  }

  publishTransaction(tx: SignedTransaction | Uint8Array): Promise<number> {
    return this.publish("txs", tx);
  }

  publishCheckpointSignature(signature: CheckpointSignature | Uint8Array): Promise<number> {
    return this.publish("checkpoint-signatures", signature);
  }

  publishEvidence(evidence: Evidence | Uint8Array): Promise<number> {
    return this.publish("evidence", evidence);
  }

  private async validateGossip(name: GossipTopicName, peer: PeerId, msg: Message): Promise<TopicValidatorResult> {
    const from = peer.toString();
    if (this.scores.isBanned(from)) return TopicValidatorResult.Ignore;
    if (msg.data.length > this.opts.gossip.maxMessageBytes[name]) {
      this.scores.penalize(from, PenaltyReason.OVERSIZED);
      return TopicValidatorResult.Reject;
    }
    if (!this.gossipLimiters[name].take(from)) {
      this.scores.penalize(from, PenaltyReason.RATE_LIMITED);
      return TopicValidatorResult.Ignore;
    }
    let value: GossipPayloads[GossipTopicName];
    try {
      value = decodeGossip(name, msg.data, this.opts.chainId);
    } catch {
      this.scores.penalize(from, PenaltyReason.DECODE_FAILED);
      return TopicValidatorResult.Reject;
    }
    const gm: GossipMessage = { topic: name, value, bytes: msg.data, from };
    let result = GossipValidationResult.Accept;
    const validate = this.handlers.get(name)?.validate;
    if (validate) {
      try {
        result = await validate(gm);
      } catch (err) {
        // A validator that throws says nothing about the peer: drop the message, keep the score.
        this.logger.warn("gossip validator threw", { topic: name, peer: from, error: String(err) });
        result = GossipValidationResult.Ignore;
      }
    }
    if (result === GossipValidationResult.Reject) this.scores.penalize(from, PenaltyReason.VALIDATION_REJECTED);
    if (result === GossipValidationResult.Accept) this.accepted.set(msg, gm);
    return TO_GOSSIPSUB[result] ?? TopicValidatorResult.Ignore;
  }

  private readonly onGossipMessage = (evt: CustomEvent<GossipsubMessage>): void => {
    const gm = this.accepted.get(evt.detail.msg);
    if (!gm) return;
    this.accepted.delete(evt.detail.msg);
    const handler = this.handlers.get(gm.topic);
    if (!handler) return;
    try {
      handler.onMessage(gm);
    } catch (err) {
      this.logger.warn("gossip handler threw", { topic: gm.topic, error: String(err) });
    }
  };

  private onBan(b: BanInfo): void {
    this.logger.warn("peer banned", { peerId: b.peerId, score: b.score, reason: b.reason, untilMs: b.untilMs });
    this.emit("peer:banned", b);
    if (this.node && this.state === "running") {
      void this.node.hangUp(toPeerId(b.peerId)).catch((err) => {
        this.logger.debug("hang up failed", { peerId: b.peerId, error: String(err) });
      });
    }
  }

  // ------------------------------------------------------------------ req/resp

  private get rr(): ReqResp {
    if (!this.reqResp || this.state !== "running") {
      throw new P2PError(P2PErrorCode.NOT_RUNNING, "The p2p node is not running");
    }
    return this.reqResp;
  }

  /** The peer's head. Throws ReqRespError. */
  async requestStatus(peer: PeerId | string): Promise<Status> {
    return this.rr.requestStatus(peer);
  }

  /**
   * Blocks `start … start + count - 1` from the peer (fewer if its chain ends sooner), each decoded and
   * checked for chain id, number and parent link. Throws ReqRespError; RangeError for a negative argument.
   */
  async requestBlocksByRange(peer: PeerId | string, start: number, count: number): Promise<BlockWithBytes[]> {
    return this.rr.requestBlocksByRange(peer, start, count);
  }

  /** The peer's 65-byte signature over the checkpoint (unchecked: recover it against the L1 digest). */
  async requestCheckpointSignature(peer: PeerId | string, checkpoint: Checkpoint): Promise<Uint8Array> {
    return this.rr.requestCheckpointSignature(peer, checkpoint);
  }
}
