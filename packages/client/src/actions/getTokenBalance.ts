/** `getTokenBalance`: a holder's balance of a social token (filverse_getTokenBalance), as a decimal string. */
import type { RpcMethods } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import { hexParam } from "../utils/normalize.js";

export type GetTokenBalanceParameters = { tokenId: Hex; holder: Hex };
export type GetTokenBalanceReturnType = RpcMethods["filverse_getTokenBalance"][1];

export function getTokenBalance(
  client: FilverseBaseClient,
  params: GetTokenBalanceParameters,
): Promise<GetTokenBalanceReturnType> {
  return client.request("filverse_getTokenBalance", [
    hexParam(params.tokenId, 32, "tokenId"),
    hexParam(params.holder, 20, "holder"),
  ]);
}
