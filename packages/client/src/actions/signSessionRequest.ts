/**
 * `signSessionRequest`: the owner of an app identity signs the EIP-712 `SessionRequest(address account,
 * address sessionKey,bytes32 app,uint64 deadline)` under the Filverse domain: the app asks `account`
 * to let `sessionKey` sign for it. The account puts the signature in its SessionGrant
 * (`appSignature`), and the chain checks it was the app's owner who asked, as with Farcaster's
 * signed key requests. Runs on the app's server; makes no request to a node.
 */
import { SessionRequest } from "@filverse/types";
import type { Account } from "viem";
import { type Eip1193Provider, toSigner } from "../accounts.js";
import { ClientError, ClientErrorCode } from "../errors.js";
import type { Hex, UintInput } from "../types.js";
import { normalizeObject, parseMessage } from "../utils/normalize.js";
import { signMessage } from "../utils/transaction.js";

export type SignSessionRequestParameters = {
  /** The L2 chain id (filverse_chainId; the client's getChainId()). */
  chainId: number;
  /** The account that will grant the session. */
  account: Hex;
  /** The session key's address. */
  sessionKey: Hex;
  /** The app identity's id; the signer must own it. */
  app: Hex;
  /** Unix seconds: the SessionGrant must be included by then (its `requestDeadline`). */
  deadline: UintInput;
  /** With an EIP-1193 provider: the address it signs with. */
  address?: Hex;
};

/** The app's signature (65 bytes, 0x hex), the SessionGrant's `appSignature`. */
export async function signSessionRequest(
  appAccount: Account | Eip1193Provider,
  params: SignSessionRequestParameters,
): Promise<Hex> {
  const { chainId, address, ...fields } = params;
  if (!Number.isSafeInteger(chainId) || chainId <= 0) {
    throw new ClientError(ClientErrorCode.INVALID_INPUT, `Invalid chainId ${String(chainId)}`);
  }
  const signer = toSigner(appAccount, address);
  const message = parseMessage(SessionRequest, normalizeObject(SessionRequest, fields));
  return (await signMessage(signer, chainId, SessionRequest, message)).signature;
}
