/** Loads the compiled contracts (artifacts/<Name>.json, written by `npm run build`). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Abi } from "viem";
import { ARTIFACTS_DIR, type Artifact } from "./compile.js";
import { L1Error, L1ErrorCode } from "./errors.js";

export type ContractName =
  | "FilverseRollup"
  | "FilverseBridge"
  | "FilverseDealClient"
  | "DevnetMarket"
  | "FilverseDisputeGame"
  | "OneStepExecutor"
  | "ForcedTxDecoder"
  | "KindExecutorTokens"
  | "KindExecutorIdentity"
  | "KindExecutorData"
  | "KindExecutorAssets"
  | "KindExecutorTrade"
  | "KindExecutorGrants"
  | "ViaExecutor"
  | "PreconfirmationJudge"
  | "StepProofStore";

export type LoadedArtifact = Omit<Artifact, "abi"> & { abi: Abi };

const cache = new Map<string, LoadedArtifact>();

export function loadArtifact(name: ContractName, dir = ARTIFACTS_DIR): LoadedArtifact {
  const path = join(dir, `${name}.json`);
  let artifact = cache.get(path);
  if (!artifact) {
    try {
      artifact = JSON.parse(readFileSync(path, "utf8")) as LoadedArtifact;
    } catch (cause) {
      throw new L1Error(L1ErrorCode.ARTIFACT_MISSING, `No artifact for ${name}`, {
        cause,
        details: { path },
        metaMessages: ["Build the package first: npx turbo run build --filter=@filverse/l1"],
      });
    }
    cache.set(path, artifact);
  }
  return artifact;
}
