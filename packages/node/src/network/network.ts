/**
 * A node's place in the p2p network (`@filverse/p2p`): the libp2p host with its persistent peer key,
 * serving `status` and `blocks_by_range` from the node's chain database, and, for a sequencer,
 * gossiping every sealed block and admitting transactions verifiers forward over gossip.
 * Configured by `p2p` in `filverse.json`; without it a node runs alone, as before.
 */
import { resolve } from "node:path";
import { recoverAddress, recoverBlockSigner } from "@filverse/crypto";
import type { ChainDb } from "@filverse/db";
import {
  type CheckpointDomain,
  checkBreachProof,
  checkpointContentHash,
  checkpointDigest,
  type PreconfirmationBreachProof,
} from "@filverse/l1";
import {
  createFilverseP2P,
  type FilverseP2P,
  GossipValidationResult,
  type Evidence as P2PEvidence,
  EvidenceKind as P2PEvidenceKind,
} from "@filverse/p2p";
import { blockHash, type Checkpoint, type SignedBlock, signedTxToJson } from "@filverse/types";
import { bytesEqual, type Logger, nullLogger } from "@filverse/utils";
import type { NodeMetrics } from "../metrics.js";
import {
  breachProofFromRecord,
  type Evidence,
  evidenceId,
  type NewEvidence,
  preconfirmationBreachRecord,
  sealedHeaderFromJson,
  sealedHeaderJson,
} from "../verifier/evidence.js";

export type NodeP2PConfig = {
  /** Multiaddrs to listen on. Default ["/ip4/127.0.0.1/tcp/0"]. */
  listen?: string[];
  /** Peers to dial at start and keep dialling (multiaddrs ending in /p2p/<PeerId>). */
  bootstrapPeers?: string[];
  /** The libp2p identity key file, relative to the data dir (mode 0600). Default "p2p.key". */
  peerKeyFile?: string;
};

export type NodeNetworkModules = {
  db: () => ChainDb;
  head: () => { number: number; hash: Uint8Array };
  logger?: Logger | null;
  /** Serves checkpoint_signature requests (a verifier); refusing is throwing. */
  signCheckpoint?: ((cp: Checkpoint) => Promise<Uint8Array>) | null;
};

export async function createNodeNetwork(
  opts: { config: NodeP2PConfig; dataDir: string; chainId: number },
  modules: NodeNetworkModules,
): Promise<FilverseP2P> {
  const { config } = opts;
  return createFilverseP2P(
    {
      chainId: opts.chainId,
      listen: config.listen ?? ["/ip4/127.0.0.1/tcp/0"],
      bootstrapPeers: config.bootstrapPeers ?? [],
      peerKeyFile: resolve(opts.dataDir, config.peerKeyFile ?? "p2p.key"),
    },
    {
      logger: modules.logger ?? nullLogger,
      getBlockBytes: (n) => modules.db().getBlockBytes(n),
      getStatus: () => {
        const head = modules.head();
        return { headNumber: head.number, headHash: head.hash };
      },
      ...(modules.signCheckpoint ? { signCheckpoint: modules.signCheckpoint } : {}),
    },
  );
}

/**
 * The sequencer's side: every sealed block is gossiped, and transactions arriving on the `txs` topic
 * (forwarded by verifiers) are admitted like RPC submissions; one the mempool refuses is dropped
 * without penalising the peer (it may only be late), one that does not decode is rejected by the
 * p2p layer itself.
 */
export function gossipAsSequencer(
  p2p: FilverseP2P,
  sequencer: {
    events: { on(event: "newHead", listener: (block: SignedBlock) => void): unknown };
    submitJson(json: unknown): Promise<string>;
  },
  logger: Logger = nullLogger,
): void {
  sequencer.events.on("newHead", (block) => {
    p2p
      .publishBlock(block)
      .catch((err) => logger.debug("block gossip failed", { number: block.header.number, err: String(err) }));
  });
  // No validator of its own: the p2p layer rejects what does not decode, the mempool judges the rest.
  p2p.subscribe("txs", {
    onMessage: ({ value }) => {
      sequencer.submitJson(signedTxToJson(value)).catch(() => {
        // Refused by the mempool (a replay, a spent nonce): the verifier's own RPC caller got the error.
      });
    },
  });
}

/**
 * Checks gossiped evidence on its own merits, with no trust in the peer that sent it:
 * block equivocation is two headers at one height with different hashes, both sealed by the
 * sequencer; checkpoint equivocation is two checkpoints at one index with different content signed
 * by one validator (checkable only with the rollup's domain). Returns the record to keep for block
 * equivocation, `record: null` for valid checkpoint equivocation (neither relayed nor stored), or
 * why it is not evidence (`unknowable`: this node cannot check it).
 */
export function checkGossipEvidence(
  e: P2PEvidence,
  opts: { sequencer: Uint8Array; checkpointDomain: CheckpointDomain | null; source: string },
): { ok: true; record: NewEvidence | null } | { ok: false; unknowable: boolean; reason: string } {
  if (e.kind === P2PEvidenceKind.BLOCK_EQUIVOCATION) {
    const { a, b } = e;
    if (a.header.number !== b.header.number) return { ok: false, unknowable: false, reason: "different heights" };
    if (bytesEqual(blockHash(a.header), blockHash(b.header)))
      return { ok: false, unknowable: false, reason: "one block" };
    for (const side of [a, b]) {
      let signer: Uint8Array;
      try {
        signer = recoverBlockSigner(side.header, side.signature);
      } catch {
        return { ok: false, unknowable: false, reason: "bad seal" };
      }
      if (!bytesEqual(signer, opts.sequencer))
        return { ok: false, unknowable: false, reason: "not the sequencer's seal" };
    }
    return {
      ok: true,
      record: {
        kind: "blockEquivocation",
        source: opts.source,
        number: a.header.number,
        a: sealedHeaderJson(a.header, a.signature),
        b: sealedHeaderJson(b.header, b.signature),
      },
    };
  }
  if (e.kind === P2PEvidenceKind.PRECONFIRMATION_BREACH) {
    const proof = breachProofOfGossip(e.breach);
    const reason = checkBreachProof(proof, opts.sequencer, proof.header.chainId);
    if (reason !== null) return { ok: false, unknowable: false, reason };
    return { ok: true, record: preconfirmationBreachRecord(proof, opts.source) };
  }
  const { a, b } = e;
  if (!opts.checkpointDomain) return { ok: false, unknowable: true, reason: "no rollup configured" };
  if (a.checkpoint.index !== b.checkpoint.index) return { ok: false, unknowable: false, reason: "different indexes" };
  if (!bytesEqual(a.signer, b.signer)) return { ok: false, unknowable: false, reason: "different signers" };
  // As the rollup judges it: different content (a new validator set id alone is a legitimate re-sign).
  if (bytesEqual(checkpointContentHash(a.checkpoint), checkpointContentHash(b.checkpoint))) {
    return { ok: false, unknowable: false, reason: "one checkpoint" };
  }
  const domain = opts.checkpointDomain;
  const signedBy = (side: typeof a): boolean => {
    try {
      return bytesEqual(recoverAddress(checkpointDigest(side.checkpoint, domain), side.signature), side.signer);
    } catch {
      return false; // a signature that does not recover
    }
  };
  if (!signedBy(a) || !signedBy(b)) return { ok: false, unknowable: false, reason: "bad checkpoint signature" };
  return { ok: true, record: null };
}

function breachProofOfGossip(b: Extract<P2PEvidence, { kind: P2PEvidenceKind.PRECONFIRMATION_BREACH }>["breach"]) {
  const siblings: Uint8Array[] = [];
  for (let i = 0; i < b.siblings.length; i += 32) siblings.push(b.siblings.subarray(i, i + 32));
  const proof: PreconfirmationBreachProof = {
    preconfirmation: b.preconfirmation,
    preconfirmationSignature: b.preconfirmationSignature,
    header: b.sealed.header,
    sealSignature: b.sealed.signature,
    item: b.item,
    count: b.count,
    siblings,
  };
  return proof;
}

/** A stored block-equivocation or preconfirmation-breach record as the gossip `evidence` payload. */
export function toGossipEvidence(e: Evidence): P2PEvidence | null {
  if (e.kind === "preconfirmationBreach") {
    const proof = breachProofFromRecord(e);
    const siblings = new Uint8Array(32 * proof.siblings.length);
    proof.siblings.forEach((x, i) => {
      siblings.set(x, 32 * i);
    });
    return {
      kind: P2PEvidenceKind.PRECONFIRMATION_BREACH,
      breach: {
        preconfirmation: proof.preconfirmation,
        preconfirmationSignature: proof.preconfirmationSignature,
        sealed: { header: proof.header, signature: proof.sealSignature },
        item: proof.item,
        count: proof.count,
        siblings,
      },
    };
  }
  if (e.kind !== "blockEquivocation") return null;
  return {
    kind: P2PEvidenceKind.BLOCK_EQUIVOCATION,
    a: sealedHeaderFromJson(e.a, "a"),
    b: sealedHeaderFromJson(e.b, "b"),
  };
}

/** Evidence ids a node remembers having judged, so a replay after gossipsub's seen-cache expires is ignored. */
const MAX_SEEN_EVIDENCE = 4_096;

/**
 * Evidence gossip, for both roles: each message is checked (`checkGossipEvidence`) before it is
 * relayed, so a peer cannot use the topic to spread forgeries (it is rejected and scored down).
 * Block equivocation is handed to `record` (a verifier persists it, proves it on L1 and serves it),
 * and every record the local store makes (`onEvidence`) is published. Evidence already judged is
 * ignored. Checkpoint equivocation is checked but not relayed: anyone holding it can prove it on the
 * rollup, and relaying it would let any key holder flood the topic with self-made conflicts.
 */
export function gossipEvidence(
  p2p: FilverseP2P,
  opts: { sequencer: Uint8Array; checkpointDomain: CheckpointDomain | null },
  modules: {
    record?: ((e: NewEvidence) => Promise<unknown>) | null;
    onEvidence?: ((listener: (e: Evidence) => void) => unknown) | null;
    metrics?: NodeMetrics | null;
    logger?: Logger | null;
  },
): void {
  const logger = modules.logger ?? nullLogger;
  const seen = new Set<string>();
  const remember = (id: string) => {
    if (seen.size >= MAX_SEEN_EVIDENCE) seen.delete(seen.values().next().value!);
    seen.add(id);
  };
  p2p.subscribe("evidence", {
    validate: async ({ value, from }) => {
      const checked = checkGossipEvidence(value, { ...opts, source: `p2p:${from}` });
      modules.metrics?.p2pEvidence.inc({ result: checked.ok ? "valid" : checked.unknowable ? "unchecked" : "invalid" });
      if (!checked.ok) {
        logger.debug("gossiped evidence refused", { from, reason: checked.reason });
        return checked.unknowable ? GossipValidationResult.Ignore : GossipValidationResult.Reject;
      }
      if (!checked.record) {
        logger.info("checkpoint equivocation received (not relayed; provable on the rollup)", { from });
        return GossipValidationResult.Ignore;
      }
      const id = evidenceId(checked.record);
      if (seen.has(id)) return GossipValidationResult.Ignore;
      remember(id);
      await modules.record?.(checked.record);
      return GossipValidationResult.Accept;
    },
    onMessage: () => {},
  });
  modules.onEvidence?.((e) => {
    const gossip = toGossipEvidence(e);
    if (!gossip) return;
    remember(e.id);
    p2p
      .publishEvidence(gossip)
      .then((peers) => logger.info("evidence gossiped", { id: e.id, kind: e.kind, peers }))
      .catch((err) => logger.warn("evidence gossip failed", { id: e.id, err: String(err) }));
  });
}

/** The p2p host's peers and penalties as metrics. */
export function watchNetwork(p2p: FilverseP2P, metrics: NodeMetrics): void {
  const count = () => {
    try {
      metrics.p2pPeers.set(p2p.peers().length);
    } catch {
      // not running
    }
  };
  p2p.on("peer:connected", count);
  p2p.on("peer:disconnected", count);
  p2p.on("peer:penalized", (c) => metrics.p2pPenalties.inc({ reason: c.reason }));
  p2p.on("peer:banned", (b) => metrics.p2pBans.inc({ reason: b.reason }));
}
