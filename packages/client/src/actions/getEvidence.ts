/** `getEvidence`: the evidence a verifier recorded against the sequencer, oldest first (filverse_getEvidence); a sequencer answers []. */
import type { EvidenceKindName, RpcMethods } from "@filverse/types";
import type { FilverseBaseClient } from "../baseClient.js";
import { ClientError, ClientErrorCode } from "../errors.js";

const KINDS: readonly EvidenceKindName[] = [
  "blockEquivocation",
  "checkpointMismatch",
  "invalidBlock",
  "preconfirmationBreach",
];

export type GetEvidenceParameters = { kind?: EvidenceKindName };
export type GetEvidenceReturnType = RpcMethods["filverse_getEvidence"][1];

export async function getEvidence(
  client: FilverseBaseClient,
  params: GetEvidenceParameters = {},
): Promise<GetEvidenceReturnType> {
  if (params.kind === undefined) return client.request("filverse_getEvidence", []);
  if (!KINDS.includes(params.kind)) {
    throw new ClientError(
      ClientErrorCode.INVALID_INPUT,
      `Invalid parameter "kind": expected one of ${KINDS.join(", ")}`,
      {
        details: { name: "kind", got: String(params.kind) },
      },
    );
  }
  return client.request("filverse_getEvidence", [params.kind]);
}
