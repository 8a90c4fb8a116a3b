/**
 * The typed error codes of transaction validation, execution and block processing. Numeric codes are
 * protocol: receipts carry ExecutionErrorCode, and the RPC maps TxValidationErrorCode to JSON-RPC
 * errors. docs/protocol.md lists every code with its meaning.
 */
import { FilverseError } from "@filverse/utils";

/** Why a transaction cannot be included at all (nothing is charged; a block holding it is invalid). */
export enum TxValidationErrorCode {
  /** Bytes or JSON do not decode as a transaction. */
  MALFORMED = 100,
  /** A field is out of its protocol bounds (handle syntax, CID syntax, royalty > 100%, ...). */
  INVALID_FIELD = 101,
  /** The envelope's chain id is not this chain's. */
  WRONG_CHAIN = 102,
  /** The signature is not a valid low-s secp256k1 signature with v ∈ {27, 28}. */
  BAD_SIGNATURE = 103,
  /** A trade's maker signature does not recover to the order's maker. */
  BAD_ORDER_SIGNATURE = 104,
  /** The transaction's SSZ encoding exceeds MAX_TX_BYTES. */
  TOO_LARGE = 105,
  /** A SessionGrant's appSignature does not recover (as a SessionRequest signature) to an address. */
  BAD_APP_SIGNATURE = 106,
  /** The nonce is below the sender's account nonce (already used). */
  NONCE_TOO_LOW = 200,
  /** The nonce is above the sender's account nonce (a gap). */
  NONCE_TOO_HIGH = 201,
  /** The sender's balance does not cover the fee. */
  INSUFFICIENT_FUNDS_FOR_FEE = 202,
  /** The fee is below the chain's minimum. */
  FEE_TOO_LOW = 203,
  /**
   * Executing it threw, or would write a state object outside its schema bounds: a bound admission
   * should have refused. Never included: the sequencer drops it, a block holding one is invalid, and
   * a forced transaction is consumed with this code. Nothing of it is applied.
   */
  EXECUTION_FAULT = 204,
  /** A Via names an account, and there is no session grant (account, signer). */
  SESSION_NOT_FOUND = 205,
  /** The session grant was revoked. */
  SESSION_REVOKED = 206,
  /** The block timestamp is at or after the session grant's expiresAt. */
  SESSION_EXPIRED = 207,
  /** The session grant's kinds do not include the transaction's kind. */
  SESSION_KIND_NOT_ALLOWED = 208,
  /** The transaction's collection or counterparty is outside the session grant's lists. */
  SESSION_TARGET_NOT_ALLOWED = 209,
  /** The transaction would take the session's FIL or token spending past a cap. */
  SESSION_CAP_EXCEEDED = 210,
  /** A Via names a sponsor, and none of its candidate allowances exists. */
  FEE_ALLOWANCE_NOT_FOUND = 211,
  /** The first allowance present has expired. */
  FEE_ALLOWANCE_EXPIRED = 212,
  /** The first allowance present does not cover the transaction's kind. */
  FEE_ALLOWANCE_NOT_COVERED = 213,
  /** The first allowance present cannot pay the fee (per-transaction maximum, total or period budget). */
  FEE_ALLOWANCE_EXCEEDED = 214,
}

/** Why an included transaction failed at execution. Carried in its receipt; the fee is still charged. */
export enum ExecutionErrorCode {
  OK = 0,
  INSUFFICIENT_BALANCE = 1000,
  /** The withdrawals tree holds MAX_WITHDRAWALS leaves: no further withdrawal can be proved on L1. */
  WITHDRAWALS_FULL = 1001,
  COLLECTION_NOT_FOUND = 1100,
  ASSET_NOT_FOUND = 1101,
  ASSET_EXISTS = 1102,
  SUPPLY_CAP_EXCEEDED = 1103,
  NOT_ASSET_AUTHORIZED = 1104,
  NOT_COLLECTION_CREATOR = 1105,
  METADATA_IMMUTABLE = 1106,
  ASSET_BURNED = 1107,
  TOKEN_NOT_FOUND = 1200,
  NOT_TOKEN_ISSUER = 1201,
  TOKEN_CAP_EXCEEDED = 1202,
  INSUFFICIENT_TOKEN_BALANCE = 1203,
  IDENTITY_NOT_FOUND = 1300,
  HANDLE_TAKEN = 1301,
  NOT_IDENTITY_OWNER = 1302,
  ATTRIBUTE_NOT_FOUND = 1303,
  DELEGATE_NOT_FOUND = 1304,
  DELEGATE_EXPIRED = 1305,
  DELEGATE_SCOPE = 1306,
  EXPIRY_IN_PAST = 1307,
  DATA_ASSET_NOT_FOUND = 1400,
  NOT_DATA_OWNER = 1401,
  GRANT_NOT_FOUND = 1402,
  ORDER_EXPIRED = 1500,
  ORDER_CLOSED = 1501,
  ORDER_WRONG_TAKER = 1502,
  ORDER_SELF_FILL = 1503,
  ORDER_ASSET_NOT_OWNED = 1504,
  NOT_ORDER_MAKER = 1505,
  /** FeeAllowanceRevoke of an allowance that does not exist. */
  FEE_ALLOWANCE_NOT_FOUND = 1600,
  /** SessionRevoke of a grant that does not exist. */
  SESSION_NOT_FOUND = 1601,
  /** The session grant is revoked: it cannot be revoked again nor granted again. */
  SESSION_KEY_REVOKED = 1602,
  /** A SessionGrant's app identity does not exist. */
  APP_NOT_FOUND = 1603,
  /** A SessionGrant's app signature is not by the app identity's owner. */
  APP_NOT_AUTHORIZED = 1604,
  /** The block timestamp is past the SessionGrant's requestDeadline. */
  APP_REQUEST_EXPIRED = 1605,
  /** A FeeAllowanceSet for anyone (grantee zero) on a target that is not the sponsor's. */
  NOT_SPONSOR_TARGET = 1606,
  /** A SessionRevoke signed by neither the account nor the session key. */
  NOT_SESSION_PARTY = 1607,
}

export class TxValidationError extends FilverseError<TxValidationErrorCode> {
  override name = "TxValidationError";
}

/** Why a block is invalid as a whole. A verifier rejects it; nothing of it is applied. */
export enum BlockErrorCode {
  WRONG_CHAIN = "BLOCK_WRONG_CHAIN",
  /** The number is not the parent's + 1. */
  BAD_NUMBER = "BLOCK_BAD_NUMBER",
  /** parentHash is not the hash of the parent header. */
  PARENT_MISMATCH = "BLOCK_PARENT_MISMATCH",
  /** The timestamp is before the parent's. */
  BAD_TIMESTAMP = "BLOCK_BAD_TIMESTAMP",
  /** The seal is invalid or not the sequencer's. */
  BAD_SEAL = "BLOCK_BAD_SEAL",
  TOO_MANY_TRANSACTIONS = "BLOCK_TOO_MANY_TRANSACTIONS",
  TOO_MANY_DEPOSITS = "BLOCK_TOO_MANY_DEPOSITS",
  /** A deposit's L1 nonce is not the next one: each is credited once, in nonce order. */
  DEPOSIT_OUT_OF_ORDER = "BLOCK_DEPOSIT_OUT_OF_ORDER",
  /** An L1 message the bridge could not have made (a forced transaction that also carries value). */
  BAD_L1_MESSAGE = "BLOCK_BAD_L1_MESSAGE",
  /** A transaction in the block fails validation (see `cause`). */
  INVALID_TRANSACTION = "BLOCK_INVALID_TRANSACTION",
  /** Re-execution gives a root (or the L1 deposit nonce) other than the header's. */
  ROOT_MISMATCH = "BLOCK_ROOT_MISMATCH",
  /** Pre-recovered senders were given but do not match the transaction count. */
  SENDERS_MISMATCH = "BLOCK_SENDERS_MISMATCH",
}

export class BlockError extends FilverseError<BlockErrorCode> {
  override name = "BlockError";
}

/** Thrown inside a handler to fail the transaction with a code; caught by the executor, never escapes. */
export class ExecutionFailure {
  constructor(readonly code: ExecutionErrorCode) {}
}

/** Why the dispute tracer (trace/) cannot trace a block. */
export enum TraceErrorCode {
  /** The block's deposits and transactions do not hash to its header's txRoot. */
  BODY_MISMATCH = "TRACE_BODY_MISMATCH",
  /** No such step in the trace. */
  STEP_OUT_OF_RANGE = "TRACE_STEP_OUT_OF_RANGE",
}

export class TraceError extends FilverseError<TraceErrorCode> {
  override name = "TraceError";
}

/**
 * Every transaction code (validation and execution) with its name and what it means, as
 * docs/protocol.md lists them: what a wallet or the CLI shows for a receipt's or a drop's code.
 * This module imports nothing heavy, so `@filverse/state/errors` is cheap to load.
 */
export const TX_CODES: Readonly<Record<number, readonly [name: string, meaning: string]>> = {
  100: ["MALFORMED", "bytes or JSON do not decode as a transaction"],
  101: ["INVALID_FIELD", "a field is outside its protocol bounds"],
  102: ["WRONG_CHAIN", "the envelope's chainId is not this chain's"],
  103: ["BAD_SIGNATURE", "not a valid low-s 65-byte signature with v ∈ {27, 28}"],
  104: ["BAD_ORDER_SIGNATURE", "a TradeFill's maker signature does not recover to order.maker"],
  105: ["TOO_LARGE", "the SSZ encoding exceeds MAX_TX_BYTES"],
  106: ["BAD_APP_SIGNATURE", "a SessionGrant's appSignature does not recover as a SessionRequest signature"],
  200: ["NONCE_TOO_LOW", "the nonce was already used"],
  201: ["NONCE_TOO_HIGH", "the nonce leaves a gap after the sender's account nonce"],
  202: ["INSUFFICIENT_FUNDS_FOR_FEE", "the sender's balance is below fee"],
  203: ["FEE_TOO_LOW", "fee is below the chain's minTxFee"],
  204: ["EXECUTION_FAULT", "executing it throws, or would write a state object outside its bounds"],
  205: ["SESSION_NOT_FOUND", "no session grant (account, signer) for a Via naming an account"],
  206: ["SESSION_REVOKED", "the session grant was revoked"],
  207: ["SESSION_EXPIRED", "block timestamp ≥ the session grant's expiresAt"],
  208: ["SESSION_KIND_NOT_ALLOWED", "the session grant's kinds do not include the transaction's kind"],
  209: ["SESSION_TARGET_NOT_ALLOWED", "a collection or counterparty outside the session grant's lists"],
  210: ["SESSION_CAP_EXCEEDED", "the session's FIL or token spending would pass a total or period cap"],
  211: ["FEE_ALLOWANCE_NOT_FOUND", "none of the sponsor's candidate fee allowances exists"],
  212: ["FEE_ALLOWANCE_EXPIRED", "the first fee allowance present has expired"],
  213: ["FEE_ALLOWANCE_NOT_COVERED", "the first fee allowance present does not cover the kind"],
  214: [
    "FEE_ALLOWANCE_EXCEEDED",
    "the first fee allowance present cannot pay the fee (maxFeePerTx, total or period budget)",
  ],
  0: ["OK", "success"],
  1000: ["INSUFFICIENT_BALANCE", "FIL balance below a transfer, withdrawal or trade price"],
  1001: ["WITHDRAWALS_FULL", "the withdrawals tree holds 2^32 withdrawals (MAX_WITHDRAWALS, its capacity at depth 32)"],
  1100: ["COLLECTION_NOT_FOUND", "no such collection"],
  1101: ["ASSET_NOT_FOUND", "no such asset"],
  1102: ["ASSET_EXISTS", "minting a token id that exists or was burned"],
  1103: ["SUPPLY_CAP_EXCEEDED", "minted + n > maxSupply (burns do not free supply)"],
  1104: ["NOT_ASSET_AUTHORIZED", "actor is not the owner, the approved address or an operator"],
  1105: ["NOT_COLLECTION_CREATOR", "mint or metadata update by someone other than the creator"],
  1106: ["METADATA_IMMUTABLE", "metadata update in an immutable collection"],
  1107: ["ASSET_BURNED", "acting on a burned asset"],
  1200: ["TOKEN_NOT_FOUND", "no such social token"],
  1201: ["NOT_TOKEN_ISSUER", "mint by someone other than the issuer"],
  1202: ["TOKEN_CAP_EXCEEDED", "supply + amount > cap"],
  1203: ["INSUFFICIENT_TOKEN_BALANCE", "token balance below the amount"],
  1300: ["IDENTITY_NOT_FOUND", "no such identity (identityId or onBehalfOf)"],
  1301: ["HANDLE_TAKEN", "the handle belongs to another identity"],
  1302: ["NOT_IDENTITY_OWNER", "an owner-only identity action by someone else"],
  1303: ["ATTRIBUTE_NOT_FOUND", "removing an attribute that is not set"],
  1304: ["DELEGATE_NOT_FOUND", "signer is not a delegate of the identity (or was voided by an owner transfer)"],
  1305: ["DELEGATE_EXPIRED", "block timestamp ≥ the delegate's expiresAt"],
  1306: ["DELEGATE_SCOPE", "the delegate's scope does not cover the kind"],
  1307: ["EXPIRY_IN_PAST", "a new delegate, grant or attribute expiry is not after the block timestamp"],
  1400: ["DATA_ASSET_NOT_FOUND", "no such data asset"],
  1401: ["NOT_DATA_OWNER", "a grant or revoke by someone other than the owner"],
  1402: ["GRANT_NOT_FOUND", "revoking a grant that does not exist"],
  1500: ["ORDER_EXPIRED", "block timestamp ≥ order.expiresAt (when non-zero)"],
  1501: ["ORDER_CLOSED", "the order was filled or cancelled"],
  1502: ["ORDER_WRONG_TAKER", "the order names another taker"],
  1503: ["ORDER_SELF_FILL", "the signer is the maker"],
  1504: ["ORDER_ASSET_NOT_OWNED", "the seller does not own the asset"],
  1505: ["NOT_ORDER_MAKER", "cancelling someone else's order"],
  1600: ["FEE_ALLOWANCE_NOT_FOUND", "revoking a fee allowance that does not exist"],
  1601: ["SESSION_NOT_FOUND", "revoking a session grant that does not exist"],
  1602: ["SESSION_KEY_REVOKED", "the session grant is revoked (a revoked key is never granted again)"],
  1603: ["APP_NOT_FOUND", "the SessionGrant's app identity does not exist"],
  1604: ["APP_NOT_AUTHORIZED", "the app signature is not by the app identity's owner"],
  1605: ["APP_REQUEST_EXPIRED", "block timestamp > the SessionGrant's requestDeadline"],
  1606: ["NOT_SPONSOR_TARGET", "an allowance for anyone on a target that is not the sponsor's"],
  1607: ["NOT_SESSION_PARTY", "a SessionRevoke signed by neither the account nor the session key"],
};

/** A code's name and meaning (1102: ASSET_EXISTS, "minting a token id that exists or was burned"), or null if unknown. */
export function describeTxCode(code: number): { name: string; meaning: string } | null {
  const entry = TX_CODES[code];
  return entry ? { name: entry[0], meaning: entry[1] } : null;
}
