/** `revokeFeeAllowance`: the sponsor deletes one of its fee allowances (kind 61, `FeeAllowanceRevoke`); the next transaction already sees it gone. */
import type { FilverseBaseClient } from "../baseClient.js";
import type { Hex, TxParameters, Uint256Input, UintInput } from "../types.js";
import { withDefaults } from "../utils/normalize.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type RevokeFeeAllowanceParameters = {
  /** Zero (the default) for an allowance open to anyone acting on `target`. */
  grantee?: Hex;
  /** Zero (the default) for an allowance of `grantee` on any target. */
  target?: Hex;
  nonce?: UintInput;
  fee?: Uint256Input;
};
export type RevokeFeeAllowanceReturnType = SendTransactionReturnType<"FeeAllowanceRevoke">;

export function revokeFeeAllowance(
  client: FilverseBaseClient,
  params: RevokeFeeAllowanceParameters,
): Promise<RevokeFeeAllowanceReturnType> {
  const message = withDefaults<TxParameters<"FeeAllowanceRevoke">>(
    { grantee: `0x${"00".repeat(20)}`, target: `0x${"00".repeat(32)}` },
    params as TxParameters<"FeeAllowanceRevoke">,
  );
  return sendTransaction(client, { primaryType: "FeeAllowanceRevoke", message });
}
