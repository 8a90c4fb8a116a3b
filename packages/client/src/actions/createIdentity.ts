/** `createIdentity`: claim a handle; returns the identityId (kind 30, EIP-712 `IdentityCreate`). */
import type { FilverseBaseClient } from "../baseClient.js";
import type { TxParameters } from "../types.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type CreateIdentityParameters = TxParameters<"IdentityCreate">;
export type CreateIdentityReturnType = SendTransactionReturnType<"IdentityCreate">;

export function createIdentity(
  client: FilverseBaseClient,
  params: CreateIdentityParameters,
): Promise<CreateIdentityReturnType> {
  return sendTransaction(client, { primaryType: "IdentityCreate", message: params });
}
