/**
 * Stateless validation: everything about a transaction that does not depend on state. A transaction
 * that fails here is never included, and a block that holds one is invalid.
 */
import {
  hashTypedData,
  parsePieceCid,
  recoverAddress,
  SignatureError,
  txHashFromDigest,
  txSigningDigest,
} from "@filverse/crypto";
import {
  ATTRIBUTE_KEY_PATTERN,
  HANDLE_PATTERN,
  MAX_COLLECTION_SUPPLY,
  MAX_ROYALTY_BPS,
  MAX_TOKEN_DECIMALS,
  MAX_TX_BYTES,
  MAX_TX_NONCE,
  MAX_UINT64_SAFE,
} from "@filverse/params";
import {
  CodecError,
  CodecErrorCode,
  DelegateScope,
  decodeSignedTx,
  Order,
  OrderSide,
  SESSION_FORBIDDEN_MASK,
  SessionRequest,
  type SignedTransaction,
  signedTxFromJson,
  TxKind,
  txStructs,
  USER_KINDS_MASK,
  type Via,
} from "@filverse/types";
import { bytesEqual } from "@filverse/utils";
import { CID } from "multiformats/cid";
import { TxValidationError, TxValidationErrorCode } from "./errors.js";

/** A transaction whose signature and fields were checked, with its hash and sender computed once. */
export type ValidatedTransaction = {
  tx: SignedTransaction;
  hash: Uint8Array;
  sender: Uint8Array;
  /** TradeFill and OrderCancel: the EIP-712 digest of the order, its id on chain. */
  orderHash?: Uint8Array;
  /** SessionGrant: the address its appSignature recovers to (as a SessionRequest signature). */
  appSigner?: Uint8Array;
};

const ZERO_ADDRESS = new Uint8Array(20);
const ZERO_ID = new Uint8Array(32);

function fieldError(field: string, expected: string, details: Record<string, unknown> = {}): TxValidationError {
  return new TxValidationError(TxValidationErrorCode.INVALID_FIELD, `Invalid field "${field}": ${expected}`, {
    details: { field, ...details },
  });
}

function parseCid(value: string, field: string): CID {
  try {
    return CID.parse(value);
  } catch (cause) {
    throw new TxValidationError(TxValidationErrorCode.INVALID_FIELD, `Invalid field "${field}": not a CID`, {
      cause,
      details: { field, value },
    });
  }
}

export function checkCid(value: string, field: string): void {
  parseCid(value, field);
}

/**
 * A Piece CID: v2 (`bafkzcib…`, FRC-0069) or v1 (`baga6ea4seaq…`), base32, parsed strictly by
 * @filverse/crypto (minimal varints, a trunc254 root, a v2 height up to 64 GiB and a possible padding).
 */
export function checkPieceCid(value: string, field: string): void {
  try {
    parsePieceCid(value);
  } catch (cause) {
    throw new TxValidationError(
      TxValidationErrorCode.INVALID_FIELD,
      `Invalid field "${field}": not a Piece CID (v1 baga… or v2 bafkzcib…)`,
      { cause, details: { field, value } },
    );
  }
}

const nonZeroAddress = (a: Uint8Array, field: string) => {
  if (bytesEqual(a, ZERO_ADDRESS)) throw fieldError(field, "must not be the zero address");
};
const nonEmpty = (s: string, field: string) => {
  if (s.length === 0) throw fieldError(field, "must not be empty");
};
const positive = (n: bigint, field: string) => {
  if (n === 0n) throw fieldError(field, "must be greater than zero");
};

/** Check the bounds of every field, beyond what the SSZ/JSON codec enforces. Throws TxValidationError. */
export function validateTxFields(tx: SignedTransaction): void {
  try {
    (txStructs[tx.kind] as { check(v: unknown): void }).check(tx.message);
  } catch (cause) {
    if (cause instanceof CodecError) {
      throw new TxValidationError(TxValidationErrorCode.INVALID_FIELD, cause.shortMessage, {
        cause,
        details: cause.details,
      });
    }
    throw cause;
  }
  if (tx.message.nonce > MAX_TX_NONCE) throw fieldError("nonce", `at most ${MAX_TX_NONCE}`);
  validateKindFields(tx);
  if (tx.via !== undefined) validateVia(tx.via);
}

/**
 * A Via's own rule, checked after the inner kind's: it names a sponsor or an account (both zero is
 * a plain transaction signed the long way, refused so that every transaction has one form).
 */
function validateVia(via: Via): void {
  for (const field of ["sponsor", "account"] as const) {
    const v = via[field];
    if (!(v instanceof Uint8Array) || v.length !== 20) throw fieldError(field, "must be 20 bytes");
  }
  if (bytesEqual(via.sponsor, ZERO_ADDRESS) && bytesEqual(via.account, ZERO_ADDRESS)) {
    throw fieldError("sponsor", "a Via transaction names a sponsor or an account");
  }
}

/** A `kinds` mask: non-zero, only bits of user kinds that exist. */
function checkKinds(kinds: bigint): void {
  if (kinds === 0n) throw fieldError("kinds", "must name at least one kind");
  if ((kinds & ~USER_KINDS_MASK) !== 0n) throw fieldError("kinds", "names a kind that does not exist");
}

function validateKindFields(tx: SignedTransaction): void {
  switch (tx.kind) {
    case TxKind.Transfer:
      nonZeroAddress(tx.message.to, "to");
      return;
    case TxKind.Withdraw:
      nonZeroAddress(tx.message.l1Recipient, "l1Recipient");
      positive(tx.message.amount, "amount");
      return;
    case TxKind.CollectionCreate: {
      const m = tx.message;
      nonEmpty(m.name, "name");
      nonEmpty(m.symbol, "symbol");
      if (m.royaltyBps > MAX_ROYALTY_BPS) throw fieldError("royaltyBps", `at most ${MAX_ROYALTY_BPS}`);
      if (m.maxSupply < 1 || m.maxSupply > MAX_COLLECTION_SUPPLY) {
        throw fieldError("maxSupply", `between 1 and ${MAX_COLLECTION_SUPPLY}`);
      }
      return;
    }
    case TxKind.AssetMint:
      nonZeroAddress(tx.message.to, "to");
      checkCid(tx.message.contentCid, "contentCid");
      return;
    case TxKind.AssetBatchMint: {
      const m = tx.message;
      nonZeroAddress(m.to, "to");
      if (m.contentCids.length === 0) throw fieldError("contentCids", "must not be empty");
      // The last id, firstTokenId + n − 1, must be ≤ MAX_UINT64_SAFE. Written without the sum: past
      // 2^53 doubles round (9007199254740991 + 2 − 1 evaluates to 9007199254740991).
      const lastOffset = m.contentCids.length - 1;
      if (m.firstTokenId > MAX_UINT64_SAFE - lastOffset) {
        throw fieldError("firstTokenId", `at most ${MAX_UINT64_SAFE - lastOffset} for ${m.contentCids.length} tokens`);
      }
      m.contentCids.forEach((c, i) => {
        checkCid(c, `contentCids[${i}]`);
      });
      return;
    }
    case TxKind.AssetTransfer:
      nonZeroAddress(tx.message.to, "to");
      return;
    case TxKind.AssetMetadataUpdate:
      checkCid(tx.message.contentCid, "contentCid");
      return;
    case TxKind.TokenCreate: {
      const m = tx.message;
      nonEmpty(m.name, "name");
      nonEmpty(m.symbol, "symbol");
      if (m.decimals > MAX_TOKEN_DECIMALS) throw fieldError("decimals", `at most ${MAX_TOKEN_DECIMALS}`);
      positive(m.cap, "cap");
      return;
    }
    case TxKind.TokenMint:
      nonZeroAddress(tx.message.to, "to");
      positive(tx.message.amount, "amount");
      return;
    case TxKind.TokenTransfer:
      nonZeroAddress(tx.message.to, "to");
      positive(tx.message.amount, "amount");
      return;
    case TxKind.TokenBurn:
      positive(tx.message.amount, "amount");
      return;
    case TxKind.IdentityCreate:
      if (!HANDLE_PATTERN.test(tx.message.handle)) {
        throw fieldError("handle", "must match [a-z0-9_]{3,32}", { value: tx.message.handle });
      }
      checkCid(tx.message.profileCid, "profileCid");
      return;
    case TxKind.IdentityUpdate:
      checkCid(tx.message.profileCid, "profileCid");
      return;
    case TxKind.AttributeSet:
    case TxKind.AttributeRemove:
      if (!ATTRIBUTE_KEY_PATTERN.test(tx.message.key)) {
        throw fieldError("key", "must match [a-z0-9_.:-]{1,64}", { value: tx.message.key });
      }
      return;
    case TxKind.DelegateAdd: {
      const m = tx.message;
      nonZeroAddress(m.delegate, "delegate");
      if (m.scope !== DelegateScope.Assets && m.scope !== DelegateScope.Identity && m.scope !== DelegateScope.All) {
        throw fieldError("scope", "1 (assets), 2 (identity) or 3 (all)", { value: m.scope });
      }
      return;
    }
    case TxKind.IdentityTransfer:
      nonZeroAddress(tx.message.newOwner, "newOwner");
      return;
    case TxKind.DataAssetRegister: {
      const m = tx.message;
      checkCid(m.contentCid, "contentCid");
      checkPieceCid(m.pieceCid, "pieceCid");
      if (m.size === 0) throw fieldError("size", "must be greater than zero");
      nonEmpty(m.license, "license");
      return;
    }
    case TxKind.AccessGrant:
      nonZeroAddress(tx.message.grantee, "grantee");
      return;
    case TxKind.TradeFill:
    case TxKind.OrderCancel: {
      const o = tx.message.order;
      nonZeroAddress(o.maker, "order.maker");
      if (o.side !== OrderSide.Sell && o.side !== OrderSide.Buy) throw fieldError("order.side", "0 (sell) or 1 (buy)");
      return;
    }
    case TxKind.FeeAllowanceSet: {
      const m = tx.message;
      checkKinds(m.kinds);
      positive(m.totalBudget, "totalBudget");
      if (bytesEqual(m.grantee, ZERO_ADDRESS) && bytesEqual(m.target, ZERO_ID)) {
        throw fieldError("target", "an allowance for anyone (grantee zero) names a target");
      }
      if (m.periodBudget > 0n !== m.period > 0) {
        throw fieldError("period", "a period budget and a period go together (both zero or both non-zero)");
      }
      return;
    }
    case TxKind.FeeAllowanceRevoke:
      if (bytesEqual(tx.message.grantee, ZERO_ADDRESS) && bytesEqual(tx.message.target, ZERO_ID)) {
        throw fieldError("target", "an allowance for anyone (grantee zero) names a target");
      }
      return;
    case TxKind.SessionGrant: {
      const m = tx.message;
      checkKinds(m.kinds);
      if ((m.kinds & SESSION_FORBIDDEN_MASK) !== 0n) {
        throw fieldError(
          "kinds",
          "a session may not sign Withdraw, DelegateAdd, DelegateRevoke, IdentityTransfer or kinds 60–63",
        );
      }
      nonZeroAddress(m.sessionKey, "sessionKey");
      if (m.tokenCaps.length !== m.tokens.length) throw fieldError("tokenCaps", "one cap per token");
      if (m.tokenPeriodCaps.length !== m.tokens.length) throw fieldError("tokenPeriodCaps", "one period cap per token");
      m.tokens.forEach((t, i) => {
        if (bytesEqual(t, ZERO_ID)) throw fieldError("tokens", "must not hold the zero id");
        if (m.tokens.findIndex((u) => bytesEqual(u, t)) !== i) throw fieldError("tokens", "must not repeat a token");
      });
      const anyPeriodCap = m.filPeriodCap > 0n || m.tokenPeriodCaps.some((c) => c > 0n);
      if (anyPeriodCap && m.period === 0) throw fieldError("period", "a period cap needs a period");
      if (m.period > 0 && !anyPeriodCap) throw fieldError("period", "a period needs at least one period cap");
      if (bytesEqual(m.app, ZERO_ID)) throw fieldError("app", "must name the app identity");
      return;
    }
    case TxKind.SessionRevoke:
      nonZeroAddress(tx.message.account, "account");
      nonZeroAddress(tx.message.sessionKey, "sessionKey");
      return;
    default:
      return;
  }
}

/**
 * The stateless checks before signature recovery: chain id and field bounds. Returns the EIP-712
 * signing digest, so the (expensive) recovery can run elsewhere, e.g. batched on a worker pool.
 */
export function prevalidateTransaction(tx: SignedTransaction, chainId: number): { digest: Uint8Array } {
  if (tx.chainId !== chainId) {
    throw new TxValidationError(
      TxValidationErrorCode.WRONG_CHAIN,
      `Transaction is for chain ${tx.chainId}, not ${chainId}`,
      {
        details: { expected: chainId, got: tx.chainId },
      },
    );
  }
  validateTxFields(tx);
  return { digest: txSigningDigest(tx) };
}

/**
 * Complete validation with the sender recovered from `digest` (null: the signature did not recover).
 * Checks a trade's maker signature on this thread (rare, and it needs the order's digest).
 */
export function completeValidation(
  tx: SignedTransaction,
  digest: Uint8Array,
  sender: Uint8Array | null,
  cause?: unknown,
): ValidatedTransaction {
  if (!sender) {
    const message = cause instanceof SignatureError ? cause.shortMessage : "Bad signature";
    throw new TxValidationError(TxValidationErrorCode.BAD_SIGNATURE, message, { cause });
  }
  const out: ValidatedTransaction = { tx, hash: txHashFromDigest(digest, tx.signature), sender };
  if (tx.kind === TxKind.TradeFill || tx.kind === TxKind.OrderCancel) {
    out.orderHash = hashTypedData(tx.chainId, Order, tx.message.order);
  }
  if (tx.kind === TxKind.TradeFill) {
    let maker: Uint8Array | null = null;
    try {
      maker = recoverAddress(out.orderHash!, tx.message.makerSignature);
    } catch {
      maker = null;
    }
    if (!maker || !bytesEqual(maker, tx.message.order.maker)) {
      throw new TxValidationError(TxValidationErrorCode.BAD_ORDER_SIGNATURE, "The maker's order signature is invalid");
    }
  }
  if (tx.kind === TxKind.SessionGrant) out.appSigner = recoverAppSigner(tx.chainId, sender, tx.message);
  return out;
}

/**
 * The address a SessionGrant's appSignature recovers to, as the EIP-712 `SessionRequest(account =
 * the signer, sessionKey, app, deadline = requestDeadline)` under the Filverse domain. Whether it is
 * the app identity's owner is decided at execution (1604); a signature that does not recover is
 * BAD_APP_SIGNATURE.
 */
export function recoverAppSigner(
  chainId: number,
  account: Uint8Array,
  m: { sessionKey: Uint8Array; app: Uint8Array; requestDeadline: number; appSignature: Uint8Array },
): Uint8Array {
  const digest = hashTypedData(chainId, SessionRequest, {
    account,
    sessionKey: m.sessionKey,
    app: m.app,
    deadline: m.requestDeadline,
  });
  try {
    return recoverAddress(digest, m.appSignature);
  } catch (cause) {
    throw new TxValidationError(
      TxValidationErrorCode.BAD_APP_SIGNATURE,
      "The app's SessionRequest signature does not recover",
      { cause },
    );
  }
}

/**
 * All stateless checks, in order: chain id, field bounds, signature (and a trade's maker signature).
 * Returns the hash and the recovered sender. Throws TxValidationError.
 */
export function validateTransaction(tx: SignedTransaction, chainId: number): ValidatedTransaction {
  const { digest } = prevalidateTransaction(tx, chainId);
  let sender: Uint8Array | null = null;
  let cause: unknown;
  try {
    sender = recoverAddress(digest, tx.signature);
  } catch (err) {
    cause = err;
  }
  return completeValidation(tx, digest, sender, cause);
}

/** Decode wire bytes into a transaction, mapping codec failures to TxValidationError codes. */
export function parseTransactionBytes(bytes: Uint8Array): SignedTransaction {
  if (bytes.length > MAX_TX_BYTES) {
    throw new TxValidationError(
      TxValidationErrorCode.TOO_LARGE,
      `Transaction is ${bytes.length} bytes; the limit is ${MAX_TX_BYTES}`,
    );
  }
  try {
    return decodeSignedTx(bytes);
  } catch (cause) {
    throw asMalformed(cause);
  }
}

/**
 * Parse the JSON-RPC form `{chainId, primaryType, message, signature}`. JSON that is not a
 * transaction (wrong shape, type or encoding) is MALFORMED; a field past a protocol bound (a string's
 * bytes, a list's length, uint64 ≤ 2^53−1) is INVALID_FIELD with `details.field` named as
 * validateTxFields names it; hex of the wrong length for `signature` is BAD_SIGNATURE, for a
 * TradeFill's `makerSignature` BAD_ORDER_SIGNATURE.
 */
export function parseTransactionJson(json: unknown): SignedTransaction {
  try {
    return signedTxFromJson(json);
  } catch (cause) {
    throw fromJsonCodecError(cause);
  }
}

function fromJsonCodecError(cause: unknown): unknown {
  if (!(cause instanceof CodecError)) return cause;
  const path = typeof cause.details.path === "string" ? cause.details.path : "";
  if (cause.code === CodecErrorCode.OUT_OF_BOUNDS) {
    return new TxValidationError(TxValidationErrorCode.INVALID_FIELD, cause.shortMessage, {
      cause,
      details: { field: path.replace(/^message\.(tx\.)?/, ""), ...cause.details },
    });
  }
  if (cause.code === CodecErrorCode.BAD_SIGNATURE_LENGTH) {
    const code =
      path === "signature"
        ? TxValidationErrorCode.BAD_SIGNATURE
        : path.endsWith(".appSignature")
          ? TxValidationErrorCode.BAD_APP_SIGNATURE
          : TxValidationErrorCode.BAD_ORDER_SIGNATURE;
    return new TxValidationError(code, cause.shortMessage, { cause, details: cause.details });
  }
  return asMalformed(cause);
}

function asMalformed(cause: unknown): unknown {
  if (!(cause instanceof CodecError)) return cause;
  return new TxValidationError(TxValidationErrorCode.MALFORMED, cause.shortMessage, { cause, details: cause.details });
}
