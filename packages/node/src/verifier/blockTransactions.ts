/**
 * A block's transactions checked without state: the stateless checks and signature recovery, in one
 * batch on the pool (ahead of import while syncing), and whether a body hashes to its sealed txRoot.
 */
import { depositHash, recoverAddress, type SignatureRecoverer, sszListRoot, txHash } from "@filverse/crypto";
import { MAX_BLOCK_DEPOSITS, MAX_BLOCK_TXS } from "@filverse/params";
import {
  BlockError,
  BlockErrorCode,
  completeValidation,
  parseTransactionBytes,
  prevalidateTransaction,
  TxValidationError,
  type ValidatedTransaction,
  validateTransaction,
} from "@filverse/state";
import type { SignedBlock, SignedTransaction } from "@filverse/types";
import { bytesEqual } from "@filverse/utils";

/**
 * Stateless checks and signature recovery of every transaction, recovered in one batch on the
 * pool. The first invalid one makes the block invalid, as applyBlock would say.
 */
export async function validateBlockTransactions(
  txs: SignedTransaction[],
  chainId: number,
  recoverer: SignatureRecoverer | null,
): Promise<ValidatedTransaction[]> {
  const fail = (index: number, cause: TxValidationError) =>
    new BlockError(BlockErrorCode.INVALID_TRANSACTION, `Transaction ${index} is invalid: ${cause.shortMessage}`, {
      cause,
      details: { index, code: cause.code },
    });
  const digests: Uint8Array[] = [];
  for (let i = 0; i < txs.length; i++) {
    try {
      digests.push(prevalidateTransaction(txs[i]!, chainId).digest);
    } catch (err) {
      if (err instanceof TxValidationError) throw fail(i, err);
      throw err;
    }
  }
  let senders: (Uint8Array | null)[];
  if (recoverer && txs.length > 0) {
    senders = await recoverer.recoverBatch(
      digests,
      txs.map((t) => t.signature),
    );
  } else {
    senders = [];
  }
  return txs.map((tx, i) => {
    try {
      if (recoverer) return completeValidation(tx, digests[i]!, senders[i] ?? null);
      // No pool: recover here (completeValidation with the cause, as validateTransaction does).
      let sender: Uint8Array | null = null;
      let cause: unknown;
      try {
        sender = recoverAddress(digests[i]!, tx.signature);
      } catch (err) {
        cause = err;
      }
      return completeValidation(tx, digests[i]!, sender, cause);
    } catch (err) {
      if (err instanceof TxValidationError) throw fail(i, err);
      throw err;
    }
  });
}

/**
 * Whether the block's deposits and transactions hash to its header's txRoot (what the seal covers),
 * computed without executing: deposit hashes, then transaction hashes. A forced transaction is in txRoot by its own hash when it was includable, which
 * only execution knows; it is taken as included when it passes the stateless checks, so a block
 * whose forced transaction failed on state is (rarely) not attributed. Used on failure paths only.
 */
export function bodyMatchesHeader(block: SignedBlock): boolean {
  try {
    const hashes = block.deposits.map((d) => {
      if (d.forcedTx.length === 0) return depositHash(d);
      try {
        return validateTransaction(parseTransactionBytes(d.forcedTx), block.header.chainId).hash;
      } catch {
        return depositHash(d);
      }
    });
    for (const tx of block.transactions) hashes.push(txHash(tx));
    // HashListSsz's root (deposits and transactions), computed without the library's node tree.
    return bytesEqual(sszListRoot(hashes, MAX_BLOCK_DEPOSITS + MAX_BLOCK_TXS), block.header.txRoot);
  } catch {
    return false;
  }
}
