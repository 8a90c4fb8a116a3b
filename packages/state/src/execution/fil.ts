/** FIL on the L2: transfers and withdrawals to L1. Deposits are system transactions (executor.ts). */
import { MAX_WITHDRAWALS } from "@filverse/params";
import type { TxKind, TxMessages } from "@filverse/types";
import { ExecutionErrorCode } from "../errors.js";
import { type ExecContext, fail } from "./context.js";

export function transfer(ctx: ExecContext, m: TxMessages[TxKind.Transfer]): void {
  ctx.ws.debit(ctx.vtx.sender, m.amount);
  ctx.ws.credit(m.to, m.amount);
}

/** Burn L2 FIL into the withdrawals tree; claimable on L1 once its checkpoint's window has passed. */
export function withdraw(ctx: ExecContext, m: TxMessages[TxKind.Withdraw]): void {
  const { ws } = ctx;
  const g = ws.globals();
  // The tree's capacity, not the uint64 counter, is the bound: past it no proof could be made.
  if (g.withdrawalCount >= MAX_WITHDRAWALS) fail(ExecutionErrorCode.WITHDRAWALS_FULL);
  ws.debit(ctx.vtx.sender, m.amount);
  ws.appendWithdrawal({
    index: g.withdrawalCount,
    l2Sender: ctx.vtx.sender,
    l1Recipient: m.l1Recipient,
    amount: m.amount,
  });
  ws.setGlobals({ ...g, withdrawalCount: g.withdrawalCount + 1, totalWithdrawn: g.totalWithdrawn + m.amount });
}
