/** `resolveDid`: the W3C DID document of `did:filverse:<chainId>:<handle or id>` (filverse_resolveDid), or null. */
import type { RpcMethods } from "@filverse/types";
import type { FilverseBaseClient } from "../baseClient.js";
import { ClientError, ClientErrorCode } from "../errors.js";

export type ResolveDidParameters = { did: string };
export type ResolveDidReturnType = RpcMethods["filverse_resolveDid"][1];

export function resolveDid(client: FilverseBaseClient, params: ResolveDidParameters): Promise<ResolveDidReturnType> {
  if (typeof params.did !== "string" || !params.did.startsWith("did:filverse:")) {
    throw new ClientError(ClientErrorCode.INVALID_INPUT, 'Invalid parameter "did": expected did:filverse:…', {
      details: { got: params.did },
    });
  }
  return client.request("filverse_resolveDid", [params.did]);
}
