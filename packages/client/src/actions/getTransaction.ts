/** `getTransaction`: a transaction by hash (filverse_getTransaction), in JSON form with its sender, or null. */
import type { RpcMethods } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import { hexParam } from "../utils/normalize.js";

export type GetTransactionParameters = { hash: Hex };
export type GetTransactionReturnType = RpcMethods["filverse_getTransaction"][1];

export function getTransaction(
  client: FilverseBaseClient,
  params: GetTransactionParameters,
): Promise<GetTransactionReturnType> {
  return client.request("filverse_getTransaction", [hexParam(params.hash, 32, "hash")]);
}
