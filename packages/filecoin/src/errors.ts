/** Typed errors of the filecoin package (storage backends, pieces, retrieval). */
import { FilverseError } from "@filverse/utils";

export enum FilecoinErrorCode {
  /** A backend's configuration is missing a key, has a wrong value or an unknown key. */
  BAD_CONFIG = "FILECOIN_BAD_CONFIG",
  /** The storage network (chain RPC, provider, SDK) failed; usually worth retrying later. */
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
}

export class FilecoinError extends FilverseError<FilecoinErrorCode> {
  override name = "FilecoinError";
}
