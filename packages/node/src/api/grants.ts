/**
 * Fee allowances and session grants (kinds 60–63): what is left of them at the head. Period
 * budgets are rolled at the head block's timestamp, as the next transaction would see them.
 */
import { expectParamCount, paramHex } from "@filverse/rpc";
import { feeAllowanceObjectId, rolledAllowance, rolledGrant, sessionGrantObjectId } from "@filverse/state";
import { FeeAllowance, Namespace, SessionGrantRecord } from "@filverse/types";
import { fromHex } from "@filverse/utils";
import type { ApiModules, RpcHandlers } from "./types.js";

export type GrantsApi = Pick<RpcHandlers, "filverse_getFeeAllowance" | "filverse_getSessionGrant">;

const max0 = (x: bigint) => (x > 0n ? x : 0n);

export function grantsApi({ node }: ApiModules): GrantsApi {
  return {
    filverse_getFeeAllowance: (p) => {
      expectParamCount(p, 3, 3);
      const sponsor = paramHex(p, 0, "sponsor", 20);
      const grantee = paramHex(p, 1, "grantee", 20);
      const target = paramHex(p, 2, "target", 32);
      const stored = node.state.get(
        Namespace.FeeAllowance,
        feeAllowanceObjectId(fromHex(sponsor), fromHex(grantee), fromHex(target)),
      );
      if (!stored) return null;
      const now = node.head.header.timestamp;
      const a = rolledAllowance(stored, now);
      return {
        sponsor,
        grantee,
        target,
        ...FeeAllowance.toJson(stored),
        remaining: max0(a.totalBudget - a.spent).toString(),
        periodRemaining: a.periodBudget > 0n ? max0(a.periodBudget - a.periodSpent).toString() : null,
        expired: a.expiresAt !== 0 && now >= a.expiresAt,
      };
    },
    filverse_getSessionGrant: (p) => {
      expectParamCount(p, 2, 2);
      const account = paramHex(p, 0, "account", 20);
      const sessionKey = paramHex(p, 1, "sessionKey", 20);
      const stored = node.state.get(
        Namespace.SessionGrant,
        sessionGrantObjectId(fromHex(account), fromHex(sessionKey)),
      );
      if (!stored) return null;
      const now = node.head.header.timestamp;
      const g = rolledGrant(stored, now);
      const json = SessionGrantRecord.toJson(stored);
      return {
        account,
        sessionKey,
        ...json,
        filRemaining: max0(g.filCap - g.filSpent).toString(),
        filPeriodRemaining: g.filPeriodCap > 0n ? max0(g.filPeriodCap - g.filPeriodSpent).toString() : null,
        tokenRemaining: g.tokens.map((_, i) => ({
          tokenId: (json.tokens as string[])[i]!,
          remaining: max0(g.tokenCaps[i]! - g.tokenSpent[i]!).toString(),
          periodRemaining:
            g.tokenPeriodCaps[i]! > 0n ? max0(g.tokenPeriodCaps[i]! - g.tokenPeriodSpent[i]!).toString() : null,
        })),
        status: stored.revoked ? "revoked" : now >= stored.expiresAt ? "expired" : "active",
      };
    },
  };
}
