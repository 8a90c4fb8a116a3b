/** `getDataAssetGrantees`: one page of a data asset's grantees with their expiry (filverse_getDataAssetGrantees), or null. */
import type { RpcMethods } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import { hexParam, pageParam } from "../utils/normalize.js";

export type GetDataAssetGranteesParameters = { dataAssetId: Hex; cursor?: string | null; limit?: number };
export type GetDataAssetGranteesReturnType = RpcMethods["filverse_getDataAssetGrantees"][1];

export async function getDataAssetGrantees(
  client: FilverseBaseClient,
  params: GetDataAssetGranteesParameters,
): Promise<GetDataAssetGranteesReturnType> {
  const id = hexParam(params.dataAssetId, 32, "dataAssetId");
  const page = pageParam(params);
  return client.request("filverse_getDataAssetGrantees", page ? [id, page] : [id]);
}
