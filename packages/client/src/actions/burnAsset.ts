/** `burnAsset`: burn an NFT; its token id is never reused (kind 14, EIP-712 `AssetBurn`). */
import type { FilverseBaseClient } from "../baseClient.js";
import type { TxParameters } from "../types.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type BurnAssetParameters = TxParameters<"AssetBurn">;
export type BurnAssetReturnType = SendTransactionReturnType<"AssetBurn">;

export function burnAsset(client: FilverseBaseClient, params: BurnAssetParameters): Promise<BurnAssetReturnType> {
  return sendTransaction(client, { primaryType: "AssetBurn", message: params });
}
