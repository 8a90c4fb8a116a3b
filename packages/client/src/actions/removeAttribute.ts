/** `removeAttribute`: remove an identity attribute (kind 33, EIP-712 `AttributeRemove`). */
import type { FilverseBaseClient } from "../baseClient.js";
import type { TxParameters } from "../types.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type RemoveAttributeParameters = TxParameters<"AttributeRemove">;
export type RemoveAttributeReturnType = SendTransactionReturnType<"AttributeRemove">;

export function removeAttribute(
  client: FilverseBaseClient,
  params: RemoveAttributeParameters,
): Promise<RemoveAttributeReturnType> {
  return sendTransaction(client, { primaryType: "AttributeRemove", message: params });
}
