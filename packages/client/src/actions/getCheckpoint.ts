/** `getCheckpoint`: a checkpoint on the L1 rollup with its L1 transaction, signers, status and deals (filverse_getCheckpoint), or null. */
import type { CheckpointJson, RpcMethods } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import { uintParam } from "../utils/normalize.js";

/** A validator that signed a checkpoint, with its weight (attoFIL of collateral, decimal) at the submission's L1 block. */
export type CheckpointSigner = { address: Hex; weight: string };

/**
 * A checkpoint as the SDK returns it: filverse_getCheckpoint's JSON with `signers`, `signedWeight`
 * and `totalWeight` always present. They are null when the node could not find the submission or
 * read the weights, and also when the node predates them (it leaves them out; the SDK fills in null).
 */
export type Checkpoint = Omit<CheckpointJson, "signers" | "signedWeight" | "totalWeight"> & {
  /** The validators whose signatures the submission carried, ascending by address. */
  signers: CheckpointSigner[] | null;
  /** The sum of the signers' weights. */
  signedWeight: string | null;
  /** The validator set's total weight at the submission's L1 block (the quorum is 2/3 of it). */
  totalWeight: string | null;
};

export type GetCheckpointParameters = { index?: number | bigint | string };
export type GetCheckpointReturnType = Checkpoint | null;

/** The SDK's Checkpoint for a checkpoint's JSON: the signer fields filled in with null where the node left them out. */
export function normalizeCheckpoint<T extends CheckpointJson>(
  cp: T,
): Omit<T, "signers" | "signedWeight" | "totalWeight"> & Checkpoint {
  return {
    ...cp,
    signers: cp.signers ? cp.signers.map((s) => ({ address: s.address.toLowerCase() as Hex, weight: s.weight })) : null,
    signedWeight: cp.signedWeight ?? null,
    totalWeight: cp.totalWeight ?? null,
  };
}

export async function getCheckpoint(
  client: FilverseBaseClient,
  params: GetCheckpointParameters = {},
): Promise<GetCheckpointReturnType> {
  const args: RpcMethods["filverse_getCheckpoint"][0] =
    params.index === undefined ? [] : [uintParam(params.index, "index")];
  const cp = await client.request("filverse_getCheckpoint", args);
  return cp === null ? null : normalizeCheckpoint(cp);
}
