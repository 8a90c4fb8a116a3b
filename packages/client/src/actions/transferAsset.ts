/** `transferAsset`: move an NFT (owner, approved address or operator) (kind 13, EIP-712 `AssetTransfer`). */
import type { FilverseBaseClient } from "../baseClient.js";
import type { TxParameters } from "../types.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type TransferAssetParameters = TxParameters<"AssetTransfer">;
export type TransferAssetReturnType = SendTransactionReturnType<"AssetTransfer">;

export function transferAsset(
  client: FilverseBaseClient,
  params: TransferAssetParameters,
): Promise<TransferAssetReturnType> {
  return sendTransaction(client, { primaryType: "AssetTransfer", message: params });
}
