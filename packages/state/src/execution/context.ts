/**
 * The working state of one block: writes buffered over an immutable base snapshot, with an undo log
 * per transaction so a failed transaction leaves nothing behind but its fee and nonce.
 */
import {
  type Account,
  DelegateScope,
  type Globals,
  type Identity,
  Namespace,
  type StateObjects,
  type Withdrawal,
} from "@filverse/types";
import { bytesEqual } from "@filverse/utils";
import { stateValueFits } from "../entryCodec.js";
import { ExecutionErrorCode, ExecutionFailure } from "../errors.js";
import { delegateObjectId, GLOBALS_ID, stateKey } from "../keys.js";
import { EMPTY_GLOBALS, type State } from "../state.js";
import type { ValidatedTransaction } from "../validate.js";
import { withdrawalLeaf } from "../withdrawals.js";

export type UndoMark = { writes: number; withdrawals: number };

/**
 * `valueHash`: the value's hash_tree_root once something computed it (a preconfirmation's touched
 * list), so the block's commit does not hash the same object again. A new write is a new object, so
 * the cache never outlives its value.
 */
export type Write = {
  ns: Namespace;
  id: Uint8Array;
  key: Uint8Array;
  value: StateObjects[Namespace] | null;
  valueHash?: Uint8Array;
};

/** A base read not made yet is `undefined`; an absent object is `null`. */
type Slot = { mapKey: string; key: Uint8Array; base: StateObjects[Namespace] | null | undefined };

export const ZERO_ADDRESS = new Uint8Array(20);
export const ZERO_ID = new Uint8Array(32);

export function fail(code: ExecutionErrorCode): never {
  throw new ExecutionFailure(code);
}

export class WorkingState {
  private readonly writes = new Map<string, Write>();
  /** Undo log of the current transaction; cleared once it is settled. */
  private readonly undo: { key: string; prev: Write | undefined }[] = [];
  readonly withdrawals: Withdrawal[] = [];
  readonly withdrawalLeaves: Uint8Array[] = [];

  constructor(readonly base: State) {}

  /**
   * Per (namespace, id) touched in this block: its state key, sha256'd once per distinct object, not
   * once per access (the profile showed stateKey at about 15% of execution before this cache), and
   * the base snapshot's value once read. The snapshot keeps objects serialized and decodes on every
   * read; a block reads the same few objects (sender accounts above all) again and again.
   */
  private readonly slots = new Map<string, Slot>();

  private slotOf(ns: Namespace, id: Uint8Array): Slot {
    // latin1 maps each byte to one char: a unique key, half the length of hex and cheaper to build.
    const mapKey = String.fromCharCode(ns) + Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString("latin1");
    let slot = this.slots.get(mapKey);
    if (!slot) this.slots.set(mapKey, (slot = { mapKey, key: stateKey(ns, id), base: undefined }));
    return slot;
  }

  get<N extends Namespace>(ns: N, id: Uint8Array): StateObjects[N] | undefined {
    const slot = this.slotOf(ns, id);
    const w = this.writes.get(slot.mapKey);
    if (w) return (w.value ?? undefined) as StateObjects[N] | undefined;
    if (slot.base === undefined) slot.base = this.base.getByKey(slot.key)?.value ?? null;
    return (slot.base ?? undefined) as StateObjects[N] | undefined;
  }

  /** Objects are immutable: always write a new object, never mutate one that was read. */
  set<N extends Namespace>(ns: N, id: Uint8Array, value: StateObjects[N] | null): void {
    const slot = this.slotOf(ns, id);
    this.undo.push({ key: slot.mapKey, prev: this.writes.get(slot.mapKey) });
    this.writes.set(slot.mapKey, { ns, id, key: slot.key, value });
  }

  /** A point to roll back to; marks nest. */
  mark(): UndoMark {
    return { writes: this.undo.length, withdrawals: this.withdrawals.length };
  }

  /** Roll back every write made since `mark`. */
  revertTo(mark: UndoMark): void {
    for (let i = this.undo.length - 1; i >= mark.writes; i--) {
      const { key, prev } = this.undo[i]!;
      if (prev) this.writes.set(key, prev);
      else this.writes.delete(key);
    }
    this.undo.length = mark.writes;
    this.withdrawals.length = mark.withdrawals;
    this.withdrawalLeaves.length = mark.withdrawals;
  }

  /**
   * The first object written since `mark` whose encoding would fail (a field past its schema bound),
   * or null. Checked per transaction, so such a value fails the transaction, not the block's commit.
   */
  unencodableSince(mark: UndoMark): Write | null {
    for (let i = mark.writes; i < this.undo.length; i++) {
      const w = this.writes.get(this.undo[i]!.key);
      if (w !== undefined && w.value !== null && !stateValueFits(w.ns, w.value)) return w;
    }
    return null;
  }

  /**
   * The objects written since `mark` as they stand now, once each (in first-write order). Reads the
   * undo log, so it must run before settle().
   */
  writtenSince(mark: UndoMark): Write[] {
    const seen = new Set<string>();
    const out: Write[] = [];
    for (let i = mark.writes; i < this.undo.length; i++) {
      const key = this.undo[i]!.key;
      if (seen.has(key)) continue;
      seen.add(key);
      const w = this.writes.get(key);
      if (w !== undefined) out.push(w);
    }
    return out;
  }

  /** The transaction is settled: its writes can no longer be rolled back. */
  settle(): void {
    this.undo.length = 0;
  }

  // --- Typed helpers shared by the handlers ---

  globals(): Globals {
    return this.get(Namespace.Globals, GLOBALS_ID) ?? EMPTY_GLOBALS;
  }

  setGlobals(g: Globals): void {
    this.set(Namespace.Globals, GLOBALS_ID, g);
  }

  account(address: Uint8Array): Account {
    return this.get(Namespace.Account, address) ?? { balance: 0n, nonce: 0 };
  }

  credit(address: Uint8Array, amount: bigint): void {
    if (amount === 0n) return;
    const a = this.account(address);
    this.set(Namespace.Account, address, { balance: a.balance + amount, nonce: a.nonce });
  }

  debit(address: Uint8Array, amount: bigint, code = ExecutionErrorCode.INSUFFICIENT_BALANCE): void {
    const a = this.account(address);
    if (a.balance < amount) fail(code);
    if (amount === 0n) return;
    this.set(Namespace.Account, address, { balance: a.balance - amount, nonce: a.nonce });
  }

  appendWithdrawal(w: Withdrawal): void {
    this.withdrawals.push(w);
    this.withdrawalLeaves.push(withdrawalLeaf(w));
  }

  /**
   * Every object read or written through this working state: namespace, id and state key. For the
   * dispute tracer (trace/), which proves each of them; nothing on the normal path calls it.
   */
  *touched(): IterableIterator<{ ns: Namespace; id: Uint8Array; key: Uint8Array }> {
    for (const slot of this.slots.values()) {
      yield {
        ns: slot.mapKey.charCodeAt(0) as Namespace,
        id: Uint8Array.from(Buffer.from(slot.mapKey.slice(1), "latin1")),
        key: slot.key,
      };
    }
  }

  /** Every buffered write, for committing into a new snapshot. */
  changes(): IterableIterator<Write> {
    return this.writes.values();
  }
}

/** What a handler sees of the block it runs in. */
export type ExecContext = {
  ws: WorkingState;
  /**
   * The transaction as its rules see it: `vtx.sender` is the actor (a Via's `account` when a session
   * key signs for it, else the signer).
   */
  vtx: ValidatedTransaction;
  /**
   * The recovered signer. Equal to vtx.sender except in a session transaction; object ids derived
   * from the nonce (collections, tokens, identities, data assets) use it, as the nonce is its.
   */
  signer: Uint8Array;
  /** The block's timestamp, unix seconds: the clock for every expiry. */
  now: number;
  chainId: number;
};

export function identityOrFail(ws: WorkingState, identityId: Uint8Array): Identity {
  return ws.get(Namespace.Identity, identityId) ?? fail(ExecutionErrorCode.IDENTITY_NOT_FOUND);
}

/** Is `signer` an active delegate of the identity with (at least) `scope`? Fails with the precise reason. */
export function requireDelegate(
  ctx: ExecContext,
  identityId: Uint8Array,
  identity: Identity,
  scope: DelegateScope,
): void {
  const d = ctx.ws.get(Namespace.Delegate, delegateObjectId(identityId, ctx.vtx.sender));
  if (!d || d.ownerEpoch !== identity.ownerEpoch) fail(ExecutionErrorCode.DELEGATE_NOT_FOUND);
  if (ctx.now >= d.expiresAt) fail(ExecutionErrorCode.DELEGATE_EXPIRED);
  if ((d.scope & scope) === 0) fail(ExecutionErrorCode.DELEGATE_SCOPE);
}

/**
 * The account an asset kind acts for. `onBehalfOf` zero: the signer. Otherwise the identity's owner,
 * provided the signer is that owner or its active delegate with the assets scope.
 */
export function resolveActor(ctx: ExecContext, onBehalfOf: Uint8Array): Uint8Array {
  if (bytesEqual(onBehalfOf, ZERO_ID)) return ctx.vtx.sender;
  const identity = identityOrFail(ctx.ws, onBehalfOf);
  if (!bytesEqual(identity.owner, ctx.vtx.sender)) requireDelegate(ctx, onBehalfOf, identity, DelegateScope.Assets);
  return identity.owner;
}

/** Identity kinds: the owner, or a delegate with the identity scope. */
export function requireIdentityWriter(ctx: ExecContext, identityId: Uint8Array): Identity {
  const identity = identityOrFail(ctx.ws, identityId);
  if (!bytesEqual(identity.owner, ctx.vtx.sender)) requireDelegate(ctx, identityId, identity, DelegateScope.Identity);
  return identity;
}

/** Owner-only identity kinds (delegates, owner transfer). */
export function requireIdentityOwner(ctx: ExecContext, identityId: Uint8Array): Identity {
  const identity = identityOrFail(ctx.ws, identityId);
  if (!bytesEqual(identity.owner, ctx.vtx.sender)) fail(ExecutionErrorCode.NOT_IDENTITY_OWNER);
  return identity;
}
