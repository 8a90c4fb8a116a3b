/**
 * Holding the sequencer to its preconfirmations. Anyone may hand a verifier a preconfirmation the
 * sequencer signed (`filverse_submitPreconfirmation`): it is checked against the sealed block at its
 * height as soon as this node has imported that block, at once if it already has. A sealed block
 * with another receipt at the promised position, or too few receipts, is recorded as
 * `preconfirmationBreach` evidence: self-contained (the promise, the sealed header and a receipt-list
 * proof), gossiped, and proven on L1 by a verifier with an L1 key (`provePreconfirmationBreach`
 * burns the sequencer's bond). Only what the sequencer signed is kept, so nobody can fill the watch
 * with forgeries; what waits for a block is bounded in count and in height.
 */
import { recoverPreconfirmationSigner } from "@filverse/crypto";
import { breachProof, isPreconfirmationBroken } from "@filverse/l1";
import type { Preconfirmation, Receipt, SignedBlock } from "@filverse/types";
import { RpcErrorCode } from "@filverse/types";
import { bytesEqual, type Hex, type Logger, toHex } from "@filverse/utils";
import type { HeadInfo } from "../chain/interface.js";
import { NodeError, NodeErrorCode, SubmitError } from "../errors.js";
import { type Evidence, type NewEvidence, preconfirmationBreachRecord } from "./evidence.js";

/** A preconfirmation with the sequencer's signature over it. */
export type SignedPreconfirmation = Preconfirmation & { signature: Uint8Array };

/** What became of a submitted preconfirmation. */
export type PreconfirmationCheck =
  | { status: "kept" }
  | { status: "pending"; number: number }
  | { status: "broken"; evidenceId: Hex };

export type PreconfirmationWatchOpts = {
  /** Preconfirmations held for blocks not imported yet, in total. */
  maxPending: number;
  /** How far past this node's head a preconfirmation may be, to be held. */
  maxAhead: number;
};

export const defaultPreconfirmationWatchOpts: PreconfirmationWatchOpts = { maxPending: 100_000, maxAhead: 10_000 };

export type PreconfirmationWatchModules = {
  chainId: number;
  sequencer: Uint8Array;
  head: () => HeadInfo;
  /** The receipts and seal of an imported block, or null when this node does not have it. */
  sealed: (n: number) => Promise<{ block: SignedBlock; receipts: Receipt[] } | null>;
  record: (e: NewEvidence) => Promise<Evidence>;
  logger: Logger;
};

export class PreconfirmationWatch {
  /** Waiting for their block: by height, then by what they promise (one entry per distinct promise). */
  private readonly pending = new Map<number, Map<string, SignedPreconfirmation>>();
  private pendingCount = 0;

  constructor(
    private readonly m: PreconfirmationWatchModules,
    private readonly opts: PreconfirmationWatchOpts = defaultPreconfirmationWatchOpts,
  ) {}

  get size(): number {
    return this.pendingCount;
  }

  /**
   * Check a preconfirmation now, or hold it until its block is imported. Throws SubmitError
   * BAD_SIGNATURE when the sequencer did not sign it, UNKNOWN_BLOCK when its height is more than
   * maxAhead past this node's head, and RATE_LIMITED (retry after a block) when maxPending wait.
   */
  async submit(p: SignedPreconfirmation): Promise<PreconfirmationCheck> {
    let signer: Uint8Array;
    try {
      signer = recoverPreconfirmationSigner(this.m.chainId, p, p.signature);
    } catch (cause) {
      throw new SubmitError(RpcErrorCode.BAD_SIGNATURE, "The preconfirmation's signature does not recover", { cause });
    }
    if (!bytesEqual(signer, this.m.sequencer)) {
      throw new SubmitError(RpcErrorCode.BAD_SIGNATURE, "The preconfirmation is not signed by the sequencer", {
        details: { signer: toHex(signer), sequencer: toHex(this.m.sequencer) },
      });
    }
    const head = this.m.head().number;
    if (p.number <= head) return this.check(p, "rpc");
    if (p.number > head + this.opts.maxAhead) {
      throw new SubmitError(
        RpcErrorCode.UNKNOWN_BLOCK,
        `Block ${p.number} is more than ${this.opts.maxAhead} past this node's head ${head}`,
        { details: { number: p.number, head, maxAhead: this.opts.maxAhead } },
      );
    }
    const key = promiseKey(p);
    const atHeight = this.pending.get(p.number) ?? new Map<string, SignedPreconfirmation>();
    if (!atHeight.has(key)) {
      if (this.pendingCount >= this.opts.maxPending) {
        throw new SubmitError(RpcErrorCode.RATE_LIMITED, `${this.pendingCount} preconfirmations already wait`, {
          details: { max: this.opts.maxPending, retryAfterMs: 1_000 },
        });
      }
      atHeight.set(key, p);
      this.pending.set(p.number, atHeight);
      this.pendingCount++;
    }
    return { status: "pending", number: p.number };
  }

  /**
   * A rewind to `target` after a proven fault: the promises held for the heights above it were about
   * a chain L1 removed, so they are not judged against the blocks that replace it.
   */
  rewound(target: number): void {
    for (const [n, waiting] of this.pending) {
      if (n <= target) continue;
      this.pending.delete(n);
      this.pendingCount -= waiting.size;
    }
  }

  /** A block was imported: judge what waited for it (and anything left below it). */
  async onImported(number: number): Promise<void> {
    for (const n of [...this.pending.keys()].filter((k) => k <= number).sort((a, b) => a - b)) {
      const waiting = this.pending.get(n)!;
      this.pending.delete(n);
      this.pendingCount -= waiting.size;
      for (const p of waiting.values()) {
        try {
          await this.check(p, "rpc");
        } catch (err) {
          this.m.logger.error("checking a preconfirmation failed", { number: p.number, position: p.position }, err);
        }
      }
    }
  }

  private async check(p: SignedPreconfirmation, source: string): Promise<PreconfirmationCheck> {
    const sealed = await this.m.sealed(p.number);
    if (!sealed) {
      throw new NodeError(NodeErrorCode.STATE_MISMATCH, `Block ${p.number} is below the head but not stored`);
    }
    const { block, receipts } = sealed;
    if (!isPreconfirmationBroken({ preconfirmation: p, receipts })) return { status: "kept" };
    const proof = breachProof({
      preconfirmation: p,
      preconfirmationSignature: p.signature,
      header: block.header,
      sealSignature: block.signature,
      receipts,
    });
    const e = await this.m.record(preconfirmationBreachRecord(proof, source));
    return { status: "broken", evidenceId: e.id };
  }
}

function promiseKey(p: Preconfirmation): string {
  return `${p.position}:${toHex(p.receiptRoot)}:${toHex(p.touchedRoot)}`;
}
