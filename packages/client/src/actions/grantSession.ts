/**
 * `grantSession`: the signer (the account) lets `sessionKey` sign for it within exact permissions
 * (kind 62, EIP-712 `SessionGrant`), as requested by the app identity `app` (whose owner signed the
 * request with signSessionRequest). The key then signs with sessionAccount(key, { account }).
 */
import type { FilverseBaseClient } from "../baseClient.js";
import { ClientError, ClientErrorCode } from "../errors.js";
import type { Hex, TxParameters, Uint256Input, UintInput } from "../types.js";
import { type KindsInput, kindsParam } from "../utils/kinds.js";
import { withDefaults } from "../utils/normalize.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

/** A token the key may move, with its caps (base units). */
export type SessionTokenCap = {
  tokenId: Hex;
  /** The most the key may move in all. */
  cap: Uint256Input;
  /** The most per `period`; 0 (the default): no per-period cap. */
  periodCap?: Uint256Input;
};

export type GrantSessionParameters = {
  sessionKey: Hex;
  /** The app identity that asked. */
  app: Hex;
  /** The app owner's signature of the SessionRequest (signSessionRequest). */
  appSignature: Hex;
  /** The request's deadline (unix seconds), as the app signed it. */
  requestDeadline: UintInput;
  /** The kinds the key may sign: a mask, or names (`["AssetMint", "TradeFill"]`). */
  kinds: KindsInput;
  /**
   * attoFIL the key may move in all (transfers, the price of what it buys, and its fees when it has
   * no sponsor). 0 (the default): none.
   */
  filCap?: Uint256Input;
  /** attoFIL per `period`; 0 (the default): no per-period cap. */
  filPeriodCap?: Uint256Input;
  /** Seconds; needed with a per-period cap. */
  period?: UintInput;
  /** Up to 4 tokens the key may move; any other token transfer is refused. */
  tokens?: readonly SessionTokenCap[];
  /** Up to 4 collections the key is limited to; none (the default): any. */
  collections?: readonly Hex[];
  /** Up to 4 counterparties the key is limited to; none (the default): any. */
  counterparties?: readonly Hex[];
  /** Unix seconds, required: a session always ends. */
  expiresAt: UintInput;
  nonce?: UintInput;
  fee?: Uint256Input;
};
export type GrantSessionOptions = {
  /** Whose fee allowance pays the SessionGrant's fee (a new player with 0 FIL). */
  sponsor?: Hex;
};
export type GrantSessionReturnType = SendTransactionReturnType<"SessionGrant">;

export function grantSession(
  client: FilverseBaseClient,
  params: GrantSessionParameters,
  options: GrantSessionOptions = {},
): Promise<GrantSessionReturnType> {
  const { tokens = [], kinds, ...rest } = params;
  if (!Array.isArray(tokens)) throw new ClientError(ClientErrorCode.INVALID_INPUT, "`tokens` must be an array");
  const message = withDefaults<TxParameters<"SessionGrant">>(
    { filCap: 0, filPeriodCap: 0, period: 0, collections: [], counterparties: [] },
    {
      ...rest,
      kinds: kindsParam(kinds),
      tokens: tokens.map((t) => t.tokenId),
      tokenCaps: tokens.map((t) => t.cap),
      tokenPeriodCaps: tokens.map((t) => t.periodCap ?? 0),
    } as TxParameters<"SessionGrant">,
  );
  // A grant is signed by the account itself: never as a session (account zero), perhaps sponsored.
  return sendTransaction(client, {
    primaryType: "SessionGrant",
    message,
    via: { account: `0x${"00".repeat(20)}`, ...(options.sponsor === undefined ? {} : { sponsor: options.sponsor }) },
  });
}
