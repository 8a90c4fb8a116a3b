/**
 * @filverse/filecoin: batch data on Filecoin. CAR packing of checkpoint batches, deal backends,
 * piece serving and retrieval, and the storage-provider simulator for the devnet.
 */
export * from "./backends/pdp.js";
export * from "./backends/types.js";
export * from "./errors.js";
