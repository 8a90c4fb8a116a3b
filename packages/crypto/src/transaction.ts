/**
 * Transaction hashing, signing and sender recovery. docs/protocol.md defines:
 *   signingDigest = EIP-712 digest of the message under the Filverse domain of tx.chainId
 *   txHash        = keccak256(signingDigest ‖ signature)
 * The signature is part of the hash so that two senders signing identical messages get distinct hashes.
 */
import { Deposit, type SignedTransaction, type TxMessage, txStructs, type Via, viaStruct } from "@filverse/types";
import { concatBytes } from "@filverse/utils";
import { hashTypedData, typedData } from "./eip712.js";
import { keccak256 } from "./hashes.js";
import { recoverAddress, signDigest } from "./signatureCore.js";

/** The EIP-712 digest a transaction is signed over: of its kind's struct, or of `Via<Name>` when it has `via`. */
export function txSigningDigest(tx: Pick<SignedTransaction, "chainId" | "kind" | "message" | "via">): Uint8Array {
  if (tx.via !== undefined) {
    return hashTypedData(
      tx.chainId,
      viaStruct(tx.kind) as never,
      {
        sponsor: tx.via.sponsor,
        account: tx.via.account,
        tx: tx.message,
      } as never,
    );
  }
  return hashTypedData(tx.chainId, txStructs[tx.kind] as never, tx.message as never);
}

/**
 * The typed data a wallet signs for a transaction (`signTypedData` / `eth_signTypedData_v4`): the kind's
 * struct, or `Via<Name>` with `{sponsor, account, tx}` when `via` is given.
 */
export function txTypedData(tx: Pick<SignedTransaction, "chainId" | "kind" | "message" | "via">) {
  if (tx.via !== undefined) {
    return typedData(
      tx.chainId,
      viaStruct(tx.kind) as never,
      {
        sponsor: tx.via.sponsor,
        account: tx.via.account,
        tx: tx.message,
      } as never,
    );
  }
  return typedData(tx.chainId, txStructs[tx.kind] as never, tx.message as never);
}

export function txHashFromDigest(digest: Uint8Array, signature: Uint8Array): Uint8Array {
  return keccak256(concatBytes(digest, signature));
}

export function txHash(tx: SignedTransaction): Uint8Array {
  return txHashFromDigest(txSigningDigest(tx), tx.signature);
}

/** A transaction with its hash and recovered sender, computed once and carried through the pipeline. */
export type VerifiedTransaction = {
  tx: SignedTransaction;
  hash: Uint8Array;
  sender: Uint8Array;
};

/** Recover the sender and compute the hash. Throws SignatureError. */
export function verifyTransaction(tx: SignedTransaction): VerifiedTransaction {
  const digest = txSigningDigest(tx);
  const sender = recoverAddress(digest, tx.signature);
  return { tx, hash: txHashFromDigest(digest, tx.signature), sender };
}

/** Sign a message with a raw private key (devnet tools and tests; wallets use viem's signTypedData). */
export function signTransaction(chainId: number, m: TxMessage, privateKey: Uint8Array, via?: Via): SignedTransaction {
  const digest = txSigningDigest({ chainId, kind: m.kind, message: m.message, via } as SignedTransaction);
  const tx = {
    chainId,
    kind: m.kind,
    message: m.message,
    signature: signDigest(digest, privateKey),
  } as SignedTransaction;
  if (via !== undefined) tx.via = { sponsor: via.sponsor, account: via.account };
  return tx;
}

/** depositHash = keccak256(SSZ(Deposit)); it stands in the tx list and receipts like a txHash. */
export function depositHash(deposit: Deposit): Uint8Array {
  return keccak256(Deposit.serialize(deposit));
}
