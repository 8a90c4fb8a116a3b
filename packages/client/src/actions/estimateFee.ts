/** `estimateFee`: the chain's minimum and the node's suggested fee in attoFIL (filverse_estimateFee), as decimal strings. */
import type { RpcMethods } from "@filverse/types";
import type { FilverseBaseClient } from "../baseClient.js";

export type EstimateFeeParameters = {
  /** The kind to be sent, e.g. "AssetMint"; a hint the node may use. */
  primaryType?: string;
};
export type EstimateFeeReturnType = RpcMethods["filverse_estimateFee"][1];

export function estimateFee(
  client: FilverseBaseClient,
  params: EstimateFeeParameters = {},
): Promise<EstimateFeeReturnType> {
  return client.request(
    "filverse_estimateFee",
    params.primaryType === undefined ? [] : [{ primaryType: params.primaryType }],
  );
}
