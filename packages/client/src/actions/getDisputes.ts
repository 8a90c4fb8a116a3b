/** `getDisputes`: one page of the fault-proof games on the dispute game the node plays, oldest first (filverse_getDisputes); pass `next` back as `fromId`. */
import type { RpcMethods } from "@filverse/types";
import type { FilverseBaseClient } from "../baseClient.js";
import { ClientError, ClientErrorCode } from "../errors.js";
import { uintParam } from "../utils/normalize.js";

/** The most games one filverse_getDisputes call returns. */
export const MAX_DISPUTES_PAGE = 100;

export type GetDisputesParameters = {
  /** The first game id (default 0): the previous page's `next`. */
  fromId?: number | bigint | string | null;
  /** At most this many, 1 to 100 (the node's default: 20). */
  limit?: number;
};
export type GetDisputesReturnType = RpcMethods["filverse_getDisputes"][1];

export async function getDisputes(
  client: FilverseBaseClient,
  params: GetDisputesParameters = {},
): Promise<GetDisputesReturnType> {
  const { fromId, limit } = params;
  if (
    limit !== undefined &&
    (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > MAX_DISPUTES_PAGE)
  ) {
    throw new ClientError(
      ClientErrorCode.INVALID_INPUT,
      `Invalid parameter "limit": expected an integer from 1 to ${MAX_DISPUTES_PAGE}`,
      { details: { name: "limit", got: String(limit) } },
    );
  }
  const from = fromId === undefined || fromId === null ? undefined : uintParam(fromId, "fromId");
  const args: RpcMethods["filverse_getDisputes"][0] = [];
  if (from !== undefined || limit !== undefined) args.push(from ?? "0");
  if (limit !== undefined) args.push(String(limit));
  return client.request("filverse_getDisputes", args);
}
