/** `updateAssetMetadata`: point an NFT at new content (creator, mutable collections) (kind 15, EIP-712 `AssetMetadataUpdate`). */
import type { FilverseBaseClient } from "../baseClient.js";
import type { TxParameters } from "../types.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type UpdateAssetMetadataParameters = TxParameters<"AssetMetadataUpdate">;
export type UpdateAssetMetadataReturnType = SendTransactionReturnType<"AssetMetadataUpdate">;

export function updateAssetMetadata(
  client: FilverseBaseClient,
  params: UpdateAssetMetadataParameters,
): Promise<UpdateAssetMetadataReturnType> {
  return sendTransaction(client, { primaryType: "AssetMetadataUpdate", message: params });
}
