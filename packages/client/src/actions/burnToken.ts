/** `burnToken`: burn social tokens (kind 23, EIP-712 `TokenBurn`). */
import type { FilverseBaseClient } from "../baseClient.js";
import type { TxParameters } from "../types.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type BurnTokenParameters = TxParameters<"TokenBurn">;
export type BurnTokenReturnType = SendTransactionReturnType<"TokenBurn">;

export function burnToken(client: FilverseBaseClient, params: BurnTokenParameters): Promise<BurnTokenReturnType> {
  return sendTransaction(client, { primaryType: "TokenBurn", message: params });
}
