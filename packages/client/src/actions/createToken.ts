/** `createToken`: create a social token; returns its tokenId (kind 20, EIP-712 `TokenCreate`). */
import type { FilverseBaseClient } from "../baseClient.js";
import type { TxParameters } from "../types.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type CreateTokenParameters = TxParameters<"TokenCreate">;
export type CreateTokenReturnType = SendTransactionReturnType<"TokenCreate">;

export function createToken(client: FilverseBaseClient, params: CreateTokenParameters): Promise<CreateTokenReturnType> {
  return sendTransaction(client, { primaryType: "TokenCreate", message: params });
}
