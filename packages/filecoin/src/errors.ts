/** Typed errors of the filecoin package: batch CARs, Piece CIDs, the piece store, retrieval and storage backends. */
import { FilverseError } from "@filverse/utils";

export enum FilecoinErrorCode {
  // --- packing a batch ---
  /** No blocks to pack. */
  BATCH_EMPTY = "FILECOIN_BATCH_EMPTY",
  /** More blocks than MAX_BATCH_BLOCKS (or the caller's maxBlocks). */
  BATCH_TOO_MANY_BLOCKS = "FILECOIN_BATCH_TOO_MANY_BLOCKS",
  /** A block of the range to pack is not in the chain. */
  BLOCK_MISSING = "FILECOIN_BLOCK_MISSING",
  // --- reading a CAR ---
  /** The CAR (or the batch it would make) is larger than MAX_BATCH_CAR_BYTES (or the caller's maxCarBytes). */
  CAR_TOO_LARGE = "FILECOIN_CAR_TOO_LARGE",
  /** The bytes end before a length prefix, header or section does. */
  CAR_TRUNCATED = "FILECOIN_CAR_TRUNCATED",
  /** Not a CARv1 of this layout: bad varint, header, CID bytes, or bytes after the last block. */
  CAR_MALFORMED = "FILECOIN_CAR_MALFORMED",
  /** The root is not the expected payload CID. */
  PAYLOAD_CID_MISMATCH = "FILECOIN_PAYLOAD_CID_MISMATCH",
  /** The index node does not decode, is not canonical, or its fields are out of bounds. */
  INDEX_MALFORMED = "FILECOIN_INDEX_MALFORMED",
  /** A section is not where the index says, or carries another CID than the index lists. */
  INDEX_MISMATCH = "FILECOIN_INDEX_MISMATCH",
  /** Bytes do not hash to their CID. */
  CID_MISMATCH = "FILECOIN_CID_MISMATCH",
  /** A block's bytes are not a valid SSZ SignedBlock. */
  BLOCK_DECODE = "FILECOIN_BLOCK_DECODE",
  /** Block numbers are not firstBlock, firstBlock+1, … (or a block has another chain id). */
  BLOCK_NOT_CONTIGUOUS = "FILECOIN_BLOCK_NOT_CONTIGUOUS",
  /** A block's parentHash is not the previous block's hash (or the index's parentHash / lastBlockHash). */
  PARENT_MISMATCH = "FILECOIN_PARENT_MISMATCH",
  /** The requested block number is not in this batch. */
  BLOCK_OUT_OF_RANGE = "FILECOIN_BLOCK_OUT_OF_RANGE",
  // --- pieces ---
  /** Not a Piece CID: neither v2 (raw, fr32-sha256-trunc254-padbintree) nor v1 (fil-commitment-unsealed). */
  PIECE_CID_INVALID = "FILECOIN_PIECE_CID_INVALID",
  /** A v1 Piece CID where the size is needed and none was given, or sizes that disagree. */
  PIECE_SIZE_INVALID = "FILECOIN_PIECE_SIZE_INVALID",
  /** The server answered 404: it does not have the piece. */
  PIECE_NOT_FOUND = "FILECOIN_PIECE_NOT_FOUND",
  /** Downloaded bytes do not hash to the expected Piece CID. */
  PIECE_CORRUPTED = "FILECOIN_PIECE_CORRUPTED",
  /** A download is larger than the piece can be. */
  PIECE_TOO_LARGE = "FILECOIN_PIECE_TOO_LARGE",
  /** The piece store could not read or write its directory. */
  STORE_IO = "FILECOIN_STORE_IO",
  /** A download failed: network error, HTTP status, timeout, or every source failed. */
  RETRIEVAL_FAILED = "FILECOIN_RETRIEVAL_FAILED",
  /** A download took longer than its timeout, or stalled. */
  RETRIEVAL_TIMEOUT = "FILECOIN_RETRIEVAL_TIMEOUT",
  // --- deals and storage backends ---
  /** A backend's configuration is missing a key, has a wrong value or an unknown key. */
  BAD_CONFIG = "FILECOIN_BAD_CONFIG",
  /** The storage network (chain RPC, provider, SDK, deal contract) failed or refused; see `cause`. */
  BACKEND_FAILED = "FILECOIN_BACKEND_FAILED",
  /** The bytes or the Piece CID a provider/SDK reports differ from the batch piece. */
  PIECE_MISMATCH = "FILECOIN_PIECE_MISMATCH",
  /** The piece is outside the sizes the backend accepts. */
  PIECE_SIZE = "FILECOIN_PIECE_SIZE",
  /** A DealRecord this backend did not make (wrong backend name or ref). */
  BAD_RECORD = "FILECOIN_BAD_RECORD",
  /** The storage wallet lacks the deposit or the operator approval the service requires. */
  WALLET_NOT_READY = "FILECOIN_WALLET_NOT_READY",
  /** The backend was closed. */
  CLOSED = "FILECOIN_CLOSED",
  /** The deal tracker's state file is unreadable. */
  DEAL_STATE_CORRUPT = "FILECOIN_DEAL_STATE_CORRUPT",
}

export class FilecoinError extends FilverseError<FilecoinErrorCode> {
  override name = "FilecoinError";
}
