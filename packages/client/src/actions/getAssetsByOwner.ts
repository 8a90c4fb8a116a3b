/** `getAssetsByOwner`: one page of an owner's NFTs (filverse_getAssetsByOwner); pass `nextCursor` back for the next. */
import type { RpcMethods } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import { hexParam, pageParam } from "../utils/normalize.js";

export type GetAssetsByOwnerParameters = { owner: Hex; cursor?: string | null; limit?: number };
export type GetAssetsByOwnerReturnType = RpcMethods["filverse_getAssetsByOwner"][1];

export async function getAssetsByOwner(
  client: FilverseBaseClient,
  params: GetAssetsByOwnerParameters,
): Promise<GetAssetsByOwnerReturnType> {
  const owner = hexParam(params.owner, 20, "owner");
  const page = pageParam(params);
  return client.request("filverse_getAssetsByOwner", page ? [owner, page] : [owner]);
}
