/** Typed errors of the L1 package. */
import { FilverseError } from "@filverse/utils";

export enum L1ErrorCode {
  COMPILE_FAILED = "L1_COMPILE_FAILED",
  ARTIFACT_MISSING = "L1_ARTIFACT_MISSING",
  NODE_START_FAILED = "L1_NODE_START_FAILED",
  /** The local L1's port is taken (by another devnet's L1, or any program). */
  PORT_IN_USE = "L1_PORT_IN_USE",
  DEPLOY_FAILED = "L1_DEPLOY_FAILED",
  WRONG_CHAIN = "L1_WRONG_CHAIN",
  INVALID_PIECE_CID = "L1_INVALID_PIECE_CID",
  INVALID_DEAL_REQUEST = "L1_INVALID_DEAL_REQUEST",
  CBOR_DECODE_FAILED = "L1_CBOR_DECODE_FAILED",
  TRANSACTION_FAILED = "L1_TRANSACTION_FAILED",
  /** A block the checkpoint submitter needs is not in the L2 chain (though the head is past it). */
  MISSING_L2_BLOCK = "L1_MISSING_L2_BLOCK",
  /** The co-signatures gathered hold less than 2/3 of the validator weight. */
  NO_QUORUM = "L1_NO_QUORUM",
  /** A checkpoint names a validator set other than the one in force (an epoch boundary passed). */
  WRONG_VALIDATOR_SET = "L1_WRONG_VALIDATOR_SET",
  /** A checkpoint read from the rollup is inconsistent (its submission's calldata and its stored fields differ). */
  BAD_CHECKPOINT = "L1_BAD_CHECKPOINT",
}

export class L1Error extends FilverseError<L1ErrorCode> {
  override name = "L1Error";
}
