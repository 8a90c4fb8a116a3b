/** `getCollectionsByCreator`: one page of the collections an address created, ascending by id (filverse_getCollectionsByCreator); pass `nextCursor` back for the next. */
import type { RpcMethods } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import { hexParam, pageParam } from "../utils/normalize.js";

export type GetCollectionsByCreatorParameters = { creator: Hex; cursor?: string | null; limit?: number };
export type GetCollectionsByCreatorReturnType = RpcMethods["filverse_getCollectionsByCreator"][1];

export async function getCollectionsByCreator(
  client: FilverseBaseClient,
  params: GetCollectionsByCreatorParameters,
): Promise<GetCollectionsByCreatorReturnType> {
  const creator = hexParam(params.creator, 20, "creator");
  const page = pageParam(params);
  return client.request("filverse_getCollectionsByCreator", page ? [creator, page] : [creator]);
}
