/**
 * applyBlock(state, block) → {state, receipts, roots}: the pure, deterministic state transition.
 * The input snapshot is never modified. A rule broken by a transaction gives a failed receipt; a
 * block that is invalid as a whole (bad signature, wrong nonce, unpaid fee, deposit out of order,
 * roots that differ from the header) throws a BlockError and nothing of it is applied.
 */
import { recoverBlockSigner, type SignatureError } from "@filverse/crypto";
import { type Block, type BlockHeader, blockHash, type SignedBlock } from "@filverse/types";
import { bytesEqual, toHex } from "@filverse/utils";
import { BlockError, BlockErrorCode, TxValidationError } from "./errors.js";
import { type BlockExecutionResult, BlockExecutor } from "./executor.js";
import type { State } from "./state.js";
import { type ValidatedTransaction, validateTransaction } from "./validate.js";

export type ApplyBlockOptions = {
  /** This chain's id; a block for another chain is rejected (WRONG_CHAIN). Required, so no caller forgets it. */
  chainId: number;
  /** Transactions with a lower fee make the block invalid. Default 0. */
  minTxFee?: bigint;
  maxBlockTxs?: number;
  maxBlockDeposits?: number;
  /**
   * Transactions already validated (signatures recovered, e.g. on a worker pool), in block order.
   * When absent, every signature is verified here.
   */
  validated?: ValidatedTransaction[];
};

export function applyBlock(state: State, block: Block, opts: ApplyBlockOptions): BlockExecutionResult {
  const { header } = block;
  if (header.chainId !== opts.chainId) {
    throw new BlockError(BlockErrorCode.WRONG_CHAIN, `Block is for chain ${header.chainId}, not ${opts.chainId}`);
  }
  if (opts.maxBlockTxs !== undefined && block.transactions.length > opts.maxBlockTxs) {
    throw new BlockError(
      BlockErrorCode.TOO_MANY_TRANSACTIONS,
      `Block holds ${block.transactions.length} transactions; the limit is ${opts.maxBlockTxs}`,
    );
  }
  if (opts.maxBlockDeposits !== undefined && block.deposits.length > opts.maxBlockDeposits) {
    throw new BlockError(
      BlockErrorCode.TOO_MANY_DEPOSITS,
      `Block holds ${block.deposits.length} deposits; the limit is ${opts.maxBlockDeposits}`,
    );
  }
  if (opts.validated && opts.validated.length !== block.transactions.length) {
    throw new BlockError(
      BlockErrorCode.SENDERS_MISMATCH,
      "Validated transactions do not match the block's transactions",
    );
  }
  const executor = new BlockExecutor(state, {
    chainId: header.chainId,
    timestamp: header.timestamp,
    proposer: header.proposer,
    minTxFee: opts.minTxFee ?? 0n,
  });
  for (const deposit of block.deposits) executor.applyDeposit(deposit);
  block.transactions.forEach((tx, index) => {
    try {
      const vtx = opts.validated?.[index] ?? validateTransaction(tx, header.chainId);
      if (vtx.tx !== tx) {
        throw new BlockError(BlockErrorCode.SENDERS_MISMATCH, `Validated transaction ${index} is not the block's`);
      }
      executor.applyTransaction(vtx);
    } catch (cause) {
      if (cause instanceof TxValidationError) {
        throw new BlockError(
          BlockErrorCode.INVALID_TRANSACTION,
          `Transaction ${index} is invalid: ${cause.shortMessage}`,
          {
            cause,
            details: { index, code: cause.code },
          },
        );
      }
      throw cause;
    }
  });
  return executor.finish();
}

/** Compare re-executed roots with the header, as a verifier must. Throws BlockError(ROOT_MISMATCH). */
export function assertBlockRoots(header: BlockHeader, result: BlockExecutionResult): void {
  const checks: [string, Uint8Array, Uint8Array][] = [
    ["stateRoot", header.stateRoot, result.roots.stateRoot],
    ["withdrawalsRoot", header.withdrawalsRoot, result.roots.withdrawalsRoot],
    ["txRoot", header.txRoot, result.roots.txRoot],
    ["receiptsRoot", header.receiptsRoot, result.roots.receiptsRoot],
  ];
  for (const [name, claimed, computed] of checks) {
    if (!bytesEqual(claimed, computed)) {
      throw new BlockError(BlockErrorCode.ROOT_MISMATCH, `Block ${header.number}: ${name} differs from re-execution`, {
        details: { field: name, header: toHex(claimed), computed: toHex(computed) },
      });
    }
  }
  if (header.l1DepositNonce !== result.l1DepositNonce) {
    throw new BlockError(
      BlockErrorCode.ROOT_MISMATCH,
      `Block ${header.number}: l1DepositNonce differs from re-execution`,
      {
        details: { field: "l1DepositNonce", header: header.l1DepositNonce, computed: result.l1DepositNonce },
      },
    );
  }
}

/**
 * The checks that tie a block to its parent and its sequencer, before it is executed: chain id,
 * number, parent hash, a non-decreasing timestamp and the sequencer's seal. Throws BlockError.
 */
export function assertBlockHeader(parent: BlockHeader, block: SignedBlock, sequencer: Uint8Array): void {
  const { header } = block;
  const fail = (code: BlockErrorCode, msg: string, details: Record<string, unknown> = {}) => {
    throw new BlockError(code, `Block ${header.number}: ${msg}`, { details });
  };
  if (header.chainId !== parent.chainId)
    fail(BlockErrorCode.WRONG_CHAIN, `chain ${header.chainId} is not ${parent.chainId}`);
  if (header.number !== parent.number + 1) fail(BlockErrorCode.BAD_NUMBER, `number does not follow ${parent.number}`);
  if (!bytesEqual(header.parentHash, blockHash(parent))) {
    fail(BlockErrorCode.PARENT_MISMATCH, "parentHash is not the parent's hash", {
      parentHash: toHex(header.parentHash),
    });
  }
  if (header.timestamp < parent.timestamp) fail(BlockErrorCode.BAD_TIMESTAMP, "timestamp is before its parent's");
  let signer: Uint8Array;
  try {
    signer = recoverBlockSigner(header, block.signature);
  } catch (cause) {
    throw new BlockError(BlockErrorCode.BAD_SEAL, `Block ${header.number}: ${(cause as SignatureError).shortMessage}`, {
      cause,
    });
  }
  if (!bytesEqual(signer, sequencer)) {
    fail(BlockErrorCode.BAD_SEAL, "not sealed by the sequencer", {
      signer: toHex(signer),
      sequencer: toHex(sequencer),
    });
  }
}
