/** `getTransactionsByAddress`: one page of the user transactions and deposits that name an address, newest first (filverse_getTransactionsByAddress); pass `nextCursor` back for the next. */
import type { RpcMethods } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import { hexParam, pageParam } from "../utils/normalize.js";

export type GetTransactionsByAddressParameters = { address: Hex; cursor?: string | null; limit?: number };
export type GetTransactionsByAddressReturnType = RpcMethods["filverse_getTransactionsByAddress"][1];

export async function getTransactionsByAddress(
  client: FilverseBaseClient,
  params: GetTransactionsByAddressParameters,
): Promise<GetTransactionsByAddressReturnType> {
  const address = hexParam(params.address, 20, "address");
  const page = pageParam(params);
  return client.request("filverse_getTransactionsByAddress", page ? [address, page] : [address]);
}
