/**
 * `revokeSession`: end a session key for good (kind 63, EIP-712 `SessionRevoke`), signed by the
 * account or by the session key itself. The grant stays on chain, revoked: the same key can never be
 * granted again for that account. From a sessionAccount client it is signed by the session key as
 * itself (a session may not sign a SessionRevoke as the account), with the same sponsor.
 */

import { ZERO_ADDRESS } from "../accounts.js";
import { type FilverseBaseClient, requireSigner } from "../baseClient.js";
import { ClientError, ClientErrorCode } from "../errors.js";
import type { Hex, Uint256Input, UintInput } from "../types.js";
import type { GrantSessionOptions } from "./grantSession.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type RevokeSessionParameters = {
  /** The account that granted the session; default: the session account's, else the signer. */
  account?: Hex;
  /** Default: the signer (a session key revoking itself). */
  sessionKey?: Hex;
  nonce?: UintInput;
  fee?: Uint256Input;
};
export type RevokeSessionReturnType = SendTransactionReturnType<"SessionRevoke">;

export async function revokeSession(
  client: FilverseBaseClient,
  params: RevokeSessionParameters,
  options: GrantSessionOptions = {},
): Promise<RevokeSessionReturnType> {
  const signer = requireSigner(client, "revokeSession");
  const viaAccount = signer.via?.account ?? ZERO_ADDRESS;
  const { account, sessionKey, ...rest } = params;
  if (sessionKey === undefined && viaAccount === ZERO_ADDRESS) {
    // Only a session account revokes "itself" by default; an account names the key it ends.
    throw new ClientError(ClientErrorCode.INVALID_INPUT, "revokeSession needs the `sessionKey` to revoke");
  }
  const message = {
    ...rest,
    account: account ?? (viaAccount !== ZERO_ADDRESS ? viaAccount : signer.address),
    sessionKey: sessionKey ?? signer.address,
  };
  return sendTransaction(client, {
    primaryType: "SessionRevoke",
    message,
    via: { account: ZERO_ADDRESS, ...(options.sponsor === undefined ? {} : { sponsor: options.sponsor }) },
  });
}
