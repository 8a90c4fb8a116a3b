/**
 * Object ids derived from the creator and the creating transaction's nonce, so a wallet knows the id
 * of what it creates before the transaction is included: id = sha256(tag ‖ creator ‖ uint64be(nonce)).
 */
import { concatBytes, utf8ToBytes } from "@filverse/utils";
import { sha256 } from "./hashes.js";

const u64be = (n: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n));
  return b;
};

const TAG_COLLECTION = utf8ToBytes("filverse:collection");
const TAG_TOKEN = utf8ToBytes("filverse:token");
const TAG_IDENTITY = utf8ToBytes("filverse:identity");
const TAG_DATA = utf8ToBytes("filverse:data");

export const collectionIdOf = (creator: Uint8Array, nonce: number) =>
  sha256(concatBytes(TAG_COLLECTION, creator, u64be(nonce)));
export const tokenIdOf = (issuer: Uint8Array, nonce: number) => sha256(concatBytes(TAG_TOKEN, issuer, u64be(nonce)));
export const identityIdOf = (creator: Uint8Array, nonce: number) =>
  sha256(concatBytes(TAG_IDENTITY, creator, u64be(nonce)));
export const dataAssetIdOf = (registrant: Uint8Array, nonce: number) =>
  sha256(concatBytes(TAG_DATA, registrant, u64be(nonce)));
export { u64be as uint64ToBytesBE };
