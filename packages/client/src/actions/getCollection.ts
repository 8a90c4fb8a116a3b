/** `getCollection`: a collection by id (filverse_getCollection), in JSON form, or null. */
import type { RpcMethods } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import { hexParam } from "../utils/normalize.js";

export type GetCollectionParameters = { collectionId: Hex };
export type GetCollectionReturnType = RpcMethods["filverse_getCollection"][1];

export function getCollection(
  client: FilverseBaseClient,
  params: GetCollectionParameters,
): Promise<GetCollectionReturnType> {
  return client.request("filverse_getCollection", [hexParam(params.collectionId, 32, "collectionId")]);
}
