/**
 * `getSessionGrant`: the session grant of (account, sessionKey) (filverse_getSessionGrant): its
 * permissions, what the key has spent and what remains, and `status` ("active", "expired",
 * "revoked"), or null.
 */
import type { FilverseBaseClient } from "../baseClient.js";
import type { Hex } from "../types.js";
import { hexParam } from "../utils/normalize.js";

export type GetSessionGrantParameters = { account: Hex; sessionKey: Hex };
/** The grant as JSON (uint256 and uint64 as decimal strings) with what remains of it and its status. */
export type SessionGrantJson = {
  app: Hex;
  kinds: string;
  filCap: string;
  filSpent: string;
  filPeriodCap: string;
  filPeriodSpent: string;
  period: string;
  periodStart: string;
  tokens: Hex[];
  tokenCaps: string[];
  tokenSpent: string[];
  tokenPeriodCaps: string[];
  tokenPeriodSpent: string[];
  collections: Hex[];
  counterparties: Hex[];
  expiresAt: string;
  revoked: boolean;
  /** filCap − filSpent. */
  filRemaining: string;
  /** What the FIL period cap has left at the head's time; null without one. */
  filPeriodRemaining: string | null;
  status: "active" | "expired" | "revoked";
} & Record<string, unknown>;
export type GetSessionGrantReturnType = SessionGrantJson | null;

export function getSessionGrant(
  client: FilverseBaseClient,
  params: GetSessionGrantParameters,
): Promise<GetSessionGrantReturnType> {
  const request = client.request as unknown as (
    method: string,
    params: unknown[],
  ) => Promise<GetSessionGrantReturnType>;
  return request("filverse_getSessionGrant", [
    hexParam(params.account, 20, "account"),
    hexParam(params.sessionKey, 20, "sessionKey"),
  ]);
}
