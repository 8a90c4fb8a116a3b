/** Barrel for the Merkle primitives: the hasher seam, the state SMT and the withdrawals append tree. */
export * from "./appendTree.js";
export * from "./hasher.js";
export * from "./smt.js";
export * from "./sszList.js";
