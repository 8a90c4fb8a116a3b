/** Identities: profiles with unique handles, attributes with expiry, session-key delegates, owner transfer. */
import { identityIdOf } from "@filverse/crypto";
import { Namespace, type TxKind, type TxMessages } from "@filverse/types";
import { bytesEqual } from "@filverse/utils";
import { ExecutionErrorCode } from "../errors.js";
import { attributeObjectId, delegateObjectId, handleObjectId } from "../keys.js";
import { type ExecContext, fail, identityOrFail, requireIdentityOwner, requireIdentityWriter } from "./context.js";

export function identityCreate(ctx: ExecContext, m: TxMessages[TxKind.IdentityCreate]): void {
  const { ws } = ctx;
  const handleId = handleObjectId(m.handle);
  if (ws.get(Namespace.Handle, handleId)) fail(ExecutionErrorCode.HANDLE_TAKEN);
  const identityId = identityIdOf(ctx.signer, m.nonce);
  ws.set(Namespace.Identity, identityId, {
    owner: ctx.vtx.sender,
    handle: m.handle,
    profileCid: m.profileCid,
    ownerEpoch: 0,
  });
  ws.set(Namespace.Handle, handleId, { identityId });
}

export function identityUpdate(ctx: ExecContext, m: TxMessages[TxKind.IdentityUpdate]): void {
  const identity = requireIdentityWriter(ctx, m.identityId);
  ctx.ws.set(Namespace.Identity, m.identityId, { ...identity, profileCid: m.profileCid });
}

/** expiresAt 0 never expires; otherwise it must lie after the block's timestamp. */
export function attributeSet(ctx: ExecContext, m: TxMessages[TxKind.AttributeSet]): void {
  requireIdentityWriter(ctx, m.identityId);
  if (m.expiresAt !== 0 && m.expiresAt <= ctx.now) fail(ExecutionErrorCode.EXPIRY_IN_PAST);
  ctx.ws.set(Namespace.Attribute, attributeObjectId(m.identityId, m.key), {
    key: m.key,
    value: m.value,
    expiresAt: m.expiresAt,
  });
}

export function attributeRemove(ctx: ExecContext, m: TxMessages[TxKind.AttributeRemove]): void {
  requireIdentityWriter(ctx, m.identityId);
  const id = attributeObjectId(m.identityId, m.key);
  if (!ctx.ws.get(Namespace.Attribute, id)) fail(ExecutionErrorCode.ATTRIBUTE_NOT_FOUND);
  ctx.ws.set(Namespace.Attribute, id, null);
}

/** Owner only. A session key always expires: expiresAt must lie after the block's timestamp. */
export function delegateAdd(ctx: ExecContext, m: TxMessages[TxKind.DelegateAdd]): void {
  const identity = requireIdentityOwner(ctx, m.identityId);
  if (m.expiresAt <= ctx.now) fail(ExecutionErrorCode.EXPIRY_IN_PAST);
  ctx.ws.set(Namespace.Delegate, delegateObjectId(m.identityId, m.delegate), {
    scope: m.scope,
    expiresAt: m.expiresAt,
    ownerEpoch: identity.ownerEpoch,
  });
}

/** The owner, or the delegate itself (a game logging out), may revoke. */
export function delegateRevoke(ctx: ExecContext, m: TxMessages[TxKind.DelegateRevoke]): void {
  const identity = identityOrFail(ctx.ws, m.identityId);
  const signer = ctx.vtx.sender;
  if (!bytesEqual(identity.owner, signer) && !bytesEqual(m.delegate, signer))
    fail(ExecutionErrorCode.NOT_IDENTITY_OWNER);
  const id = delegateObjectId(m.identityId, m.delegate);
  if (!ctx.ws.get(Namespace.Delegate, id)) fail(ExecutionErrorCode.DELEGATE_NOT_FOUND);
  ctx.ws.set(Namespace.Delegate, id, null);
}

/** Bumping ownerEpoch voids every delegate the previous owner added. */
export function identityTransfer(ctx: ExecContext, m: TxMessages[TxKind.IdentityTransfer]): void {
  const identity = requireIdentityOwner(ctx, m.identityId);
  ctx.ws.set(Namespace.Identity, m.identityId, { ...identity, owner: m.newOwner, ownerEpoch: identity.ownerEpoch + 1 });
}
