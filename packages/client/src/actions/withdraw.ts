/** `withdraw`: burn FIL on the L2 and queue its release to an L1 (Filecoin) address (kind 2, EIP-712 `Withdraw`). */
import type { FilverseBaseClient } from "../baseClient.js";
import type { TxParameters } from "../types.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type WithdrawParameters = TxParameters<"Withdraw">;
export type WithdrawReturnType = SendTransactionReturnType<"Withdraw">;

export function withdraw(client: FilverseBaseClient, params: WithdrawParameters): Promise<WithdrawReturnType> {
  return sendTransaction(client, { primaryType: "Withdraw", message: params });
}
