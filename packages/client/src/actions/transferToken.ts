/** `transferToken`: move social tokens (kind 22, EIP-712 `TokenTransfer`). */
import type { FilverseBaseClient } from "../baseClient.js";
import type { TxParameters } from "../types.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type TransferTokenParameters = TxParameters<"TokenTransfer">;
export type TransferTokenReturnType = SendTransactionReturnType<"TokenTransfer">;

export function transferToken(
  client: FilverseBaseClient,
  params: TransferTokenParameters,
): Promise<TransferTokenReturnType> {
  return sendTransaction(client, { primaryType: "TokenTransfer", message: params });
}
