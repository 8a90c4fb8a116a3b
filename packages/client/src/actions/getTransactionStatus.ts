/** `getTransactionStatus`: where a transaction is in its life, pending → finalized (filverse_getTransactionStatus). */
import type { TxStatusJson } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import { hexParam } from "../utils/normalize.js";

export type GetTransactionStatusParameters = { hash: Hex };
export type GetTransactionStatusReturnType = TxStatusJson;

export function getTransactionStatus(
  client: FilverseBaseClient,
  params: GetTransactionStatusParameters,
): Promise<GetTransactionStatusReturnType> {
  return client.request("filverse_getTransactionStatus", [hexParam(params.hash, 32, "hash")]);
}
