/** `getIdentitiesByOwner`: one page of the identities an address owns (filverse_getIdentitiesByOwner); pass `nextCursor` back for the next. */
import type { RpcMethods } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import { hexParam } from "../utils/normalize.js";

export type GetIdentitiesByOwnerParameters = { owner: Hex; cursor?: string; limit?: number };
export type GetIdentitiesByOwnerReturnType = RpcMethods["filverse_getIdentitiesByOwner"][1];

export function getIdentitiesByOwner(
  client: FilverseBaseClient,
  params: GetIdentitiesByOwnerParameters,
): Promise<GetIdentitiesByOwnerReturnType> {
  const owner = hexParam(params.owner, 20, "owner");
  const page: { cursor?: string; limit?: number } = {};
  if (params.cursor !== undefined) page.cursor = params.cursor;
  if (params.limit !== undefined) page.limit = params.limit;
  return client.request("filverse_getIdentitiesByOwner", Object.keys(page).length > 0 ? [owner, page] : [owner]);
}
