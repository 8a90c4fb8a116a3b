/**
 * Piece sizes and limits, and the typed error every piece function throws. A piece of height h is a
 * full binary tree of 2^h 32-byte nodes: 32·2^h padded bytes that hold 127·2^(h-2) payload bytes.
 */
import { FilverseError } from "@filverse/utils";
import { FR32_PADDED_BYTES_PER_QUAD, FR32_PAYLOAD_BYTES_PER_QUAD } from "./fr32.js";

export enum PieceErrorCode {
  /** Fewer than MIN_PIECE_PAYLOAD_BYTES (65) bytes, which go-fil-commp-hashhash refuses too. */
  PAYLOAD_TOO_SMALL = "PIECE_PAYLOAD_TOO_SMALL",
  /** More than MAX_PIECE_PAYLOAD_BYTES bytes: the piece would not fit a 64 GiB sector. */
  PAYLOAD_TOO_LARGE = "PIECE_PAYLOAD_TOO_LARGE",
  /** A string or byte array that is not a Piece CID of the expected version. */
  INVALID_CID = "PIECE_INVALID_CID",
  /** A padded piece size that is not a power of two in [128 B, 64 GiB]. */
  INVALID_SIZE = "PIECE_INVALID_SIZE",
}

export class PieceError extends FilverseError<PieceErrorCode> {
  override name = "PieceError";
}

/**
 * 2·32 + 1. With 64 bytes or fewer the data fits two nodes, and a two-node tree would be as natural as
 * the four-node one the 127-byte quad makes. go-fil-commp-hashhash (Lotus, Boost) refuses such input
 * (its MinPiecePayload); @web3-storage/data-segment pads it to 127 bytes.
 */
export const MIN_PIECE_PAYLOAD_BYTES = 65;
/** The smallest piece: one quad, four nodes. */
export const MIN_PIECE_HEIGHT = 2;
/** The largest piece Filverse handles: 2^31 nodes, 64 GiB padded, the largest Filecoin sector. */
export const MAX_PIECE_HEIGHT = 31;
export const NODE_BYTES = 32;
export const MIN_PIECE_PADDED_BYTES = NODE_BYTES * 2 ** MIN_PIECE_HEIGHT;
/** 64 GiB. */
export const MAX_PIECE_PADDED_BYTES = NODE_BYTES * 2 ** MAX_PIECE_HEIGHT;
/** 64 GiB · 127/128 = 68,182,605,824 bytes: the most payload a 64 GiB piece holds. */
export const MAX_PIECE_PAYLOAD_BYTES =
  (MAX_PIECE_PADDED_BYTES / FR32_PADDED_BYTES_PER_QUAD) * FR32_PAYLOAD_BYTES_PER_QUAD;

export type PieceSize = {
  /** Bytes of the Fr32-padded tree: a power of two, at least 128. */
  paddedSize: number;
  /** log2(paddedSize / 32). */
  height: number;
  /** Zero bytes appended to the payload before Fr32 padding (FRC-0069): 127·2^(height-2) - payloadSize. */
  padding: number;
  payloadSize: number;
};

/** Payload bytes a piece of `height` holds: 127 per 128 padded. */
export function unpaddedSizeOfHeight(height: number): number {
  return FR32_PAYLOAD_BYTES_PER_QUAD * 2 ** (height - MIN_PIECE_HEIGHT);
}

/**
 * The smallest piece that holds `payloadSize` bytes (at least 128 bytes padded), as FRC-0069 and
 * @web3-storage/data-segment size it. Throws PieceError outside [65 B, 64 GiB·127/128].
 */
export function pieceSizeOf(payloadSize: number): PieceSize {
  checkPayloadSize(payloadSize);
  const height = pieceHeightOf(payloadSize);
  return {
    paddedSize: NODE_BYTES * 2 ** height,
    height,
    padding: unpaddedSizeOfHeight(height) - payloadSize,
    payloadSize,
  };
}

/** The smallest height whose piece holds `payloadBytes` (2 for anything up to 127 bytes); no limit checks. */
export function pieceHeightOf(payloadBytes: number): number {
  const quads = Math.max(1, Math.ceil(payloadBytes / FR32_PAYLOAD_BYTES_PER_QUAD));
  let height = MIN_PIECE_HEIGHT;
  while (2 ** (height - MIN_PIECE_HEIGHT) < quads) height++;
  return height;
}

export function checkPayloadSize(payloadSize: number): void {
  if (!Number.isSafeInteger(payloadSize) || payloadSize < 0) {
    throw new RangeError(`Piece payload size must be a non-negative integer, got ${payloadSize}`);
  }
  if (payloadSize < MIN_PIECE_PAYLOAD_BYTES) {
    throw new PieceError(
      PieceErrorCode.PAYLOAD_TOO_SMALL,
      `Piece payload must be at least ${MIN_PIECE_PAYLOAD_BYTES} bytes, got ${payloadSize}`,
      { details: { payloadSize, min: MIN_PIECE_PAYLOAD_BYTES } },
    );
  }
  if (payloadSize > MAX_PIECE_PAYLOAD_BYTES) {
    throw new PieceError(
      PieceErrorCode.PAYLOAD_TOO_LARGE,
      `Piece payload must be at most ${MAX_PIECE_PAYLOAD_BYTES} bytes (64 GiB padded), got ${payloadSize}`,
      { details: { payloadSize, max: MAX_PIECE_PAYLOAD_BYTES } },
    );
  }
}

/** The height of a padded piece size; PieceError INVALID_SIZE unless a power of two in [128 B, 64 GiB]. */
export function heightOfPaddedSize(paddedSize: number): number {
  if (
    Number.isSafeInteger(paddedSize) &&
    paddedSize >= MIN_PIECE_PADDED_BYTES &&
    paddedSize <= MAX_PIECE_PADDED_BYTES
  ) {
    const height = Math.log2(paddedSize / NODE_BYTES);
    if (Number.isInteger(height)) return height;
  }
  throw new PieceError(
    PieceErrorCode.INVALID_SIZE,
    `Padded piece size must be a power of two from ${MIN_PIECE_PADDED_BYTES} to ${MAX_PIECE_PADDED_BYTES}, got ${paddedSize}`,
    { details: { paddedSize } },
  );
}
