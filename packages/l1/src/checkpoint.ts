/**
 * The checkpoint digest validators sign for FilverseRollup, the same bytes as the contract's
 * `checkpointDigest` (test/unit/checkpoint.test.ts proves it against the deployed contract):
 *
 *   body   = keccak256(abi.encode(uint64 index, uint64 firstBlock, uint64 lastBlock, bytes32 parentHash, bytes32 lastBlockHash,
 *              bytes32 stateRoot, bytes32 withdrawalsRoot, bytes32 blockHashesRoot, bytes32 keccak256(pieceCid), bytes32 keccak256(payloadCid),
 *              uint64 pieceSize, uint64 carSize, uint64 lastBlockTimestamp, uint64 depositCursor, uint64 validatorSetId))
 *   digest = keccak256(abi.encode(bytes32 CHECKPOINT_TAG, uint256 l1ChainId, address rollup, uint64 l2ChainId, body))
 *   CHECKPOINT_TAG = keccak256("FilverseCheckpoint.v1")
 */
import { recoverAddress, signDigest } from "@filverse/crypto";
import type { Checkpoint } from "@filverse/types";
import { toHex } from "@filverse/utils";
import { concatHex, encodeAbiParameters, type Hex, hexToBytes, keccak256, stringToHex } from "viem";
import { L1Error, L1ErrorCode } from "./errors.js";

export const CHECKPOINT_TAG: Hex = keccak256(stringToHex("FilverseCheckpoint.v1"));

export type CheckpointDomain = { l1ChainId: number; rollup: Hex; l2ChainId: number };

/** The contract's `Checkpoint` struct (the L2 chain id is the contract's immutable, not a field). */
export type CheckpointAbi = {
  index: bigint;
  firstBlock: bigint;
  lastBlock: bigint;
  parentHash: Hex;
  lastBlockHash: Hex;
  stateRoot: Hex;
  withdrawalsRoot: Hex;
  blockHashesRoot: Hex;
  pieceCid: string;
  payloadCid: string;
  pieceSize: bigint;
  carSize: bigint;
  lastBlockTimestamp: bigint;
  depositCursor: bigint;
  validatorSetId: bigint;
};

export function checkpointToAbi(cp: Checkpoint): CheckpointAbi {
  return {
    index: BigInt(cp.index),
    firstBlock: BigInt(cp.firstBlock),
    lastBlock: BigInt(cp.lastBlock),
    parentHash: toHex(cp.parentHash) as Hex,
    lastBlockHash: toHex(cp.lastBlockHash) as Hex,
    stateRoot: toHex(cp.stateRoot) as Hex,
    withdrawalsRoot: toHex(cp.withdrawalsRoot) as Hex,
    blockHashesRoot: toHex(cp.blockHashesRoot) as Hex,
    pieceCid: cp.pieceCid,
    payloadCid: cp.payloadCid,
    pieceSize: BigInt(cp.pieceSize),
    carSize: BigInt(cp.carSize),
    lastBlockTimestamp: BigInt(cp.lastBlockTimestamp),
    depositCursor: BigInt(cp.depositCursor),
    validatorSetId: BigInt(cp.validatorSetId),
  };
}

const u64 = { type: "uint64" } as const;
const b32 = { type: "bytes32" } as const;
const CONTENT_PARAMS = [u64, u64, u64, b32, b32, b32, b32, b32, b32, b32, u64, u64, u64, u64] as const;
const DIGEST_PARAMS = [b32, { type: "uint256" }, { type: "address" }, u64, b32] as const;

/** The abi.encode of the body's first fourteen words (the contract's `checkpointContent`). */
function checkpointContent(cp: Checkpoint): Hex {
  const a = checkpointToAbi(cp);
  return encodeAbiParameters(CONTENT_PARAMS, [
    a.index,
    a.firstBlock,
    a.lastBlock,
    a.parentHash,
    a.lastBlockHash,
    a.stateRoot,
    a.withdrawalsRoot,
    a.blockHashesRoot,
    keccak256(stringToHex(a.pieceCid)),
    keccak256(stringToHex(a.payloadCid)),
    a.pieceSize,
    a.carSize,
    a.lastBlockTimestamp,
    a.depositCursor,
  ]);
}

export function checkpointDigest(cp: Checkpoint, domain: CheckpointDomain): Uint8Array {
  if (cp.chainId !== domain.l2ChainId) {
    throw new L1Error(L1ErrorCode.WRONG_CHAIN, `Checkpoint is for L2 chain ${cp.chainId}, not ${domain.l2ChainId}`);
  }
  // abi.encode of static words concatenates: the content with the set id appended is the body's encoding.
  const body = keccak256(concatHex([checkpointContent(cp), encodeAbiParameters([u64], [BigInt(cp.validatorSetId)])]));
  return hexToBytes(
    keccak256(
      encodeAbiParameters(DIGEST_PARAMS, [
        CHECKPOINT_TAG,
        BigInt(domain.l1ChainId),
        domain.rollup,
        BigInt(domain.l2ChainId),
        body,
      ]),
    ),
  );
}

/**
 * What a checkpoint claims, without the validator set id it is signed under (the rollup's
 * `checkpointContentHash`): two checkpoints at one index are equivocation only if this differs, so a
 * checkpoint re-made for a changed validator set may be signed again.
 */
export function checkpointContentHash(cp: Checkpoint): Uint8Array {
  return hexToBytes(keccak256(checkpointContent(cp)));
}

/** A validator's 65-byte signature (r ‖ s ‖ v, low-s) over the checkpoint digest. */
export function signCheckpoint(cp: Checkpoint, domain: CheckpointDomain, privateKey: Uint8Array): Uint8Array {
  return signDigest(checkpointDigest(cp, domain), privateKey);
}

/**
 * The signatures in the order the contract requires: by signer address ascending, duplicates of one
 * signer dropped. Throws SignatureError for a signature that does not recover.
 */
export function orderCheckpointSignatures(
  cp: Checkpoint,
  domain: CheckpointDomain,
  signatures: Uint8Array[],
): Uint8Array[] {
  const digest = checkpointDigest(cp, domain);
  const bySigner = new Map<string, Uint8Array>();
  for (const sig of signatures) bySigner.set(toHex(recoverAddress(digest, sig)), sig);
  return [...bySigner.keys()].sort().map((k) => bySigner.get(k)!);
}
