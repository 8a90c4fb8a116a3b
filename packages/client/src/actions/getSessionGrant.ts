/**
 * `getSessionGrant`: the session grant of (account, sessionKey) (filverse_getSessionGrant): its
 * permissions, what the key has spent and what remains, and `status` ("active", "expired",
 * "revoked"), or null.
 */
import type { SessionGrantJson } from "@filverse/types";
import type { FilverseBaseClient } from "../baseClient.js";
import type { Hex } from "../types.js";
import { hexParam } from "../utils/normalize.js";

export type GetSessionGrantParameters = { account: Hex; sessionKey: Hex };
export type GetSessionGrantReturnType = SessionGrantJson | null;

export function getSessionGrant(
  client: FilverseBaseClient,
  params: GetSessionGrantParameters,
): Promise<GetSessionGrantReturnType> {
  return client.request("filverse_getSessionGrant", [
    hexParam(params.account, 20, "account"),
    hexParam(params.sessionKey, 20, "sessionKey"),
  ]) as Promise<SessionGrantJson | null>;
}
