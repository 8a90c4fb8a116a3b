export * from "./applyBlock.js";
export * from "./entryCodec.js";
export * from "./errors.js";
export {
  actorOf,
  type FeePlan,
  planFee,
  type Reserved,
  rolledAllowance,
  rolledGrant,
  rollPeriod,
  type StateReader,
  signerPaysFee,
  txCollection,
  txCounterparty,
  txFilAmount,
  txTarget,
  txTokenMoved,
} from "./execution/sponsorship.js";
export * from "./executor.js";
export * from "./genesis.js";
export * from "./keys.js";
export * from "./proofs.js";
export * from "./state.js";
export * from "./trace/index.js";
export * from "./validate.js";
export * from "./withdrawals.js";
