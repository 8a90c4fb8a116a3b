/** `getAssetsByOwner`: one page of an owner's NFTs (filverse_getAssetsByOwner); pass `nextCursor` back for the next. */
import type { RpcMethods } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import { hexParam } from "../utils/normalize.js";

export type GetAssetsByOwnerParameters = { owner: Hex; cursor?: string; limit?: number };
export type GetAssetsByOwnerReturnType = RpcMethods["filverse_getAssetsByOwner"][1];

export function getAssetsByOwner(
  client: FilverseBaseClient,
  params: GetAssetsByOwnerParameters,
): Promise<GetAssetsByOwnerReturnType> {
  const owner = hexParam(params.owner, 20, "owner");
  const page: { cursor?: string; limit?: number } = {};
  if (params.cursor !== undefined) page.cursor = params.cursor;
  if (params.limit !== undefined) page.limit = params.limit;
  return client.request("filverse_getAssetsByOwner", Object.keys(page).length > 0 ? [owner, page] : [owner]);
}
