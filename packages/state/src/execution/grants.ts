/**
 * Fee allowances and session grants (kinds 60–63). What a Via transaction may do under them (its
 * includability and what it records) lives in sponsorship.ts; these are the kinds that write them.
 */
import { Namespace, type TxKind, type TxMessages } from "@filverse/types";
import { bytesEqual } from "@filverse/utils";
import { ExecutionErrorCode } from "../errors.js";
import { feeAllowanceObjectId, sessionGrantObjectId } from "../keys.js";
import { type ExecContext, fail, ZERO_ADDRESS } from "./context.js";

/**
 * The owner of `target` as a FeeAllowanceSet for anyone sees it: the first present of Collection
 * (creator), Token (issuer), Identity (owner), DataAsset (owner); undefined when none is present.
 */
function targetOwner(ctx: ExecContext, target: Uint8Array): Uint8Array | undefined {
  const { ws } = ctx;
  const collection = ws.get(Namespace.Collection, target);
  if (collection) return collection.creator;
  const token = ws.get(Namespace.Token, target);
  if (token) return token.issuer;
  const identity = ws.get(Namespace.Identity, target);
  if (identity) return identity.owner;
  return ws.get(Namespace.DataAsset, target)?.owner;
}

/** The sponsor (actor) sets or replaces an allowance; its counters start again at zero. */
export function feeAllowanceSet(ctx: ExecContext, m: TxMessages[TxKind.FeeAllowanceSet]): void {
  const sponsor = ctx.vtx.sender;
  if (m.expiresAt !== 0 && m.expiresAt <= ctx.now) fail(ExecutionErrorCode.EXPIRY_IN_PAST);
  if (bytesEqual(m.grantee, ZERO_ADDRESS)) {
    const owner = targetOwner(ctx, m.target);
    if (owner === undefined || !bytesEqual(owner, sponsor)) fail(ExecutionErrorCode.NOT_SPONSOR_TARGET);
  }
  ctx.ws.set(Namespace.FeeAllowance, feeAllowanceObjectId(sponsor, m.grantee, m.target), {
    totalBudget: m.totalBudget,
    spent: 0n,
    periodBudget: m.periodBudget,
    period: m.period,
    periodStart: ctx.now,
    periodSpent: 0n,
    maxFeePerTx: m.maxFeePerTx,
    kinds: m.kinds,
    expiresAt: m.expiresAt,
  });
}

/** Deleted at once: the next transaction already finds no allowance. */
export function feeAllowanceRevoke(ctx: ExecContext, m: TxMessages[TxKind.FeeAllowanceRevoke]): void {
  const id = feeAllowanceObjectId(ctx.vtx.sender, m.grantee, m.target);
  if (!ctx.ws.get(Namespace.FeeAllowance, id)) fail(ExecutionErrorCode.FEE_ALLOWANCE_NOT_FOUND);
  ctx.ws.set(Namespace.FeeAllowance, id, null);
}

/**
 * The account (actor) grants a session key, as the app identity's owner asked (ctx.vtx.appSigner,
 * recovered from appSignature at validation). A revoked (account, key) is never granted again.
 */
export function sessionGrant(ctx: ExecContext, m: TxMessages[TxKind.SessionGrant]): void {
  const { ws } = ctx;
  if (m.expiresAt <= ctx.now) fail(ExecutionErrorCode.EXPIRY_IN_PAST);
  if (ctx.now > m.requestDeadline) fail(ExecutionErrorCode.APP_REQUEST_EXPIRED);
  const app = ws.get(Namespace.Identity, m.app) ?? fail(ExecutionErrorCode.APP_NOT_FOUND);
  const appSigner = ctx.vtx.appSigner;
  if (appSigner === undefined || !bytesEqual(app.owner, appSigner)) fail(ExecutionErrorCode.APP_NOT_AUTHORIZED);
  const id = sessionGrantObjectId(ctx.vtx.sender, m.sessionKey);
  if (ws.get(Namespace.SessionGrant, id)?.revoked) fail(ExecutionErrorCode.SESSION_KEY_REVOKED);
  ws.set(Namespace.SessionGrant, id, {
    app: m.app,
    kinds: m.kinds,
    filCap: m.filCap,
    filSpent: 0n,
    filPeriodCap: m.filPeriodCap,
    filPeriodSpent: 0n,
    period: m.period,
    periodStart: ctx.now,
    tokens: m.tokens.map((t) => t.slice()),
    tokenCaps: [...m.tokenCaps],
    tokenSpent: m.tokens.map(() => 0n),
    tokenPeriodCaps: [...m.tokenPeriodCaps],
    tokenPeriodSpent: m.tokens.map(() => 0n),
    collections: m.collections.map((c) => c.slice()),
    counterparties: m.counterparties.map((c) => c.slice()),
    expiresAt: m.expiresAt,
    revoked: false,
  });
}

/** By the account or the session key itself; the record stays as a tombstone (revoked: true). */
export function sessionRevoke(ctx: ExecContext, m: TxMessages[TxKind.SessionRevoke]): void {
  const signer = ctx.signer;
  if (!bytesEqual(signer, m.account) && !bytesEqual(signer, m.sessionKey)) fail(ExecutionErrorCode.NOT_SESSION_PARTY);
  const id = sessionGrantObjectId(m.account, m.sessionKey);
  const grant = ctx.ws.get(Namespace.SessionGrant, id) ?? fail(ExecutionErrorCode.SESSION_NOT_FOUND);
  if (grant.revoked) fail(ExecutionErrorCode.SESSION_KEY_REVOKED);
  ctx.ws.set(Namespace.SessionGrant, id, { ...grant, revoked: true });
}
