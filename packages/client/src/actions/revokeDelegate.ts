/** `revokeDelegate`: revoke an identity's delegate (kind 35, EIP-712 `DelegateRevoke`). */
import type { FilverseBaseClient } from "../baseClient.js";
import type { TxParameters } from "../types.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type RevokeDelegateParameters = TxParameters<"DelegateRevoke">;
export type RevokeDelegateReturnType = SendTransactionReturnType<"DelegateRevoke">;

export function revokeDelegate(
  client: FilverseBaseClient,
  params: RevokeDelegateParameters,
): Promise<RevokeDelegateReturnType> {
  return sendTransaction(client, { primaryType: "DelegateRevoke", message: params });
}
