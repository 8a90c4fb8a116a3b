/** `createCollection`: create an NFT collection; returns its collectionId (kind 10, EIP-712 `CollectionCreate`). */
import type { FilverseBaseClient } from "../baseClient.js";
import type { TxParameters } from "../types.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type CreateCollectionParameters = TxParameters<"CollectionCreate">;
export type CreateCollectionReturnType = SendTransactionReturnType<"CollectionCreate">;

export function createCollection(
  client: FilverseBaseClient,
  params: CreateCollectionParameters,
): Promise<CreateCollectionReturnType> {
  return sendTransaction(client, { primaryType: "CollectionCreate", message: params });
}
