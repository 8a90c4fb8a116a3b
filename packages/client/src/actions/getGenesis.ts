/** `getGenesis`: the genesis header and the chain's consensus parameters (filverse_getGenesis): what a verifier needs to follow the chain. */
import type { RpcMethods } from "@filverse/types";
import type { FilverseBaseClient } from "../baseClient.js";

export type GetGenesisReturnType = RpcMethods["filverse_getGenesis"][1];

export function getGenesis(client: FilverseBaseClient): Promise<GetGenesisReturnType> {
  return client.request("filverse_getGenesis", []);
}
