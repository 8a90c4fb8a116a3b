/**
 * The batch builder: packs one checkpoint's blocks into its CAR, computes the CAR's Piece CID and
 * keeps the piece in the piece store, where `GET /piece/{cid}` serves it to storage providers. The
 * CAR is deterministic (same blocks → same bytes → same Piece CID), so the sequencer and every
 * verifier compute the same batch fields for a checkpoint.
 */
import { type Logger, nullLogger } from "@filverse/utils";
import { type BatchBlockSource, type PackBatchOpts, packBatchRange } from "./car/packBatch.js";
import { pieceCidInfo } from "./piece/pieceCid.js";
import type { PieceStore } from "./piece/pieceStore.js";
import type { PieceCommitter } from "./retrieval/retrievePiece.js";

/** The batch fields of a checkpoint, plus the v1 Piece CID that deals carry. */
export type BuiltBatch = {
  index: number;
  firstBlock: number;
  lastBlock: number;
  /** FRC-0069 v2. */
  pieceCid: string;
  /** v1 (`baga6ea4seaq…`). */
  pieceCidV1: string;
  payloadCid: string;
  /** The padded piece size. */
  pieceSize: number;
  carSize: number;
};

export type BatchBuilderModules = {
  source: BatchBlockSource;
  store: PieceStore;
  committer: PieceCommitter;
  logger?: Logger | null;
};

export type BatchBuilder = (index: number, firstBlock: number, lastBlock: number) => Promise<BuiltBatch>;

export function createBatchBuilder(modules: BatchBuilderModules, opts: PackBatchOpts = {}): BatchBuilder {
  const logger = (modules.logger ?? nullLogger).child({ module: "batchBuilder" });
  return async (index, firstBlock, lastBlock) => {
    const packed = await packBatchRange(modules.source, firstBlock, lastBlock, opts);
    const { pieceCid, paddedSize } = await modules.committer.commP(packed.car);
    if (!modules.store.has(pieceCid)) {
      await modules.store.put(pieceCid, packed.car);
      logger.info("batch packed", { index, firstBlock, lastBlock, pieceCid, carSize: packed.carSize });
    }
    return {
      index,
      firstBlock,
      lastBlock,
      pieceCid,
      pieceCidV1: pieceCidInfo(pieceCid).v1,
      payloadCid: packed.payloadCid,
      pieceSize: paddedSize,
      carSize: packed.carSize,
    };
  };
}
