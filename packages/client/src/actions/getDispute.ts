/** `getDispute`: one fault-proof game with its claim tree (filverse_getDispute), or null for an unknown id. */
import type { RpcMethods } from "@filverse/types";
import type { FilverseBaseClient } from "../baseClient.js";
import { uintParam } from "../utils/normalize.js";

export type GetDisputeParameters = { id: number | bigint | string };
export type GetDisputeReturnType = RpcMethods["filverse_getDispute"][1];

export async function getDispute(
  client: FilverseBaseClient,
  params: GetDisputeParameters,
): Promise<GetDisputeReturnType> {
  return client.request("filverse_getDispute", [uintParam(params.id, "id")]);
}
