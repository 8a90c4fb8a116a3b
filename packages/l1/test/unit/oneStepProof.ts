/** The step-proof encoder, now in src (the dispute player sends it); re-exported for the tests. */
export * from "../../src/dispute/stepProof.js";
