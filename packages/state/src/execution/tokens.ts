/** Fungible social tokens: create with a cap, mint by the issuer, transfer, burn. */
import { tokenIdOf } from "@filverse/crypto";
import { Namespace, type Token, type TxKind, type TxMessages } from "@filverse/types";
import { bytesEqual } from "@filverse/utils";
import { ExecutionErrorCode } from "../errors.js";
import { tokenBalanceObjectId } from "../keys.js";
import { type ExecContext, fail, resolveActor, type WorkingState } from "./context.js";

function tokenOrFail(ws: WorkingState, tokenId: Uint8Array): Token {
  return ws.get(Namespace.Token, tokenId) ?? fail(ExecutionErrorCode.TOKEN_NOT_FOUND);
}

function balanceOf(ws: WorkingState, tokenId: Uint8Array, holder: Uint8Array): bigint {
  return ws.get(Namespace.TokenBalance, tokenBalanceObjectId(tokenId, holder))?.balance ?? 0n;
}

/** A zero balance is removed, so the state holds only real holders. */
function setBalance(ws: WorkingState, tokenId: Uint8Array, holder: Uint8Array, balance: bigint): void {
  ws.set(Namespace.TokenBalance, tokenBalanceObjectId(tokenId, holder), balance === 0n ? null : { balance });
}

export function tokenCreate(ctx: ExecContext, m: TxMessages[TxKind.TokenCreate]): void {
  ctx.ws.set(Namespace.Token, tokenIdOf(ctx.signer, m.nonce), {
    issuer: ctx.vtx.sender,
    name: m.name,
    symbol: m.symbol,
    decimals: m.decimals,
    cap: m.cap,
    supply: 0n,
  });
}

export function tokenMint(ctx: ExecContext, m: TxMessages[TxKind.TokenMint]): void {
  const { ws } = ctx;
  const actor = resolveActor(ctx, m.onBehalfOf);
  const token = tokenOrFail(ws, m.tokenId);
  if (!bytesEqual(token.issuer, actor)) fail(ExecutionErrorCode.NOT_TOKEN_ISSUER);
  if (token.supply + m.amount > token.cap) fail(ExecutionErrorCode.TOKEN_CAP_EXCEEDED);
  ws.set(Namespace.Token, m.tokenId, { ...token, supply: token.supply + m.amount });
  setBalance(ws, m.tokenId, m.to, balanceOf(ws, m.tokenId, m.to) + m.amount);
}

export function tokenTransfer(ctx: ExecContext, m: TxMessages[TxKind.TokenTransfer]): void {
  const { ws } = ctx;
  const actor = resolveActor(ctx, m.onBehalfOf);
  tokenOrFail(ws, m.tokenId);
  const from = balanceOf(ws, m.tokenId, actor);
  if (from < m.amount) fail(ExecutionErrorCode.INSUFFICIENT_TOKEN_BALANCE);
  setBalance(ws, m.tokenId, actor, from - m.amount);
  setBalance(ws, m.tokenId, m.to, balanceOf(ws, m.tokenId, m.to) + m.amount);
}

export function tokenBurn(ctx: ExecContext, m: TxMessages[TxKind.TokenBurn]): void {
  const { ws } = ctx;
  const actor = resolveActor(ctx, m.onBehalfOf);
  const token = tokenOrFail(ws, m.tokenId);
  const from = balanceOf(ws, m.tokenId, actor);
  if (from < m.amount) fail(ExecutionErrorCode.INSUFFICIENT_TOKEN_BALANCE);
  setBalance(ws, m.tokenId, actor, from - m.amount);
  ws.set(Namespace.Token, m.tokenId, { ...token, supply: token.supply - m.amount });
}
