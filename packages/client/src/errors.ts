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
/** A SessionGrant's appSignature does not recover as a SessionRequest signature (validation code 106). */
export const BadAppSignatureError = rpcErrorClass(RpcErrorCode.BAD_APP_SIGNATURE, "BadAppSignatureError");
/**
 * A session transaction (signed by a session key for an account) that its grant does not allow,
 * refused at admission (nothing charged). Raised as the subclass of its `txCode` (205–210).
 */
export const SessionRefusedError = rpcErrorClass(RpcErrorCode.SESSION_REFUSED, "SessionRefusedError");
/**
 * A sponsored transaction that none of the sponsor's fee allowances covers, refused at admission
 * (nothing charged). Raised as the subclass of its `txCode` (211–214).
 */
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

/**
 * The admission codes of sessions and fee allowances (the node's validation codes, docs/protocol.md):
 * SessionRefusedError carries 205–210, FeeAllowanceRefusedError 211–214, as `txCode`.
 */
export enum GrantRefusalCode {
  /** The signer has no session grant from the account it signs for. */
  SESSION_NOT_FOUND = 205,
  /** The session grant was revoked (for good). */
  SESSION_REVOKED = 206,
  /** The session grant has expired. */
  SESSION_EXPIRED = 207,
  /** The session grant does not allow this transaction kind. */
  SESSION_KIND_NOT_ALLOWED = 208,
  /** The collection or counterparty is outside the session grant's lists. */
  SESSION_TARGET_NOT_ALLOWED = 209,
  /** The transaction would take the session's FIL or token spending past a cap. */
  SESSION_CAP_EXCEEDED = 210,
  /** No fee allowance of the sponsor exists for this transaction. */
  FEE_ALLOWANCE_NOT_FOUND = 211,
  /** The sponsor's fee allowance has expired. */
  FEE_ALLOWANCE_EXPIRED = 212,
  /** The sponsor's fee allowance does not cover this transaction kind. */
  FEE_ALLOWANCE_NOT_COVERED = 213,
  /** The fee is over the allowance's per-transaction maximum, or its total or period budget. */
  FEE_ALLOWANCE_EXCEEDED = 214,
}

/**
 * The execution codes of the grant kinds: a FeeAllowanceSet, FeeAllowanceRevoke, SessionGrant or
 * SessionRevoke that was included but failed carries one in its receipt and status (`code`), its fee
 * charged. (An expiry already past is EXPIRY_IN_PAST, 1307.)
 */
export enum GrantExecutionCode {
  EXPIRY_IN_PAST = 1307,
  /** FeeAllowanceRevoke of an allowance that does not exist. */
  FEE_ALLOWANCE_NOT_FOUND = 1600,
  /** SessionRevoke of a grant that does not exist. */
  SESSION_NOT_FOUND = 1601,
  /** The key's grant is revoked: it can be neither revoked again nor granted again to the same account. */
  SESSION_KEY_REVOKED = 1602,
  /** The SessionGrant's app identity does not exist. */
  APP_NOT_FOUND = 1603,
  /** The SessionGrant's app signature is not by the app identity's owner. */
  APP_NOT_AUTHORIZED = 1604,
  /** The SessionGrant was included after its requestDeadline. */
  APP_REQUEST_EXPIRED = 1605,
  /** A FeeAllowanceSet for anyone (grantee zero) on a target that is not the sponsor's. */
  NOT_SPONSOR_TARGET = 1606,
  /** A SessionRevoke signed by neither the account nor the session key. */
  NOT_SESSION_PARTY = 1607,
}

type RefusalSubclass = {
  readonly code: RpcErrorCode;
  readonly txCode: GrantRefusalCode;
  new (shortMessage?: string, opts?: FilverseRpcErrorOptions): FilverseRpcError & { readonly txCode: GrantRefusalCode };
};

/** A subclass of SessionRefusedError / FeeAllowanceRefusedError for one validation code. */
function refusalClass(base: RpcErrorSubclass, txCode: GrantRefusalCode, name: string): RefusalSubclass {
  const cls = class extends base {
    static readonly txCode = txCode;
    readonly txCode = txCode;
    override name = name;
  };
  Object.defineProperty(cls, "name", { value: name });
  return cls as unknown as RefusalSubclass;
}

export const SessionNotFoundError = refusalClass(
  SessionRefusedError,
  GrantRefusalCode.SESSION_NOT_FOUND,
  "SessionNotFoundError",
);
export const SessionRevokedError = refusalClass(
  SessionRefusedError,
  GrantRefusalCode.SESSION_REVOKED,
  "SessionRevokedError",
);
export const SessionExpiredError = refusalClass(
  SessionRefusedError,
  GrantRefusalCode.SESSION_EXPIRED,
  "SessionExpiredError",
);
export const SessionKindNotAllowedError = refusalClass(
  SessionRefusedError,
  GrantRefusalCode.SESSION_KIND_NOT_ALLOWED,
  "SessionKindNotAllowedError",
);
export const SessionTargetNotAllowedError = refusalClass(
  SessionRefusedError,
  GrantRefusalCode.SESSION_TARGET_NOT_ALLOWED,
  "SessionTargetNotAllowedError",
);
export const SessionCapExceededError = refusalClass(
  SessionRefusedError,
  GrantRefusalCode.SESSION_CAP_EXCEEDED,
  "SessionCapExceededError",
);
export const FeeAllowanceNotFoundError = refusalClass(
  FeeAllowanceRefusedError,
  GrantRefusalCode.FEE_ALLOWANCE_NOT_FOUND,
  "FeeAllowanceNotFoundError",
);
export const FeeAllowanceExpiredError = refusalClass(
  FeeAllowanceRefusedError,
  GrantRefusalCode.FEE_ALLOWANCE_EXPIRED,
  "FeeAllowanceExpiredError",
);
export const FeeAllowanceNotCoveredError = refusalClass(
  FeeAllowanceRefusedError,
  GrantRefusalCode.FEE_ALLOWANCE_NOT_COVERED,
  "FeeAllowanceNotCoveredError",
);
export const FeeAllowanceExceededError = refusalClass(
  FeeAllowanceRefusedError,
  GrantRefusalCode.FEE_ALLOWANCE_EXCEEDED,
  "FeeAllowanceExceededError",
);

/** Each refusal class is a type too (`catch (e) { if (e instanceof SessionCapExceededError) e.txCode }`). */
export type SessionNotFoundError = InstanceType<typeof SessionNotFoundError>;
export type SessionRevokedError = InstanceType<typeof SessionRevokedError>;
export type SessionExpiredError = InstanceType<typeof SessionExpiredError>;
export type SessionKindNotAllowedError = InstanceType<typeof SessionKindNotAllowedError>;
export type SessionTargetNotAllowedError = InstanceType<typeof SessionTargetNotAllowedError>;
export type SessionCapExceededError = InstanceType<typeof SessionCapExceededError>;
export type FeeAllowanceNotFoundError = InstanceType<typeof FeeAllowanceNotFoundError>;
export type FeeAllowanceExpiredError = InstanceType<typeof FeeAllowanceExpiredError>;
export type FeeAllowanceNotCoveredError = InstanceType<typeof FeeAllowanceNotCoveredError>;
export type FeeAllowanceExceededError = InstanceType<typeof FeeAllowanceExceededError>;
export type SessionRefusedError = InstanceType<typeof SessionRefusedError>;
export type FeeAllowanceRefusedError = InstanceType<typeof FeeAllowanceRefusedError>;
export type BadAppSignatureError = InstanceType<typeof BadAppSignatureError>;

/** The table from validation code to class, each under the RPC code the node refuses it with. */
export const refusalErrorClasses: Readonly<Record<GrantRefusalCode, RefusalSubclass>> = Object.fromEntries(
  [
    SessionNotFoundError,
    SessionRevokedError,
    SessionExpiredError,
    SessionKindNotAllowedError,
    SessionTargetNotAllowedError,
    SessionCapExceededError,
    FeeAllowanceNotFoundError,
    FeeAllowanceExpiredError,
    FeeAllowanceNotCoveredError,
    FeeAllowanceExceededError,
  ].map((cls) => [cls.txCode, cls]),
) as Record<GrantRefusalCode, RefusalSubclass>;

/** The validation code a refusal's `data` carries (`validationCode`, at the top or under `details`). */
function validationCodeOf(data: unknown): number | undefined {
  const d = data as { validationCode?: unknown; details?: { validationCode?: unknown } } | null | undefined;
  const code = d?.validationCode ?? d?.details?.validationCode;
  return typeof code === "number" ? code : undefined;
}

/**
 * Build the typed error for a JSON-RPC `error` member: the class of its code (for a session or fee
 * allowance refusal, the subclass of its validation code), or the base class.
 */
export function rpcErrorFromResponse(error: { code: number; message?: string; data?: unknown }): FilverseRpcError {
  const opts = error.data === undefined ? {} : { data: error.data };
  const refusal = refusalErrorClasses[validationCodeOf(error.data) as GrantRefusalCode];
  if (refusal && refusal.code === error.code) return new refusal(error.message, opts);
  const cls = rpcErrorClasses[error.code as RpcErrorCode];
  return cls ? new cls(error.message, opts) : new FilverseRpcError(error.code, error.message, opts);
}
