/** `updateIdentity`: set an identity's profile CID (kind 31, EIP-712 `IdentityUpdate`). */
import type { FilverseBaseClient } from "../baseClient.js";
import type { TxParameters } from "../types.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type UpdateIdentityParameters = TxParameters<"IdentityUpdate">;
export type UpdateIdentityReturnType = SendTransactionReturnType<"IdentityUpdate">;

export function updateIdentity(
  client: FilverseBaseClient,
  params: UpdateIdentityParameters,
): Promise<UpdateIdentityReturnType> {
  return sendTransaction(client, { primaryType: "IdentityUpdate", message: params });
}
