/** `getNodeIdentity` and `getPeers`: the node's libp2p identity (filverse_nodeIdentity; UnavailableError without p2p) and its connected peers with their local scores (filverse_peers). */
import type { RpcMethods } from "@filverse/types";
import type { FilverseBaseClient } from "../baseClient.js";

export type GetNodeIdentityReturnType = RpcMethods["filverse_nodeIdentity"][1];
export type GetPeersReturnType = RpcMethods["filverse_peers"][1];

export function getNodeIdentity(client: FilverseBaseClient): Promise<GetNodeIdentityReturnType> {
  return client.request("filverse_nodeIdentity", []);
}

export function getPeers(client: FilverseBaseClient): Promise<GetPeersReturnType> {
  return client.request("filverse_peers", []);
}
