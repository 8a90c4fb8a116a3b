/** `getAsset`: an NFT by (collectionId, tokenId) (filverse_getAsset), in JSON form, or null. */
import type { RpcMethods } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import type { UintInput } from "../types.js";
import { hexParam, uintParam } from "../utils/normalize.js";

export type GetAssetParameters = { collectionId: Hex; tokenId: UintInput };
export type GetAssetReturnType = RpcMethods["filverse_getAsset"][1];

export function getAsset(client: FilverseBaseClient, params: GetAssetParameters): Promise<GetAssetReturnType> {
  return client.request("filverse_getAsset", [
    hexParam(params.collectionId, 32, "collectionId"),
    uintParam(params.tokenId, "tokenId"),
  ]);
}
