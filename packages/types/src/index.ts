export * from "./chain.js";
export * from "./envelope.js";
export * from "./rpc.js";
export * from "./schema.js";
export * from "./stateObjects.js";
export * from "./transactions.js";
