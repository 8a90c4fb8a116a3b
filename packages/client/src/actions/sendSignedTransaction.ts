/** `sendSignedTransaction`: submit an already-signed transaction (from signTransaction) as it is; returns its hash. */
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import type { SignedTransactionJson } from "../types.js";

export type SendSignedTransactionParameters = { transaction: SignedTransactionJson };
export type SendSignedTransactionReturnType = Hex;

export function sendSignedTransaction(
  client: FilverseBaseClient,
  params: SendSignedTransactionParameters,
): Promise<SendSignedTransactionReturnType> {
  return client.request("filverse_sendTransaction", [params.transaction]);
}
