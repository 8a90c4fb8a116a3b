/**
 * libsecp256k1 behind `recoverAddress` and `signDigest` (signatureCore.ts) where its prebuilt binding
 * loads. The checks, errors and noble fallbacks live in signatureCore.ts, which the wallet entry
 * ships without this file.
 */
import { createRequire } from "node:module";
import { checkSignature, publicKeyToAddress, recoveryFailed, setSignatureBackend } from "./signatureCore.js";

export {
  privateKeyToAddress,
  publicKeyToAddress,
  recoverAddress,
  recoverAddressNoble,
  SignatureError,
  SignatureErrorCode,
  signDigest,
  signDigestNoble,
} from "./signatureCore.js";

type NativeSecp256k1 = {
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array;
  ecdsaSign(msg32: Uint8Array, seckey: Uint8Array): { signature: Uint8Array; recid: number };
};

/**
 * libsecp256k1 through the prebuilt `secp256k1` package: about 23k recoveries/s on one core here,
 * 20× noble. Its `bindings.js` is loaded directly: the package's main entry would silently fall
 * back to pure-JS elliptic, which is slower than noble.
 */
function loadNative(): NativeSecp256k1 | null {
  try {
    return createRequire(import.meta.url)("secp256k1/bindings.js") as NativeSecp256k1;
  } catch {
    return null;
  }
}

const native = loadNative();

/** Native recovery, or null where the binding does not load. */
export const recoverAddressNative: ((digest: Uint8Array, signature: Uint8Array) => Uint8Array) | null = native
  ? (digest, signature) => {
      const recovery = checkSignature(signature);
      if (digest.length !== 32)
        throw recoveryFailed(digest, new RangeError(`digest must be 32 bytes, got ${digest.length}`));
      let publicKey: Uint8Array;
      try {
        publicKey = native.ecdsaRecover(signature.subarray(0, 64), recovery, digest, false);
      } catch (cause) {
        throw recoveryFailed(digest, cause);
      }
      return publicKeyToAddress(publicKey);
    }
  : null;

/** The back end in use: "libsecp256k1" where the native binding loads, else "noble". */
export const signatureBackend: "libsecp256k1" | "noble" = recoverAddressNative ? "libsecp256k1" : "noble";

/**
 * libsecp256k1 signing (RFC 6979 nonces, low-s normalized, like noble: bit-identical results,
 * tested), or null where the binding does not load. A sequencer signs every preconfirmation and
 * every block with it, on its main thread.
 */
export const signDigestNative: ((digest: Uint8Array, privateKey: Uint8Array) => Uint8Array) | null = native
  ? (digest, privateKey) => {
      const { signature, recid } = native.ecdsaSign(digest, privateKey);
      const out = new Uint8Array(65);
      out.set(signature, 0);
      out[64] = 27 + recid;
      return out;
    }
  : null;

if (recoverAddressNative && signDigestNative) setSignatureBackend(recoverAddressNative, signDigestNative);
