/**
 * `sponsorFees`: the signer, as sponsor, grants a fee allowance (kind 60, EIP-712 `FeeAllowanceSet`)
 * to `grantee`, or, grantee zero, to anyone acting on the sponsor's collection, token, identity or
 * data asset `target`. It replaces any allowance of the same (sponsor, grantee, target), counters reset.
 */
import type { FilverseBaseClient } from "../baseClient.js";
import type { Hex, TxParameters, Uint256Input, UintInput } from "../types.js";
import { type KindsInput, kindsParam } from "../utils/kinds.js";
import { withDefaults } from "../utils/normalize.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

const ZERO_ADDRESS: Hex = `0x${"00".repeat(20)}`;
const ZERO_ID: Hex = `0x${"00".repeat(32)}`;

export type SponsorFeesParameters = {
  /** Whose transactions it pays for; zero (the default) with a `target`: anyone's acting on it. */
  grantee?: Hex;
  /** A collection, token, identity or data asset of the sponsor; zero (the default): any. */
  target?: Hex;
  /** attoFIL of fees it pays in all (> 0). */
  totalBudget: Uint256Input;
  /** attoFIL of fees per `period`; 0 (the default): no per-period budget. */
  periodBudget?: Uint256Input;
  /** Seconds; set with periodBudget. */
  period?: UintInput;
  /** The largest fee it pays for one transaction; 0 (the default): any. */
  maxFeePerTx?: Uint256Input;
  /** The kinds it covers: a mask, or names (`["AssetMint", "TradeFill"]`). */
  kinds: KindsInput;
  /** Unix seconds; 0 (the default) never expires. */
  expiresAt?: UintInput;
  nonce?: UintInput;
  fee?: Uint256Input;
};
export type SponsorFeesReturnType = SendTransactionReturnType<"FeeAllowanceSet">;

export function sponsorFees(client: FilverseBaseClient, params: SponsorFeesParameters): Promise<SponsorFeesReturnType> {
  const message = withDefaults<TxParameters<"FeeAllowanceSet">>(
    { grantee: ZERO_ADDRESS, target: ZERO_ID, periodBudget: 0, period: 0, maxFeePerTx: 0, expiresAt: 0 },
    { ...params, kinds: kindsParam(params.kinds) } as TxParameters<"FeeAllowanceSet">,
  );
  return sendTransaction(client, { primaryType: "FeeAllowanceSet", message });
}
