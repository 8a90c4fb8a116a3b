/**
 * `getFeeAllowance`: a sponsor's fee allowance for (grantee, target) (filverse_getFeeAllowance), with
 * what remains of it (`remaining`, and `periodRemaining` at the head's time), or null.
 */
import type { FilverseBaseClient } from "../baseClient.js";
import type { Hex } from "../types.js";
import { hexParam } from "../utils/normalize.js";

export type GetFeeAllowanceParameters = {
  sponsor: Hex;
  /** Zero (the default) for an allowance open to anyone acting on `target`. */
  grantee?: Hex;
  /** Zero (the default) for an allowance of `grantee` on any target. */
  target?: Hex;
};
/** The allowance as JSON (uint256 and uint64 as decimal strings) with what remains of it. */
export type FeeAllowanceJson = {
  totalBudget: string;
  spent: string;
  periodBudget: string;
  period: string;
  periodStart: string;
  periodSpent: string;
  maxFeePerTx: string;
  kinds: string;
  expiresAt: string;
  /** totalBudget − spent. */
  remaining: string;
  /** What the period budget has left at the head's time (the period rolled); null without a period. */
  periodRemaining: string | null;
};
export type GetFeeAllowanceReturnType = FeeAllowanceJson | null;

export function getFeeAllowance(
  client: FilverseBaseClient,
  params: GetFeeAllowanceParameters,
): Promise<GetFeeAllowanceReturnType> {
  const request = client.request as unknown as (
    method: string,
    params: unknown[],
  ) => Promise<GetFeeAllowanceReturnType>;
  return request("filverse_getFeeAllowance", [
    hexParam(params.sponsor, 20, "sponsor"),
    hexParam(params.grantee ?? `0x${"00".repeat(20)}`, 20, "grantee"),
    hexParam(params.target ?? `0x${"00".repeat(32)}`, 32, "target"),
  ]);
}
