/** Data assets: register content with its Piece CID and license; grant and revoke access until an expiry. */
import { dataAssetIdOf } from "@filverse/crypto";
import { type DataAsset, Namespace, type TxKind, type TxMessages } from "@filverse/types";
import { bytesEqual } from "@filverse/utils";
import { ExecutionErrorCode } from "../errors.js";
import { accessGrantObjectId } from "../keys.js";
import { type ExecContext, fail, resolveActor } from "./context.js";

/** The id derives from the signer and its nonce (unique), the owner is the actor. */
export function dataAssetRegister(ctx: ExecContext, m: TxMessages[TxKind.DataAssetRegister]): void {
  const owner = resolveActor(ctx, m.onBehalfOf);
  ctx.ws.set(Namespace.DataAsset, dataAssetIdOf(ctx.signer, m.nonce), {
    owner,
    contentCid: m.contentCid,
    pieceCid: m.pieceCid,
    size: m.size,
    license: m.license,
  });
}

function ownedDataAsset(ctx: ExecContext, dataAssetId: Uint8Array, onBehalfOf: Uint8Array): DataAsset {
  const actor = resolveActor(ctx, onBehalfOf);
  const asset = ctx.ws.get(Namespace.DataAsset, dataAssetId) ?? fail(ExecutionErrorCode.DATA_ASSET_NOT_FOUND);
  if (!bytesEqual(asset.owner, actor)) fail(ExecutionErrorCode.NOT_DATA_OWNER);
  return asset;
}

export function accessGrant(ctx: ExecContext, m: TxMessages[TxKind.AccessGrant]): void {
  ownedDataAsset(ctx, m.dataAssetId, m.onBehalfOf);
  if (m.expiresAt <= ctx.now) fail(ExecutionErrorCode.EXPIRY_IN_PAST);
  ctx.ws.set(Namespace.AccessGrant, accessGrantObjectId(m.dataAssetId, m.grantee), { expiresAt: m.expiresAt });
}

export function accessRevoke(ctx: ExecContext, m: TxMessages[TxKind.AccessRevoke]): void {
  ownedDataAsset(ctx, m.dataAssetId, m.onBehalfOf);
  const id = accessGrantObjectId(m.dataAssetId, m.grantee);
  if (!ctx.ws.get(Namespace.AccessGrant, id)) fail(ExecutionErrorCode.GRANT_NOT_FOUND);
  ctx.ws.set(Namespace.AccessGrant, id, null);
}
