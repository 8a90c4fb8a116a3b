/**
 * @filverse/filecoin: batch data on Filecoin. CAR packing of checkpoint batches, the piece store,
 * `GET /piece/{cid}` serving, and verified piece retrieval (docs/storage.md).
 */
export * from "./backends/dealClient.js";
export * from "./backends/pdp.js";
export * from "./backends/types.js";
export * from "./batchBuilder.js";
export * from "./car/batchIndex.js";
export * from "./car/batchReader.js";
export * from "./car/byteSource.js";
export * from "./car/layout.js";
export * from "./car/packBatch.js";
export * from "./car/readBatch.js";
export * from "./dealTracker.js";
export * from "./errors.js";
export * from "./piece/pieceCid.js";
export * from "./piece/pieceServer.js";
export * from "./piece/pieceStore.js";
export * from "./retrieval/download.js";
export * from "./retrieval/httpByteSource.js";
export * from "./retrieval/retrievePiece.js";
export * from "./spSimulator.js";
