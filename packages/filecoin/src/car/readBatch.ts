/**
 * Reads a whole batch CAR: every section checked against the index and its CID, every block decoded,
 * the numbers consecutive and the parentHash chain unbroken from the index's parentHash to its
 * lastBlockHash. Any fault is a FilecoinError; nothing else escapes.
 */
import { blockHash, type SignedBlock } from "@filverse/types";
import { FilecoinError, FilecoinErrorCode } from "../errors.js";
import { type BatchIndex, type BatchLimits, defaultBatchLimits } from "./batchIndex.js";
import {
  blockSectionData,
  blockSectionRange,
  checkBatchEnds,
  checkLink,
  decodeBatchBlock,
  parsePrefix,
} from "./parse.js";

export type ReadBatchOpts = Partial<BatchLimits> & {
  /** If given, the CAR's root must be this CID (the checkpoint's payloadCid). */
  payloadCid?: string;
};

export type ReadBatchReturnType = {
  payloadCid: string;
  index: BatchIndex;
  blocks: SignedBlock[];
  /** Each block's SSZ bytes (views into the CAR). */
  blockBytes: Uint8Array[];
};

/**
 * Checks structure and linkage only: the blocks' seals and their execution are the verifier's
 * (`assertBlockHeader`, `applyBlock` and `assertBlockRoots` in @filverse/state).
 */
export function readBatch(car: Uint8Array, opts: ReadBatchOpts = {}): ReadBatchReturnType {
  const limits: BatchLimits = { ...defaultBatchLimits, ...opts };
  if (car.length > limits.maxCarBytes) {
    throw new FilecoinError(FilecoinErrorCode.CAR_TOO_LARGE, "The CAR is larger than a batch may be", {
      details: { carSize: car.length, maxCarBytes: limits.maxCarBytes },
    });
  }
  const prefix = parsePrefix(car, limits, opts.payloadCid);
  const { index } = prefix;
  if (car.length < prefix.carSize) {
    throw new FilecoinError(FilecoinErrorCode.CAR_TRUNCATED, "The CAR ends before its last block", {
      details: { length: car.length, expected: prefix.carSize },
    });
  }
  if (car.length > prefix.carSize) {
    throw new FilecoinError(FilecoinErrorCode.CAR_MALFORMED, "Bytes follow the batch's last block", {
      details: { length: car.length, expected: prefix.carSize },
    });
  }
  const blocks: SignedBlock[] = [];
  const blockBytes: Uint8Array[] = [];
  let parent: Uint8Array | null = null;
  for (let i = 0; i < index.blocks.length; i++) {
    const { offset, length } = blockSectionRange(prefix, i);
    const data = blockSectionData(car.subarray(offset, offset + length), index, i);
    const block = decodeBatchBlock(data, index, i);
    if (parent)
      checkLink(
        block.header.parentHash,
        parent,
        "its parentHash is not the previous block's hash",
        block.header.number,
      );
    checkBatchEnds(block, index);
    parent = blockHash(block.header);
    blocks.push(block);
    blockBytes.push(data);
  }
  return { payloadCid: prefix.root.toString(), index, blocks, blockBytes };
}
