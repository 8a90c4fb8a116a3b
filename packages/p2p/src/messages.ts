/**
 * The SSZ payloads of the p2p layer that `@filverse/types` does not already define: checkpoint
 * signatures, equivocation evidence, the req/resp request and status containers, and one decoder per
 * gossip topic. Every decoder is strict (SSZ bounds, trailing bytes, the chain id) and throws
 * CodecError, which the gossip layer turns into a reject.
 */
import {
  address,
  BlockHeader,
  bytes32,
  bytesListField,
  Checkpoint,
  CodecError,
  CodecErrorCode,
  decodeSignedBlock,
  decodeSignedTx,
  encodeSignedBlock,
  encodeSignedTx,
  Preconfirmation,
  type SignedBlock,
  type SignedTransaction,
  signature65,
  struct,
  uint8,
  uint64,
  type ValueOf,
} from "@filverse/types";
import type { GossipTopicName } from "./topics.js";

/** A sequencer's seal over one header: enough to prove block equivocation on L1. */
export const SignedBlockHeader = struct("SignedBlockHeader", {
  header: BlockHeader.asField(),
  signature: signature65,
});
export type SignedBlockHeader = ValueOf<typeof SignedBlockHeader.fields>;

/** A validator's signature over a checkpoint's L1 digest (`checkpointDigest` in `@filverse/l1`). */
export const CheckpointSignature = struct("CheckpointSignature", {
  checkpoint: Checkpoint.asField(),
  /** The validator's address; the receiver recovers the signature and compares. */
  signer: address,
  signature: signature65,
});
export type CheckpointSignature = ValueOf<typeof CheckpointSignature.fields>;

/** The depth of a block's receipt list (List[Receipt, 69632] merkleizes over 2^17 leaves). */
const RECEIPT_LIST_DEPTH = 17;

/**
 * A preconfirmation the sequencer signed and the sealed header that breaks it, with the one receipt
 * at the promised position and its siblings (`siblings`: 32-byte roots, leaf level first,
 * concatenated), or the receipt list's data root when `count` ≤ position (no siblings). Checkable
 * alone, as the rollup's provePreconfirmationBreach checks it.
 */
export const PreconfirmationBreach = struct("PreconfirmationBreach", {
  preconfirmation: Preconfirmation.asField(),
  preconfirmationSignature: signature65,
  sealed: SignedBlockHeader.asField(),
  item: bytes32,
  count: uint64,
  siblings: bytesListField(32 * RECEIPT_LIST_DEPTH),
});
export type PreconfirmationBreach = ValueOf<typeof PreconfirmationBreach.fields>;

export enum EvidenceKind {
  /** Two sequencer seals at one block number over different header hashes (`a`, `b`: SignedBlockHeader). */
  BLOCK_EQUIVOCATION = 1,
  /** One validator's signatures over two different checkpoints at one index (`a`, `b`: CheckpointSignature). */
  CHECKPOINT_EQUIVOCATION = 2,
  /** A sealed block that breaks a preconfirmation (`a`: PreconfirmationBreach, `b` empty). */
  PRECONFIRMATION_BREACH = 3,
}

/** An evidence item's largest SSZ encoding: the largest of the item containers. */
export const MAX_EVIDENCE_ITEM_BYTES = Math.max(
  SignedBlockHeader.ssz.maxSize,
  CheckpointSignature.ssz.maxSize,
  PreconfirmationBreach.ssz.maxSize,
);

/** On the wire: `{kind: uint8, a: ByteList, b: ByteList}`, each item the SSZ of its kind's container. */
export const EvidenceEnvelope = struct("Evidence", {
  kind: uint8,
  a: bytesListField(MAX_EVIDENCE_ITEM_BYTES),
  b: bytesListField(MAX_EVIDENCE_ITEM_BYTES),
});

export type Evidence =
  | { kind: EvidenceKind.BLOCK_EQUIVOCATION; a: SignedBlockHeader; b: SignedBlockHeader }
  | { kind: EvidenceKind.CHECKPOINT_EQUIVOCATION; a: CheckpointSignature; b: CheckpointSignature }
  | { kind: EvidenceKind.PRECONFIRMATION_BREACH; breach: PreconfirmationBreach };

export function encodeEvidence(evidence: Evidence): Uint8Array {
  if (evidence.kind === EvidenceKind.PRECONFIRMATION_BREACH) {
    return EvidenceEnvelope.serialize({
      kind: evidence.kind,
      a: PreconfirmationBreach.serialize(evidence.breach),
      b: new Uint8Array(0),
    });
  }
  const item = evidence.kind === EvidenceKind.BLOCK_EQUIVOCATION ? SignedBlockHeader : CheckpointSignature;
  return EvidenceEnvelope.serialize({
    kind: evidence.kind,
    a: item.serialize(evidence.a as never),
    b: item.serialize(evidence.b as never),
  });
}

/** Decode evidence; the signatures and the conflict itself are the validator's to check. */
export function decodeEvidence(bytes: Uint8Array): Evidence {
  const env = EvidenceEnvelope.deserialize(bytes);
  switch (env.kind) {
    case EvidenceKind.BLOCK_EQUIVOCATION:
      return { kind: env.kind, a: SignedBlockHeader.deserialize(env.a), b: SignedBlockHeader.deserialize(env.b) };
    case EvidenceKind.CHECKPOINT_EQUIVOCATION:
      return { kind: env.kind, a: CheckpointSignature.deserialize(env.a), b: CheckpointSignature.deserialize(env.b) };
    case EvidenceKind.PRECONFIRMATION_BREACH: {
      if (env.b.length !== 0) {
        throw new CodecError(CodecErrorCode.INVALID_FIELD, "A preconfirmation breach carries one item", {
          details: { b: env.b.length },
        });
      }
      const breach = PreconfirmationBreach.deserialize(env.a);
      if (breach.siblings.length % 32 !== 0) {
        throw new CodecError(CodecErrorCode.INVALID_FIELD, "siblings must be whole 32-byte roots", {
          details: { bytes: breach.siblings.length },
        });
      }
      return { kind: env.kind, breach };
    }
    default:
      throw new CodecError(CodecErrorCode.INVALID_FIELD, `Unknown evidence kind ${env.kind}`, {
        details: { kind: env.kind },
      });
  }
}

/** The chain head a node reports over `status`. */
export const Status = struct("Status", { headNumber: uint64, headHash: bytes32 });
export type Status = ValueOf<typeof Status.fields>;

/** `blocks_by_range` asks for blocks `startBlock … startBlock + count - 1`. */
export const BlocksByRangeRequest = struct("BlocksByRangeRequest", { startBlock: uint64, count: uint64 });
export type BlocksByRangeRequest = ValueOf<typeof BlocksByRangeRequest.fields>;

/** The decoded value carried by each topic. */
export type GossipPayloads = {
  blocks: SignedBlock;
  txs: SignedTransaction;
  "checkpoint-signatures": CheckpointSignature;
  evidence: Evidence;
};

function wrongChain(what: string, got: number, chainId: number): CodecError {
  return new CodecError(CodecErrorCode.INVALID_FIELD, `${what} is for chain ${got}, not ${chainId}`, {
    details: { chainId: got, expected: chainId },
  });
}

function evidenceChainIds(e: Evidence): number[] {
  switch (e.kind) {
    case EvidenceKind.BLOCK_EQUIVOCATION:
      return [e.a.header.chainId, e.b.header.chainId];
    case EvidenceKind.CHECKPOINT_EQUIVOCATION:
      return [e.a.checkpoint.chainId, e.b.checkpoint.chainId];
    case EvidenceKind.PRECONFIRMATION_BREACH:
      return [e.breach.sealed.header.chainId];
  }
}

/** Decode one topic's bytes and check that it belongs to `chainId`. Throws CodecError. */
export function decodeGossip<T extends GossipTopicName>(
  topic: T,
  bytes: Uint8Array,
  chainId: number,
): GossipPayloads[T] {
  switch (topic) {
    case "blocks": {
      const block = decodeSignedBlock(bytes);
      if (block.header.chainId !== chainId) throw wrongChain("Block", block.header.chainId, chainId);
      return block as GossipPayloads[T];
    }
    case "txs": {
      const tx = decodeSignedTx(bytes);
      if (tx.chainId !== chainId) throw wrongChain("Transaction", tx.chainId, chainId);
      return tx as GossipPayloads[T];
    }
    case "checkpoint-signatures": {
      const cs = CheckpointSignature.deserialize(bytes);
      if (cs.checkpoint.chainId !== chainId) throw wrongChain("Checkpoint", cs.checkpoint.chainId, chainId);
      return cs as GossipPayloads[T];
    }
    case "evidence": {
      const e = decodeEvidence(bytes);
      for (const id of evidenceChainIds(e)) if (id !== chainId) throw wrongChain("Evidence", id, chainId);
      return e as GossipPayloads[T];
    }
    default:
      throw new CodecError(CodecErrorCode.INVALID_FIELD, `Unknown topic ${String(topic)}`);
  }
}

export function encodeGossip<T extends GossipTopicName>(topic: T, value: GossipPayloads[T]): Uint8Array {
  switch (topic) {
    case "blocks":
      return encodeSignedBlock(value as SignedBlock);
    case "txs":
      return encodeSignedTx(value as SignedTransaction);
    case "checkpoint-signatures":
      return CheckpointSignature.serialize(value as CheckpointSignature);
    case "evidence":
      return encodeEvidence(value as Evidence);
    default:
      throw new CodecError(CodecErrorCode.INVALID_FIELD, `Unknown topic ${String(topic)}`);
  }
}
