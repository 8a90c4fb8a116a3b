/** `addDelegate`: add a delegate (session key) to an identity (owner only) (kind 34, EIP-712 `DelegateAdd`). */
import type { FilverseBaseClient } from "../baseClient.js";
import type { TxParameters } from "../types.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type AddDelegateParameters = TxParameters<"DelegateAdd">;
export type AddDelegateReturnType = SendTransactionReturnType<"DelegateAdd">;

export function addDelegate(client: FilverseBaseClient, params: AddDelegateParameters): Promise<AddDelegateReturnType> {
  return sendTransaction(client, { primaryType: "DelegateAdd", message: params });
}
