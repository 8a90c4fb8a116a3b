export * from "./artifacts.js";
export * from "./checkpoint.js";
export * from "./checkpointReader.js";
export * from "./checkpointSubmitter.js";
export * from "./clients.js";
export {
  ARTIFACTS_DIR,
  type Artifact,
  CONTRACTS_DIR,
  compileContracts,
  SOLC_SETTINGS,
  writeArtifacts,
} from "./compile.js";
export * from "./dealCbor.js";
export * from "./deals.js";
export * from "./dealWatcher.js";
export * from "./deploy.js";
export * from "./depositWatcher.js";
export * from "./devL1.js";
export * from "./devnetMarket.js";
export * from "./dispute/disputeGame.js";
export * from "./dispute/itemReveal.js";
export * from "./dispute/listProof.js";
export * from "./dispute/reveal.js";
export * from "./dispute/slashing.js";
export * from "./dispute/stepProof.js";
export * from "./errors.js";
export * from "./logScanner.js";
export * from "./preconfirmationEvidence.js";
export * from "./signatureCollector.js";
