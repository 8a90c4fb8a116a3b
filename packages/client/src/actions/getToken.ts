/** `getToken`: a social token by id (filverse_getToken), in JSON form, or null. */
import type { RpcMethods } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import { hexParam } from "../utils/normalize.js";

export type GetTokenParameters = { tokenId: Hex };
export type GetTokenReturnType = RpcMethods["filverse_getToken"][1];

export function getToken(client: FilverseBaseClient, params: GetTokenParameters): Promise<GetTokenReturnType> {
  return client.request("filverse_getToken", [hexParam(params.tokenId, 32, "tokenId")]);
}
