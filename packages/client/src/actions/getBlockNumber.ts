/** `getBlockNumber`: the head block number (filverse_blockNumber), as the node's decimal string. */
import type { Dec } from "@filverse/types";
import type { FilverseBaseClient } from "../baseClient.js";

export type GetBlockNumberReturnType = Dec;

export function getBlockNumber(client: FilverseBaseClient): Promise<GetBlockNumberReturnType> {
  return client.request("filverse_blockNumber", []);
}
