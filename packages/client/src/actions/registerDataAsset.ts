/** `registerDataAsset`: register a stored data set by CID and Piece CID; returns its dataAssetId (kind 40, EIP-712 `DataAssetRegister`). */
import type { FilverseBaseClient } from "../baseClient.js";
import type { TxParameters } from "../types.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type RegisterDataAssetParameters = TxParameters<"DataAssetRegister">;
export type RegisterDataAssetReturnType = SendTransactionReturnType<"DataAssetRegister">;

export function registerDataAsset(
  client: FilverseBaseClient,
  params: RegisterDataAssetParameters,
): Promise<RegisterDataAssetReturnType> {
  return sendTransaction(client, { primaryType: "DataAssetRegister", message: params });
}
