export * from "./chains.js";
export * from "./limits.js";
