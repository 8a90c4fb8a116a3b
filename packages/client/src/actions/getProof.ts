/** `getProof`: a state-object proof against a block's stateRoot (filverse_getProof), in JSON form. */
import type { BlockTag, RpcMethods } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import { blockTagParam, hexParam } from "../utils/normalize.js";

export type GetProofParameters = {
  /** The namespace name, e.g. "Account", "Collection". */
  namespace: string;
  /** The object's id (an address for accounts). */
  id: Hex;
  blockNumber?: BlockTag | bigint;
};
export type GetProofReturnType = RpcMethods["filverse_getProof"][1];

export function getProof(client: FilverseBaseClient, params: GetProofParameters): Promise<GetProofReturnType> {
  const id = hexParam(params.id, undefined, "id");
  return client.request(
    "filverse_getProof",
    params.blockNumber === undefined
      ? [params.namespace, id]
      : [params.namespace, id, blockTagParam(params.blockNumber)],
  );
}
