/**
 * State keys: key = sha256(namespace ‖ id). Ids per namespace are listed in
 * @filverse/types stateObjects.ts and docs/state.md.
 */
import { sha256, uint64ToBytesBE } from "@filverse/crypto";
import type { Namespace } from "@filverse/types";
import { concatBytes, utf8ToBytes } from "@filverse/utils";

export function stateKey(ns: Namespace, id: Uint8Array): Uint8Array {
  const buf = new Uint8Array(1 + id.length);
  buf[0] = ns;
  buf.set(id, 1);
  return sha256(buf);
}

export const GLOBALS_ID = new Uint8Array(0);
export const assetObjectId = (collectionId: Uint8Array, tokenId: number) =>
  concatBytes(collectionId, uint64ToBytesBE(tokenId));
export const operatorObjectId = (owner: Uint8Array, collectionId: Uint8Array, operator: Uint8Array) =>
  concatBytes(owner, collectionId, operator);
export const tokenBalanceObjectId = (tokenId: Uint8Array, holder: Uint8Array) => concatBytes(tokenId, holder);
export const handleObjectId = (handle: string) => sha256(utf8ToBytes(handle));
export const attributeObjectId = (identityId: Uint8Array, key: string) =>
  concatBytes(identityId, sha256(utf8ToBytes(key)));
export const delegateObjectId = (identityId: Uint8Array, delegate: Uint8Array) => concatBytes(identityId, delegate);
export const accessGrantObjectId = (dataAssetId: Uint8Array, grantee: Uint8Array) => concatBytes(dataAssetId, grantee);
/** FeeAllowance id: sponsor (20) ‖ grantee (20) ‖ target (32). */
export const feeAllowanceObjectId = (sponsor: Uint8Array, grantee: Uint8Array, target: Uint8Array) =>
  concatBytes(sponsor, grantee, target);
/** SessionGrantRecord id: account (20) ‖ sessionKey (20). */
export const sessionGrantObjectId = (account: Uint8Array, sessionKey: Uint8Array) => concatBytes(account, sessionKey);
