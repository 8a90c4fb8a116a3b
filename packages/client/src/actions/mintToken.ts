/** `mintToken`: mint social tokens up to the cap (issuer only) (kind 21, EIP-712 `TokenMint`). */
import type { FilverseBaseClient } from "../baseClient.js";
import type { TxParameters } from "../types.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type MintTokenParameters = TxParameters<"TokenMint">;
export type MintTokenReturnType = SendTransactionReturnType<"TokenMint">;

export function mintToken(client: FilverseBaseClient, params: MintTokenParameters): Promise<MintTokenReturnType> {
  return sendTransaction(client, { primaryType: "TokenMint", message: params });
}
