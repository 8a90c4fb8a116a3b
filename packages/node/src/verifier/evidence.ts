/**
 * Evidence of sequencer misbehaviour, as a verifier sees it: (a) two sequencer-sealed headers with
 * different hashes at one height (equivocation, provable on L1), (b) a checkpoint on L1 or offered
 * for co-signing whose roots differ from re-execution, (c) a sealed block with an invalid
 * transaction or root. Records are JSON (hex bytes), persisted in the verifier's LevelDB, served by
 * `filverse_getEvidence`, and announced to `onEvidence` listeners (the p2p layer gossips them).
 * Only what the sequencer sealed (or a checkpoint it asked to sign / posted) becomes evidence, so a
 * peer cannot fill the store with forgeries.
 */
import { sha256 } from "@filverse/crypto";
import type { ChainDb } from "@filverse/db";
import { proveBlockEquivocation } from "@filverse/l1";
import { BlockHeader, blockHash } from "@filverse/types";
import { concatBytes, fromHex, type Logger, nullLogger, safeStringify, toHex } from "@filverse/utils";
import type { Account, Address, Hex, PublicClient, WalletClient } from "viem";
import { EvidenceError, EvidenceErrorCode } from "../errors.js";

export type EvidenceKind = "blockEquivocation" | "checkpointMismatch" | "invalidBlock";
export const EVIDENCE_KINDS: readonly EvidenceKind[] = ["blockEquivocation", "checkpointMismatch", "invalidBlock"];

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

export type Evidence = BlockEquivocationEvidence | CheckpointMismatchEvidence | InvalidBlockEvidence;

/** What makes a record; `id`, `detectedAt` and `l1` are filled in. */
export type NewEvidence =
  | Omit<BlockEquivocationEvidence, "id" | "detectedAt" | "l1">
  | Omit<CheckpointMismatchEvidence, "id" | "detectedAt" | "l1">
  | Omit<InvalidBlockEvidence, "id" | "detectedAt" | "l1">;

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
 * Prove a block equivocation on the rollup: `proveBlockEquivocation(number, hashA, sigA, hashB, sigB)`.
 * The rollup burns the sequencer's bond (and its collateral if it is a validator) and halts. Checks the record first (each
 * header hashes to its hash, both at `number`) so a malformed record never costs gas.
 */
export async function submitEquivocationToL1(evidence: Evidence, modules: SubmitEquivocationModules): Promise<Hex> {
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
