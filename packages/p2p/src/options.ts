/**
 * Options of a Filverse p2p node, with their defaults. Every bound the network enforces on a peer is
 * here: message sizes, rates, request sizes and timeouts, and the scoring thresholds.
 */
import { MAX_TX_BYTES } from "@filverse/params";
import { Checkpoint } from "@filverse/types";
import { multiaddr } from "@multiformats/multiaddr";
import { parseBootstrapPeers, type RedialOpts } from "./bootstrap.js";

export type { RedialOpts } from "./bootstrap.js";

import { P2PError, P2PErrorCode } from "./errors.js";
import { CheckpointSignature, EvidenceEnvelope } from "./messages.js";
import { defaultScoringOpts, type ScoringOpts } from "./peerScore.js";
import type { RateLimit } from "./rateLimiter.js";
import type { GossipTopicName, ReqRespProtocolName } from "./topics.js";

/**
 * The largest gossipsub RPC. @libp2p/gossipsub 17.1.1 length-prefixes outbound RPCs with
 * it-length-prefixed's default limit of 4 MiB and silently drops larger ones (measured: an 8 MiB
 * block never left the sender), so no topic's messages may come near it. Inbound RPCs are read
 * with the same bound.
 */
export const GOSSIPSUB_MAX_RPC_BYTES = 4 * 1024 * 1024;
/** Room in an RPC for the protobuf framing, the topic string and control messages. */
export const GOSSIP_RPC_OVERHEAD_BYTES = 64 * 1024;

/**
 * The largest block on gossip: what fits one gossipsub RPC. A block of 10,000 typical transactions
 * (about 250 bytes each) is 2.5 MB. A sequencer should not seal more than this; a larger block
 * can only reach verifiers through blocks_by_range.
 */
export const MAX_GOSSIP_BLOCK_BYTES = GOSSIPSUB_MAX_RPC_BYTES - GOSSIP_RPC_OVERHEAD_BYTES;

/** The largest block in a blocks_by_range chunk (req/resp has no gossipsub cap; Ethereum's GOSSIP_MAX_SIZE). */
export const MAX_REQRESP_BLOCK_BYTES = 10 * 1024 * 1024;

export type GossipOpts = {
  /** A message over its topic's bound is rejected and its sender penalized (OVERSIZED). */
  maxMessageBytes: Record<GossipTopicName, number>;
  /** Per peer (the one that forwarded the message to us), per topic. */
  rateLimits: Record<GossipTopicName, RateLimit>;
};

export const defaultGossipOpts: GossipOpts = {
  maxMessageBytes: {
    blocks: MAX_GOSSIP_BLOCK_BYTES,
    txs: MAX_TX_BYTES,
    "checkpoint-signatures": CheckpointSignature.ssz.maxSize,
    evidence: EvidenceEnvelope.ssz.maxSize,
  },
  // A forwarding peer relays the whole network's traffic on a topic, so these bound the network's
  // rate, not one author's: 4 blocks/s at 250 ms blocks, 2,000 gossiped transactions/s (wallets
  // mostly submit over JSON-RPC), a signature per validator per checkpoint, evidence almost never.
  rateLimits: {
    blocks: { perSecond: 20, burst: 40 },
    txs: { perSecond: 2000, burst: 4000 },
    "checkpoint-signatures": { perSecond: 50, burst: 200 },
    evidence: { perSecond: 2, burst: 10 },
  },
};

export type ReqRespOpts = {
  /** The requester's bound on a whole exchange: dial, request, every response chunk. */
  requestTimeoutMs: number;
  /** The responder's bound on reading the request and writing the response. */
  responseTimeoutMs: number;
  /** The most blocks one blocks_by_range request may ask for. */
  maxBlocksPerRequest: number;
  /** The largest block in a blocks_by_range response chunk. */
  maxBlockBytes: number;
  /** Per peer, per protocol; blocks_by_range spends one token per block requested. */
  rateLimits: Record<ReqRespProtocolName, RateLimit>;
  /** Streams of one protocol open at once on one connection, each way. */
  maxStreamsPerConnection: number;
};

export const defaultReqRespOpts: ReqRespOpts = {
  requestTimeoutMs: 10_000,
  responseTimeoutMs: 10_000,
  maxBlocksPerRequest: 64,
  maxBlockBytes: MAX_REQRESP_BLOCK_BYTES,
  rateLimits: {
    status: { perSecond: 5, burst: 10 },
    blocks_by_range: { perSecond: 256, burst: 512 },
    checkpoint_signature: { perSecond: 5, burst: 20 },
  },
  maxStreamsPerConnection: 4,
};

/** Bytes of each protocol's request payload, at most. */
export const MAX_REQUEST_BYTES: Record<ReqRespProtocolName, number> = {
  status: 0,
  blocks_by_range: 16,
  checkpoint_signature: Checkpoint.ssz.maxSize,
};

/** An error chunk's UTF-8 message is cut to this many bytes. */
export const MAX_ERROR_MESSAGE_BYTES = 256;

export type FilverseP2POpts = {
  /** The L2 chain id; it namespaces every topic and protocol. */
  chainId: number;
  /** Multiaddrs to listen on. */
  listen: string[];
  /** Multiaddrs to advertise instead of the listen addresses (behind NAT, say); empty: the listen ones. */
  announce: string[];
  /** The libp2p key file; null keeps an ephemeral key (a new PeerId each start). */
  peerKeyFile: string | null;
  /** Multiaddrs with a `/p2p/<peerId>` part, dialled at start and redialled when lost. */
  bootstrapPeers: string[];
  /** The most open connections. */
  maxConnections: number;
  redial: RedialOpts;
  gossip: GossipOpts;
  reqResp: ReqRespOpts;
  scoring: ScoringOpts;
};

export const defaultFilverseP2POpts: Omit<FilverseP2POpts, "chainId"> = {
  listen: ["/ip4/127.0.0.1/tcp/0"],
  announce: [],
  peerKeyFile: null,
  bootstrapPeers: [],
  maxConnections: 64,
  redial: { initialDelayMs: 1_000, maxDelayMs: 60_000 },
  gossip: defaultGossipOpts,
  reqResp: defaultReqRespOpts,
  scoring: defaultScoringOpts,
};

/** What a caller passes: the chain id, and any option to change; sections merge over their defaults. */
export type FilverseP2PInit = { chainId: number } & Partial<{
  listen: string[];
  announce: string[];
  peerKeyFile: string | null;
  bootstrapPeers: string[];
  maxConnections: number;
  redial: Partial<RedialOpts>;
  gossip: { maxMessageBytes?: Partial<GossipOpts["maxMessageBytes"]>; rateLimits?: Partial<GossipOpts["rateLimits"]> };
  reqResp: Partial<Omit<ReqRespOpts, "rateLimits">> & { rateLimits?: Partial<ReqRespOpts["rateLimits"]> };
  scoring: Partial<Omit<ScoringOpts, "penalties">> & { penalties?: Partial<ScoringOpts["penalties"]> };
}>;

// An explicit `undefined` keeps the default, as a missing key does.
function merge<T extends object>(base: T, over: Partial<T> | undefined): T {
  const out = { ...base };
  if (over) for (const [k, v] of Object.entries(over)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

export function resolveP2POpts(init: FilverseP2PInit): FilverseP2POpts {
  const d = defaultFilverseP2POpts;
  const gossip = init.gossip ?? {};
  const { rateLimits: reqRespRates, ...reqResp } = init.reqResp ?? {};
  const { penalties, ...scoring } = init.scoring ?? {};
  return {
    chainId: init.chainId,
    listen: init.listen ?? d.listen,
    announce: init.announce ?? d.announce,
    peerKeyFile: init.peerKeyFile === undefined ? d.peerKeyFile : init.peerKeyFile,
    bootstrapPeers: init.bootstrapPeers ?? d.bootstrapPeers,
    maxConnections: init.maxConnections ?? d.maxConnections,
    redial: merge(d.redial, init.redial),
    gossip: {
      maxMessageBytes: merge(d.gossip.maxMessageBytes, gossip.maxMessageBytes),
      rateLimits: merge(d.gossip.rateLimits, gossip.rateLimits),
    },
    reqResp: { ...merge(d.reqResp, reqResp), rateLimits: merge(d.reqResp.rateLimits, reqRespRates) },
    scoring: { ...merge(d.scoring, scoring), penalties: merge(d.scoring.penalties, penalties) },
  };
}

/** Throw P2PError(INVALID_CONFIG) naming the first option out of range. */
export function validateP2POpts(o: FilverseP2POpts): void {
  const bad = (path: string, value: unknown, expected: string): never => {
    throw new P2PError(P2PErrorCode.INVALID_CONFIG, `Option ${path} must be ${expected}, got ${JSON.stringify(value)}`);
  };
  const positiveInt = (path: string, v: number) => {
    if (!Number.isSafeInteger(v) || v <= 0) bad(path, v, "a positive integer");
  };
  const rate = (path: string, r: RateLimit) => {
    if (!(r?.perSecond > 0) || !(r?.burst >= 1)) bad(path, r, "{perSecond > 0, burst >= 1}");
  };
  if (!Number.isSafeInteger(o.chainId) || o.chainId < 0) bad("chainId", o.chainId, "a non-negative integer");
  if (o.listen.length === 0) bad("listen", o.listen, "at least one multiaddr");
  for (const [path, addrs] of [
    ["listen", o.listen],
    ["announce", o.announce],
  ] as const) {
    for (const a of addrs) {
      try {
        multiaddr(a);
      } catch {
        bad(path, a, "a multiaddr");
      }
    }
  }
  parseBootstrapPeers(o.bootstrapPeers);
  positiveInt("maxConnections", o.maxConnections);
  positiveInt("redial.initialDelayMs", o.redial.initialDelayMs);
  if (!(o.redial.maxDelayMs >= o.redial.initialDelayMs))
    bad("redial.maxDelayMs", o.redial.maxDelayMs, ">= initialDelayMs");
  for (const [t, v] of Object.entries(o.gossip.maxMessageBytes)) {
    positiveInt(`gossip.maxMessageBytes.${t}`, v);
    if (v > MAX_GOSSIP_BLOCK_BYTES)
      bad(`gossip.maxMessageBytes.${t}`, v, `at most ${MAX_GOSSIP_BLOCK_BYTES} (one gossipsub RPC)`);
  }
  for (const [t, r] of Object.entries(o.gossip.rateLimits)) rate(`gossip.rateLimits.${t}`, r);
  const rr = o.reqResp;
  for (const k of [
    "requestTimeoutMs",
    "responseTimeoutMs",
    "maxBlocksPerRequest",
    "maxBlockBytes",
    "maxStreamsPerConnection",
  ] as const) {
    positiveInt(`reqResp.${k}`, rr[k]);
  }
  for (const [p, r] of Object.entries(rr.rateLimits)) rate(`reqResp.rateLimits.${p}`, r);
  if (rr.rateLimits.blocks_by_range.burst < rr.maxBlocksPerRequest) {
    bad("reqResp.rateLimits.blocks_by_range.burst", rr.rateLimits.blocks_by_range.burst, ">= maxBlocksPerRequest");
  }
  const s = o.scoring;
  if (!(s.minScore < s.banThreshold && s.banThreshold < 0 && s.maxScore >= 0)) {
    bad(
      "scoring",
      { minScore: s.minScore, banThreshold: s.banThreshold, maxScore: s.maxScore },
      "minScore < banThreshold < 0 <= maxScore",
    );
  }
  positiveInt("scoring.banDurationMs", s.banDurationMs);
  positiveInt("scoring.halfLifeMs", s.halfLifeMs);
  for (const [r, v] of Object.entries(s.penalties)) if (!(v >= 0)) bad(`scoring.penalties.${r}`, v, ">= 0");
}
