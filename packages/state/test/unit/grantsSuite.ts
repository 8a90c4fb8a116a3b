/**
 * Fee allowances, session grants and the Via envelope (kinds 60–63): one test per rule, each failing
 * without it. Imported by kinds.test.ts, whose last test checks every error code was exercised.
 */
import { collectionIdOf, hashTypedData, identityIdOf, signDigest, tokenIdOf } from "@filverse/crypto";
import {
  CHAIN_ID,
  cidOf,
  type Key,
  makeKey,
  seenCodes,
  sequencer,
  TestChain,
  ZERO_ADDRESS,
  ZERO_ID,
} from "@filverse/test-utils";
import {
  kindsMask,
  Namespace,
  OrderSide,
  ReceiptStatus,
  SessionRequest,
  type SignedTransaction,
  TxKind,
  type TxMessages,
} from "@filverse/types";
import { beforeEach, describe, expect, it } from "vitest";
import {
  BlockError,
  ExecutionErrorCode as E,
  TxValidationError,
  TxValidationErrorCode as V,
} from "../../src/errors.js";
import { BlockExecutor } from "../../src/executor.js";
import { feeAllowanceObjectId, sessionGrantObjectId, tokenBalanceObjectId } from "../../src/keys.js";
import { validateTransaction } from "../../src/validate.js";

const studio = makeKey(21, "studio");
const gameOwner = makeKey(22, "gameOwner");
const player = makeKey(23, "player");
const sessionKey = makeKey(24, "sessionKey");
const other = makeKey(25, "other");
const stranger = makeKey(26, "stranger");

let chain: TestChain;

function ok(r: { status: number; code: number }) {
  expect({ status: r.status, code: r.code }).toEqual({ status: ReceiptStatus.Success, code: 0 });
}
function failed(r: { status: number; code: number }, code: E) {
  expect({ status: r.status, code: E[r.code] }).toEqual({ status: ReceiptStatus.Failed, code: E[code] });
}
function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (err) {
    const cause = err instanceof BlockError ? err.cause : err;
    if (cause instanceof TxValidationError) {
      seenCodes.add(cause.code);
      return V[cause.code]!;
    }
    throw err;
  }
  return "included";
}
/** The transaction is refused before inclusion with `code` (a block holding it is invalid). */
function rejected(tx: SignedTransaction, code: V, signer?: Key) {
  expect(codeOf(() => chain.block([tx]))).toBe(V[code]);
  // The nonce was never used: hand it out again.
  if (signer) chain.resetNonce(signer, tx.message.nonce);
}
function exec(tx: SignedTransaction) {
  const result = chain.block([tx]);
  return result.receipts[result.receipts.length - 1]!;
}

const ALL_KINDS = kindsMask([
  "Transfer",
  "CollectionCreate",
  "AssetMint",
  "AssetTransfer",
  "AttributeSet",
  "TokenTransfer",
  "TokenBurn",
  "TradeFill",
  "SessionGrant",
  "SessionRevoke",
  "FeeAllowanceRevoke",
]);

function setAllowance(sponsor: Key, fields: Partial<TxMessages[TxKind.FeeAllowanceSet]> & { grantee: Uint8Array }) {
  return exec(
    chain.sign(sponsor, TxKind.FeeAllowanceSet, {
      target: ZERO_ID,
      totalBudget: 1000n,
      periodBudget: 0n,
      period: 0,
      maxFeePerTx: 0n,
      kinds: ALL_KINDS,
      expiresAt: 0,
      ...fields,
    }),
  );
}
function allowance(sponsor: Key, grantee: Uint8Array, target: Uint8Array = ZERO_ID) {
  return chain.state.get(Namespace.FeeAllowance, feeAllowanceObjectId(sponsor.address, grantee, target));
}
function grantOf(account: Key, key: Key) {
  return chain.state.get(Namespace.SessionGrant, sessionGrantObjectId(account.address, key.address));
}

/** The app identity "game", owned by gameOwner. */
let app: Uint8Array;

function appSignature(owner: Key, account: Key, key: Key, deadline: number, appId = app): Uint8Array {
  return signDigest(
    hashTypedData(CHAIN_ID, SessionRequest, {
      account: account.address,
      sessionKey: key.address,
      app: appId,
      deadline,
    }),
    owner.priv,
  );
}

type GrantFields = Partial<TxMessages[TxKind.SessionGrant]>;
function grantMessage(account: Key, key: Key, fields: GrantFields = {}) {
  const requestDeadline = fields.requestDeadline ?? chain.timestamp + 1000;
  return {
    sessionKey: key.address,
    app,
    appSignature: appSignature(gameOwner, account, key, requestDeadline),
    requestDeadline,
    kinds: kindsMask(["Transfer", "CollectionCreate", "AssetMint", "AttributeSet", "TokenTransfer", "TradeFill"]),
    filCap: 100n,
    filPeriodCap: 0n,
    period: 0,
    tokens: [],
    tokenCaps: [],
    tokenPeriodCaps: [],
    collections: [],
    counterparties: [],
    expiresAt: chain.timestamp + 10_000,
    ...fields,
  };
}
function grant(account: Key, key: Key, fields: GrantFields = {}, via?: { sponsor?: Uint8Array }) {
  return exec(chain.signVia(account, TxKind.SessionGrant, grantMessage(account, key, fields), via));
}
const asSession = (account: Key) => ({ account: account.address });

beforeEach(() => {
  chain = new TestChain();
  chain.fund([studio, gameOwner, other]);
  ok(chain.exec(gameOwner, TxKind.IdentityCreate, { handle: "game", profileCid: cidOf("game") }));
  app = identityIdOf(gameOwner.address, 0);
});

describe("fee allowances", () => {
  it("a sponsored transaction from a 0-FIL signer is valid: the sponsor pays, the allowance records it", () => {
    ok(setAllowance(studio, { grantee: player.address, totalBudget: 10n }));
    const studioBefore = chain.balance(studio);
    // Without the sponsor the player cannot pay.
    rejected(
      chain.sign(player, TxKind.CollectionCreate, {
        name: "P",
        symbol: "P",
        royaltyBps: 0,
        maxSupply: 5,
        metadataMutable: false,
        fee: 3n,
      }),
      V.INSUFFICIENT_FUNDS_FOR_FEE,
      player,
    );
    const r = exec(
      chain.signVia(
        player,
        TxKind.CollectionCreate,
        { name: "P", symbol: "P", royaltyBps: 0, maxSupply: 5, metadataMutable: false, fee: 3n },
        { sponsor: studio.address },
      ),
    );
    ok(r);
    expect(r.sender).toEqual(player.address);
    expect(r.feePaid).toBe(3n);
    expect(chain.balance(player)).toBe(0n);
    expect(chain.state.get(Namespace.Account, player.address)?.nonce).toBe(1);
    expect(chain.balance(studio)).toBe(studioBefore - 3n);
    expect(allowance(studio, player.address)?.spent).toBe(3n);
    expect(chain.state.get(Namespace.Collection, collectionIdOf(player.address, 0))?.creator).toEqual(player.address);
  });

  it("a failed sponsored transaction still charges the sponsor and records the fee", () => {
    ok(setAllowance(studio, { grantee: player.address }));
    const r = exec(
      chain.signVia(player, TxKind.Transfer, { to: other.address, amount: 5n, fee: 2n }, { sponsor: studio.address }),
    );
    failed(r, E.INSUFFICIENT_BALANCE);
    expect(allowance(studio, player.address)?.spent).toBe(2n);
    expect(chain.state.get(Namespace.Account, player.address)?.nonce).toBe(1);
  });

  it("211 when no candidate allowance exists; 202 when the sponsor cannot pay", () => {
    rejected(
      chain.signVia(player, TxKind.Transfer, { to: other.address, amount: 0n }, { sponsor: studio.address }),
      V.FEE_ALLOWANCE_NOT_FOUND,
      player,
    );
    ok(setAllowance(other, { grantee: player.address }));
    // `other` has an allowance for the player but spends its balance away.
    ok(chain.exec(other, TxKind.Transfer, { to: studio.address, amount: chain.balance(other) - 1n, fee: 1n }));
    rejected(
      chain.signVia(player, TxKind.Transfer, { to: other.address, amount: 0n, fee: 1n }, { sponsor: other.address }),
      V.INSUFFICIENT_FUNDS_FOR_FEE,
      player,
    );
  });

  it("212 expired, 213 kind not covered, 214 over maxFeePerTx / total / period budget", () => {
    ok(setAllowance(studio, { grantee: player.address, expiresAt: chain.timestamp + 3 }));
    chain.advance(5);
    rejected(
      chain.signVia(player, TxKind.Transfer, { to: other.address, amount: 0n }, { sponsor: studio.address }),
      V.FEE_ALLOWANCE_EXPIRED,
      player,
    );
    ok(setAllowance(studio, { grantee: player.address, kinds: kindsMask(["AssetMint"]) }));
    rejected(
      chain.signVia(player, TxKind.Transfer, { to: other.address, amount: 0n }, { sponsor: studio.address }),
      V.FEE_ALLOWANCE_NOT_COVERED,
      player,
    );
    ok(setAllowance(studio, { grantee: player.address, maxFeePerTx: 2n }));
    rejected(
      chain.signVia(player, TxKind.Transfer, { to: other.address, amount: 0n, fee: 3n }, { sponsor: studio.address }),
      V.FEE_ALLOWANCE_EXCEEDED,
      player,
    );
    ok(setAllowance(studio, { grantee: player.address, totalBudget: 4n }));
    ok(
      exec(
        chain.signVia(player, TxKind.Transfer, { to: other.address, amount: 0n, fee: 3n }, { sponsor: studio.address }),
      ),
    );
    rejected(
      chain.signVia(player, TxKind.Transfer, { to: other.address, amount: 0n, fee: 2n }, { sponsor: studio.address }),
      V.FEE_ALLOWANCE_EXCEEDED,
      player,
    );
    ok(
      exec(
        chain.signVia(player, TxKind.Transfer, { to: other.address, amount: 0n, fee: 1n }, { sponsor: studio.address }),
      ),
    );
    expect(allowance(studio, player.address)?.spent).toBe(4n);
  });

  it("the period budget rolls: periodStart moves by whole periods and periodSpent restarts", () => {
    ok(setAllowance(studio, { grantee: player.address, periodBudget: 3n, period: 100 }));
    const start = allowance(studio, player.address)!.periodStart;
    expect(start).toBe(chain.timestamp);
    ok(
      exec(
        chain.signVia(player, TxKind.Transfer, { to: other.address, amount: 0n, fee: 2n }, { sponsor: studio.address }),
      ),
    );
    rejected(
      chain.signVia(player, TxKind.Transfer, { to: other.address, amount: 0n, fee: 2n }, { sponsor: studio.address }),
      V.FEE_ALLOWANCE_EXCEEDED,
      player,
    );
    chain.advance(250);
    ok(
      exec(
        chain.signVia(player, TxKind.Transfer, { to: other.address, amount: 0n, fee: 2n }, { sponsor: studio.address }),
      ),
    );
    const a = allowance(studio, player.address)!;
    const now = chain.timestamp;
    expect(a.periodStart).toBe(now - ((now - start) % 100));
    expect(a.periodStart).toBe(start + 200);
    expect(a.periodSpent).toBe(2n);
    expect(a.spent).toBe(4n);
  });

  it("replacing an allowance resets its counters", () => {
    ok(setAllowance(studio, { grantee: player.address }));
    ok(
      exec(
        chain.signVia(player, TxKind.Transfer, { to: other.address, amount: 0n, fee: 2n }, { sponsor: studio.address }),
      ),
    );
    expect(allowance(studio, player.address)?.spent).toBe(2n);
    ok(setAllowance(studio, { grantee: player.address, totalBudget: 7n }));
    expect(allowance(studio, player.address)).toMatchObject({
      spent: 0n,
      periodSpent: 0n,
      totalBudget: 7n,
      periodStart: chain.timestamp,
    });
  });

  it("revocation is immediate: the next transaction of the same block finds no allowance (1600 when absent)", () => {
    ok(setAllowance(studio, { grantee: player.address }));
    const executor = new BlockExecutor(chain.state, {
      chainId: CHAIN_ID,
      timestamp: chain.timestamp + 1,
      proposer: sequencer.address,
      minTxFee: 0n,
    });
    const revoke = chain.sign(studio, TxKind.FeeAllowanceRevoke, { grantee: player.address, target: ZERO_ID });
    ok(executor.applyTransaction(validateTransaction(revoke, CHAIN_ID)));
    const sponsored = chain.signVia(
      player,
      TxKind.Transfer,
      { to: other.address, amount: 0n },
      { sponsor: studio.address },
    );
    expect(codeOf(() => executor.applyTransaction(validateTransaction(sponsored, CHAIN_ID)))).toBe(
      "FEE_ALLOWANCE_NOT_FOUND",
    );
    chain.resetNonce(player, 0);
    ok(exec(revoke));
    expect(allowance(studio, player.address)).toBeUndefined();
    failed(
      exec(chain.sign(studio, TxKind.FeeAllowanceRevoke, { grantee: player.address, target: ZERO_ID })),
      E.FEE_ALLOWANCE_NOT_FOUND,
    );
  });

  it("an allowance for anyone needs a target of the sponsor's (1606), and 1307 for an expiry in the past", () => {
    const collection = collectionIdOf(studio.address, chain.nextNonce(studio));
    ok(
      chain.exec(studio, TxKind.CollectionCreate, {
        name: "G",
        symbol: "G",
        royaltyBps: 0,
        maxSupply: 100,
        metadataMutable: false,
      }),
    );
    failed(setAllowance(other, { grantee: ZERO_ADDRESS, target: collection }), E.NOT_SPONSOR_TARGET);
    failed(setAllowance(studio, { grantee: ZERO_ADDRESS, target: new Uint8Array(32).fill(9) }), E.NOT_SPONSOR_TARGET);
    failed(setAllowance(studio, { grantee: player.address, expiresAt: chain.timestamp }), E.EXPIRY_IN_PAST);
    ok(setAllowance(studio, { grantee: ZERO_ADDRESS, target: collection }));
    // An identity (the app) and a token are targets too; the app is gameOwner's, not the studio's.
    failed(setAllowance(studio, { grantee: ZERO_ADDRESS, target: app }), E.NOT_SPONSOR_TARGET);
    ok(setAllowance(gameOwner, { grantee: ZERO_ADDRESS, target: app }));
    const token = tokenIdOf(studio.address, chain.nextNonce(studio));
    ok(chain.exec(studio, TxKind.TokenCreate, { name: "Gold", symbol: "GLD", decimals: 0, cap: 1000n }));
    ok(setAllowance(studio, { grantee: ZERO_ADDRESS, target: token }));
  });

  it("uses the first present candidate that covers the transaction; none covering: the first present one's code", () => {
    const collection = collectionIdOf(studio.address, chain.nextNonce(studio));
    ok(
      chain.exec(studio, TxKind.CollectionCreate, {
        name: "G",
        symbol: "G",
        royaltyBps: 0,
        maxSupply: 100,
        metadataMutable: false,
      }),
    );
    ok(chain.exec(studio, TxKind.OperatorSet, { collectionId: collection, operator: player.address, approved: true }));
    // (studio, player, 0) does not cover AssetTransfer; (studio, 0, collection) does.
    ok(setAllowance(studio, { grantee: player.address, kinds: kindsMask(["Transfer"]) }));
    ok(
      setAllowance(studio, {
        grantee: ZERO_ADDRESS,
        target: collection,
        kinds: kindsMask(["AssetMint", "AssetTransfer"]),
      }),
    );
    ok(
      chain.exec(studio, TxKind.AssetMint, {
        collectionId: collection,
        tokenId: 1,
        to: studio.address,
        contentCid: cidOf("1"),
      }),
    );
    ok(
      exec(
        chain.signVia(
          player,
          TxKind.AssetTransfer,
          { collectionId: collection, tokenId: 1, to: other.address, fee: 2n },
          { sponsor: studio.address },
        ),
      ),
    );
    expect(allowance(studio, player.address)?.spent).toBe(0n);
    expect(allowance(studio, ZERO_ADDRESS, collection)?.spent).toBe(2n);
    // A Transfer: the first (studio, player, 0) covers it, so it pays even though the collection one exists.
    ok(
      exec(
        chain.signVia(player, TxKind.Transfer, { to: other.address, amount: 0n, fee: 1n }, { sponsor: studio.address }),
      ),
    );
    expect(allowance(studio, player.address)?.spent).toBe(1n);
    // (studio, player, collection) comes before (studio, 0, collection).
    ok(setAllowance(studio, { grantee: player.address, target: collection, kinds: kindsMask(["AssetTransfer"]) }));
    ok(
      exec(
        chain.signVia(
          other,
          TxKind.AssetTransfer,
          { collectionId: collection, tokenId: 1, to: player.address, fee: 1n },
          { sponsor: studio.address },
        ),
      ),
    );
    expect(allowance(studio, ZERO_ADDRESS, collection)?.spent).toBe(3n);
    ok(
      exec(
        chain.signVia(
          player,
          TxKind.AssetTransfer,
          { collectionId: collection, tokenId: 1, to: other.address, fee: 1n },
          { sponsor: studio.address },
        ),
      ),
    );
    expect(allowance(studio, player.address, collection)?.spent).toBe(1n);
    expect(allowance(studio, ZERO_ADDRESS, collection)?.spent).toBe(3n);
    // None covers a burn: the first present, (studio, player, 0), is the one whose code is reported.
    ok(
      setAllowance(studio, { grantee: player.address, kinds: kindsMask(["Transfer"]), expiresAt: chain.timestamp + 2 }),
    );
    chain.advance(3);
    rejected(
      chain.signVia(other, TxKind.AssetBurn, { collectionId: collection, tokenId: 1 }, { sponsor: studio.address }),
      V.FEE_ALLOWANCE_NOT_COVERED,
      other,
    );
    rejected(
      chain.signVia(player, TxKind.AssetBurn, { collectionId: collection, tokenId: 1 }, { sponsor: studio.address }),
      V.FEE_ALLOWANCE_EXPIRED,
      player,
    );
  });
});

describe("session grants", () => {
  it("a session key acts for its account within the grant; the account pays its fee, recorded in filSpent", () => {
    chain.deposit(player.address, 1000n);
    chain.block([]);
    ok(grant(player, sessionKey, { filCap: 50n }));
    expect(grantOf(player, sessionKey)).toMatchObject({ filSpent: 0n, revoked: false, app });
    const r = exec(
      chain.signVia(sessionKey, TxKind.Transfer, { to: other.address, amount: 20n, fee: 2n }, asSession(player)),
    );
    ok(r);
    expect(r.sender).toEqual(sessionKey.address);
    expect(chain.balance(player)).toBe(1000n - 22n - 1n);
    expect(chain.balance(sessionKey)).toBe(0n);
    expect(chain.state.get(Namespace.Account, sessionKey.address)).toEqual({ balance: 0n, nonce: 1 });
    expect(grantOf(player, sessionKey)?.filSpent).toBe(22n);
    // 22 + 27 + 2 > 50: refused at admission with SESSION_CAP_EXCEEDED.
    rejected(
      chain.signVia(sessionKey, TxKind.Transfer, { to: other.address, amount: 27n, fee: 2n }, asSession(player)),
      V.SESSION_CAP_EXCEEDED,
      sessionKey,
    );
    // A failing transfer records only the fee.
    ok(chain.exec(player, TxKind.Transfer, { to: other.address, amount: chain.balance(player) - 10n, fee: 1n }));
    failed(
      exec(chain.signVia(sessionKey, TxKind.Transfer, { to: other.address, amount: 20n, fee: 2n }, asSession(player))),
      E.INSUFFICIENT_BALANCE,
    );
    expect(grantOf(player, sessionKey)?.filSpent).toBe(24n);
  });

  it("a session key its own account sponsors spends the allowance, never past its budget (214), and nothing of the grant's FIL", () => {
    chain.deposit(player.address, 1000n);
    chain.block([]);
    const collection = collectionIdOf(player.address, chain.nextNonce(player));
    ok(
      chain.exec(player, TxKind.CollectionCreate, {
        name: "P",
        symbol: "P",
        royaltyBps: 0,
        maxSupply: 100,
        metadataMutable: false,
      }),
    );
    // The account sponsors anyone minting in its collection, 4 in all; its minter key has filCap 0.
    ok(setAllowance(player, { grantee: ZERO_ADDRESS, target: collection, totalBudget: 4n }));
    ok(grant(player, sessionKey, { filCap: 0n, kinds: kindsMask(["AssetMint"]), collections: [collection] }));
    const before = chain.balance(player);
    const mint = (tokenId: number, sponsor?: Uint8Array) =>
      chain.signVia(
        sessionKey,
        TxKind.AssetMint,
        { collectionId: collection, tokenId, to: player.address, contentCid: cidOf("x"), fee: 2n },
        sponsor ? { sponsor, account: player.address } : asSession(player),
      );
    // Unsponsored, the fee is the grant's FIL: 210 with filCap 0.
    rejected(mint(1), V.SESSION_CAP_EXCEEDED, sessionKey);
    // In one block, two mints spend the allowance's budget; a third is refused (214).
    const result = chain.block([mint(1, player.address), mint(2, player.address)]);
    for (const r of result.receipts) ok(r);
    expect(allowance(player, ZERO_ADDRESS, collection)?.spent).toBe(4n);
    expect(grantOf(player, sessionKey)).toMatchObject({ filSpent: 0n, filPeriodSpent: 0n });
    rejected(mint(3, player.address), V.FEE_ALLOWANCE_EXCEEDED, sessionKey);
    expect(chain.balance(player)).toBe(before - 4n);
  });

  it("rules run with the account as the sender: identity writes, and creations owned by the account with ids from the signer", () => {
    chain.deposit(player.address, 1000n);
    chain.block([]);
    const identity = identityIdOf(player.address, chain.nextNonce(player));
    ok(chain.exec(player, TxKind.IdentityCreate, { handle: "player", profileCid: cidOf("p") }));
    ok(grant(player, sessionKey));
    ok(
      exec(
        chain.signVia(
          sessionKey,
          TxKind.AttributeSet,
          { identityId: identity, key: "level", value: "3", expiresAt: 0 },
          asSession(player),
        ),
      ),
    );
    const nonce = chain.nextNonce(sessionKey);
    ok(
      exec(
        chain.signVia(
          sessionKey,
          TxKind.CollectionCreate,
          { name: "S", symbol: "S", royaltyBps: 0, maxSupply: 3, metadataMutable: false },
          asSession(player),
        ),
      ),
    );
    expect(chain.state.get(Namespace.Collection, collectionIdOf(sessionKey.address, nonce))?.creator).toEqual(
      player.address,
    );
    // The account's own collection at the same nonce is a different object.
    expect(collectionIdOf(player.address, nonce)).not.toEqual(collectionIdOf(sessionKey.address, nonce));
  });

  it("sponsored and session at once: a 0-FIL player's key mints, equips and trades; the studio pays every fee", () => {
    const collection = collectionIdOf(studio.address, chain.nextNonce(studio));
    ok(
      chain.exec(studio, TxKind.CollectionCreate, {
        name: "G",
        symbol: "G",
        royaltyBps: 0,
        maxSupply: 100,
        metadataMutable: false,
      }),
    );
    ok(setAllowance(studio, { grantee: ZERO_ADDRESS, target: collection }));
    ok(
      setAllowance(studio, {
        grantee: player.address,
        kinds: kindsMask(["SessionGrant", "IdentityCreate", "AttributeSet", "AssetMint", "TradeFill"]),
      }),
    );
    ok(grant(player, sessionKey, { filCap: 0n, collections: [collection] }, { sponsor: studio.address }));
    const identity = identityIdOf(player.address, chain.nextNonce(player));
    ok(
      exec(
        chain.signVia(
          player,
          TxKind.IdentityCreate,
          { handle: "player", profileCid: cidOf("p") },
          { sponsor: studio.address },
        ),
      ),
    );
    ok(
      exec(
        chain.signVia(
          sessionKey,
          TxKind.AttributeSet,
          { identityId: identity, key: "sword", value: "1", expiresAt: 0 },
          { sponsor: studio.address, account: player.address },
        ),
      ),
    );
    expect(chain.balance(player)).toBe(0n);
    expect(chain.balance(sessionKey)).toBe(0n);
    expect(grantOf(player, sessionKey)?.filSpent).toBe(0n);
    // Unsponsored, the player (0 FIL, filCap 0) cannot pay: the session cap refuses first.
    rejected(
      chain.signVia(
        sessionKey,
        TxKind.AttributeSet,
        { identityId: identity, key: "sword", value: "2", expiresAt: 0 },
        asSession(player),
      ),
      V.SESSION_CAP_EXCEEDED,
      sessionKey,
    );
    // A trade over the FIL cap is refused.
    ok(
      chain.exec(studio, TxKind.AssetMint, {
        collectionId: collection,
        tokenId: 7,
        to: studio.address,
        contentCid: cidOf("7"),
      }),
    );
    const { order, makerSignature } = chain.order(studio, {
      collectionId: collection,
      tokenId: 7,
      price: 5n,
      side: OrderSide.Sell,
    });
    rejected(
      chain.signVia(
        sessionKey,
        TxKind.TradeFill,
        { order, makerSignature },
        { sponsor: studio.address, account: player.address },
      ),
      V.SESSION_CAP_EXCEEDED,
      sessionKey,
    );
  });

  it("205 not found, 206 revoked, 207 expired, 208 kind, 209 collection or counterparty, 210 token caps", () => {
    chain.deposit(player.address, 1000n);
    chain.block([]);
    const send = (kind: TxKind, fields: Record<string, unknown>) =>
      chain.signVia(sessionKey, kind as TxKind.Transfer, fields as never, asSession(player));
    rejected(send(TxKind.Transfer, { to: other.address, amount: 1n }), V.SESSION_NOT_FOUND, sessionKey);
    const token = tokenIdOf(player.address, chain.nextNonce(player));
    ok(chain.exec(player, TxKind.TokenCreate, { name: "Gold", symbol: "GLD", decimals: 0, cap: 1000n }));
    ok(chain.exec(player, TxKind.TokenMint, { tokenId: token, to: player.address, amount: 500n }));
    const collection = collectionIdOf(player.address, chain.nextNonce(player));
    ok(
      chain.exec(player, TxKind.CollectionCreate, {
        name: "C",
        symbol: "C",
        royaltyBps: 0,
        maxSupply: 100,
        metadataMutable: false,
      }),
    );
    ok(
      grant(player, sessionKey, {
        tokens: [token],
        tokenCaps: [30n],
        tokenPeriodCaps: [20n],
        period: 100,
        collections: [new Uint8Array(32).fill(5)],
        counterparties: [other.address],
        expiresAt: chain.timestamp + 500,
      }),
    );
    rejected(send(TxKind.TokenBurn, { tokenId: token, amount: 1n }), V.SESSION_KIND_NOT_ALLOWED, sessionKey);
    rejected(
      send(TxKind.AssetMint, { collectionId: collection, tokenId: 1, to: player.address, contentCid: cidOf("x") }),
      V.SESSION_TARGET_NOT_ALLOWED,
      sessionKey,
    );
    rejected(send(TxKind.Transfer, { to: stranger.address, amount: 1n }), V.SESSION_TARGET_NOT_ALLOWED, sessionKey);
    ok(exec(send(TxKind.TokenTransfer, { tokenId: token, to: other.address, amount: 15n })));
    rejected(
      send(TxKind.TokenTransfer, { tokenId: token, to: other.address, amount: 6n }),
      V.SESSION_CAP_EXCEEDED,
      sessionKey,
    );
    chain.advance(100);
    ok(exec(send(TxKind.TokenTransfer, { tokenId: token, to: other.address, amount: 15n })));
    expect(grantOf(player, sessionKey)).toMatchObject({ tokenSpent: [30n], tokenPeriodSpent: [15n] });
    chain.advance(100);
    rejected(
      send(TxKind.TokenTransfer, { tokenId: token, to: other.address, amount: 1n }),
      V.SESSION_CAP_EXCEEDED,
      sessionKey,
    );
    expect(chain.state.get(Namespace.TokenBalance, tokenBalanceObjectId(token, other.address))?.balance).toBe(30n);
    chain.advance(500);
    rejected(send(TxKind.Transfer, { to: other.address, amount: 1n }), V.SESSION_EXPIRED, sessionKey);
    ok(grant(player, sessionKey));
    ok(
      exec(
        chain.sign(sessionKey, TxKind.SessionRevoke, {
          account: player.address,
          sessionKey: sessionKey.address,
          fee: 0n,
        }),
      ),
    );
    rejected(send(TxKind.Transfer, { to: other.address, amount: 1n }), V.SESSION_REVOKED, sessionKey);
  });

  it("a token not in the grant's list cannot move (210)", () => {
    chain.deposit(player.address, 1000n);
    chain.block([]);
    const token = tokenIdOf(player.address, chain.nextNonce(player));
    ok(chain.exec(player, TxKind.TokenCreate, { name: "Gold", symbol: "GLD", decimals: 0, cap: 1000n }));
    ok(chain.exec(player, TxKind.TokenMint, { tokenId: token, to: player.address, amount: 500n }));
    ok(grant(player, sessionKey));
    rejected(
      chain.signVia(
        sessionKey,
        TxKind.TokenTransfer,
        { tokenId: token, to: other.address, amount: 1n },
        asSession(player),
      ),
      V.SESSION_CAP_EXCEEDED,
      sessionKey,
    );
  });

  it("the FIL period cap rolls with the period", () => {
    chain.deposit(player.address, 1000n);
    chain.block([]);
    ok(grant(player, sessionKey, { filCap: 100n, filPeriodCap: 10n, period: 60 }));
    const start = grantOf(player, sessionKey)!.periodStart;
    ok(exec(chain.signVia(sessionKey, TxKind.Transfer, { to: other.address, amount: 8n, fee: 1n }, asSession(player))));
    rejected(
      chain.signVia(sessionKey, TxKind.Transfer, { to: other.address, amount: 1n, fee: 1n }, asSession(player)),
      V.SESSION_CAP_EXCEEDED,
      sessionKey,
    );
    chain.advance(130);
    ok(exec(chain.signVia(sessionKey, TxKind.Transfer, { to: other.address, amount: 1n, fee: 1n }, asSession(player))));
    const g = grantOf(player, sessionKey)!;
    expect(g).toMatchObject({ filSpent: 11n, filPeriodSpent: 2n, periodStart: start + 120 });
  });

  it("SessionGrant rules: 1307, 1605, 1603, 1604, and a revoked key is never granted again (1602)", () => {
    failed(grant(other, sessionKey, { expiresAt: chain.timestamp }), E.EXPIRY_IN_PAST);
    failed(grant(other, sessionKey, { requestDeadline: chain.timestamp }), E.APP_REQUEST_EXPIRED);
    failed(grant(other, sessionKey, { app: new Uint8Array(32).fill(3) }), E.APP_NOT_FOUND);
    const requestDeadline = chain.timestamp + 100;
    failed(
      grant(other, sessionKey, {
        requestDeadline,
        appSignature: appSignature(stranger, other, sessionKey, requestDeadline),
      }),
      E.APP_NOT_AUTHORIZED,
    );
    // The request names the account: signed for another account, it recovers someone else.
    failed(
      grant(other, sessionKey, {
        requestDeadline,
        appSignature: appSignature(gameOwner, studio, sessionKey, requestDeadline),
      }),
      E.APP_NOT_AUTHORIZED,
    );
    ok(grant(other, sessionKey, { filCap: 5n }));
    // Replacing an active grant resets its counters.
    ok(exec(chain.signVia(sessionKey, TxKind.Transfer, { to: studio.address, amount: 2n, fee: 1n }, asSession(other))));
    expect(grantOf(other, sessionKey)?.filSpent).toBe(3n);
    ok(grant(other, sessionKey, { filCap: 9n }));
    expect(grantOf(other, sessionKey)).toMatchObject({ filSpent: 0n, filCap: 9n });
    ok(chain.exec(other, TxKind.SessionRevoke, { account: other.address, sessionKey: sessionKey.address }));
    expect(grantOf(other, sessionKey)?.revoked).toBe(true);
    failed(grant(other, sessionKey), E.SESSION_KEY_REVOKED);
    expect(grantOf(other, sessionKey)?.revoked).toBe(true);
  });

  it("SessionRevoke: 1607 for a third party, 1601 when absent, 1602 when already revoked", () => {
    ok(grant(other, sessionKey));
    failed(
      chain.exec(studio, TxKind.SessionRevoke, { account: other.address, sessionKey: sessionKey.address }),
      E.NOT_SESSION_PARTY,
    );
    failed(
      chain.exec(studio, TxKind.SessionRevoke, { account: studio.address, sessionKey: sessionKey.address }),
      E.SESSION_NOT_FOUND,
    );
    ok(chain.exec(other, TxKind.SessionRevoke, { account: other.address, sessionKey: sessionKey.address }));
    failed(
      chain.exec(other, TxKind.SessionRevoke, { account: other.address, sessionKey: sessionKey.address }),
      E.SESSION_KEY_REVOKED,
    );
  });
});

describe("stateless rules of kinds 60–63 and the Via envelope", () => {
  const field = (tx: SignedTransaction) => {
    try {
      validateTransaction(tx, CHAIN_ID);
    } catch (err) {
      expect(err).toBeInstanceOf(TxValidationError);
      seenCodes.add((err as TxValidationError).code);
      return `${V[(err as TxValidationError).code]}:${String((err as TxValidationError).details.field ?? "")}`;
    }
    return "valid";
  };
  const allowanceSet = (f: Partial<TxMessages[TxKind.FeeAllowanceSet]>) =>
    chain.sign(studio, TxKind.FeeAllowanceSet, {
      grantee: player.address,
      target: ZERO_ID,
      totalBudget: 1n,
      periodBudget: 0n,
      period: 0,
      maxFeePerTx: 0n,
      kinds: 2n,
      expiresAt: 0,
      ...f,
    });

  it("FeeAllowanceSet and FeeAllowanceRevoke", () => {
    expect(field(allowanceSet({}))).toBe("valid");
    expect(field(allowanceSet({ kinds: 0n }))).toBe("INVALID_FIELD:kinds");
    expect(field(allowanceSet({ kinds: 1n }))).toBe("INVALID_FIELD:kinds"); // bit 0: Deposit is no user kind
    expect(field(allowanceSet({ kinds: 1n << 64n }))).toBe("INVALID_FIELD:kinds");
    expect(field(allowanceSet({ kinds: 1n << 63n }))).toBe("valid");
    expect(field(allowanceSet({ totalBudget: 0n }))).toBe("INVALID_FIELD:totalBudget");
    expect(field(allowanceSet({ grantee: ZERO_ADDRESS }))).toBe("INVALID_FIELD:target");
    expect(field(allowanceSet({ periodBudget: 1n }))).toBe("INVALID_FIELD:period");
    expect(field(allowanceSet({ period: 5 }))).toBe("INVALID_FIELD:period");
    expect(field(allowanceSet({ periodBudget: 1n, period: 5 }))).toBe("valid");
    expect(field(chain.sign(studio, TxKind.FeeAllowanceRevoke, { grantee: ZERO_ADDRESS, target: ZERO_ID }))).toBe(
      "INVALID_FIELD:target",
    );
    expect(field(chain.sign(studio, TxKind.FeeAllowanceRevoke, { grantee: ZERO_ADDRESS, target: app }))).toBe("valid");
  });

  it("SessionGrant, SessionRevoke and the app signature (106)", () => {
    const g = (f: GrantFields) => chain.sign(player, TxKind.SessionGrant, grantMessage(player, sessionKey, f));
    expect(field(g({}))).toBe("valid");
    expect(field(g({ kinds: 0n }))).toBe("INVALID_FIELD:kinds");
    expect(field(g({ kinds: 1n << 3n }))).toBe("INVALID_FIELD:kinds");
    for (const k of [
      TxKind.Withdraw,
      TxKind.DelegateAdd,
      TxKind.DelegateRevoke,
      TxKind.IdentityTransfer,
      60,
      61,
      62,
      63,
    ]) {
      expect(field(g({ kinds: (1n << BigInt(k)) | 2n }))).toBe("INVALID_FIELD:kinds");
    }
    expect(field(g({ sessionKey: ZERO_ADDRESS }))).toBe("INVALID_FIELD:sessionKey");
    const t = new Uint8Array(32).fill(1);
    expect(field(g({ tokens: [t], tokenCaps: [], tokenPeriodCaps: [0n] }))).toBe("INVALID_FIELD:tokenCaps");
    expect(field(g({ tokens: [t], tokenCaps: [1n], tokenPeriodCaps: [] }))).toBe("INVALID_FIELD:tokenPeriodCaps");
    expect(field(g({ tokens: [ZERO_ID], tokenCaps: [1n], tokenPeriodCaps: [0n] }))).toBe("INVALID_FIELD:tokens");
    expect(field(g({ tokens: [t, t], tokenCaps: [1n, 1n], tokenPeriodCaps: [0n, 0n] }))).toBe("INVALID_FIELD:tokens");
    expect(field(g({ filPeriodCap: 1n }))).toBe("INVALID_FIELD:period");
    expect(field(g({ tokens: [t], tokenCaps: [1n], tokenPeriodCaps: [1n] }))).toBe("INVALID_FIELD:period");
    expect(field(g({ period: 10 }))).toBe("INVALID_FIELD:period");
    expect(field(g({ period: 10, filPeriodCap: 1n }))).toBe("valid");
    expect(field(g({ app: ZERO_ID }))).toBe("INVALID_FIELD:app");
    expect(
      field(chain.sign(player, TxKind.SessionRevoke, { account: ZERO_ADDRESS, sessionKey: sessionKey.address })),
    ).toBe("INVALID_FIELD:account");
    expect(field(chain.sign(player, TxKind.SessionRevoke, { account: player.address, sessionKey: ZERO_ADDRESS }))).toBe(
      "INVALID_FIELD:sessionKey",
    );
    // A signature that does not recover (v = 0) is BAD_APP_SIGNATURE; the recovered app signer travels in the validated tx.
    const bad = new Uint8Array(65);
    expect(field(g({ appSignature: bad }))).toBe("BAD_APP_SIGNATURE:");
    const vtx = validateTransaction(g({}), CHAIN_ID);
    expect(vtx.appSigner).toEqual(gameOwner.address);
  });

  it("a Via names a sponsor or an account", () => {
    const tx = chain.signVia(player, TxKind.Transfer, { to: other.address, amount: 1n }, {});
    expect(field(tx)).toBe("INVALID_FIELD:sponsor");
    expect(
      field(chain.signVia(player, TxKind.Transfer, { to: other.address, amount: 1n }, { sponsor: studio.address })),
    ).toBe("valid");
    // The same message and signature without the envelope recovers another signer: the Via is signed.
    const v = validateTransaction(
      chain.signVia(player, TxKind.Transfer, { to: other.address, amount: 1n }, { account: studio.address }),
      CHAIN_ID,
    );
    expect(v.sender).toEqual(player.address);
    const plain = { ...v.tx, via: undefined } as SignedTransaction;
    expect(validateTransaction(plain, CHAIN_ID).sender).not.toEqual(player.address);
  });
});
