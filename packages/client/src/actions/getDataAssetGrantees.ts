/** `getDataAssetGrantees`: one page of a data asset's grantees with their expiry (filverse_getDataAssetGrantees), or null. */
import type { RpcMethods } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import { hexParam } from "../utils/normalize.js";

export type GetDataAssetGranteesParameters = { dataAssetId: Hex; cursor?: string; limit?: number };
export type GetDataAssetGranteesReturnType = RpcMethods["filverse_getDataAssetGrantees"][1];

export function getDataAssetGrantees(
  client: FilverseBaseClient,
  params: GetDataAssetGranteesParameters,
): Promise<GetDataAssetGranteesReturnType> {
  const id = hexParam(params.dataAssetId, 32, "dataAssetId");
  const page: { cursor?: string; limit?: number } = {};
  if (params.cursor !== undefined) page.cursor = params.cursor;
  if (params.limit !== undefined) page.limit = params.limit;
  return client.request("filverse_getDataAssetGrantees", Object.keys(page).length > 0 ? [id, page] : [id]);
}
