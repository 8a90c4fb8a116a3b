/** `cancelOrder`: cancel one of the account's own orders (kind 51, EIP-712 `OrderCancel`). */
import type { FilverseBaseClient } from "../baseClient.js";
import type { TxParameters } from "../types.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type CancelOrderParameters = TxParameters<"OrderCancel">;
export type CancelOrderReturnType = SendTransactionReturnType<"OrderCancel">;

export function cancelOrder(client: FilverseBaseClient, params: CancelOrderParameters): Promise<CancelOrderReturnType> {
  return sendTransaction(client, { primaryType: "OrderCancel", message: params });
}
