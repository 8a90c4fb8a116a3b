/** `mintAsset`: mint one NFT (creator only) (kind 11, EIP-712 `AssetMint`). */
import type { FilverseBaseClient } from "../baseClient.js";
import type { TxParameters } from "../types.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type MintAssetParameters = TxParameters<"AssetMint">;
export type MintAssetReturnType = SendTransactionReturnType<"AssetMint">;

export function mintAsset(client: FilverseBaseClient, params: MintAssetParameters): Promise<MintAssetReturnType> {
  return sendTransaction(client, { primaryType: "AssetMint", message: params });
}
