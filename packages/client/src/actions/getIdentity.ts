/** `getIdentity`: an identity by handle or by 0x id (filverse_getIdentity), in JSON form, or null. */
import type { RpcMethods } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import { ClientError, ClientErrorCode } from "../errors.js";
import { hexParam } from "../utils/normalize.js";

export type GetIdentityParameters =
  | { handle: string; identityId?: undefined }
  | { identityId: Hex; handle?: undefined };
export type GetIdentityReturnType = RpcMethods["filverse_getIdentity"][1];

export function getIdentity(client: FilverseBaseClient, params: GetIdentityParameters): Promise<GetIdentityReturnType> {
  if (params.identityId !== undefined) {
    return client.request("filverse_getIdentity", [hexParam(params.identityId, 32, "identityId")]);
  }
  if (typeof params.handle !== "string" || params.handle.length === 0) {
    throw new ClientError(ClientErrorCode.INVALID_INPUT, "getIdentity needs a `handle` or an `identityId`");
  }
  return client.request("filverse_getIdentity", [params.handle]);
}
