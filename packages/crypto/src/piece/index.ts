/** Piece commitments (CommP) and Piece CIDs: Fr32 padding, the trunc254 sha256 tree, v1 and v2 CIDs. */

export {
  CID_VERSION_1,
  encodePieceCidV1,
  encodePieceCidV2,
  FIL_COMMITMENT_UNSEALED_CODEC,
  FR32_SHA256_TRUNC254_PADBINTREE,
  type ParsedPieceCidV1,
  type ParsedPieceCidV2,
  type PieceCidV2Parts,
  parsePieceCid,
  parsePieceCidV1,
  parsePieceCidV2,
  pieceCidV1Bytes,
  pieceCidV1ToV2,
  pieceCidV2Bytes,
  pieceCidV2ToV1,
  RAW_CODEC,
  SHA2_256_TRUNC254_PADDED,
} from "./cid.js";
export {
  CommPHasher,
  commP,
  commPStream,
  type PieceCommitment,
  pieceCommitmentOf,
  pieceSubtreeRoot,
} from "./commp.js";
export { FR32_PADDED_BYTES_PER_QUAD, FR32_PAYLOAD_BYTES_PER_QUAD, fr32Pad } from "./fr32.js";
export {
  checkPayloadSize,
  heightOfPaddedSize,
  MAX_PIECE_HEIGHT,
  MAX_PIECE_PADDED_BYTES,
  MAX_PIECE_PAYLOAD_BYTES,
  MIN_PIECE_HEIGHT,
  MIN_PIECE_PADDED_BYTES,
  MIN_PIECE_PAYLOAD_BYTES,
  PieceError,
  PieceErrorCode,
  type PieceSize,
  pieceHeightOf,
  pieceSizeOf,
  unpaddedSizeOfHeight,
} from "./size.js";
export { PieceTreeStack, ZERO_COMMITMENTS } from "./tree.js";
