/**
 * Every error `@filverse/node` throws, with its typed code: the node's lifecycle, admission
 * (SubmitError with its RPC code), block import, checkpoint co-signing, config, the remote RPC
 * client, evidence and the rebuild from L1. The one conversion of a validation error to a refusal.
 */
import { DbError, DbErrorCode } from "@filverse/db";
import { type TxValidationError, TxValidationErrorCode } from "@filverse/state";
import { RpcErrorCode } from "@filverse/types";
import { FilverseError } from "@filverse/utils";

export enum NodeErrorCode {
  NOT_STARTED = "NODE_NOT_STARTED",
  CLOSED = "NODE_CLOSED",
  /** The stored state does not match the head's stateRoot at start, or a block below the head is missing. */
  STATE_MISMATCH = "NODE_STATE_MISMATCH",
  /** The node stopped making progress (a commit or journal write failed): it needs a restart. */
  FAILED = "NODE_FAILED",
  /** Range sync has nowhere to fetch from: no peer answered and there is no sequencer RPC. */
  NO_BLOCK_SOURCE = "NODE_NO_BLOCK_SOURCE",
  /**
   * At start, rebuilding the open block from its record gave another receipt or other writes than a
   * preconfirmation promised (or the record cannot be rebuilt): a bug. The sequencer refuses to run
   * rather than seal a block that breaks its promise.
   */
  PRECONFIRMATION_MISMATCH = "NODE_PRECONFIRMATION_MISMATCH",
}

/** The node's lifecycle and its chain: not started, closed, a database that does not match, a stop. */
export class NodeError extends FilverseError<NodeErrorCode> {
  override name = "NodeError";
}

/**
 * The error a node keeps once it cannot make progress (a commit or journal write failed): `who`
 * stopped because of `what`, with the storage's own reason ("No space left on device") when the
 * database gave one. /healthz, refused sends and the CLI's last line all show its message.
 */
export function nodeFailure(who: "sequencer" | "verifier", what: string, err: unknown): NodeError {
  const reason =
    err instanceof DbError && err.code === DbErrorCode.STORAGE
      ? String(err.details.reason)
      : err instanceof FilverseError
        ? err.shortMessage
        : String((err as Error)?.message ?? err);
  return new NodeError(NodeErrorCode.FAILED, `The ${who} stopped: ${what} (${reason})`, {
    cause: err,
    details: { reason },
  });
}

/** A submission refused, with the RPC code that explains it. */
export class SubmitError extends FilverseError<RpcErrorCode> {
  override name = "SubmitError";
}

/** Every validation code's RPC code: a code added to TxValidationErrorCode does not build until it is mapped here. */
export const VALIDATION_TO_RPC: { readonly [K in TxValidationErrorCode]: RpcErrorCode } = {
  [TxValidationErrorCode.MALFORMED]: RpcErrorCode.MALFORMED_TRANSACTION,
  [TxValidationErrorCode.INVALID_FIELD]: RpcErrorCode.INVALID_FIELD,
  [TxValidationErrorCode.WRONG_CHAIN]: RpcErrorCode.WRONG_CHAIN,
  [TxValidationErrorCode.BAD_SIGNATURE]: RpcErrorCode.BAD_SIGNATURE,
  [TxValidationErrorCode.BAD_ORDER_SIGNATURE]: RpcErrorCode.BAD_ORDER_SIGNATURE,
  [TxValidationErrorCode.TOO_LARGE]: RpcErrorCode.TOO_LARGE,
  [TxValidationErrorCode.NONCE_TOO_LOW]: RpcErrorCode.NONCE_TOO_LOW,
  [TxValidationErrorCode.NONCE_TOO_HIGH]: RpcErrorCode.NONCE_GAP,
  [TxValidationErrorCode.INSUFFICIENT_FUNDS_FOR_FEE]: RpcErrorCode.INSUFFICIENT_FUNDS,
  [TxValidationErrorCode.FEE_TOO_LOW]: RpcErrorCode.FEE_TOO_LOW,
  // Admission never raises it (only execution does); a refusal with it is the caller's bad params.
  [TxValidationErrorCode.EXECUTION_FAULT]: RpcErrorCode.INVALID_PARAMS,
  [TxValidationErrorCode.BAD_APP_SIGNATURE]: RpcErrorCode.BAD_APP_SIGNATURE,
  [TxValidationErrorCode.SESSION_NOT_FOUND]: RpcErrorCode.SESSION_REFUSED,
  [TxValidationErrorCode.SESSION_REVOKED]: RpcErrorCode.SESSION_REFUSED,
  [TxValidationErrorCode.SESSION_EXPIRED]: RpcErrorCode.SESSION_REFUSED,
  [TxValidationErrorCode.SESSION_KIND_NOT_ALLOWED]: RpcErrorCode.SESSION_REFUSED,
  [TxValidationErrorCode.SESSION_TARGET_NOT_ALLOWED]: RpcErrorCode.SESSION_REFUSED,
  [TxValidationErrorCode.SESSION_CAP_EXCEEDED]: RpcErrorCode.SESSION_REFUSED,
  [TxValidationErrorCode.FEE_ALLOWANCE_NOT_FOUND]: RpcErrorCode.FEE_ALLOWANCE_REFUSED,
  [TxValidationErrorCode.FEE_ALLOWANCE_EXPIRED]: RpcErrorCode.FEE_ALLOWANCE_REFUSED,
  [TxValidationErrorCode.FEE_ALLOWANCE_NOT_COVERED]: RpcErrorCode.FEE_ALLOWANCE_REFUSED,
  [TxValidationErrorCode.FEE_ALLOWANCE_EXCEEDED]: RpcErrorCode.FEE_ALLOWANCE_REFUSED,
};

/** A transaction refused by validation, as the refusal a submitter gets: the one conversion. */
export function toSubmitError(err: TxValidationError): SubmitError {
  return new SubmitError(VALIDATION_TO_RPC[err.code], err.shortMessage, { cause: err, details: err.details });
}

export enum VerifierErrorCode {
  /** The block breaks a rule (cause: the BlockError; details.sealed: whether the sequencer sealed it, i.e. evidence). */
  INVALID_BLOCK = "VERIFIER_INVALID_BLOCK",
  /** A second sequencer-sealed block at a height: evidence recorded. */
  EQUIVOCATION = "VERIFIER_EQUIVOCATION",
  /** The block's L1 messages are not final on this node's view of L1 yet: retry later. */
  DEPOSITS_UNCONFIRMED = "VERIFIER_DEPOSITS_UNCONFIRMED",
  /** The block's timestamp is ahead of this node's clock by more than maxFutureDriftSec: retry later. */
  FUTURE_BLOCK = "VERIFIER_FUTURE_BLOCK",
  /** maxQueuedImports imports are already waiting: the block is not queued (retry later). */
  QUEUE_FULL = "VERIFIER_QUEUE_FULL",
  /**
   * A second sealed block at a height L1 has put back in play (the rollup halted after a proven
   * fault, and this height is past the last valid checkpoint): not evidence; retry after the rewind.
   */
  REWIND_PENDING = "VERIFIER_REWIND_PENDING",
}

/** A block refused by the verifier (its lifecycle errors are NodeErrors). */
export class VerifierError extends FilverseError<VerifierErrorCode> {
  override name = "VerifierError";
}

/** Why a checkpoint was not co-signed. */
export enum CheckpointRefusalCode {
  /** No validator key, rollup domain or batch builder configured. */
  NOT_CONFIGURED = "CHECKPOINT_NOT_CONFIGURED",
  WRONG_CHAIN = "CHECKPOINT_WRONG_CHAIN",
  /** firstBlock/lastBlock are not checkpoint `index`'s range. */
  BAD_RANGE = "CHECKPOINT_BAD_RANGE",
  /** This node has not executed every block through lastBlock yet. */
  NOT_EXECUTED = "CHECKPOINT_NOT_EXECUTED",
  /** parentHash, lastBlockHash, stateRoot, withdrawalsRoot, depositCursor or lastBlockTimestamp differ from re-execution (evidence recorded). */
  ROOT_MISMATCH = "CHECKPOINT_ROOT_MISMATCH",
  /** pieceCid, payloadCid, pieceSize or carSize differ from this node's own batch of the range. */
  BATCH_MISMATCH = "CHECKPOINT_BATCH_MISMATCH",
  /** This node already signed a different checkpoint at this index (signing both would be slashable). */
  ALREADY_SIGNED = "CHECKPOINT_ALREADY_SIGNED",
  /** A block in the range arrived by gossip stamped more than maxGossipLagSec before it arrived. */
  STALE_TIMESTAMP = "CHECKPOINT_STALE_TIMESTAMP",
}

export class CheckpointRefusal extends FilverseError<CheckpointRefusalCode> {
  override name = "CheckpointRefusal";
}

/** A transaction the mempool refuses, with the RPC code that explains it. */
export class MempoolError extends FilverseError<RpcErrorCode> {
  override name = "MempoolError";
}

export enum ConfigErrorCode {
  MISSING = "CONFIG_MISSING",
  INVALID = "CONFIG_INVALID",
  EXISTS = "CONFIG_EXISTS",
  KEY_PERMISSIONS = "CONFIG_KEY_PERMISSIONS",
}

export class ConfigError extends FilverseError<ConfigErrorCode> {
  override name = "ConfigError";
}

export enum RemoteRpcErrorCode {
  /** Network failure, refused connection, timeout, or an HTTP status other than 200. */
  UNREACHABLE = "REMOTE_UNREACHABLE",
  /** The server answered with a JSON-RPC error (`details.rpcCode`, `details.data`). */
  RPC_ERROR = "REMOTE_RPC_ERROR",
  /** The answer is not what the method returns (bad JSON, a block that does not decode, too large). */
  BAD_RESPONSE = "REMOTE_BAD_RESPONSE",
}

export class RemoteRpcError extends FilverseError<RemoteRpcErrorCode> {
  override name = "RemoteRpcError";
  /** The JSON-RPC error code for RPC_ERROR. */
  get rpcCode(): number | null {
    return typeof this.details.rpcCode === "number" ? this.details.rpcCode : null;
  }
}

export enum EvidenceErrorCode {
  /** Only block equivocation is provable on L1 today. */
  NOT_PROVABLE = "EVIDENCE_NOT_PROVABLE",
  /** The record does not hold what it claims (bad hex, headers that do not hash to their hashes). */
  MALFORMED = "EVIDENCE_MALFORMED",
}

export class EvidenceError extends FilverseError<EvidenceErrorCode> {
  override name = "EvidenceError";
}

export enum RebuildErrorCode {
  /** No piece server served the batch with the checkpoint's Piece CID (cause: the retrieval error). */
  PIECE_UNAVAILABLE = "REBUILD_PIECE_UNAVAILABLE",
  /** The verified piece is not the checkpoint's batch: its CAR, payload CID or block range differs. */
  BAD_BATCH = "REBUILD_BAD_BATCH",
  /** A block of the batch failed verification (cause: the VerifierError; evidence recorded). */
  INVALID_BLOCK = "REBUILD_INVALID_BLOCK",
  /** Re-execution ends at roots other than the checkpoint's (evidence recorded). */
  CHECKPOINT_MISMATCH = "REBUILD_CHECKPOINT_MISMATCH",
  /** The checkpoints leave a gap between their block ranges. */
  RANGE_GAP = "REBUILD_RANGE_GAP",
  ABORTED = "REBUILD_ABORTED",
}

export class RebuildError extends FilverseError<RebuildErrorCode> {
  override name = "RebuildError";
}
