/**
 * Reads of fee allowances and session grants (docs/rpc.md): the stored object as JSON plus what
 * remains under each budget and cap at the head's time, the period rolled as execution rolls it
 * (docs/protocol.md).
 */
import { expectParamCount, paramHex } from "@filverse/rpc";
import { feeAllowanceObjectId, rolledAllowance, rolledGrant, sessionGrantObjectId } from "@filverse/state";
import {
  FeeAllowance,
  type FeeAllowanceJson,
  Namespace,
  type SessionGrantJson,
  SessionGrantRecord,
} from "@filverse/types";
import { fromHex } from "@filverse/utils";
import type { ApiModules, RpcHandlers } from "./types.js";

export type GrantsApi = Pick<RpcHandlers, "filverse_getFeeAllowance" | "filverse_getSessionGrant">;

/** cap − spent, never below zero (a cap lowered under what was spent leaves nothing). */
const left = (cap: bigint, spent: bigint): string => (cap > spent ? cap - spent : 0n).toString();

export function grantsApi({ node }: ApiModules): GrantsApi {
  const now = () => node.head.header.timestamp;
  return {
    filverse_getFeeAllowance: (p) => {
      expectParamCount(p, 3, 3);
      const sponsor = paramHex(p, 0, "sponsor", 20);
      const grantee = paramHex(p, 1, "grantee", 20);
      const target = paramHex(p, 2, "target", 32);
      const a = node.state.get(
        Namespace.FeeAllowance,
        feeAllowanceObjectId(fromHex(sponsor), fromHex(grantee), fromHex(target)),
      );
      if (!a) return null;
      // The stored object as it is; what remains of the period as execution would see it now.
      const { periodSpent } = rolledAllowance(a, now());
      return {
        ...(FeeAllowance.toJson(a) as Omit<FeeAllowanceJson, "remaining" | "periodRemaining">),
        remaining: left(a.totalBudget, a.spent),
        periodRemaining: a.period > 0 ? left(a.periodBudget, periodSpent) : null,
      };
    },
    filverse_getSessionGrant: (p) => {
      expectParamCount(p, 2, 2);
      const account = paramHex(p, 0, "account", 20);
      const sessionKey = paramHex(p, 1, "sessionKey", 20);
      const g = node.state.get(Namespace.SessionGrant, sessionGrantObjectId(fromHex(account), fromHex(sessionKey)));
      if (!g) return null;
      const t = now();
      const rolled = rolledGrant(g, t);
      return {
        ...(SessionGrantRecord.toJson(g) as Omit<
          SessionGrantJson,
          "filRemaining" | "filPeriodRemaining" | "tokenRemaining" | "tokenPeriodRemaining" | "status"
        >),
        filRemaining: left(g.filCap, g.filSpent),
        filPeriodRemaining: g.filPeriodCap > 0n ? left(g.filPeriodCap, rolled.filPeriodSpent) : null,
        tokenRemaining: g.tokenCaps.map((cap, i) => left(cap, g.tokenSpent[i] ?? 0n)),
        tokenPeriodRemaining: g.tokenPeriodCaps.map((cap, i) =>
          cap > 0n ? left(cap, rolled.tokenPeriodSpent[i] ?? 0n) : null,
        ),
        status: g.revoked ? "revoked" : t >= g.expiresAt ? "expired" : "active",
      };
    },
  };
}
