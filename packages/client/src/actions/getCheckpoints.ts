/** `getCheckpoints`: one page of the rollup's accepted checkpoints, newest first (filverse_getCheckpoints); pass `next` back as `before` for the older ones. */
import type { RpcMethods } from "@filverse/types";
import type { FilverseBaseClient } from "../baseClient.js";
import { ClientError, ClientErrorCode } from "../errors.js";
import { uintParam } from "../utils/normalize.js";
import { type Checkpoint, normalizeCheckpoint } from "./getCheckpoint.js";

/** The most checkpoints one filverse_getCheckpoints call returns. */
export const MAX_CHECKPOINTS_PAGE = 50;

export type GetCheckpointsParameters = {
  /** At most this many, 1 to 50 (the node's default: 10). */
  limit?: number;
  /** Only checkpoints with an index below this (the previous page's `next`); default: from the newest. */
  before?: number | bigint | string | null;
};

/** A listed checkpoint: every field of getCheckpoint's, plus `final` (status "final") and `stored` (an active deal; null when the node tracks none). */
export type CheckpointSummary = Checkpoint & { final: boolean; stored: boolean | null };

export type GetCheckpointsReturnType = {
  checkpoints: CheckpointSummary[];
  /** The checkpoints the rollup holds (its nextCheckpointIndex). */
  count: string;
  /** The `before` of the next (older) page; null once checkpoint 0 is listed. */
  next: string | null;
};

export async function getCheckpoints(
  client: FilverseBaseClient,
  params: GetCheckpointsParameters = {},
): Promise<GetCheckpointsReturnType> {
  const { limit, before } = params;
  if (
    limit !== undefined &&
    (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > MAX_CHECKPOINTS_PAGE)
  ) {
    throw new ClientError(
      ClientErrorCode.INVALID_INPUT,
      `Invalid parameter "limit": expected an integer from 1 to ${MAX_CHECKPOINTS_PAGE}`,
      { details: { name: "limit", got: String(limit) } },
    );
  }
  const args: RpcMethods["filverse_getCheckpoints"][0] = [];
  if (limit !== undefined || (before !== undefined && before !== null)) args.push(limit ?? 10);
  if (before !== undefined && before !== null) args.push(uintParam(before, "before"));
  const page = await client.request("filverse_getCheckpoints", args);
  return { checkpoints: page.checkpoints.map(normalizeCheckpoint), count: page.count, next: page.next };
}
