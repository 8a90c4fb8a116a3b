/**
 * What a bad block becomes during import: a typed refusal (cached by hash when the sequencer sealed
 * it, so a source that keeps serving it is refused without re-executing it), invalid-block evidence
 * when the sequencer sealed it, and equivocation evidence when it sealed two blocks at one height
 * (the first seal seen at each height above the head is remembered for that).
 */
import { recoverBlockSigner } from "@filverse/crypto";
import type { BlockError } from "@filverse/state";
import { type BlockHeader, encodeSignedBlock, type SignedBlock } from "@filverse/types";
import { bytesEqual, toHex } from "@filverse/utils";
import { VerifierError, VerifierErrorCode } from "../errors.js";
import type { NodeMetrics } from "../metrics.js";
import type { EvidenceStore } from "./evidence.js";
import { sealedHeaderJson } from "./evidence.js";
import type { VerifierOpts } from "./options.js";

/** Blocks known to be invalid, by hash: a source that keeps serving one is refused without re-executing it. */
const MAX_BAD_BLOCKS = 256;

export type Sealed = { hash: Uint8Array; header: BlockHeader; signature: Uint8Array };

/** A BlockError's details, its transaction's validation code (if any) renamed `txCode`. */
function withoutCode(details: Record<string, unknown>): Record<string, unknown> {
  const { code, ...rest } = details;
  return code === undefined ? rest : { ...rest, txCode: code };
}

export type BlockFaultsModules = {
  /** The verifier's evidence store (throws before start and after close). */
  evidenceStore: () => EvidenceStore;
  metrics: NodeMetrics | null;
  /**
   * The last height L1 still vouches for while the rollup is halted by a proven fault (the last
   * block of the last valid checkpoint), else null: a second seal above it is no evidence.
   */
  unsettledAbove?: (() => number | null) | null;
};

export class BlockFaults {
  private readonly opts: Pick<VerifierOpts, "sequencer" | "maxBufferedBlocks">;
  private readonly evidenceStore: () => EvidenceStore;
  private readonly metrics: NodeMetrics | null;
  /** The first sealed header seen at each height above the head (a second one is equivocation). */
  private readonly seals = new Map<number, Sealed>();
  private readonly badBlocks = new Map<string, VerifierError>();

  constructor(opts: Pick<VerifierOpts, "sequencer" | "maxBufferedBlocks">, modules: BlockFaultsModules) {
    this.opts = opts;
    this.evidenceStore = modules.evidenceStore;
    this.metrics = modules.metrics;
    this.unsettledAbove = modules.unsettledAbove ?? (() => null);
  }

  private readonly unsettledAbove: () => number | null;

  /**
   * Whether a second seal at height `n` is excused: L1 proved a block at or below it wrong and
   * removed its checkpoint, so the sequencer re-seals the heights past the last valid checkpoint.
   */
  excused(n: number): boolean {
    const above = this.unsettledAbove();
    return above !== null && n > above;
  }

  /**
   * A rewind to `target`: the seals remembered above it belong to the removed chain, and so do the
   * refusals cached there (a new block refused for its parent while this node still held the old
   * one must import once it has rewound; a block refused for its execution is refused again).
   */
  rewound(target: number): void {
    for (const h of this.seals.keys()) if (h > target) this.seals.delete(h);
    for (const [hash, err] of this.badBlocks) {
      if ((err.details.number as number) > target) this.badBlocks.delete(hash);
    }
  }

  /** While L1 has put height n back in play (see excused): a refusal that is neither cached nor evidence. */
  rewindPending(n: number): VerifierError {
    return new VerifierError(
      VerifierErrorCode.REWIND_PENDING,
      `Block ${n} is past the last valid checkpoint while L1 is halted by a proven fault: this node rewinds first`,
      { details: { number: n } },
    );
  }

  /** The refusal of a sealed block already found invalid, if this hash is one. */
  knownBad(hash: Uint8Array): VerifierError | undefined {
    return this.badBlocks.get(toHex(hash));
  }

  /** Block `n` is committed: the seals remembered at and below it are no longer needed. */
  committed(n: number): void {
    for (const h of this.seals.keys()) if (h <= n) this.seals.delete(h);
  }

  /** Remember the first seal at a height above the head; a different sealed hash there is equivocation. */
  async checkSeal(block: SignedBlock, hash: Uint8Array, source: string | null): Promise<void> {
    const n = block.header.number;
    const seen = this.seals.get(n);
    if (seen && !bytesEqual(seen.hash, hash)) throw await this.equivocation(seen, block, hash, source);
    if (!seen && this.seals.size < this.opts.maxBufferedBlocks + 1) {
      this.seals.set(n, { hash, header: block.header, signature: block.signature });
    }
  }

  sealedBySequencer(block: SignedBlock): boolean {
    try {
      return bytesEqual(recoverBlockSigner(block.header, block.signature), this.opts.sequencer);
    } catch {
      return false;
    }
  }

  async equivocation(
    first: Sealed,
    block: SignedBlock,
    hash: Uint8Array,
    source: string | null,
  ): Promise<VerifierError> {
    const n = block.header.number;
    if (this.excused(n)) {
      return new VerifierError(
        VerifierErrorCode.REWIND_PENDING,
        `Block ${n} replaces one past the last valid checkpoint: this node rewinds first`,
        { details: { number: n, hashA: toHex(first.hash), hashB: toHex(hash) } },
      );
    }
    const e = await this.evidenceStore().record({
      kind: "blockEquivocation",
      source,
      number: n,
      a: sealedHeaderJson(first.header, first.signature),
      b: sealedHeaderJson(block.header, block.signature),
    });
    this.metrics?.verifierEvidence.inc({ kind: "blockEquivocation" });
    return new VerifierError(VerifierErrorCode.EQUIVOCATION, `The sequencer sealed two blocks at height ${n}`, {
      details: { number: n, hashA: toHex(first.hash), hashB: toHex(hash), evidence: e.id },
    });
  }

  /** A refused block: a typed error, cached by hash; sealed by the sequencer, it is also evidence. */
  invalid(cause: BlockError, block: SignedBlock, hash: Uint8Array, sealed: boolean): VerifierError {
    const err = new VerifierError(
      VerifierErrorCode.INVALID_BLOCK,
      `Block ${block.header.number} refused: ${cause.shortMessage}`,
      {
        cause,
        details: {
          ...withoutCode(cause.details),
          number: block.header.number,
          hash: toHex(hash),
          code: cause.code,
          sealed,
        },
      },
    );
    this.metrics?.verifierRejected.inc({ code: cause.code });
    if (sealed) {
      this.badBlocks.set(toHex(hash), err);
      if (this.badBlocks.size > MAX_BAD_BLOCKS) this.badBlocks.delete(this.badBlocks.keys().next().value as string);
    }
    return err;
  }

  async recordInvalid(err: VerifierError, block: SignedBlock, hash: Uint8Array, source: string | null) {
    const cause = err.cause as BlockError;
    let bytes = "0x";
    try {
      bytes = toHex(encodeSignedBlock(block));
    } catch {
      // A block that does not encode came from a decoder that accepted it: keep the rest of the record.
    }
    const e = await this.evidenceStore().record({
      kind: "invalidBlock",
      source,
      number: block.header.number,
      hash: toHex(hash),
      code: cause.code,
      message: cause.shortMessage,
      details: cause.details,
      block: bytes as `0x${string}`,
    });
    this.metrics?.verifierEvidence.inc({ kind: "invalidBlock" });
    err.details.evidence = e.id;
  }
}
