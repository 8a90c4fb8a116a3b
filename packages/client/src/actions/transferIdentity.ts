/** `transferIdentity`: give an identity to a new owner (voids its delegates) (kind 36, EIP-712 `IdentityTransfer`). */
import type { FilverseBaseClient } from "../baseClient.js";
import type { TxParameters } from "../types.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type TransferIdentityParameters = TxParameters<"IdentityTransfer">;
export type TransferIdentityReturnType = SendTransactionReturnType<"IdentityTransfer">;

export function transferIdentity(
  client: FilverseBaseClient,
  params: TransferIdentityParameters,
): Promise<TransferIdentityReturnType> {
  return sendTransaction(client, { primaryType: "IdentityTransfer", message: params });
}
