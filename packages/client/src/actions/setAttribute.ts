/** `setAttribute`: set an identity attribute (expiresAt 0 = never) (kind 32, EIP-712 `AttributeSet`). */
import type { FilverseBaseClient } from "../baseClient.js";
import type { TxParameters } from "../types.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type SetAttributeParameters = TxParameters<"AttributeSet">;
export type SetAttributeReturnType = SendTransactionReturnType<"AttributeSet">;

export function setAttribute(
  client: FilverseBaseClient,
  params: SetAttributeParameters,
): Promise<SetAttributeReturnType> {
  return sendTransaction(client, { primaryType: "AttributeSet", message: params });
}
