/**
 * Evidence of sequencer misbehaviour, as a verifier sees it: (a) two sequencer-sealed headers with
 * different hashes at one height (equivocation, provable on L1), (b) a checkpoint on L1 or offered
 * for co-signing whose roots differ from re-execution, (c) a sealed block with an invalid
 * transaction or root, (d) a sealed block that contradicts a preconfirmation the sequencer signed
 * (provable on L1). Records are JSON (hex bytes), persisted in the verifier's LevelDB, served by
 * `filverse_getEvidence`, and announced to `onEvidence` listeners (the p2p layer gossips them).
 * Only what the sequencer sealed (or a checkpoint it asked to sign / posted) becomes evidence, so a
 * peer cannot fill the store with forgeries.
 */
import { sha256 } from "@filverse/crypto";
import type { ChainDb } from "@filverse/db";
import {
  checkBreachProof,
  type PreconfirmationBreachProof,
  proveBlockEquivocation,
  provePreconfirmationBreach,
} from "@filverse/l1";
import { BlockHeader, blockHash, Preconfirmation } from "@filverse/types";
import { concatBytes, fromHex, type Logger, nullLogger, safeStringify, toHex } from "@filverse/utils";
import type { Account, Address, Hex, PublicClient, WalletClient } from "viem";
import { EvidenceError, EvidenceErrorCode } from "../errors.js";

export type EvidenceKind = "blockEquivocation" | "checkpointMismatch" | "invalidBlock" | "preconfirmationBreach";
export const EVIDENCE_KINDS: readonly EvidenceKind[] = [
  "blockEquivocation",
  "checkpointMismatch",
  "invalidBlock",
  "preconfirmationBreach",
];

/** A sealed header: its JSON (`BlockHeader.toJson`), its hash and the sequencer's 65-byte seal. */
export type SealedHeaderJson = { hash: Hex; header: Record<string, unknown>; signature: Hex };

type EvidenceBase = {
  /** sha256 of what identifies the fault (the same fault seen twice is one record). */
  id: Hex;
  /** Unix milliseconds when this node first saw it. */
  detectedAt: number;
  /** Where the offending data came from (a peer tag, "rpc", "l1", "cosign", "rebuild"). */
  source: string | null;
  /** Set once the evidence was proven on L1. */
  l1: { tx: Hex; submittedAt: number } | null;
};

export type BlockEquivocationEvidence = EvidenceBase & {
  kind: "blockEquivocation";
  number: number;
  a: SealedHeaderJson;
  b: SealedHeaderJson;
};

export type CheckpointMismatchEvidence = EvidenceBase & {
  kind: "checkpointMismatch";
  /** "l1": accepted by the rollup; "cosign": offered to this node for signing; "rebuild": met while rebuilding. */
  origin: "l1" | "cosign" | "rebuild";
  index: number;
  lastBlock: number;
  /** What the checkpoint says, as far as it is known (a stored L1 checkpoint lacks some fields). */
  checkpoint: Record<string, unknown>;
  mismatches: { field: string; claimed: string; computed: string }[];
};

export type InvalidBlockEvidence = EvidenceBase & {
  kind: "invalidBlock";
  number: number;
  hash: Hex;
  /** The BlockErrorCode (e.g. BLOCK_ROOT_MISMATCH, BLOCK_INVALID_TRANSACTION). */
  code: string;
  message: string;
  details: Record<string, unknown>;
  /** The block's SSZ (encodeSignedBlock), hex. */
  block: Hex;
};

/** A preconfirmation the sequencer signed, and the sealed block at its height that contradicts it. */
export type PreconfirmationBreachEvidence = EvidenceBase & {
  kind: "preconfirmationBreach";
  number: number;
  position: number;
  /** The promise (`Preconfirmation.toJson`) and the sequencer's signature over it. */
  preconfirmation: Record<string, unknown>;
  preconfirmationSignature: Hex;
  /** The sealed header of block `number`. */
  sealed: SealedHeaderJson;
  /** The block's receipt root at `position`, or its receipt list's data root when `count` ≤ position. */
  item: Hex;
  /** How many receipts the block has. */
  count: number;
  /** The receipt's siblings in the receipt list, leaf level first (none when count ≤ position). */
  siblings: Hex[];
};

export type Evidence =
  | BlockEquivocationEvidence
  | CheckpointMismatchEvidence
  | InvalidBlockEvidence
  | PreconfirmationBreachEvidence;

/** What makes a record; `id`, `detectedAt` and `l1` are filled in. */
export type NewEvidence =
  | Omit<BlockEquivocationEvidence, "id" | "detectedAt" | "l1">
  | Omit<CheckpointMismatchEvidence, "id" | "detectedAt" | "l1">
  | Omit<InvalidBlockEvidence, "id" | "detectedAt" | "l1">
  | Omit<PreconfirmationBreachEvidence, "id" | "detectedAt" | "l1">;

const utf8 = new TextEncoder();

/** The id of a fault: the same equivocation (either order), block or checkpoint offer is one record. */
export function evidenceId(e: NewEvidence): Hex {
  const tag = utf8.encode(`filverse:evidence:${e.kind}`);
  let body: Uint8Array;
  switch (e.kind) {
    case "blockEquivocation": {
      const [x, y] = [e.a.hash, e.b.hash].sort();
      body = concatBytes(u64(e.number), fromHex(x!), fromHex(y!));
      break;
    }
    case "checkpointMismatch":
      // One record per index and origin: a checkpoint offered many times, or many bad offers, stay one.
      body = concatBytes(utf8.encode(e.origin), u64(e.index));
      break;
    case "invalidBlock":
      body = fromHex(e.hash);
      break;
    case "preconfirmationBreach":
      // One record per broken promise: the height, the position and what was promised there.
      body = concatBytes(u64(e.number), u64(e.position), sha256(utf8.encode(safeStringify(e.preconfirmation))));
      break;
  }
  return toHex(sha256(concatBytes(tag, body))) as Hex;
}

function u64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n));
  return b;
}

export function sealedHeaderJson(header: BlockHeader, signature: Uint8Array): SealedHeaderJson {
  return {
    hash: toHex(blockHash(header)) as Hex,
    header: BlockHeader.toJson(header) as Record<string, unknown>,
    signature: toHex(signature) as Hex,
  };
}

/** A record's sealed header back as SSZ values. Throws EvidenceError MALFORMED (bad JSON or hex). */
export function sealedHeaderFromJson(
  s: SealedHeaderJson,
  name: string,
): { header: BlockHeader; signature: Uint8Array } {
  try {
    return { header: BlockHeader.fromJson(s.header, name), signature: fromHex(s.signature, 65) };
  } catch (cause) {
    throw new EvidenceError(EvidenceErrorCode.MALFORMED, `Evidence header ${name} does not decode`, { cause });
  }
}

export type EvidenceStoreOpts = {
  /** Records kept at most; past it new ones are logged and dropped (equivocation is always kept). */
  maxRecords: number;
};

export const defaultEvidenceStoreOpts: EvidenceStoreOpts = { maxRecords: 1_000 };

export type EvidenceListener = (e: Evidence) => void;

/** The verifier's evidence: in memory for serving, every record synced to the ChainDb first. */
export class EvidenceStore {
  private readonly records = new Map<string, Evidence>();
  private readonly listeners = new Set<EvidenceListener>();
  private readonly logger: Logger;

  constructor(
    private readonly db: ChainDb,
    private readonly opts: EvidenceStoreOpts = defaultEvidenceStoreOpts,
    logger: Logger | null = null,
  ) {
    this.logger = (logger ?? nullLogger).child({ module: "evidence" });
  }

  /** Read the stored records (at start). */
  async load(): Promise<void> {
    for await (const { record } of this.db.evidenceEntries()) {
      try {
        const e = JSON.parse(new TextDecoder().decode(record)) as Evidence;
        this.records.set(e.id, e);
      } catch (err) {
        this.logger.warn("stored evidence record does not parse; skipped", {}, err);
      }
    }
  }

  get size(): number {
    return this.records.size;
  }

  /** Every record (of one kind), oldest first. */
  list(kind?: EvidenceKind): Evidence[] {
    const all = [...this.records.values()].sort((x, y) => x.detectedAt - y.detectedAt);
    return kind ? all.filter((e) => e.kind === kind) : all;
  }

  get(id: string): Evidence | undefined {
    return this.records.get(id);
  }

  /** Called with every new record, after it is persisted. Returns the unsubscribe function. */
  onEvidence(listener: EvidenceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Persist a new record (synced) and announce it. Returns it, or the existing one for a known fault. */
  async record(e: NewEvidence): Promise<Evidence> {
    const id = evidenceId(e);
    const known = this.records.get(id);
    if (known) return known;
    const full = { ...e, id, detectedAt: Date.now(), l1: null } as Evidence;
    if (this.records.size >= this.opts.maxRecords && e.kind !== "blockEquivocation") {
      this.logger.warn("evidence store full; record not kept", { kind: e.kind, id, max: this.opts.maxRecords });
      return full;
    }
    await this.persist(full);
    const stored = this.records.get(id)!;
    this.logger.warn("evidence recorded", { kind: e.kind, id, source: e.source, ...summary(stored) });
    for (const l of this.listeners) {
      try {
        l(stored);
      } catch (err) {
        this.logger.warn("evidence listener failed", { id }, err);
      }
    }
    return stored;
  }

  /** Note that a record was proven on L1. */
  async markSubmitted(id: string, tx: Hex): Promise<void> {
    const e = this.records.get(id);
    if (!e) return;
    await this.persist({ ...e, l1: { tx, submittedAt: Date.now() } });
  }

  private async persist(e: Evidence): Promise<void> {
    // Error details may hold bigints or bytes: stored and served as their JSON forms.
    const json = safeStringify(e);
    await this.db.putEvidence(fromHex(e.id, 32), utf8.encode(json));
    this.records.set(e.id, JSON.parse(json) as Evidence);
  }
}

function summary(e: Evidence): Record<string, unknown> {
  switch (e.kind) {
    case "blockEquivocation":
      return { number: e.number, hashA: e.a.hash, hashB: e.b.hash };
    case "checkpointMismatch":
      return { origin: e.origin, index: e.index, fields: e.mismatches.map((m) => m.field) };
    case "invalidBlock":
      return { number: e.number, hash: e.hash, code: e.code };
    case "preconfirmationBreach":
      return { number: e.number, position: e.position, count: e.count };
  }
}

/** The record of a proven breach (the proof is checked by whoever made it). */
export function preconfirmationBreachRecord(
  proof: PreconfirmationBreachProof,
  source: string | null,
): Omit<PreconfirmationBreachEvidence, "id" | "detectedAt" | "l1"> {
  return {
    kind: "preconfirmationBreach",
    source,
    number: proof.preconfirmation.number,
    position: proof.preconfirmation.position,
    preconfirmation: Preconfirmation.toJson(proof.preconfirmation) as Record<string, unknown>,
    preconfirmationSignature: toHex(proof.preconfirmationSignature) as Hex,
    sealed: sealedHeaderJson(proof.header, proof.sealSignature),
    item: toHex(proof.item) as Hex,
    count: proof.count,
    siblings: proof.siblings.map((x) => toHex(x) as Hex),
  };
}

/** A stored breach record back as its proof. Throws EvidenceError MALFORMED. */
export function breachProofFromRecord(e: PreconfirmationBreachEvidence): PreconfirmationBreachProof {
  const { header, signature } = sealedHeaderFromJson(e.sealed, "sealed");
  try {
    return {
      preconfirmation: Preconfirmation.fromJson(e.preconfirmation, "preconfirmation"),
      preconfirmationSignature: fromHex(e.preconfirmationSignature, 65),
      header,
      sealSignature: signature,
      item: fromHex(e.item, 32),
      count: e.count,
      siblings: e.siblings.map((x) => fromHex(x, 32)),
    };
  } catch (cause) {
    throw new EvidenceError(EvidenceErrorCode.MALFORMED, "Breach record does not decode", {
      cause,
      details: { id: e.id },
    });
  }
}

export type SubmitEquivocationModules = {
  publicClient: PublicClient;
  walletClient: WalletClient;
  /** The configured L1 key that pays for the proof. */
  account: Account;
  rollup: Address;
};

/**
 * Prove a record on the rollup: block equivocation (`proveBlockEquivocation`: burns the sequencer's
 * bond, and its collateral if it is a validator, and halts) or a broken preconfirmation
 * (`provePreconfirmationBreach`: burns the bond). Checks the record first (headers hash to their
 * hashes at the record's height; a breach proof holds) so a malformed record never costs gas.
 */
export async function submitEvidenceToL1(
  evidence: Evidence,
  modules: SubmitEquivocationModules & { sequencer: Uint8Array; chainId: number },
): Promise<Hex> {
  if (evidence.kind === "preconfirmationBreach") {
    const proof = breachProofFromRecord(evidence);
    const reason = checkBreachProof(proof, modules.sequencer, modules.chainId);
    if (reason !== null) {
      throw new EvidenceError(EvidenceErrorCode.MALFORMED, `Breach record does not hold: ${reason}`, {
        details: { id: evidence.id },
      });
    }
    return provePreconfirmationBreach({ rollup: modules.rollup, breach: proof }, modules);
  }
  if (evidence.kind !== "blockEquivocation") {
    throw new EvidenceError(EvidenceErrorCode.NOT_PROVABLE, `Evidence of kind ${evidence.kind} is not provable on L1`, {
      details: { id: evidence.id },
    });
  }
  const side = (s: SealedHeaderJson, name: string) => {
    const { header, signature } = sealedHeaderFromJson(s, name);
    const hash = blockHash(header);
    if (toHex(hash) !== s.hash.toLowerCase() || header.number !== evidence.number) {
      throw new EvidenceError(EvidenceErrorCode.MALFORMED, `Evidence header ${name} is not the block it names`, {
        details: { id: evidence.id },
      });
    }
    return { hash, signature };
  };
  return proveBlockEquivocation(
    { rollup: modules.rollup, number: evidence.number, a: side(evidence.a, "a"), b: side(evidence.b, "b") },
    modules,
  );
}
