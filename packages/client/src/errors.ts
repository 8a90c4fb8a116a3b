/**
 * The SDK's typed errors: JSON-RPC errors by numeric code (one class per RpcErrorCode, viem style),
 * transport failures, and client-side failures (bad input, signer mismatch, wait timeouts).
 */
import { RPC_ERROR_MESSAGES, RpcErrorCode } from "@filverse/types";
import { FilverseError, type FilverseErrorOptions } from "@filverse/utils";

/** Failures of the connection itself: the node never answered with a JSON-RPC response. */
export enum TransportErrorCode {
  /** The request did not complete in time. */
  TIMEOUT = "TRANSPORT_TIMEOUT",
  /** The connection could not be made (refused, DNS, TLS) or broke. */
  CONNECTION = "TRANSPORT_CONNECTION",
  /** The HTTP status was not 2xx and the body was not a JSON-RPC error. */
  HTTP_STATUS = "TRANSPORT_HTTP_STATUS",
  /** The body is not a JSON-RPC 2.0 response for this request. */
  INVALID_RESPONSE = "TRANSPORT_INVALID_RESPONSE",
  /** The WebSocket was closed (by `close()` or by the peer) while the request was in flight. */
  CLOSED = "TRANSPORT_CLOSED",
  /** The URL is neither http(s):// nor ws(s)://. */
  UNSUPPORTED_URL = "TRANSPORT_UNSUPPORTED_URL",
}

export class TransportError extends FilverseError<TransportErrorCode> {
  override name = "TransportError";
}

/** Client-side failures, raised before anything is sent or while waiting. */
export enum ClientErrorCode {
  /** A parameter does not convert to a valid protocol value (bad hex, negative amount, too long). */
  INVALID_INPUT = "CLIENT_INVALID_INPUT",
  /** A write was called on a client created without an account. */
  NO_ACCOUNT = "CLIENT_NO_ACCOUNT",
  /** The wallet returned something other than a 65-byte signature. */
  INVALID_SIGNATURE = "CLIENT_INVALID_SIGNATURE",
  /** The signature does not recover to the account's address (wrong wallet account or chain). */
  SIGNER_MISMATCH = "CLIENT_SIGNER_MISMATCH",
  /** The node returned another hash than the one computed locally for the signed transaction. */
  HASH_MISMATCH = "CLIENT_HASH_MISMATCH",
  /** waitForTransaction gave up. */
  WAIT_TIMEOUT = "CLIENT_WAIT_TIMEOUT",
  /** The transaction was evicted from the mempool before inclusion. */
  TX_DROPPED = "CLIENT_TX_DROPPED",
  /** filverse_getWithdrawalProof knows no included withdrawal with this hash (pending, dropped or unknown). */
  WITHDRAWAL_NOT_FOUND = "CLIENT_WITHDRAWAL_NOT_FOUND",
  /** The node has no proof for the withdrawal: its checkpoint's last block is not sealed yet, or its state is no longer kept. */
  WITHDRAWAL_NO_PROOF = "CLIENT_WITHDRAWAL_NO_PROOF",
  /** The node's proof is against another withdrawals root than the checkpoint's on L1. */
  WITHDRAWAL_ROOT_MISMATCH = "CLIENT_WITHDRAWAL_ROOT_MISMATCH",
}

export class ClientError extends FilverseError<ClientErrorCode> {
  override name = "ClientError";
}

export type FilverseRpcErrorOptions = FilverseErrorOptions & { data?: unknown };

/**
 * A JSON-RPC error response. `code` is the numeric JSON-RPC code (see RpcErrorCode), `data` the
 * node's structured details. Known codes are raised as the subclass listed in `rpcErrorClasses`.
 */
export class FilverseRpcError extends FilverseError<number> {
  override name = "FilverseRpcError";
  readonly data: unknown;

  constructor(code: number, shortMessage?: string, opts: FilverseRpcErrorOptions = {}) {
    const { data, ...rest } = opts;
    super(code, shortMessage || RPC_ERROR_MESSAGES[code as RpcErrorCode] || `RPC error ${code}`, {
      ...rest,
      details: { code, ...(data === undefined ? {} : { data }), ...rest.details },
    });
    this.data = data;
  }
}

type RpcErrorSubclass = {
  readonly code: RpcErrorCode;
  new (shortMessage?: string, opts?: FilverseRpcErrorOptions): FilverseRpcError;
};

/** One subclass per code, each carrying its code as a static field. */
function rpcErrorClass(code: RpcErrorCode, name: string): RpcErrorSubclass {
  const cls = class extends FilverseRpcError {
    static readonly code = code;
    override name = name;
    constructor(shortMessage?: string, opts?: FilverseRpcErrorOptions) {
      super(code, shortMessage, opts);
    }
  };
  Object.defineProperty(cls, "name", { value: name });
  return cls;
}

export const ParseRpcError = rpcErrorClass(RpcErrorCode.PARSE_ERROR, "ParseRpcError");
export const InvalidRequestRpcError = rpcErrorClass(RpcErrorCode.INVALID_REQUEST, "InvalidRequestRpcError");
export const MethodNotFoundRpcError = rpcErrorClass(RpcErrorCode.METHOD_NOT_FOUND, "MethodNotFoundRpcError");
export const InvalidParamsRpcError = rpcErrorClass(RpcErrorCode.INVALID_PARAMS, "InvalidParamsRpcError");
export const InternalRpcError = rpcErrorClass(RpcErrorCode.INTERNAL_ERROR, "InternalRpcError");
export const NonceTooLowError = rpcErrorClass(RpcErrorCode.NONCE_TOO_LOW, "NonceTooLowError");
export const NonceGapError = rpcErrorClass(RpcErrorCode.NONCE_GAP, "NonceGapError");
export const InsufficientFundsError = rpcErrorClass(RpcErrorCode.INSUFFICIENT_FUNDS, "InsufficientFundsError");
export const BadSignatureError = rpcErrorClass(RpcErrorCode.BAD_SIGNATURE, "BadSignatureError");
export const WrongChainError = rpcErrorClass(RpcErrorCode.WRONG_CHAIN, "WrongChainError");
export const FeeTooLowError = rpcErrorClass(RpcErrorCode.FEE_TOO_LOW, "FeeTooLowError");
export const ReplacementUnderpricedError = rpcErrorClass(
  RpcErrorCode.REPLACEMENT_UNDERPRICED,
  "ReplacementUnderpricedError",
);
export const MempoolFullError = rpcErrorClass(RpcErrorCode.MEMPOOL_FULL, "MempoolFullError");
export const RateLimitedError = rpcErrorClass(RpcErrorCode.RATE_LIMITED, "RateLimitedError");
export const TooLargeError = rpcErrorClass(RpcErrorCode.TOO_LARGE, "TooLargeError");
export const InvalidFieldError = rpcErrorClass(RpcErrorCode.INVALID_FIELD, "InvalidFieldError");
export const MalformedTransactionError = rpcErrorClass(RpcErrorCode.MALFORMED_TRANSACTION, "MalformedTransactionError");
export const BadOrderSignatureError = rpcErrorClass(RpcErrorCode.BAD_ORDER_SIGNATURE, "BadOrderSignatureError");
export const SenderLimitError = rpcErrorClass(RpcErrorCode.SENDER_LIMIT, "SenderLimitError");
export const UnknownBlockError = rpcErrorClass(RpcErrorCode.UNKNOWN_BLOCK, "UnknownBlockError");
export const SubscriptionLimitError = rpcErrorClass(RpcErrorCode.SUBSCRIPTION_LIMIT, "SubscriptionLimitError");
export const UnavailableError = rpcErrorClass(RpcErrorCode.UNAVAILABLE, "UnavailableError");
export const WebSocketRequiredError = rpcErrorClass(RpcErrorCode.WEBSOCKET_REQUIRED, "WebSocketRequiredError");
/** sendTransactionSync got no preconfirmation; `data.status` says why ("pending": still admitted, "sequenced", "dropped"). */
export const NotPreconfirmedError = rpcErrorClass(RpcErrorCode.NOT_PRECONFIRMED, "NotPreconfirmedError");
/** A SessionGrant whose appSignature does not recover. */
export const BadAppSignatureError = rpcErrorClass(RpcErrorCode.BAD_APP_SIGNATURE, "BadAppSignatureError");
/** A session transaction its grant does not allow; `data.validationCode` is 205–210. */
export const SessionRefusedError = rpcErrorClass(RpcErrorCode.SESSION_REFUSED, "SessionRefusedError");
/** A sponsored transaction no allowance of the sponsor covers; `data.validationCode` is 211–214. */
export const FeeAllowanceRefusedError = rpcErrorClass(RpcErrorCode.FEE_ALLOWANCE_REFUSED, "FeeAllowanceRefusedError");

/** The one table from code to class. */
export const rpcErrorClasses: Readonly<Record<RpcErrorCode, RpcErrorSubclass>> = Object.fromEntries(
  [
    ParseRpcError,
    InvalidRequestRpcError,
    MethodNotFoundRpcError,
    InvalidParamsRpcError,
    InternalRpcError,
    NonceTooLowError,
    NonceGapError,
    InsufficientFundsError,
    BadSignatureError,
    WrongChainError,
    FeeTooLowError,
    ReplacementUnderpricedError,
    MempoolFullError,
    RateLimitedError,
    TooLargeError,
    InvalidFieldError,
    MalformedTransactionError,
    BadOrderSignatureError,
    SenderLimitError,
    UnknownBlockError,
    SubscriptionLimitError,
    UnavailableError,
    WebSocketRequiredError,
    NotPreconfirmedError,
    BadAppSignatureError,
    SessionRefusedError,
    FeeAllowanceRefusedError,
  ].map((cls) => [cls.code, cls]),
) as Record<RpcErrorCode, RpcErrorSubclass>;

/** Build the typed error for a JSON-RPC `error` member: the class of its code, or the base class. */
export function rpcErrorFromResponse(error: { code: number; message?: string; data?: unknown }): FilverseRpcError {
  const cls = rpcErrorClasses[error.code as RpcErrorCode];
  const opts = error.data === undefined ? {} : { data: error.data };
  return cls ? new cls(error.message, opts) : new FilverseRpcError(error.code, error.message, opts);
}
