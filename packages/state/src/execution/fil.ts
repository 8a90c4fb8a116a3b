/** FIL on the L2: transfers and withdrawals to L1. Deposits are system transactions (executor.ts). */
import type { TxKind, TxMessages } from "@filverse/types";
import type { ExecContext } from "./context.js";

export function transfer(ctx: ExecContext, m: TxMessages[TxKind.Transfer]): void {
  ctx.ws.debit(ctx.vtx.sender, m.amount);
  ctx.ws.credit(m.to, m.amount);
}

/** Burn L2 FIL into the withdrawals tree; claimable on L1 once its checkpoint's window has passed. */
export function withdraw(ctx: ExecContext, m: TxMessages[TxKind.Withdraw]): void {
  const { ws } = ctx;
  ws.debit(ctx.vtx.sender, m.amount);
  const g = ws.globals();
  ws.appendWithdrawal({
    index: g.withdrawalCount,
    l2Sender: ctx.vtx.sender,
    l1Recipient: m.l1Recipient,
    amount: m.amount,
  });
  ws.setGlobals({ ...g, withdrawalCount: g.withdrawalCount + 1, totalWithdrawn: g.totalWithdrawn + m.amount });
}
