/** `grantAccess`: grant an address access to a data asset until expiresAt (kind 41, EIP-712 `AccessGrant`). */
import type { FilverseBaseClient } from "../baseClient.js";
import type { TxParameters } from "../types.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type GrantAccessParameters = TxParameters<"AccessGrant">;
export type GrantAccessReturnType = SendTransactionReturnType<"AccessGrant">;

export function grantAccess(client: FilverseBaseClient, params: GrantAccessParameters): Promise<GrantAccessReturnType> {
  return sendTransaction(client, { primaryType: "AccessGrant", message: params });
}
