export * from "./arbitraries.js";
export * from "./chain.js";
export * from "./ws.js";
