/** `getAccount`: an account's balance, nonce and pending nonce (filverse_getAccount), as decimal strings. */
import type { BlockTag, RpcMethods } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import { blockTagParam, hexParam } from "../utils/normalize.js";

export type GetAccountParameters = { address: Hex; blockNumber?: BlockTag | bigint };
export type GetAccountReturnType = RpcMethods["filverse_getAccount"][1];

export function getAccount(client: FilverseBaseClient, params: GetAccountParameters): Promise<GetAccountReturnType> {
  const address = hexParam(params.address, 20, "address");
  return client.request(
    "filverse_getAccount",
    params.blockNumber === undefined ? [address] : [address, blockTagParam(params.blockNumber)],
  );
}
