/** `revokeAccess`: revoke a data-asset access grant (kind 42, EIP-712 `AccessRevoke`). */
import type { FilverseBaseClient } from "../baseClient.js";
import type { TxParameters } from "../types.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type RevokeAccessParameters = TxParameters<"AccessRevoke">;
export type RevokeAccessReturnType = SendTransactionReturnType<"AccessRevoke">;

export function revokeAccess(
  client: FilverseBaseClient,
  params: RevokeAccessParameters,
): Promise<RevokeAccessReturnType> {
  return sendTransaction(client, { primaryType: "AccessRevoke", message: params });
}
