/**
 * The Via envelope at execution: who acts (the actor), who pays the fee (the payer: a sponsor's fee
 * allowance, or the actor), whether a session grant allows the transaction, and what the transaction
 * records into the allowance and the grant (docs/protocol.md, "Fee allowances and session grants").
 *
 * planFee decides includability (TxValidationError 202, 205–214: nothing is charged); the executor
 * then charges and records through recordFee and recordSpend, inside the transaction.
 */
import {
  type FeeAllowance,
  Namespace,
  OrderSide,
  type SessionGrantRecord,
  type SignedTransaction,
  type StateObjects,
  TxKind,
} from "@filverse/types";
import { bytesEqual, toHex } from "@filverse/utils";
import { TxValidationError, TxValidationErrorCode } from "../errors.js";
import { feeAllowanceObjectId, sessionGrantObjectId } from "../keys.js";
import type { ValidatedTransaction } from "../validate.js";

/** What planFee reads: the block's working state, or a snapshot (admission). Every read goes through `get`. */
export type StateReader = { get<N extends Namespace>(ns: N, id: Uint8Array): StateObjects[N] | undefined };

const ZERO_ADDRESS: Uint8Array = new Uint8Array(20);
const ZERO_ID: Uint8Array = new Uint8Array(32);
const isZero = (b: Uint8Array) => b.every((x) => x === 0);

/**
 * What a node has already promised out of an allowance, a grant or a payer's balance to transactions
 * it holds but has not executed (its mempool), by id (hex): admission adds them to what is spent, so
 * one allowance is never promised past its budget. Execution passes none (the protocol rule).
 */
export type Reserved = {
  /** Fees of held transactions an allowance (by id) pays. */
  allowance(id: Uint8Array): bigint;
  /** FIL (amounts and unsponsored fees) of held session transactions under a grant (by id). */
  session(id: Uint8Array): bigint;
  /** Fees of held Via transactions an address pays for others (a sponsor, or a session's account). */
  payer(address: Uint8Array): bigint;
};

/** What a transaction's rules and its fee act on, decided before anything is charged. */
export type FeePlan = {
  /** The account the rules see as the sender: a Via's `account` when non-zero and not the signer, else the signer. */
  actor: Uint8Array;
  /** Who pays the fee: the sponsor (within `allowance`), else the actor. */
  payer: Uint8Array;
  /** The allowance that pays (sponsored transactions). */
  allowanceId?: Uint8Array;
  /** The grant (actor, signer) the session transaction runs under. */
  sessionId?: Uint8Array;
  /** FIL and token amounts the transaction moves, recorded into the grant once its rules succeed. */
  filAmount: bigint;
  token?: { tokenId: Uint8Array; amount: bigint };
};

/** The actor of a transaction signed by `signer`. */
export function actorOf(tx: SignedTransaction, signer: Uint8Array): Uint8Array {
  const account = tx.via?.account;
  return account !== undefined && !isZero(account) && !bytesEqual(account, signer) ? account : signer;
}

/**
 * Whether the signer itself pays the fee: a plain transaction, or a Via with no sponsor acting as the
 * signer. (A sponsored one is paid by its sponsor, a session one by its account.)
 */
export function signerPaysFee(tx: SignedTransaction, signer: Uint8Array): boolean {
  if (tx.via === undefined) return true;
  return isZero(tx.via.sponsor) && bytesEqual(actorOf(tx, signer), signer);
}

/**
 * The period roll: `if period > 0 && now >= periodStart + period: periodStart = now − ((now −
 * periodStart) mod period)` and the period counters restart. Written as a difference so it stays
 * exact for uint64 values up to 2^53−1.
 */
export function rollPeriod(period: number, periodStart: number, now: number): { periodStart: number; reset: boolean } {
  if (period > 0 && now - periodStart >= period) {
    return { periodStart: now - ((now - periodStart) % period), reset: true };
  }
  return { periodStart, reset: false };
}

export function rolledAllowance(a: FeeAllowance, now: number): FeeAllowance {
  const r = rollPeriod(a.period, a.periodStart, now);
  return r.reset ? { ...a, periodStart: r.periodStart, periodSpent: 0n } : a;
}

export function rolledGrant(g: SessionGrantRecord, now: number): SessionGrantRecord {
  const r = rollPeriod(g.period, g.periodStart, now);
  return r.reset
    ? { ...g, periodStart: r.periodStart, filPeriodSpent: 0n, tokenPeriodSpent: g.tokenPeriodSpent.map(() => 0n) }
    : g;
}

// --- what the checks read of each kind's message ---

function isAssetKind(kind: TxKind): boolean {
  return kind >= TxKind.AssetMint && kind <= TxKind.OperatorSet;
}

/** The collection a transaction acts on, if any. */
export function txCollection(tx: SignedTransaction): Uint8Array | undefined {
  if (isAssetKind(tx.kind)) return (tx.message as { collectionId: Uint8Array }).collectionId;
  if (tx.kind === TxKind.TradeFill || tx.kind === TxKind.OrderCancel) return tx.message.order.collectionId;
  return undefined;
}

/** The object a sponsor's allowance for anyone may name (zero: none). */
export function txTarget(tx: SignedTransaction): Uint8Array {
  const collection = txCollection(tx);
  if (collection !== undefined) return collection;
  switch (tx.kind) {
    case TxKind.TokenMint:
    case TxKind.TokenTransfer:
    case TxKind.TokenBurn:
      return tx.message.tokenId;
    case TxKind.IdentityUpdate:
    case TxKind.AttributeSet:
    case TxKind.AttributeRemove:
      return tx.message.identityId;
    case TxKind.AccessGrant:
    case TxKind.AccessRevoke:
      return tx.message.dataAssetId;
    case TxKind.SessionGrant:
      return tx.message.app;
    default:
      return ZERO_ID;
  }
}

/** The counterparty a session's `counterparties` list limits, if any. */
export function txCounterparty(tx: SignedTransaction): Uint8Array | undefined {
  switch (tx.kind) {
    case TxKind.Transfer:
    case TxKind.AssetTransfer:
    case TxKind.TokenTransfer:
      return tx.message.to;
    case TxKind.AssetApprove:
      return tx.message.approved;
    case TxKind.OperatorSet:
      return tx.message.operator;
    case TxKind.TradeFill:
      return tx.message.order.maker;
    default:
      return undefined;
  }
}

/** The FIL the actor pays out: a transfer's amount, or the price of a sell order it fills. */
export function txFilAmount(tx: SignedTransaction): bigint {
  if (tx.kind === TxKind.Transfer) return tx.message.amount;
  if (tx.kind === TxKind.TradeFill && tx.message.order.side === OrderSide.Sell) return tx.message.order.price;
  return 0n;
}

/** The social token the actor moves out (transfer or burn), if any. */
export function txTokenMoved(tx: SignedTransaction): { tokenId: Uint8Array; amount: bigint } | undefined {
  if (tx.kind === TxKind.TokenTransfer || tx.kind === TxKind.TokenBurn) {
    return { tokenId: tx.message.tokenId, amount: tx.message.amount };
  }
  return undefined;
}

const includes = (list: readonly Uint8Array[], x: Uint8Array) => list.some((y) => bytesEqual(y, x));
const indexOf = (list: readonly Uint8Array[], x: Uint8Array) => list.findIndex((y) => bytesEqual(y, x));

function refuse(code: TxValidationErrorCode, message: string, details: Record<string, unknown> = {}): never {
  throw new TxValidationError(code, message, { details: { validationCode: code, ...details } });
}

/** A session transaction's grant checks (section 1 of includability). Returns the grant's id. */
function checkSession(
  state: StateReader,
  tx: SignedTransaction,
  actor: Uint8Array,
  signer: Uint8Array,
  now: number,
  filAmount: bigint,
  token: FeePlan["token"],
  reserved: Reserved | undefined,
): { id: Uint8Array; grant: SessionGrantRecord } {
  const id = sessionGrantObjectId(actor, signer);
  const stored = state.get(Namespace.SessionGrant, id);
  const who = { account: toHex(actor), sessionKey: toHex(signer) };
  if (!stored) refuse(TxValidationErrorCode.SESSION_NOT_FOUND, "No session grant for this key and account", who);
  if (stored.revoked) refuse(TxValidationErrorCode.SESSION_REVOKED, "The session grant was revoked", who);
  if (now >= stored.expiresAt) {
    refuse(TxValidationErrorCode.SESSION_EXPIRED, "The session grant has expired", {
      ...who,
      expiresAt: stored.expiresAt,
    });
  }
  if (((stored.kinds >> BigInt(tx.kind)) & 1n) === 0n) {
    refuse(TxValidationErrorCode.SESSION_KIND_NOT_ALLOWED, `The session grant does not allow kind ${tx.kind}`, {
      ...who,
      kind: tx.kind,
    });
  }
  const collection = txCollection(tx);
  if (stored.collections.length > 0 && collection !== undefined && !includes(stored.collections, collection)) {
    refuse(TxValidationErrorCode.SESSION_TARGET_NOT_ALLOWED, "The session grant does not allow this collection", {
      ...who,
      collection: toHex(collection),
    });
  }
  const counterparty = txCounterparty(tx);
  if (
    stored.counterparties.length > 0 &&
    counterparty !== undefined &&
    !includes(stored.counterparties, counterparty)
  ) {
    refuse(TxValidationErrorCode.SESSION_TARGET_NOT_ALLOWED, "The session grant does not allow this counterparty", {
      ...who,
      counterparty: toHex(counterparty),
    });
  }
  const grant = rolledGrant(stored, now);
  const sponsored = tx.via !== undefined && !isZero(tx.via.sponsor);
  const x = filAmount + (sponsored ? 0n : tx.message.fee) + (reserved?.session(id) ?? 0n);
  if (grant.filSpent + x > grant.filCap || (grant.filPeriodCap > 0n && grant.filPeriodSpent + x > grant.filPeriodCap)) {
    refuse(TxValidationErrorCode.SESSION_CAP_EXCEEDED, "The session's FIL cap does not allow this transaction", {
      ...who,
      amount: x,
      filSpent: grant.filSpent,
      filCap: grant.filCap,
      filPeriodSpent: grant.filPeriodSpent,
      filPeriodCap: grant.filPeriodCap,
    });
  }
  if (token !== undefined && token.amount > 0n) {
    const i = indexOf(grant.tokens, token.tokenId);
    if (i < 0) {
      refuse(TxValidationErrorCode.SESSION_CAP_EXCEEDED, "The session grant does not allow moving this token", {
        ...who,
        tokenId: toHex(token.tokenId),
      });
    }
    const periodCap = grant.tokenPeriodCaps[i]!;
    if (
      grant.tokenSpent[i]! + token.amount > grant.tokenCaps[i]! ||
      (periodCap > 0n && grant.tokenPeriodSpent[i]! + token.amount > periodCap)
    ) {
      refuse(TxValidationErrorCode.SESSION_CAP_EXCEEDED, "The session's token cap does not allow this transaction", {
        ...who,
        tokenId: toHex(token.tokenId),
        amount: token.amount,
      });
    }
  }
  return { id, grant };
}

/** Why allowance `a` does not cover the transaction (0 when it does). */
function allowanceRefusal(
  a: FeeAllowance,
  kind: TxKind,
  fee: bigint,
  now: number,
  held: bigint,
): TxValidationErrorCode | 0 {
  if (!(a.expiresAt === 0 || now < a.expiresAt)) return TxValidationErrorCode.FEE_ALLOWANCE_EXPIRED;
  if (((a.kinds >> BigInt(kind)) & 1n) === 0n) return TxValidationErrorCode.FEE_ALLOWANCE_NOT_COVERED;
  const r = rolledAllowance(a, now);
  if (
    !(a.maxFeePerTx === 0n || fee <= a.maxFeePerTx) ||
    !(a.spent + held + fee <= a.totalBudget) ||
    !(a.periodBudget === 0n || r.periodSpent + held + fee <= a.periodBudget)
  ) {
    return TxValidationErrorCode.FEE_ALLOWANCE_EXCEEDED;
  }
  return 0;
}

const ALLOWANCE_MESSAGES: Record<number, string> = {
  [TxValidationErrorCode.FEE_ALLOWANCE_EXPIRED]: "The sponsor's fee allowance has expired",
  [TxValidationErrorCode.FEE_ALLOWANCE_NOT_COVERED]: "The sponsor's fee allowance does not cover this kind",
  [TxValidationErrorCode.FEE_ALLOWANCE_EXCEEDED]: "The sponsor's fee allowance cannot pay this fee",
};

/**
 * The allowance of `sponsor` that pays: the candidates (sponsor, actor, 0), (sponsor, actor, T),
 * (sponsor, actor, app), (sponsor, 0, T), (sponsor, 0, app), skipping one with a zero target (but the
 * first) and any repeat; the first present that covers the transaction. None present: 211; some
 * present, none covering: the first present one's code.
 */
function chooseAllowance(
  state: StateReader,
  tx: SignedTransaction,
  sponsor: Uint8Array,
  actor: Uint8Array,
  app: Uint8Array,
  now: number,
  reserved: Reserved | undefined,
): Uint8Array {
  const target = txTarget(tx);
  const candidates: [Uint8Array, Uint8Array][] = [
    [actor, ZERO_ID],
    [actor, target],
    [actor, app],
    [ZERO_ADDRESS, target],
    [ZERO_ADDRESS, app],
  ];
  const seen: Uint8Array[] = [];
  let firstCode: TxValidationErrorCode | 0 = 0;
  for (let i = 0; i < candidates.length; i++) {
    const [grantee, t] = candidates[i]!;
    if (i > 0 && isZero(t)) continue;
    const id = feeAllowanceObjectId(sponsor, grantee, t);
    if (includes(seen, id)) continue;
    seen.push(id);
    const a = state.get(Namespace.FeeAllowance, id);
    if (!a) continue;
    const code = allowanceRefusal(a, tx.kind, tx.message.fee, now, reserved?.allowance(id) ?? 0n);
    if (code === 0) return id;
    if (firstCode === 0) firstCode = code;
  }
  const details = { sponsor: toHex(sponsor), actor: toHex(actor), target: toHex(target), app: toHex(app) };
  if (firstCode === 0) {
    refuse(
      TxValidationErrorCode.FEE_ALLOWANCE_NOT_FOUND,
      "The sponsor has no fee allowance for this transaction",
      details,
    );
  }
  refuse(firstCode, ALLOWANCE_MESSAGES[firstCode]!, details);
}

function balanceOf(state: StateReader, address: Uint8Array): bigint {
  return state.get(Namespace.Account, address)?.balance ?? 0n;
}

/**
 * The includability checks after the nonce and the minimum fee: a session's grant (actor ≠ signer),
 * the fee payer's allowance (a sponsor) and the payer's balance. Throws TxValidationError (202, 205–214).
 * A transaction without `via` is its sender's alone: only the balance check.
 */
export function planFee(state: StateReader, vtx: ValidatedTransaction, now: number, reserved?: Reserved): FeePlan {
  const { tx, sender: signer } = vtx;
  const fee = tx.message.fee;
  const actor = actorOf(tx, signer);
  const plan: FeePlan = { actor, payer: actor, filAmount: 0n };
  let app = ZERO_ID;
  if (!bytesEqual(actor, signer)) {
    const filAmount = txFilAmount(tx);
    const token = txTokenMoved(tx);
    const session = checkSession(state, tx, actor, signer, now, filAmount, token, reserved);
    plan.sessionId = session.id;
    plan.filAmount = filAmount;
    if (token !== undefined) plan.token = token;
    app = session.grant.app;
  } else if (tx.kind === TxKind.SessionGrant) {
    app = tx.message.app;
  }
  const sponsor = tx.via?.sponsor;
  if (sponsor !== undefined && !isZero(sponsor)) {
    plan.allowanceId = chooseAllowance(state, tx, sponsor, actor, app, now, reserved);
    plan.payer = sponsor;
  }
  // What the payer already owes held transactions (only when it pays for another: a signer's own
  // fees are the mempool's to count).
  const held = reserved !== undefined && !bytesEqual(plan.payer, signer) ? reserved.payer(plan.payer) : 0n;
  const balance = balanceOf(state, plan.payer) - held;
  if (balance < fee) {
    const whose = bytesEqual(plan.payer, signer) ? "" : plan.allowanceId ? " of the sponsor" : " of the account";
    throw new TxValidationError(
      TxValidationErrorCode.INSUFFICIENT_FUNDS_FOR_FEE,
      `Balance${whose} ${balance} does not cover the fee ${fee}`,
      {
        details: bytesEqual(plan.payer, signer)
          ? { balance, fee, sender: toHex(signer) }
          : { balance, fee, sender: toHex(signer), payer: toHex(plan.payer) },
      },
    );
  }
  return plan;
}

/** What StateReader offers plus writes: the block's working state. */
type StateWriter = StateReader & {
  set<N extends Namespace>(ns: N, id: Uint8Array, value: StateObjects[N] | null): void;
};

/**
 * The fee's record, made with the charge and kept even when the rules fail: into the allowance that
 * paid (rolled; spent and periodSpent += fee), or, for a session transaction its account pays, into
 * the grant's FIL (rolled; filSpent and filPeriodSpent += fee).
 */
export function recordFee(ws: StateWriter, plan: FeePlan, fee: bigint, now: number): void {
  if (plan.allowanceId !== undefined) {
    const a = rolledAllowance(ws.get(Namespace.FeeAllowance, plan.allowanceId)!, now);
    ws.set(Namespace.FeeAllowance, plan.allowanceId, { ...a, spent: a.spent + fee, periodSpent: a.periodSpent + fee });
  } else if (plan.sessionId !== undefined) {
    const g = rolledGrant(ws.get(Namespace.SessionGrant, plan.sessionId)!, now);
    ws.set(Namespace.SessionGrant, plan.sessionId, {
      ...g,
      filSpent: g.filSpent + fee,
      filPeriodSpent: g.filPeriodSpent + fee,
    });
  }
}

/**
 * After a session transaction's rules succeed: its FIL amount and its token amount into the grant
 * (rolled). The grant is written whenever the transaction is a session transaction, even when it
 * moved nothing (the roll is then what changes, if anything).
 */
export function recordSpend(ws: StateWriter, plan: FeePlan, now: number): void {
  if (plan.sessionId === undefined) return;
  const g = rolledGrant(ws.get(Namespace.SessionGrant, plan.sessionId)!, now);
  let { tokenSpent, tokenPeriodSpent } = g;
  const token = plan.token;
  if (token !== undefined && token.amount > 0n) {
    const i = indexOf(g.tokens, token.tokenId);
    tokenSpent = tokenSpent.map((s, j) => (j === i ? s + token.amount : s));
    tokenPeriodSpent = tokenPeriodSpent.map((s, j) => (j === i ? s + token.amount : s));
  }
  ws.set(Namespace.SessionGrant, plan.sessionId, {
    ...g,
    filSpent: g.filSpent + plan.filAmount,
    filPeriodSpent: g.filPeriodSpent + plan.filAmount,
    tokenSpent,
    tokenPeriodSpent,
  });
}
