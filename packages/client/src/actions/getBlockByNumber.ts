/** `getBlockByNumber`: a block by number or "latest" (filverse_getBlockByNumber), in JSON form, or null. */
import type { BlockTag, RpcMethods } from "@filverse/types";
import type { FilverseBaseClient } from "../baseClient.js";
import { blockTagParam } from "../utils/normalize.js";

export type GetBlockByNumberParameters = {
  /** Defaults to "latest". */
  blockNumber?: BlockTag | bigint;
  /** Full transaction objects instead of hashes. */
  full?: boolean;
};
export type GetBlockByNumberReturnType = RpcMethods["filverse_getBlockByNumber"][1];

export function getBlockByNumber(
  client: FilverseBaseClient,
  params: GetBlockByNumberParameters = {},
): Promise<GetBlockByNumberReturnType> {
  return client.request("filverse_getBlockByNumber", [
    blockTagParam(params.blockNumber ?? "latest"),
    params.full ?? false,
  ]);
}
