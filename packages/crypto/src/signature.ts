/**
 * secp256k1 signatures as Ethereum wallets make them: 65 bytes r ‖ s ‖ v with v ∈ {27, 28}, low-s
 * only (EIP-2), so each signed message has exactly one valid encoding and one transaction hash.
 */
import { FilverseError, toHex } from "@filverse/utils";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { keccak256 } from "./keccak.js";

export enum SignatureErrorCode {
  INVALID_LENGTH = "SIGNATURE_INVALID_LENGTH",
  INVALID_V = "SIGNATURE_INVALID_V",
  HIGH_S = "SIGNATURE_HIGH_S",
  INVALID = "SIGNATURE_INVALID",
}

export class SignatureError extends FilverseError<SignatureErrorCode> {
  override name = "SignatureError";
}

/** The 20-byte address of an uncompressed (65-byte) or compressed (33-byte) public key. */
export function publicKeyToAddress(publicKey: Uint8Array): Uint8Array {
  const uncompressed = publicKey.length === 65 ? publicKey : secp256k1.Point.fromBytes(publicKey).toBytes(false);
  return keccak256(uncompressed.subarray(1)).subarray(12);
}

export function privateKeyToAddress(privateKey: Uint8Array): Uint8Array {
  return publicKeyToAddress(secp256k1.getPublicKey(privateKey, false));
}

/** Recover the signer's address of a 32-byte digest. Throws SignatureError for any invalid signature. */
export function recoverAddress(digest: Uint8Array, signature: Uint8Array): Uint8Array {
  if (signature.length !== 65) {
    throw new SignatureError(SignatureErrorCode.INVALID_LENGTH, `Signature must be 65 bytes, got ${signature.length}`);
  }
  const v = signature[64]!;
  if (v !== 27 && v !== 28) {
    throw new SignatureError(SignatureErrorCode.INVALID_V, `Signature v must be 27 or 28, got ${v}`);
  }
  let sig: ReturnType<typeof secp256k1.Signature.fromBytes>;
  try {
    sig = secp256k1.Signature.fromBytes(signature.subarray(0, 64), "compact");
  } catch (cause) {
    throw new SignatureError(SignatureErrorCode.INVALID, "Signature r or s is out of range", { cause });
  }
  if (sig.hasHighS()) {
    throw new SignatureError(SignatureErrorCode.HIGH_S, "Signature s is in the upper half of the curve order", {
      metaMessages: ["Only low-s signatures are valid (EIP-2); every standard wallet produces them."],
    });
  }
  try {
    const point = sig.addRecoveryBit(v - 27).recoverPublicKey(digest);
    return publicKeyToAddress(point.toBytes(false));
  } catch (cause) {
    throw new SignatureError(SignatureErrorCode.INVALID, "Signature does not recover to a public key", {
      cause,
      details: { digest: toHex(digest) },
    });
  }
}

/** Sign a 32-byte digest: low-s, deterministic (RFC 6979), v ∈ {27, 28}. */
export function signDigest(digest: Uint8Array, privateKey: Uint8Array): Uint8Array {
  const recovered = secp256k1.sign(digest, privateKey, { prehash: false, format: "recovered" });
  // noble's "recovered" format is recovery ‖ r ‖ s; Ethereum wants r ‖ s ‖ (27 + recovery).
  const out = new Uint8Array(65);
  out.set(recovered.subarray(1, 65), 0);
  out[64] = 27 + recovered[0]!;
  return out;
}
