/** `getTransactionReceipt`: the receipt of an included transaction (filverse_getTransactionReceipt), or null. */
import type { RpcMethods } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import { hexParam } from "../utils/normalize.js";

export type GetTransactionReceiptParameters = { hash: Hex };
export type GetTransactionReceiptReturnType = RpcMethods["filverse_getTransactionReceipt"][1];

export function getTransactionReceipt(
  client: FilverseBaseClient,
  params: GetTransactionReceiptParameters,
): Promise<GetTransactionReceiptReturnType> {
  return client.request("filverse_getTransactionReceipt", [hexParam(params.hash, 32, "hash")]);
}
