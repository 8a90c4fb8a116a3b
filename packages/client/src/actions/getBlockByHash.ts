/** `getBlockByHash`: a block by hash (filverse_getBlockByHash), in JSON form, or null. */
import type { RpcMethods } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import { hexParam } from "../utils/normalize.js";

export type GetBlockByHashParameters = { hash: Hex; full?: boolean };
export type GetBlockByHashReturnType = RpcMethods["filverse_getBlockByHash"][1];

export function getBlockByHash(
  client: FilverseBaseClient,
  params: GetBlockByHashParameters,
): Promise<GetBlockByHashReturnType> {
  return client.request("filverse_getBlockByHash", [hexParam(params.hash, 32, "hash"), params.full ?? false]);
}
