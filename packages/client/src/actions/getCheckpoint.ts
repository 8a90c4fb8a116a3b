/** `getCheckpoint`: a checkpoint on the L1 rollup with its L1 transaction, status and deals (filverse_getCheckpoint), or null. */
import type { RpcMethods } from "@filverse/types";
import type { FilverseBaseClient } from "../baseClient.js";

export type GetCheckpointParameters = { index?: number | bigint | string };
export type GetCheckpointReturnType = RpcMethods["filverse_getCheckpoint"][1];

export function getCheckpoint(
  client: FilverseBaseClient,
  params: GetCheckpointParameters = {},
): Promise<GetCheckpointReturnType> {
  return client.request("filverse_getCheckpoint", params.index === undefined ? [] : [String(params.index)]);
}
