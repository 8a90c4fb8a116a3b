/**
 * `getFeeAllowance`: a sponsor's fee allowance for (grantee, target) (filverse_getFeeAllowance), with
 * what remains of it (`remaining`, and `periodRemaining` at the head's time), or null.
 */
import type { FeeAllowanceJson } from "@filverse/types";
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
export type GetFeeAllowanceReturnType = FeeAllowanceJson | null;

export function getFeeAllowance(
  client: FilverseBaseClient,
  params: GetFeeAllowanceParameters,
): Promise<GetFeeAllowanceReturnType> {
  return client.request("filverse_getFeeAllowance", [
    hexParam(params.sponsor, 20, "sponsor"),
    hexParam(params.grantee ?? `0x${"00".repeat(20)}`, 20, "grantee"),
    hexParam(params.target ?? `0x${"00".repeat(32)}`, 32, "target"),
  ]) as Promise<FeeAllowanceJson | null>;
}
