/** `batchMintAssets`: mint up to 256 NFTs with consecutive token ids (creator only) (kind 12, EIP-712 `AssetBatchMint`). */
import type { FilverseBaseClient } from "../baseClient.js";
import type { TxParameters } from "../types.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type BatchMintAssetsParameters = TxParameters<"AssetBatchMint">;
export type BatchMintAssetsReturnType = SendTransactionReturnType<"AssetBatchMint">;

export function batchMintAssets(
  client: FilverseBaseClient,
  params: BatchMintAssetsParameters,
): Promise<BatchMintAssetsReturnType> {
  return sendTransaction(client, { primaryType: "AssetBatchMint", message: params });
}
