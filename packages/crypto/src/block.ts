/**
 * Block sealing. The sequencer signs EIP-712 `SealedBlock(uint64 number, bytes32 blockHash)` under
 * the Filverse domain, where blockHash is the header's SSZ root. Carrying the number lets the L1
 * contract judge equivocation (two signed hashes at one height) without decoding SSZ.
 */
import { type BlockHeader, blockHash, SealedBlock } from "@filverse/types";
import { hashTypedData } from "./eip712.js";
import { recoverAddress, signDigest } from "./signature.js";

export function blockSigningDigest(header: BlockHeader): Uint8Array {
  return hashTypedData(header.chainId, SealedBlock, { number: header.number, blockHash: blockHash(header) });
}

export function signBlockHeader(header: BlockHeader, privateKey: Uint8Array): Uint8Array {
  return signDigest(blockSigningDigest(header), privateKey);
}

/** The address that sealed the header. Throws SignatureError for an invalid signature. */
export function recoverBlockSigner(header: BlockHeader, signature: Uint8Array): Uint8Array {
  return recoverAddress(blockSigningDigest(header), signature);
}
