/** `approveAsset`: approve one address to move an NFT (zero clears) (kind 16, EIP-712 `AssetApprove`). */
import type { FilverseBaseClient } from "../baseClient.js";
import type { TxParameters } from "../types.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type ApproveAssetParameters = TxParameters<"AssetApprove">;
export type ApproveAssetReturnType = SendTransactionReturnType<"AssetApprove">;

export function approveAsset(
  client: FilverseBaseClient,
  params: ApproveAssetParameters,
): Promise<ApproveAssetReturnType> {
  return sendTransaction(client, { primaryType: "AssetApprove", message: params });
}
