/**
 * `sendTransaction`: build, sign and send a transaction of any kind. The nonce comes from the local
 * per-address cursor (synced from pendingNonce, resynced once on NONCE_TOO_LOW / NONCE_GAP).
 */
import type { Hex } from "@filverse/utils";
import { type FilverseBaseClient, requireSigner } from "../baseClient.js";
import { ClientError, ClientErrorCode, NonceGapError, NonceTooLowError } from "../errors.js";
import type { CreatedIds, PrimaryType } from "../types.js";
import { buildMessage, createdIds, resolveKind, resolveVia, signTxMessage } from "../utils/transaction.js";
import { fetchPendingNonce, fetchSuggestedFee, type TransactionRequest } from "./signTransaction.js";

export type SendTransactionParameters<P extends PrimaryType = PrimaryType> = TransactionRequest<P>;

export type SendTransactionReturnType<P extends PrimaryType = PrimaryType> = {
  hash: Hex;
  /** The nonce the transaction used. */
  nonce: number;
} & CreatedIds<P>;

export async function sendTransaction<P extends PrimaryType>(
  client: FilverseBaseClient,
  params: SendTransactionParameters<P>,
): Promise<SendTransactionReturnType<P>> {
  return buildSignSend(client, params, "sendTransaction", async (signed) => {
    const hash = await client.request("filverse_sendTransaction", [signed.transaction]);
    return { hash, extra: {} };
  }) as Promise<SendTransactionReturnType<P>>;
}

/**
 * The shared loop of sendTransaction and sendTransactionSync: build, sign with the next nonce, send
 * with `submit`, check the hash the node answers; resync the nonce once on NONCE_TOO_LOW / NONCE_GAP.
 */
export async function buildSignSend<P extends PrimaryType, X extends object>(
  client: FilverseBaseClient,
  params: SendTransactionParameters<P>,
  action: string,
  submit: (signed: { transaction: Record<string, unknown>; hash: Hex }) => Promise<{ hash: unknown; extra: X }>,
): Promise<SendTransactionReturnType<P> & X> {
  const { kind, primaryType, struct } = resolveKind(params);
  const signer = requireSigner(client, action);
  const input = params.message as Record<string, unknown>;
  buildMessage(struct, input);
  const via = resolveVia(signer, params.via);
  const chainId = await client.resolveChainId();
  const fee = input.fee === undefined ? await fetchSuggestedFee(client, primaryType) : undefined;
  const autoNonce = input.nonce === undefined;

  for (let attempt = 0; ; attempt++) {
    const nonce = autoNonce
      ? await client.nonceManager.consume(signer.address, () => fetchPendingNonce(client, signer.address))
      : undefined;
    try {
      const message = buildMessage(struct, input, { nonce, fee });
      const signed = await signTxMessage(signer, chainId, kind, struct, message, via);
      const { hash, extra } = await submit(signed as never);
      if (typeof hash !== "string" || hash.toLowerCase() !== signed.hash) {
        throw new ClientError(ClientErrorCode.HASH_MISMATCH, "The node returned another transaction hash", {
          details: { expected: signed.hash, got: hash },
        });
      }
      return {
        hash: signed.hash,
        nonce: message.nonce,
        ...createdIds(kind, signer.address, message.nonce),
        ...extra,
      } as SendTransactionReturnType<P> & X;
    } catch (error) {
      // The nonce may not have been used (a rejection, a refused signature, a timeout that did or
      // did not land): the next send reads the node again rather than leave a gap.
      if (autoNonce) client.nonceManager.reset(signer.address);
      const stale = error instanceof NonceTooLowError || error instanceof NonceGapError;
      if (autoNonce && stale && attempt === 0) continue;
      throw error;
    }
  }
}
