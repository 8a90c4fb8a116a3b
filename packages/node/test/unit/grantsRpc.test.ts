/**
 * filverse_getFeeAllowance and filverse_getSessionGrant over a head state: the stored object, what
 * remains (never below zero), the period rolled at the head's timestamp, the grant's status, null
 * when absent, and -32602 for a malformed param.
 */
import { feeAllowanceObjectId, sessionGrantObjectId } from "@filverse/state";
import { type FeeAllowance, Namespace, type SessionGrantRecord } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import { describe, expect, it } from "vitest";
import { createRpcHandlers } from "../../src/api/index.js";

const SPONSOR = `0x${"aa".repeat(20)}` as const;
const PLAYER = `0x${"bb".repeat(20)}` as const;
const KEY = `0x${"cc".repeat(20)}` as const;
const ZERO = `0x${"00".repeat(20)}` as const;
const TARGET = `0x${"dd".repeat(32)}` as const;
const TOKEN = `0x${"ee".repeat(32)}` as const;

/** A node whose head state holds `objects` at timestamp `now`. */
function rpcAt(now: number, objects: [Namespace, Uint8Array, unknown][]) {
  const byKey = new Map(objects.map(([ns, id, v]) => [`${ns}:${toHex(id)}`, v]));
  const node = {
    head: { number: 9, header: { timestamp: now } },
    state: { get: (ns: Namespace, id: Uint8Array) => byKey.get(`${ns}:${toHex(id)}`) },
  };
  return createRpcHandlers(node as never);
}

const allowance: FeeAllowance = {
  totalBudget: 1000n,
  spent: 300n,
  periodBudget: 100n,
  period: 60,
  periodStart: 1000,
  periodSpent: 40n,
  maxFeePerTx: 0n,
  kinds: 1n << 11n,
  expiresAt: 0,
};
const grant: SessionGrantRecord = {
  app: fromHex(TARGET),
  kinds: 1n << 50n,
  filCap: 5n,
  filSpent: 7n, // over a cap: remaining is 0, not negative
  filPeriodCap: 0n,
  filPeriodSpent: 0n,
  period: 100,
  periodStart: 1000,
  tokens: [fromHex(TOKEN)],
  tokenCaps: [50n],
  tokenSpent: [20n],
  tokenPeriodCaps: [10n],
  tokenPeriodSpent: [4n],
  collections: [],
  counterparties: [fromHex(PLAYER)],
  expiresAt: 2000,
  revoked: false,
};
const aId = feeAllowanceObjectId(fromHex(SPONSOR), fromHex(ZERO), fromHex(TARGET));
const gId = sessionGrantObjectId(fromHex(PLAYER), fromHex(KEY));
const ctx = {} as never;

describe("filverse_getFeeAllowance", () => {
  it("the allowance, its remaining budget and the period's, rolled at the head's time", () => {
    const within = rpcAt(1059, [[Namespace.FeeAllowance, aId, allowance]]);
    expect(within.filverse_getFeeAllowance([SPONSOR, ZERO, TARGET], ctx)).toEqual({
      sponsor: SPONSOR,
      grantee: ZERO,
      target: TARGET,
      totalBudget: "1000",
      spent: "300",
      periodBudget: "100",
      period: "60",
      periodStart: "1000",
      periodSpent: "40",
      maxFeePerTx: "0",
      kinds: String(1n << 11n),
      expiresAt: "0",
      remaining: "700",
      periodRemaining: "60",
      expired: false,
    });
    // At periodStart + period the period is over: its spending counts from zero.
    const next = rpcAt(1060, [[Namespace.FeeAllowance, aId, allowance]]);
    expect(next.filverse_getFeeAllowance([SPONSOR, ZERO, TARGET], ctx)).toMatchObject({ periodRemaining: "100" });
    const noPeriod = rpcAt(1060, [[Namespace.FeeAllowance, aId, { ...allowance, period: 0, periodBudget: 0n }]]);
    expect(noPeriod.filverse_getFeeAllowance([SPONSOR, ZERO, TARGET], ctx)).toMatchObject({ periodRemaining: null });
    expect(within.filverse_getFeeAllowance([SPONSOR, PLAYER, TARGET], ctx)).toBeNull();
  });
  it("-32602 for a malformed or missing param", () => {
    const rpc = rpcAt(0, []);
    for (const params of [
      [SPONSOR, ZERO],
      [SPONSOR, ZERO, "0x12"],
      ["0x12", ZERO, TARGET],
      [SPONSOR, TARGET, TARGET],
    ]) {
      expect(() => rpc.filverse_getFeeAllowance(params as never, ctx), JSON.stringify(params)).toThrow(
        expect.objectContaining({ code: -32602 }),
      );
    }
  });
});

describe("filverse_getSessionGrant", () => {
  it("the grant, what remains under each cap, and its status", () => {
    const active = rpcAt(1099, [[Namespace.SessionGrant, gId, grant]]);
    expect(active.filverse_getSessionGrant([PLAYER, KEY], ctx)).toMatchObject({
      app: TARGET,
      filCap: "5",
      filSpent: "7",
      filRemaining: "0",
      filPeriodRemaining: null,
      tokens: [TOKEN],
      tokenRemaining: [{ tokenId: TOKEN, remaining: "30", periodRemaining: "6" }],
      counterparties: [PLAYER],
      revoked: false,
      status: "active",
    });
    const rolled = rpcAt(1100, [[Namespace.SessionGrant, gId, { ...grant, filPeriodCap: 3n, filPeriodSpent: 2n }]]);
    expect(rolled.filverse_getSessionGrant([PLAYER, KEY], ctx)).toMatchObject({
      filPeriodRemaining: "3",
      tokenRemaining: [{ tokenId: TOKEN, remaining: "30", periodRemaining: "10" }],
    });
    const expired = rpcAt(2000, [[Namespace.SessionGrant, gId, grant]]);
    expect(expired.filverse_getSessionGrant([PLAYER, KEY], ctx)).toMatchObject({ status: "expired" });
    const revoked = rpcAt(1500, [[Namespace.SessionGrant, gId, { ...grant, revoked: true }]]);
    expect(revoked.filverse_getSessionGrant([PLAYER, KEY], ctx)).toMatchObject({ status: "revoked" });
    expect(active.filverse_getSessionGrant([KEY, PLAYER], ctx)).toBeNull();
    expect(() => active.filverse_getSessionGrant([PLAYER], ctx)).toThrow(expect.objectContaining({ code: -32602 }));
  });
});
