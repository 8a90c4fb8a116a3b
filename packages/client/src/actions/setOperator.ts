/** `setOperator`: approve or revoke an operator for all the actor's NFTs in a collection (kind 17, EIP-712 `OperatorSet`). */
import type { FilverseBaseClient } from "../baseClient.js";
import type { TxParameters } from "../types.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type SetOperatorParameters = TxParameters<"OperatorSet">;
export type SetOperatorReturnType = SendTransactionReturnType<"OperatorSet">;

export function setOperator(client: FilverseBaseClient, params: SetOperatorParameters): Promise<SetOperatorReturnType> {
  return sendTransaction(client, { primaryType: "OperatorSet", message: params });
}
