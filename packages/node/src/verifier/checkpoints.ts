/**
 * Checkpoints against re-execution: checking the rollup's (or a rebuild's) checkpoints, and
 * co-signing a sequencer's only when every field is this node's own, never two at one index. The
 * gossip timestamp policy lives here too: a block that arrived stamped long before it was gossiped
 * keeps its checkpoint from being co-signed.
 */
import type { ChainDb } from "@filverse/db";
import type { BatchBuilder } from "@filverse/filecoin";
import {
  type CheckpointDomain,
  checkpointContentHash,
  checkpointDigest,
  checkpointRange,
  signCheckpoint,
} from "@filverse/l1";
import type { ChainConfig } from "@filverse/params";
import {
  type BlockHeader,
  blockHash,
  blockHashesRoot,
  type Checkpoint,
  Checkpoint as CheckpointStruct,
  type SignedBlock,
} from "@filverse/types";
import { bytesEqual, type Logger, toHex } from "@filverse/utils";
import type { HeadInfo } from "../chain/interface.js";
import { CheckpointRefusal, CheckpointRefusalCode, NodeError, NodeErrorCode } from "../errors.js";
import type { NodeMetrics } from "../metrics.js";
import type { EvidenceStore } from "./evidence.js";
import { SerialQueue } from "./serialQueue.js";

/** What a checkpoint on L1 is compared with: the fields the rollup stores (and the range's first block). */
export type CheckpointClaim = {
  index: number;
  firstBlock: number;
  lastBlock: number;
  lastBlockHash: Uint8Array;
  stateRoot: Uint8Array;
  withdrawalsRoot: Uint8Array;
  depositCursor: number;
  pieceCid?: string;
  lastBlockTimestamp?: number;
};

/** Stale gossiped blocks remembered at most (the oldest forgotten first). */
const MAX_STALE_BLOCKS = 4_096;

/** What co-signing reads of the verifier: its head, database and evidence store (each throws once closed). */
export type CheckpointTarget = {
  head(): HeadInfo;
  db(): ChainDb;
  evidenceStore(): EvidenceStore;
};

export type CheckpointCosignerModules = {
  target: CheckpointTarget;
  /** The validator key and the rollup's domain. Never logged. */
  signing: { key: Uint8Array; domain: CheckpointDomain } | null;
  /** This node's own batches of a range, to check the batch fields. */
  batches: BatchBuilder | null;
  metrics: NodeMetrics | null;
  logger: Logger;
};

export class CheckpointCosigner {
  private readonly chain: ChainConfig;
  private readonly opts: { maxGossipLagSec: number };
  private readonly target: CheckpointTarget;
  private readonly signing: { key: Uint8Array; domain: CheckpointDomain } | null;
  private readonly batches: BatchBuilder | null;
  private readonly metrics: NodeMetrics | null;
  private readonly logger: Logger;
  /** "content": the rollup judges equivocation by checkpointContentHash (a new set id may be re-signed); "digest": older rollups. */
  private equivocationRule: "content" | "digest" = "content";
  /** Gossiped blocks that arrived stamped too far in the past: height → header hash. */
  private readonly staleBlocks = new Map<number, Uint8Array>();
  private readonly signingQueue = new SerialQueue();

  constructor(chain: ChainConfig, opts: { maxGossipLagSec: number }, modules: CheckpointCosignerModules) {
    this.chain = chain;
    this.opts = opts;
    this.target = modules.target;
    this.signing = modules.signing;
    this.batches = modules.batches;
    this.metrics = modules.metrics;
    this.logger = modules.logger;
  }

  /** Resolves once every signing queued so far has settled. */
  idle(): Promise<void> {
    return this.signingQueue.idle();
  }

  /**
   * Note when a gossiped block arrived (gossip is pushed as the sequencer seals, so arrival bounds
   * the time it was made). One stamped more than `maxGossipLagSec` earlier is remembered by height
   * and hash, logged and counted; `signCheckpoint` refuses a range that holds it. Call it only for
   * the block right after the head of a node that is not syncing: an older block (fetched by sync,
   * or replayed by a peer) may be old for good reasons.
   */
  observeGossipedBlock(block: SignedBlock, receivedAtMs: number = Date.now()): void {
    const { header } = block;
    const lagSec = receivedAtMs / 1000 - header.timestamp;
    if (lagSec <= this.opts.maxGossipLagSec) return;
    if (this.staleBlocks.size >= MAX_STALE_BLOCKS) this.staleBlocks.delete(this.staleBlocks.keys().next().value!);
    this.staleBlocks.set(header.number, blockHash(header));
    this.metrics?.verifierStaleBlocks.inc();
    this.logger.warn("gossiped block stamped in the past", {
      number: header.number,
      timestamp: header.timestamp,
      lagSec: Math.round(lagSec),
      max: this.opts.maxGossipLagSec,
    });
  }

  /**
   * Compare a checkpoint (from L1, or met while rebuilding) with re-execution. Returns "pending" if
   * this node has not reached its last block, "ok", or the mismatching fields (evidence recorded).
   */
  async checkCheckpoint(
    claim: CheckpointClaim,
    origin: "l1" | "rebuild",
    source: string | null = null,
  ): Promise<"pending" | "ok" | string[]> {
    if (this.target.head().number < claim.lastBlock) return "pending";
    const header = await this.headerAt(claim.lastBlock);
    const mismatches = rootMismatches(claim, header);
    if (claim.pieceCid !== undefined && this.batches && mismatches.length === 0) {
      const own = await this.batches(claim.index, claim.firstBlock, claim.lastBlock);
      if (own.pieceCid !== claim.pieceCid) {
        mismatches.push({ field: "pieceCid", claimed: claim.pieceCid, computed: own.pieceCid });
      }
    }
    if (mismatches.length === 0) return "ok";
    await this.target.evidenceStore().record({
      kind: "checkpointMismatch",
      origin,
      source,
      index: claim.index,
      lastBlock: claim.lastBlock,
      checkpoint: claimJson(claim),
      mismatches,
    });
    this.metrics?.verifierEvidence.inc({ kind: "checkpointMismatch" });
    return mismatches.map((m) => m.field);
  }

  /**
   * How the rollup judges checkpoint equivocation (`rollupJudgesEquivocationByContent`): by digest,
   * a checkpoint re-made for a new validator set is refused like any other at a signed index.
   */
  setEquivocationRule(rule: "content" | "digest"): void {
    this.equivocationRule = rule;
  }

  /**
   * Co-sign a checkpoint: the 65-byte signature of its digest (rollup domain) with this node's
   * validator key, only if every block through lastBlock is executed here, the roots, hash, cursor
   * and timestamp are this node's, and the batch fields are what its own batch builder makes of the
   * range. Otherwise a CheckpointRefusal naming the mismatch (root mismatches are evidence). A node
   * never signs two different checkpoints at one index: that is slashable equivocation.
   */
  signCheckpoint(cp: Checkpoint, source: string | null = null): Promise<Uint8Array> {
    return this.signingQueue.run(() => this.signOne(cp, source));
  }

  private async signOne(cp: Checkpoint, source: string | null): Promise<Uint8Array> {
    const refuse = (code: CheckpointRefusalCode, msg: string, details: Record<string, unknown> = {}) =>
      new CheckpointRefusal(code, `Checkpoint ${cp.index}: ${msg}`, { details: { index: cp.index, ...details } });
    if (!this.signing || !this.batches) {
      throw refuse(CheckpointRefusalCode.NOT_CONFIGURED, "this node has no validator key, rollup or batch builder");
    }
    if (cp.chainId !== this.chain.chainId) throw refuse(CheckpointRefusalCode.WRONG_CHAIN, `chain ${cp.chainId}`);
    const range = checkpointRange(cp.index, this.chain.checkpointInterval);
    if (cp.firstBlock !== range.firstBlock || cp.lastBlock !== range.lastBlock) {
      throw refuse(CheckpointRefusalCode.BAD_RANGE, `blocks ${cp.firstBlock}..${cp.lastBlock} are not its range`, {
        expected: range,
      });
    }
    if (this.target.head().number < cp.lastBlock) {
      throw refuse(CheckpointRefusalCode.NOT_EXECUTED, `block ${cp.lastBlock} is not executed here yet`, {
        head: this.target.head().number,
      });
    }
    for (const [n, hash] of this.staleBlocks) {
      if (n < cp.firstBlock || n > cp.lastBlock) continue;
      if (!bytesEqual(blockHash(await this.headerAt(n)), hash)) continue; // not the block this chain holds
      throw refuse(CheckpointRefusalCode.STALE_TIMESTAMP, `block ${n} arrived stamped in the past`, {
        block: n,
        maxGossipLagSec: this.opts.maxGossipLagSec,
      });
    }
    const header = await this.headerAt(cp.lastBlock);
    const mismatches = rootMismatches(cp, header);
    const headers: BlockHeader[] = [];
    for (let n = cp.firstBlock; n < cp.lastBlock; n++) headers.push(await this.headerAt(n));
    headers.push(header);
    const parentHash = headers[0]!.parentHash;
    if (!bytesEqual(cp.parentHash, parentHash)) {
      mismatches.push({ field: "parentHash", claimed: toHex(cp.parentHash), computed: toHex(parentHash) });
    }
    const hashesRoot = blockHashesRoot(headers);
    if (!bytesEqual(cp.blockHashesRoot, hashesRoot)) {
      mismatches.push({ field: "blockHashesRoot", claimed: toHex(cp.blockHashesRoot), computed: toHex(hashesRoot) });
    }
    if (mismatches.length > 0) {
      await this.target.evidenceStore().record({
        kind: "checkpointMismatch",
        origin: "cosign",
        source,
        index: cp.index,
        lastBlock: cp.lastBlock,
        checkpoint: CheckpointStruct.toJson(cp) as Record<string, unknown>,
        mismatches,
      });
      this.metrics?.verifierEvidence.inc({ kind: "checkpointMismatch" });
      throw refuse(
        CheckpointRefusalCode.ROOT_MISMATCH,
        `${mismatches.map((m) => m.field).join(", ")} differ from re-execution`,
        {
          mismatches,
        },
      );
    }
    const own = await this.batches(cp.index, cp.firstBlock, cp.lastBlock);
    const batch: [string, string | number, string | number][] = [
      ["pieceCid", cp.pieceCid, own.pieceCid],
      ["payloadCid", cp.payloadCid, own.payloadCid],
      ["pieceSize", cp.pieceSize, own.pieceSize],
      ["carSize", cp.carSize, own.carSize],
    ];
    const batchMismatches = batch
      .filter(([, claimed, computed]) => claimed !== computed)
      .map(([field, claimed, computed]) => ({ field, claimed: String(claimed), computed: String(computed) }));
    if (batchMismatches.length > 0) {
      throw refuse(
        CheckpointRefusalCode.BATCH_MISMATCH,
        `${batchMismatches.map((m) => m.field).join(", ")} differ from this node's batch`,
        { mismatches: batchMismatches },
      );
    }
    const digest = checkpointDigest(cp, this.signing.domain);
    const content = checkpointContentHash(cp);
    const signed = await this.target.db().getSignedCheckpoint(cp.index);
    if (signed) {
      if (bytesEqual(signed.digest, digest)) return signed.signature;
      // The same content under another validator set id (the set changed before the submission) is
      // not equivocation on the rollup: it is signed again. Any other difference never is.
      const sameContent =
        this.equivocationRule === "content" && signed.content !== null && bytesEqual(signed.content, content);
      if (!sameContent) {
        throw refuse(CheckpointRefusalCode.ALREADY_SIGNED, "another checkpoint at this index is already signed", {
          signedDigest: toHex(signed.digest),
          digest: toHex(digest),
        });
      }
    }
    const signature = signCheckpoint(cp, this.signing.domain, this.signing.key);
    // Recorded (synced) before the signature leaves: a crash cannot make this node sign another.
    await this.target.db().putSignedCheckpoint({ index: cp.index, digest, signature, content });
    this.logger.info("checkpoint co-signed", { index: cp.index, lastBlock: cp.lastBlock, source });
    return signature;
  }

  private async headerAt(n: number): Promise<BlockHeader> {
    if (n === this.target.head().number) return this.target.head().header;
    const block = await this.target.db().getBlockByNumber(n);
    if (!block) throw new NodeError(NodeErrorCode.STATE_MISMATCH, `Block ${n} is not stored`);
    return block.header;
  }
}

type RootClaim = Pick<CheckpointClaim, "lastBlockHash" | "stateRoot" | "withdrawalsRoot" | "depositCursor"> & {
  lastBlockTimestamp?: number;
};

/** The checkpoint fields that re-execution decides, compared with this node's header of the last block. */
function rootMismatches(claim: RootClaim, header: BlockHeader): { field: string; claimed: string; computed: string }[] {
  const out: { field: string; claimed: string; computed: string }[] = [];
  const bytes: [string, Uint8Array, Uint8Array][] = [
    ["lastBlockHash", claim.lastBlockHash, blockHash(header)],
    ["stateRoot", claim.stateRoot, header.stateRoot],
    ["withdrawalsRoot", claim.withdrawalsRoot, header.withdrawalsRoot],
  ];
  for (const [field, claimed, computed] of bytes) {
    if (!bytesEqual(claimed, computed)) out.push({ field, claimed: toHex(claimed), computed: toHex(computed) });
  }
  if (claim.depositCursor !== header.l1DepositNonce) {
    out.push({ field: "depositCursor", claimed: String(claim.depositCursor), computed: String(header.l1DepositNonce) });
  }
  if (claim.lastBlockTimestamp !== undefined && claim.lastBlockTimestamp !== header.timestamp) {
    out.push({
      field: "lastBlockTimestamp",
      claimed: String(claim.lastBlockTimestamp),
      computed: String(header.timestamp),
    });
  }
  return out;
}

function claimJson(c: CheckpointClaim): Record<string, unknown> {
  return {
    index: c.index,
    firstBlock: c.firstBlock,
    lastBlock: c.lastBlock,
    lastBlockHash: toHex(c.lastBlockHash),
    stateRoot: toHex(c.stateRoot),
    withdrawalsRoot: toHex(c.withdrawalsRoot),
    depositCursor: c.depositCursor,
    ...(c.pieceCid === undefined ? {} : { pieceCid: c.pieceCid }),
    ...(c.lastBlockTimestamp === undefined ? {} : { lastBlockTimestamp: c.lastBlockTimestamp }),
  };
}
