/**
 * `signTransaction`: build and sign a transaction of any kind without sending it. Missing nonce and
 * fee are read from the node (pendingNonce, suggestedFee); with both given it makes no request.
 */
import type { Hex } from "@filverse/utils";
import { type FilverseBaseClient, requireSigner } from "../baseClient.js";
import type { CreatedIds, KindOf, PrimaryType, SignedTransactionJson, TxParameters } from "../types.js";
import {
  buildMessage,
  createdIds,
  resolveKind,
  resolveVia,
  signTxMessage,
  type ViaOverride,
} from "../utils/transaction.js";

/**
 * Name the kind by `primaryType` ("AssetMint") or by wire `kind` (11). `via` overrides the account's
 * Via fields for this transaction (`{ sponsor }`: the sponsor's fee allowance pays the fee).
 */
export type TransactionRequest<P extends PrimaryType = PrimaryType> = {
  primaryType?: P;
  kind?: KindOf<P>;
  message: TxParameters<P>;
  via?: ViaOverride;
};

export type SignTransactionParameters<P extends PrimaryType = PrimaryType> = TransactionRequest<P>;

export type SignTransactionReturnType<P extends PrimaryType = PrimaryType> = {
  /** What filverse_sendTransaction takes. */
  transaction: SignedTransactionJson;
  /** The transaction hash, computed locally. */
  hash: Hex;
  /** The signing address (for a session account: the session key, whose nonce it used). */
  sender: Hex;
  nonce: number;
} & CreatedIds<P>;

export async function signTransaction<P extends PrimaryType>(
  client: FilverseBaseClient,
  params: SignTransactionParameters<P>,
): Promise<SignTransactionReturnType<P>> {
  const { kind, primaryType, struct } = resolveKind(params);
  const signer = requireSigner(client, "signTransaction");
  const input = params.message as Record<string, unknown>;
  // Check the whole input (with placeholder nonce and fee) before any request is made.
  buildMessage(struct, input);
  const via = resolveVia(signer, params.via);
  const [chainId, nonce, fee] = await Promise.all([
    client.resolveChainId(),
    input.nonce === undefined ? fetchPendingNonce(client, signer.address) : undefined,
    input.fee === undefined ? fetchSuggestedFee(client, primaryType) : undefined,
  ]);
  const message = buildMessage(struct, input, { nonce, fee });
  const signed = await signTxMessage(signer, chainId, kind, struct, message, via);
  return {
    transaction: signed.transaction,
    hash: signed.hash,
    sender: signer.address,
    nonce: message.nonce,
    ...createdIds(kind, signer.address, message.nonce),
  } as SignTransactionReturnType<P>;
}

/** The account's next nonce, counting its transactions already in the mempool. */
export async function fetchPendingNonce(client: FilverseBaseClient, address: Hex): Promise<number> {
  const account = await client.request("filverse_getAccount", [address]);
  return Number(account.pendingNonce);
}

export async function fetchSuggestedFee(client: FilverseBaseClient, primaryType: string): Promise<string> {
  const fee = await client.request("filverse_estimateFee", [{ primaryType }]);
  return fee.suggestedFee;
}
