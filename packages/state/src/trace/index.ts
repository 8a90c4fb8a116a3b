export * from "./proveStep.js";
export * from "./stepState.js";
export * from "./traceBlock.js";
