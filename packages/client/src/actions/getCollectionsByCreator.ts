/** `getCollectionsByCreator`: one page of the collections an address created, ascending by id (filverse_getCollectionsByCreator); pass `nextCursor` back for the next. */
import type { RpcMethods } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import { hexParam } from "../utils/normalize.js";

export type GetCollectionsByCreatorParameters = { creator: Hex; cursor?: string; limit?: number };
export type GetCollectionsByCreatorReturnType = RpcMethods["filverse_getCollectionsByCreator"][1];

export function getCollectionsByCreator(
  client: FilverseBaseClient,
  params: GetCollectionsByCreatorParameters,
): Promise<GetCollectionsByCreatorReturnType> {
  const creator = hexParam(params.creator, 20, "creator");
  const page: { cursor?: string; limit?: number } = {};
  if (params.cursor !== undefined) page.cursor = params.cursor;
  if (params.limit !== undefined) page.limit = params.limit;
  return client.request("filverse_getCollectionsByCreator", Object.keys(page).length > 0 ? [creator, page] : [creator]);
}
