/** `getTokensByHolder`: one page of the social tokens an address holds, ascending by token id, with balance, name, symbol and decimals (filverse_getTokensByHolder); pass `nextCursor` back for the next. */
import type { RpcMethods } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import { hexParam, pageParam } from "../utils/normalize.js";

export type GetTokensByHolderParameters = { holder: Hex; cursor?: string | null; limit?: number };
export type GetTokensByHolderReturnType = RpcMethods["filverse_getTokensByHolder"][1];

export async function getTokensByHolder(
  client: FilverseBaseClient,
  params: GetTokensByHolderParameters,
): Promise<GetTokensByHolderReturnType> {
  const holder = hexParam(params.holder, 20, "holder");
  const page = pageParam(params);
  return client.request("filverse_getTokensByHolder", page ? [holder, page] : [holder]);
}
