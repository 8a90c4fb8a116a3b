/** `transfer`: move FIL to another L2 account (kind 1, EIP-712 `Transfer`). */
import type { FilverseBaseClient } from "../baseClient.js";
import type { TxParameters } from "../types.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type TransferParameters = TxParameters<"Transfer">;
export type TransferReturnType = SendTransactionReturnType<"Transfer">;

export function transfer(client: FilverseBaseClient, params: TransferParameters): Promise<TransferReturnType> {
  return sendTransaction(client, { primaryType: "Transfer", message: params });
}
