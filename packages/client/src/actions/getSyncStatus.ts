/** `getSyncStatus`: the node's head, state root, mempool size and whether it is syncing (filverse_syncStatus). */
import type { RpcMethods } from "@filverse/types";
import type { FilverseBaseClient } from "../baseClient.js";

export type GetSyncStatusReturnType = RpcMethods["filverse_syncStatus"][1];

export function getSyncStatus(client: FilverseBaseClient): Promise<GetSyncStatusReturnType> {
  return client.request("filverse_syncStatus", []);
}
