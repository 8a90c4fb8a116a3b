/** `getDataAsset`: a registered data asset by id (filverse_getDataAsset), in JSON form, or null. */
import type { RpcMethods } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import { hexParam } from "../utils/normalize.js";

export type GetDataAssetParameters = { dataAssetId: Hex };
export type GetDataAssetReturnType = RpcMethods["filverse_getDataAsset"][1];

export function getDataAsset(
  client: FilverseBaseClient,
  params: GetDataAssetParameters,
): Promise<GetDataAssetReturnType> {
  return client.request("filverse_getDataAsset", [hexParam(params.dataAssetId, 32, "dataAssetId")]);
}
