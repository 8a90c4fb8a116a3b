/** The evidence a verifier recorded against the sequencer (a sequencer answers []). */
import { expectParamCount, paramString, RpcError } from "@filverse/rpc";
import { RpcErrorCode } from "@filverse/types";
import { EVIDENCE_KINDS, type EvidenceKind } from "../verifier/evidence.js";
import type { ApiModules, RpcHandlers } from "./types.js";

export type EvidenceApi = Pick<RpcHandlers, "filverse_getEvidence">;

export function evidenceApi({ node }: ApiModules): EvidenceApi {
  return {
    filverse_getEvidence: (p) => {
      expectParamCount(p, 0, 1);
      const kind = p.length > 0 && p[0] !== null ? paramString(p, 0, "kind") : undefined;
      if (kind !== undefined && !EVIDENCE_KINDS.includes(kind as EvidenceKind)) {
        throw new RpcError(RpcErrorCode.INVALID_PARAMS, {
          message: `Unknown evidence kind "${kind}"`,
          data: { known: EVIDENCE_KINDS },
        });
      }
      return node.evidence(kind as EvidenceKind | undefined);
    },
  };
}
