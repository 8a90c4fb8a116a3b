/** NFT collections and assets: create, mint, batch mint, transfer, burn, metadata, approvals. */
import { collectionIdOf } from "@filverse/crypto";
import { type Asset, type Collection, Namespace, type TxKind, type TxMessages } from "@filverse/types";
import { bytesEqual } from "@filverse/utils";
import { ExecutionErrorCode } from "../errors.js";
import { assetObjectId, operatorObjectId } from "../keys.js";
import { type ExecContext, fail, resolveActor, type WorkingState, ZERO_ADDRESS } from "./context.js";

function collectionOrFail(ws: WorkingState, collectionId: Uint8Array): Collection {
  return ws.get(Namespace.Collection, collectionId) ?? fail(ExecutionErrorCode.COLLECTION_NOT_FOUND);
}

function liveAssetOrFail(ws: WorkingState, collectionId: Uint8Array, tokenId: number): Asset {
  const asset =
    ws.get(Namespace.Asset, assetObjectId(collectionId, tokenId)) ?? fail(ExecutionErrorCode.ASSET_NOT_FOUND);
  if (asset.burned) fail(ExecutionErrorCode.ASSET_BURNED);
  return asset;
}

export function isOperator(
  ws: WorkingState,
  owner: Uint8Array,
  collectionId: Uint8Array,
  operator: Uint8Array,
): boolean {
  return ws.get(Namespace.OperatorApproval, operatorObjectId(owner, collectionId, operator))?.approved === true;
}

/** The owner, the asset's approved address, or an operator of the owner for the collection. */
function requireAssetAuthority(ws: WorkingState, asset: Asset, actor: Uint8Array, allowApproved: boolean): void {
  if (bytesEqual(asset.owner, actor)) return;
  if (allowApproved && bytesEqual(asset.approved, actor)) return;
  if (isOperator(ws, asset.owner, asset.collectionId, actor)) return;
  fail(ExecutionErrorCode.NOT_ASSET_AUTHORIZED);
}

export function collectionCreate(ctx: ExecContext, m: TxMessages[TxKind.CollectionCreate]): void {
  const id = collectionIdOf(ctx.signer, m.nonce);
  ctx.ws.set(Namespace.Collection, id, {
    creator: ctx.vtx.sender,
    name: m.name,
    symbol: m.symbol,
    royaltyBps: m.royaltyBps,
    maxSupply: m.maxSupply,
    minted: 0,
    burned: 0,
    metadataMutable: m.metadataMutable,
  });
}

function mintMany(
  ctx: ExecContext,
  collectionId: Uint8Array,
  firstTokenId: number,
  to: Uint8Array,
  cids: string[],
  onBehalfOf: Uint8Array,
): void {
  const { ws } = ctx;
  const actor = resolveActor(ctx, onBehalfOf);
  const collection = collectionOrFail(ws, collectionId);
  if (!bytesEqual(collection.creator, actor)) fail(ExecutionErrorCode.NOT_COLLECTION_CREATOR);
  if (collection.minted + cids.length > collection.maxSupply) fail(ExecutionErrorCode.SUPPLY_CAP_EXCEEDED);
  for (let i = 0; i < cids.length; i++) {
    const tokenId = firstTokenId + i;
    const id = assetObjectId(collectionId, tokenId);
    if (ws.get(Namespace.Asset, id)) fail(ExecutionErrorCode.ASSET_EXISTS);
    ws.set(Namespace.Asset, id, {
      collectionId,
      tokenId,
      owner: to,
      approved: ZERO_ADDRESS,
      contentCid: cids[i]!,
      burned: false,
    });
  }
  ws.set(Namespace.Collection, collectionId, { ...collection, minted: collection.minted + cids.length });
}

export function assetMint(ctx: ExecContext, m: TxMessages[TxKind.AssetMint]): void {
  mintMany(ctx, m.collectionId, m.tokenId, m.to, [m.contentCid], m.onBehalfOf);
}

export function assetBatchMint(ctx: ExecContext, m: TxMessages[TxKind.AssetBatchMint]): void {
  mintMany(ctx, m.collectionId, m.firstTokenId, m.to, m.contentCids, m.onBehalfOf);
}

export function assetTransfer(ctx: ExecContext, m: TxMessages[TxKind.AssetTransfer]): void {
  const actor = resolveActor(ctx, m.onBehalfOf);
  const asset = liveAssetOrFail(ctx.ws, m.collectionId, m.tokenId);
  requireAssetAuthority(ctx.ws, asset, actor, true);
  ctx.ws.set(Namespace.Asset, assetObjectId(m.collectionId, m.tokenId), {
    ...asset,
    owner: m.to,
    approved: ZERO_ADDRESS,
  });
}

/** A burned asset stays in state with owner zero, so its token id can never be minted again. */
export function assetBurn(ctx: ExecContext, m: TxMessages[TxKind.AssetBurn]): void {
  const { ws } = ctx;
  const actor = resolveActor(ctx, m.onBehalfOf);
  const asset = liveAssetOrFail(ws, m.collectionId, m.tokenId);
  requireAssetAuthority(ws, asset, actor, true);
  const collection = collectionOrFail(ws, m.collectionId);
  ws.set(Namespace.Asset, assetObjectId(m.collectionId, m.tokenId), {
    ...asset,
    owner: ZERO_ADDRESS,
    approved: ZERO_ADDRESS,
    burned: true,
  });
  ws.set(Namespace.Collection, m.collectionId, { ...collection, burned: collection.burned + 1 });
}

/** Only the collection's creator may change content, and only in a mutable collection. */
export function assetMetadataUpdate(ctx: ExecContext, m: TxMessages[TxKind.AssetMetadataUpdate]): void {
  const { ws } = ctx;
  const actor = resolveActor(ctx, m.onBehalfOf);
  const collection = collectionOrFail(ws, m.collectionId);
  if (!bytesEqual(collection.creator, actor)) fail(ExecutionErrorCode.NOT_COLLECTION_CREATOR);
  if (!collection.metadataMutable) fail(ExecutionErrorCode.METADATA_IMMUTABLE);
  const asset = liveAssetOrFail(ws, m.collectionId, m.tokenId);
  ws.set(Namespace.Asset, assetObjectId(m.collectionId, m.tokenId), { ...asset, contentCid: m.contentCid });
}

/**
 * Approvals outlive a session key (its expiry, an identity transfer), so only the owner's own key
 * may grant them: a delegate acting onBehalfOf is refused with DELEGATE_SCOPE.
 */
function resolveGrantor(ctx: ExecContext, onBehalfOf: Uint8Array): Uint8Array {
  const actor = resolveActor(ctx, onBehalfOf);
  if (!bytesEqual(actor, ctx.vtx.sender)) fail(ExecutionErrorCode.DELEGATE_SCOPE);
  return actor;
}

/** The owner or an operator may approve one address for the asset (zero clears it), as in ERC-721. */
export function assetApprove(ctx: ExecContext, m: TxMessages[TxKind.AssetApprove]): void {
  const actor = resolveGrantor(ctx, m.onBehalfOf);
  const asset = liveAssetOrFail(ctx.ws, m.collectionId, m.tokenId);
  requireAssetAuthority(ctx.ws, asset, actor, false);
  ctx.ws.set(Namespace.Asset, assetObjectId(m.collectionId, m.tokenId), { ...asset, approved: m.approved });
}

/** Approve or revoke an operator for all of the actor's assets in one collection. */
export function operatorSet(ctx: ExecContext, m: TxMessages[TxKind.OperatorSet]): void {
  const actor = resolveGrantor(ctx, m.onBehalfOf);
  collectionOrFail(ctx.ws, m.collectionId);
  const id = operatorObjectId(actor, m.collectionId, m.operator);
  ctx.ws.set(Namespace.OperatorApproval, id, m.approved ? { approved: true } : null);
}

export { collectionOrFail, liveAssetOrFail };
