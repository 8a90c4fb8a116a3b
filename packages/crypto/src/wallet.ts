/**
 * `@filverse/crypto/wallet`: what a wallet or game client needs (EIP-712 hashing, object ids,
 * signing and recovery, transaction hashes) in pure JS: no worker pool, no piece commitments, no
 * native binding and no `node:` module. The main entry is a superset that also loads the native
 * keccak and libsecp256k1 where they exist; results are identical either way.
 */
export * from "./eip712.js";
export { keccak256, keccak256Noble } from "./hashes.js";
export * from "./ids.js";
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
export * from "./transaction.js";
