/** `getIdentitiesByOwner`: one page of the identities an address owns (filverse_getIdentitiesByOwner); pass `nextCursor` back for the next. */
import type { RpcMethods } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import { hexParam, pageParam } from "../utils/normalize.js";

export type GetIdentitiesByOwnerParameters = { owner: Hex; cursor?: string | null; limit?: number };
export type GetIdentitiesByOwnerReturnType = RpcMethods["filverse_getIdentitiesByOwner"][1];

export async function getIdentitiesByOwner(
  client: FilverseBaseClient,
  params: GetIdentitiesByOwnerParameters,
): Promise<GetIdentitiesByOwnerReturnType> {
  const owner = hexParam(params.owner, 20, "owner");
  const page = pageParam(params);
  return client.request("filverse_getIdentitiesByOwner", page ? [owner, page] : [owner]);
}
