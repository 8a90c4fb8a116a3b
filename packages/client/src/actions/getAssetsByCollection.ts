/** `getAssetsByCollection`: one page of a collection's assets, ascending by token id (filverse_getAssetsByCollection), or null for an unknown collection; pass `nextCursor` back for the next. */
import type { RpcMethods } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import { hexParam, pageParam } from "../utils/normalize.js";

export type GetAssetsByCollectionParameters = { collectionId: Hex; cursor?: string | null; limit?: number };
export type GetAssetsByCollectionReturnType = RpcMethods["filverse_getAssetsByCollection"][1];

export async function getAssetsByCollection(
  client: FilverseBaseClient,
  params: GetAssetsByCollectionParameters,
): Promise<GetAssetsByCollectionReturnType> {
  const collectionId = hexParam(params.collectionId, 32, "collectionId");
  const page = pageParam(params);
  return client.request("filverse_getAssetsByCollection", page ? [collectionId, page] : [collectionId]);
}
