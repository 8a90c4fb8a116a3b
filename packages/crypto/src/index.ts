export * from "./block.js";
export * from "./eip712.js";
export * from "./ids.js";
export * from "./keccak.js";
export * from "./merkle.js";
export * from "./pool/index.js";
export * from "./signature.js";
export * from "./transaction.js";
