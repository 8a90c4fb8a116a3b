/**
 * `sendTransactionSync`: build, sign and send a transaction (as sendTransaction), and get the
 * sequencer's signed preconfirmation in the same call (filverse_sendTransactionSync): the block
 * number and position its receipt will have, the receipt, and what it wrote.
 */
import type { PreconfirmationJson } from "@filverse/types";
import type { FilverseBaseClient } from "../baseClient.js";
import type { PrimaryType } from "../types.js";
import { buildSignSend, type SendTransactionParameters, type SendTransactionReturnType } from "./sendTransaction.js";

export type SendTransactionSyncParameters<P extends PrimaryType = PrimaryType> = SendTransactionParameters<P> & {
  /** How long the node waits for the preconfirmation (1 to 10 000 ms). Default: the node's, 5 000. */
  timeoutMs?: number;
};

export type SendTransactionSyncReturnType<P extends PrimaryType = PrimaryType> = SendTransactionReturnType<P> & {
  preconfirmation: PreconfirmationJson;
};

/**
 * Throws NotPreconfirmedError when no preconfirmation came within the timeout (the transaction
 * stays admitted: wait for it with waitForTransaction), and the errors of sendTransaction.
 */
export function sendTransactionSync<P extends PrimaryType>(
  client: FilverseBaseClient,
  params: SendTransactionSyncParameters<P>,
): Promise<SendTransactionSyncReturnType<P>> {
  const { timeoutMs, ...request } = params;
  return buildSignSend(client, request as SendTransactionParameters<P>, "sendTransactionSync", async (signed) => {
    const preconfirmation = await client.request(
      "filverse_sendTransactionSync",
      timeoutMs === undefined ? [signed.transaction] : [signed.transaction, timeoutMs],
    );
    return { hash: preconfirmation?.hash, extra: { preconfirmation } };
  });
}
