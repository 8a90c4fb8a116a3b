/** The evidence a verifier recorded against the sequencer (a sequencer answers []), and preconfirmations to hold it to. */
import { expectParamCount, paramObject, paramString, RpcError } from "@filverse/rpc";
import { CodecError, Preconfirmation, RpcErrorCode } from "@filverse/types";
import { fromHex, isHex } from "@filverse/utils";
import { EVIDENCE_KINDS, type EvidenceKind } from "../verifier/evidence.js";
import type { SignedPreconfirmation } from "../verifier/preconfirmations.js";
import { toRpcError } from "./toRpcError.js";
import type { ApiModules, RpcHandlers } from "./types.js";

export type EvidenceApi = Pick<RpcHandlers, "filverse_getEvidence" | "filverse_submitPreconfirmation">;

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
    filverse_submitPreconfirmation: async (p) => {
      expectParamCount(p, 1);
      const signed = parsePreconfirmation(paramObject(p, 0, "preconfirmation"));
      if (!node.submitPreconfirmation) {
        throw new RpcError(RpcErrorCode.METHOD_NOT_FOUND, {
          message:
            "filverse_submitPreconfirmation is served by verifier nodes, which hold the sequencer to its promises",
        });
      }
      try {
        const r = await node.submitPreconfirmation(signed);
        return r.status === "pending" ? { status: "pending", number: String(r.number) } : r;
      } catch (err) {
        throw toRpcError(err);
      }
    },
  };
}

function parsePreconfirmation(json: Record<string, unknown>): SignedPreconfirmation {
  const { signature, ...rest } = json;
  if (typeof signature !== "string" || !isHex(signature) || signature.length !== 2 + 130) {
    throw new RpcError(RpcErrorCode.INVALID_PARAMS, { message: "signature must be 65 bytes of hex" });
  }
  try {
    return { ...Preconfirmation.fromJson(rest, "preconfirmation"), signature: fromHex(signature, 65) };
  } catch (err) {
    if (!(err instanceof CodecError)) throw err;
    throw new RpcError(RpcErrorCode.INVALID_PARAMS, { message: err.shortMessage, data: err.details, cause: err });
  }
}
