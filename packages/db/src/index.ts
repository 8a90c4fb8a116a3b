/** @filverse/db: the node's persistence on classic-level (LevelDB), one synced batch per block. */

export * from "./chainDb.js";
export type { Head as ChainHead, TxLocation } from "./codec.js";
export * from "./errors.js";
export { DbPrefix, MetaKey } from "./keys.js";
export { LOOKUP_INDEX_VERSION, LookupKind, lookupKeys } from "./lookupIndexes.js";
