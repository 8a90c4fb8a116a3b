/**
 * `getPreconfirmation`: the sequencer's signed preconfirmation of a transaction while its block is
 * open (filverse_getPreconfirmation); null once the block is sealed (read the receipt then) or unknown.
 */
import type { PreconfirmationJson } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import { hexParam } from "../utils/normalize.js";

export type GetPreconfirmationParameters = { hash: Hex };
export type GetPreconfirmationReturnType = PreconfirmationJson | null;

export function getPreconfirmation(
  client: FilverseBaseClient,
  params: GetPreconfirmationParameters,
): Promise<GetPreconfirmationReturnType> {
  return client.request("filverse_getPreconfirmation", [hexParam(params.hash, 32, "hash")]);
}
