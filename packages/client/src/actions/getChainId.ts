/** `getChainId`: the node's L2 chain id (filverse_chainId), as a number since every signature's domain takes one. */
import type { FilverseBaseClient } from "../baseClient.js";

export type GetChainIdReturnType = number;

export async function getChainId(client: FilverseBaseClient): Promise<GetChainIdReturnType> {
  return Number(await client.request("filverse_chainId", []));
}
