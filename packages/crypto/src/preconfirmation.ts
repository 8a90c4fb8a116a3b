/**
 * Preconfirmations. When the sequencer executes an admitted transaction in the open block it signs
 * EIP-712 `Preconfirmation(uint64 number, uint64 position, bytes32 receiptRoot, bytes32 touchedRoot)`
 * under the Filverse domain with its block-sealing key. The L1 rollup recovers the same digest
 * (`preconfirmationDigest` there) to slash a sequencer whose sealed block contradicts one.
 */
import { Preconfirmation } from "@filverse/types";
import { hashTypedData } from "./eip712.js";
import { recoverAddress, signDigest } from "./signature.js";

export function preconfirmationDigest(chainId: number, p: Preconfirmation): Uint8Array {
  return hashTypedData(chainId, Preconfirmation, p);
}

export function signPreconfirmation(chainId: number, p: Preconfirmation, privateKey: Uint8Array): Uint8Array {
  return signDigest(preconfirmationDigest(chainId, p), privateKey);
}

/** The address that signed the preconfirmation. Throws SignatureError for an invalid signature. */
export function recoverPreconfirmationSigner(chainId: number, p: Preconfirmation, signature: Uint8Array): Uint8Array {
  return recoverAddress(preconfirmationDigest(chainId, p), signature);
}
