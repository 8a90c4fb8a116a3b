/**
 * Every transaction kind: success and every failure code, through real signed blocks.
 * The last test checks that every ExecutionErrorCode and TxValidationErrorCode was exercised.
 */
import { collectionIdOf, dataAssetIdOf, identityIdOf, signDigest, tokenIdOf, txSigningDigest } from "@filverse/crypto";
import { MAX_WITHDRAWALS } from "@filverse/params";
import {
  CHAIN_ID,
  cidOf,
  makeKey,
  pieceCidV1,
  seenCodes,
  sequencer,
  TestChain,
  ZERO_ADDRESS,
} from "@filverse/test-utils";
import { DelegateScope, encodeSignedTx, Namespace, OrderSide, ReceiptStatus, TxKind } from "@filverse/types";
import { toHex } from "@filverse/utils";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";
import { beforeEach, describe, expect, it } from "vitest";
import { applyBlock } from "../../src/applyBlock.js";
import {
  BlockError,
  BlockErrorCode,
  ExecutionErrorCode as E,
  TxValidationError,
  TxValidationErrorCode as V,
} from "../../src/errors.js";
import { handlers } from "../../src/execution/index.js";
import { BlockExecutor } from "../../src/executor.js";
import {
  assetObjectId,
  attributeObjectId,
  delegateObjectId,
  GLOBALS_ID,
  handleObjectId,
  tokenBalanceObjectId,
} from "../../src/keys.js";
import { proveObject, proveWithdrawal, verifyObjectProof, verifyWithdrawalProof } from "../../src/proofs.js";
import { parseTransactionBytes, parseTransactionJson, validateTransaction } from "../../src/validate.js";
// Kinds 60–63 and the Via envelope: their describe blocks run here, so the coverage check below sees their codes.
import "./grantsSuite.js";

const alice = makeKey(1, "alice");
const bob = makeKey(2, "bob");
const carol = makeKey(3, "carol");
const session = makeKey(4, "session");
const CID_A = cidOf("a");
const CID_B = cidOf("b");

let chain: TestChain;

function ok(r: { status: number; code: number }) {
  expect({ status: r.status, code: r.code }).toEqual({ status: ReceiptStatus.Success, code: 0 });
}
function failed(r: { status: number; code: number }, code: E) {
  expect({ status: r.status, code: E[r.code] }).toEqual({ status: ReceiptStatus.Failed, code: E[code] });
}
/** The transaction is rejected before inclusion with `code`, and the block is invalid. */
function rejected(run: () => unknown, code: V) {
  try {
    run();
  } catch (err) {
    const cause = err instanceof BlockError ? err.cause : err;
    expect(cause).toBeInstanceOf(TxValidationError);
    expect(V[(cause as TxValidationError).code]).toBe(V[code]);
    seenCodes.add(code);
    return;
  }
  expect.unreachable(`expected rejection with ${V[code]}`);
}

beforeEach(() => {
  chain = new TestChain();
  chain.fund([alice, bob, carol, session]);
});

describe("FIL", () => {
  it("deposits credit once, in L1 nonce order", () => {
    expect(chain.balance(alice)).toBe(10n ** 21n);
    expect(chain.state.globals().l1DepositNonce).toBe(4);
    const executor = new BlockExecutor(chain.state, {
      chainId: CHAIN_ID,
      timestamp: 1,
      proposer: sequencer.address,
      minTxFee: 0n,
    });
    const replay = {
      l1Nonce: 4,
      l1BlockNumber: 1,
      l1TxHash: new Uint8Array(32),
      from: ZERO_ADDRESS,
      to: alice.address,
      amount: 5n,
      forcedTx: new Uint8Array(0),
    };
    expect(() => executor.applyDeposit(replay)).toThrowError(
      expect.objectContaining({ code: BlockErrorCode.DEPOSIT_OUT_OF_ORDER }),
    );
    expect(() => executor.applyDeposit({ ...replay, l1Nonce: 6 })).toThrowError(/not the next/);
    executor.applyDeposit({ ...replay, l1Nonce: 5 });
    expect(executor.finish().l1DepositNonce).toBe(5);
  });

  it("transfers, charging the fee to the sender and paying it to the proposer", () => {
    const r = chain.exec(alice, TxKind.Transfer, { to: bob.address, amount: 100n, fee: 7n });
    ok(r);
    expect(r.feePaid).toBe(7n);
    expect(chain.balance(alice)).toBe(10n ** 21n - 107n);
    expect(chain.balance(bob)).toBe(10n ** 21n + 100n);
    expect(chain.balance(sequencer)).toBe(7n);
  });

  it("a failed transfer charges the fee, bumps the nonce, and changes nothing else", () => {
    const before = chain.state.get(Namespace.Account, bob.address);
    const r = chain.exec(alice, TxKind.Transfer, { to: bob.address, amount: 10n ** 22n, fee: 3n });
    failed(r, E.INSUFFICIENT_BALANCE);
    expect(chain.balance(alice)).toBe(10n ** 21n - 3n);
    expect(chain.state.get(Namespace.Account, alice.address)?.nonce).toBe(1);
    expect(chain.state.get(Namespace.Account, bob.address)).toEqual(before);
  });

  it("withdraws into the withdrawals tree with a proof the L1 can check", () => {
    const r = chain.exec(alice, TxKind.Withdraw, { l1Recipient: carol.address, amount: 5n * 10n ** 18n });
    ok(r);
    const w = chain.state.withdrawal(0)!;
    expect(w).toMatchObject({ index: 0, amount: 5n * 10n ** 18n });
    expect(toHex(w.l1Recipient)).toBe(toHex(carol.address));
    const g = chain.state.globals();
    expect(g.withdrawalCount).toBe(1);
    expect(g.totalWithdrawn).toBe(5n * 10n ** 18n);
    const proof = proveWithdrawal(chain.state, 0)!;
    expect(verifyWithdrawalProof(chain.state.roots().stateRoot, proof)).toBe(true);
    failed(chain.exec(bob, TxKind.Withdraw, { l1Recipient: bob.address, amount: 10n ** 30n }), E.INSUFFICIENT_BALANCE);
    expect(chain.state.globals().withdrawalCount).toBe(1);
    rejected(() => chain.exec(bob, TxKind.Withdraw, { l1Recipient: bob.address, amount: 0n }), V.INVALID_FIELD);
  });

  it("a withdrawal past the withdrawals tree's capacity fails with WITHDRAWALS_FULL", () => {
    const g = chain.state.globals();
    chain.state = chain.state.withChanges(
      [{ ns: Namespace.Globals, id: GLOBALS_ID, value: { ...g, withdrawalCount: MAX_WITHDRAWALS } }],
      [],
      [],
    );
    failed(chain.exec(alice, TxKind.Withdraw, { l1Recipient: alice.address, amount: 1n }), E.WITHDRAWALS_FULL);
    expect(chain.balance(alice)).toBe(10n ** 21n - 1n);
  });
});

describe("validation (never included)", () => {
  it("a transaction whose execution throws is EXECUTION_FAULT: a block holding it is invalid", () => {
    const original = handlers[TxKind.Transfer];
    handlers[TxKind.Transfer] = () => {
      throw new TypeError("injected fault");
    };
    try {
      rejected(() => chain.exec(alice, TxKind.Transfer, { to: bob.address, amount: 1n }), V.EXECUTION_FAULT);
    } finally {
      handlers[TxKind.Transfer] = original;
    }
  });

  it("rejects nonce too low, nonce gap, unpaid fee, low fee, wrong chain, bad signature", () => {
    chain.exec(alice, TxKind.Transfer, { to: bob.address, amount: 1n });
    rejected(
      () => chain.block([chain.sign(alice, TxKind.Transfer, { to: bob.address, amount: 1n, nonce: 0 })]),
      V.NONCE_TOO_LOW,
    );
    rejected(
      () => chain.block([chain.sign(alice, TxKind.Transfer, { to: bob.address, amount: 1n, nonce: 5 })]),
      V.NONCE_TOO_HIGH,
    );
    const poor = makeKey(77);
    rejected(
      () => chain.block([chain.sign(poor, TxKind.Transfer, { to: bob.address, amount: 0n })]),
      V.INSUFFICIENT_FUNDS_FOR_FEE,
    );
    rejected(
      () =>
        chain.block([chain.sign(bob, TxKind.Transfer, { to: alice.address, amount: 1n, fee: 0n, nonce: 0 })], {
          minTxFee: 10n,
        }),
      V.FEE_TOO_LOW,
    );
    const tx = chain.sign(bob, TxKind.Transfer, { to: alice.address, amount: 1n, nonce: 0 });
    rejected(() => validateTransaction({ ...tx, chainId: CHAIN_ID + 1 }, CHAIN_ID), V.WRONG_CHAIN);
    const badV = { ...tx, signature: new Uint8Array(tx.signature) };
    badV.signature[64] = 1;
    rejected(() => chain.block([badV]), V.BAD_SIGNATURE);
    rejected(
      () => chain.block([chain.sign(bob, TxKind.Transfer, { to: ZERO_ADDRESS, amount: 1n, nonce: 0 })]),
      V.INVALID_FIELD,
    );
  });

  it("a transaction signed by someone else recovers another sender (nonce/fee checks then fail)", () => {
    const tx = chain.sign(alice, TxKind.Transfer, { to: bob.address, amount: 1n, nonce: 0 });
    const forged = {
      ...tx,
      signature: signDigest(txSigningDigest({ ...tx, message: { ...tx.message, amount: 2n } }), alice.priv),
    };
    const vtx = validateTransaction(forged, CHAIN_ID);
    expect(toHex(vtx.sender)).not.toBe(toHex(alice.address));
  });

  it("decodes wire bytes and JSON with typed errors", () => {
    const tx = chain.sign(alice, TxKind.Transfer, { to: bob.address, amount: 1n });
    expect(parseTransactionBytes(encodeSignedTx(tx)).message).toEqual(tx.message);
    rejected(() => parseTransactionBytes(new Uint8Array(41 * 1024)), V.TOO_LARGE);
    rejected(() => parseTransactionBytes(new Uint8Array([1, 2, 3])), V.MALFORMED);
    rejected(
      () => parseTransactionJson({ primaryType: "Nope", message: {}, signature: "0x", chainId: "1" }),
      V.MALFORMED,
    );
    rejected(
      () =>
        parseTransactionJson({
          primaryType: "Transfer",
          chainId: "1",
          message: { to: "0x12" },
          signature: toHex(tx.signature),
        }),
      V.MALFORMED,
    );
  });

  it("applyBlock is pure: the input state is unchanged and a rejected block applies nothing", () => {
    const before = chain.state.roots().stateRoot;
    const base = chain.state;
    const good = chain.sign(alice, TxKind.Transfer, { to: bob.address, amount: 1n });
    const bad = chain.sign(bob, TxKind.Transfer, { to: alice.address, amount: 1n, nonce: 9 });
    expect(() => applyBlock(base, chain.buildBlock([good, bad]), { chainId: CHAIN_ID })).toThrow(BlockError);
    const r1 = applyBlock(base, chain.buildBlock([good]), { chainId: CHAIN_ID });
    const r2 = applyBlock(base, chain.buildBlock([good]), { chainId: CHAIN_ID });
    expect(toHex(base.roots().stateRoot)).toBe(toHex(before));
    expect(toHex(r1.roots.stateRoot)).toBe(toHex(r2.roots.stateRoot));
    expect(toHex(r1.roots.stateRoot)).not.toBe(toHex(before));
  });
});

describe("NFT collections and assets", () => {
  let collectionId: Uint8Array;
  beforeEach(() => {
    collectionId = collectionIdOf(alice.address, chain.nextNonce(alice));
    ok(
      chain.exec(alice, TxKind.CollectionCreate, {
        name: "Avatars",
        symbol: "AVA",
        royaltyBps: 500,
        maxSupply: 3,
        metadataMutable: true,
      }),
    );
  });

  it("creates a collection with a wallet-computable id", () => {
    expect(chain.state.get(Namespace.Collection, collectionId)).toMatchObject({
      name: "Avatars",
      royaltyBps: 500,
      minted: 0,
    });
    rejected(
      () =>
        chain.exec(alice, TxKind.CollectionCreate, {
          name: "X",
          symbol: "X",
          royaltyBps: 10_001,
          maxSupply: 1,
          metadataMutable: false,
        }),
      V.INVALID_FIELD,
    );
    rejected(
      () =>
        chain.exec(bob, TxKind.CollectionCreate, {
          name: "X",
          symbol: "X",
          royaltyBps: 0,
          maxSupply: 0,
          metadataMutable: false,
        }),
      V.INVALID_FIELD,
    );
  });

  it("mints: creator only, no duplicates, supply cap", () => {
    ok(chain.exec(alice, TxKind.AssetMint, { collectionId, tokenId: 1, to: bob.address, contentCid: CID_A }));
    expect(toHex(chain.state.get(Namespace.Asset, assetObjectId(collectionId, 1))!.owner)).toBe(toHex(bob.address));
    failed(
      chain.exec(bob, TxKind.AssetMint, { collectionId, tokenId: 2, to: bob.address, contentCid: CID_A }),
      E.NOT_COLLECTION_CREATOR,
    );
    failed(
      chain.exec(alice, TxKind.AssetMint, { collectionId, tokenId: 1, to: bob.address, contentCid: CID_A }),
      E.ASSET_EXISTS,
    );
    failed(
      chain.exec(alice, TxKind.AssetMint, {
        collectionId: new Uint8Array(32),
        tokenId: 1,
        to: bob.address,
        contentCid: CID_A,
      }),
      E.COLLECTION_NOT_FOUND,
    );
    ok(
      chain.exec(alice, TxKind.AssetBatchMint, {
        collectionId,
        firstTokenId: 2,
        to: carol.address,
        contentCids: [CID_A, CID_B],
      }),
    );
    failed(
      chain.exec(alice, TxKind.AssetMint, { collectionId, tokenId: 9, to: bob.address, contentCid: CID_A }),
      E.SUPPLY_CAP_EXCEEDED,
    );
    rejected(
      () => chain.exec(alice, TxKind.AssetMint, { collectionId, tokenId: 9, to: bob.address, contentCid: "not-a-cid" }),
      V.INVALID_FIELD,
    );
  });

  it("batch mint is atomic", () => {
    ok(chain.exec(alice, TxKind.AssetMint, { collectionId, tokenId: 3, to: bob.address, contentCid: CID_A }));
    // Token 2 would mint, then token 3 exists: neither is applied.
    failed(
      chain.exec(alice, TxKind.AssetBatchMint, {
        collectionId,
        firstTokenId: 2,
        to: bob.address,
        contentCids: [CID_A, CID_A],
      }),
      E.ASSET_EXISTS,
    );
    expect(chain.state.get(Namespace.Asset, assetObjectId(collectionId, 2))).toBeUndefined();
    expect(chain.state.get(Namespace.Collection, collectionId)!.minted).toBe(1);
    rejected(
      () =>
        chain.exec(alice, TxKind.AssetBatchMint, { collectionId, firstTokenId: 1, to: bob.address, contentCids: [] }),
      V.INVALID_FIELD,
    );
  });

  it("transfers by owner, approved address and operator; others are refused", () => {
    chain.exec(alice, TxKind.AssetBatchMint, {
      collectionId,
      firstTokenId: 1,
      to: bob.address,
      contentCids: [CID_A, CID_B],
    });
    failed(
      chain.exec(carol, TxKind.AssetTransfer, { collectionId, tokenId: 1, to: carol.address }),
      E.NOT_ASSET_AUTHORIZED,
    );
    failed(
      chain.exec(carol, TxKind.AssetApprove, { collectionId, tokenId: 1, approved: carol.address }),
      E.NOT_ASSET_AUTHORIZED,
    );
    ok(chain.exec(bob, TxKind.AssetApprove, { collectionId, tokenId: 1, approved: carol.address }));
    ok(chain.exec(carol, TxKind.AssetTransfer, { collectionId, tokenId: 1, to: carol.address }));
    const a1 = chain.state.get(Namespace.Asset, assetObjectId(collectionId, 1))!;
    expect([toHex(a1.owner), toHex(a1.approved)]).toEqual([toHex(carol.address), toHex(ZERO_ADDRESS)]);
    ok(chain.exec(bob, TxKind.OperatorSet, { collectionId, operator: alice.address, approved: true }));
    ok(chain.exec(alice, TxKind.AssetTransfer, { collectionId, tokenId: 2, to: alice.address }));
    ok(chain.exec(bob, TxKind.OperatorSet, { collectionId, operator: alice.address, approved: false }));
    failed(
      chain.exec(bob, TxKind.OperatorSet, {
        collectionId: new Uint8Array(32),
        operator: alice.address,
        approved: true,
      }),
      E.COLLECTION_NOT_FOUND,
    );
    failed(chain.exec(bob, TxKind.AssetTransfer, { collectionId, tokenId: 3, to: bob.address }), E.ASSET_NOT_FOUND);
  });

  it("burns for good: no transfer and no re-mint of a burned id", () => {
    chain.exec(alice, TxKind.AssetMint, { collectionId, tokenId: 1, to: bob.address, contentCid: CID_A });
    ok(chain.exec(bob, TxKind.AssetBurn, { collectionId, tokenId: 1 }));
    expect(chain.state.get(Namespace.Collection, collectionId)).toMatchObject({ minted: 1, burned: 1 });
    failed(chain.exec(bob, TxKind.AssetTransfer, { collectionId, tokenId: 1, to: carol.address }), E.ASSET_BURNED);
    failed(
      chain.exec(alice, TxKind.AssetMint, { collectionId, tokenId: 1, to: bob.address, contentCid: CID_A }),
      E.ASSET_EXISTS,
    );
  });

  it("updates metadata: creator only, mutable collections only", () => {
    chain.exec(alice, TxKind.AssetMint, { collectionId, tokenId: 1, to: bob.address, contentCid: CID_A });
    ok(chain.exec(alice, TxKind.AssetMetadataUpdate, { collectionId, tokenId: 1, contentCid: CID_B }));
    expect(chain.state.get(Namespace.Asset, assetObjectId(collectionId, 1))!.contentCid).toBe(CID_B);
    failed(
      chain.exec(bob, TxKind.AssetMetadataUpdate, { collectionId, tokenId: 1, contentCid: CID_A }),
      E.NOT_COLLECTION_CREATOR,
    );
    const frozen = collectionIdOf(alice.address, chain.nextNonce(alice));
    chain.exec(alice, TxKind.CollectionCreate, {
      name: "F",
      symbol: "F",
      royaltyBps: 0,
      maxSupply: 5,
      metadataMutable: false,
    });
    chain.exec(alice, TxKind.AssetMint, { collectionId: frozen, tokenId: 1, to: bob.address, contentCid: CID_A });
    failed(
      chain.exec(alice, TxKind.AssetMetadataUpdate, { collectionId: frozen, tokenId: 1, contentCid: CID_B }),
      E.METADATA_IMMUTABLE,
    );
  });
});

describe("social tokens", () => {
  let tokenId: Uint8Array;
  beforeEach(() => {
    tokenId = tokenIdOf(alice.address, chain.nextNonce(alice));
    ok(chain.exec(alice, TxKind.TokenCreate, { name: "Alice Coin", symbol: "ALC", decimals: 18, cap: 1000n }));
  });

  it("mints up to the cap, by the issuer only", () => {
    ok(chain.exec(alice, TxKind.TokenMint, { tokenId, to: bob.address, amount: 600n }));
    failed(chain.exec(bob, TxKind.TokenMint, { tokenId, to: bob.address, amount: 1n }), E.NOT_TOKEN_ISSUER);
    failed(chain.exec(alice, TxKind.TokenMint, { tokenId, to: bob.address, amount: 401n }), E.TOKEN_CAP_EXCEEDED);
    failed(
      chain.exec(alice, TxKind.TokenMint, { tokenId: new Uint8Array(32), to: bob.address, amount: 1n }),
      E.TOKEN_NOT_FOUND,
    );
    expect(chain.state.get(Namespace.Token, tokenId)!.supply).toBe(600n);
    rejected(
      () => chain.exec(alice, TxKind.TokenCreate, { name: "X", symbol: "X", decimals: 19, cap: 1n }),
      V.INVALID_FIELD,
    );
  });

  it("transfers and burns balances; empty balances are removed", () => {
    chain.exec(alice, TxKind.TokenMint, { tokenId, to: bob.address, amount: 100n });
    ok(chain.exec(bob, TxKind.TokenTransfer, { tokenId, to: carol.address, amount: 40n }));
    failed(
      chain.exec(bob, TxKind.TokenTransfer, { tokenId, to: carol.address, amount: 61n }),
      E.INSUFFICIENT_TOKEN_BALANCE,
    );
    ok(chain.exec(bob, TxKind.TokenBurn, { tokenId, amount: 60n }));
    expect(chain.state.get(Namespace.TokenBalance, tokenBalanceObjectId(tokenId, bob.address))).toBeUndefined();
    expect(chain.state.get(Namespace.TokenBalance, tokenBalanceObjectId(tokenId, carol.address))!.balance).toBe(40n);
    expect(chain.state.get(Namespace.Token, tokenId)!.supply).toBe(40n);
    failed(chain.exec(bob, TxKind.TokenBurn, { tokenId, amount: 1n }), E.INSUFFICIENT_TOKEN_BALANCE);
  });
});

describe("identities, attributes and delegates", () => {
  let identityId: Uint8Array;
  beforeEach(() => {
    identityId = identityIdOf(alice.address, chain.nextNonce(alice));
    ok(chain.exec(alice, TxKind.IdentityCreate, { handle: "alice", profileCid: CID_A }));
  });

  it("keeps handles unique and well-formed", () => {
    expect(chain.state.get(Namespace.Handle, handleObjectId("alice"))!.identityId).toEqual(identityId);
    failed(chain.exec(bob, TxKind.IdentityCreate, { handle: "alice", profileCid: CID_B }), E.HANDLE_TAKEN);
    for (const handle of ["Al", "ALICE", "a-b", "x".repeat(33)]) {
      rejected(() => chain.exec(bob, TxKind.IdentityCreate, { handle, profileCid: CID_B }), V.INVALID_FIELD);
    }
    ok(chain.exec(alice, TxKind.IdentityCreate, { handle: "alice_alt", profileCid: CID_B }));
  });

  it("lets a delegate act only within scope and before expiry", () => {
    const now = chain.timestamp;
    ok(
      chain.exec(alice, TxKind.DelegateAdd, {
        identityId,
        delegate: session.address,
        scope: DelegateScope.Identity,
        expiresAt: now + 10,
      }),
    );
    ok(chain.exec(session, TxKind.IdentityUpdate, { identityId, profileCid: CID_B }));
    expect(chain.state.get(Namespace.Identity, identityId)!.profileCid).toBe(CID_B);
    ok(chain.exec(session, TxKind.AttributeSet, { identityId, key: "game.level", value: "7", expiresAt: 0 }));
    failed(
      chain.exec(session, TxKind.DelegateAdd, { identityId, delegate: bob.address, scope: 3, expiresAt: now + 100 }),
      E.NOT_IDENTITY_OWNER,
    );
    failed(chain.exec(bob, TxKind.IdentityUpdate, { identityId, profileCid: CID_A }), E.DELEGATE_NOT_FOUND);
    failed(
      chain.exec(bob, TxKind.IdentityUpdate, { identityId: new Uint8Array(32), profileCid: CID_A }),
      E.IDENTITY_NOT_FOUND,
    );
    // The identity-scoped session key cannot move assets.
    const collectionId = collectionIdOf(alice.address, chain.nextNonce(alice));
    chain.exec(alice, TxKind.CollectionCreate, {
      name: "C",
      symbol: "C",
      royaltyBps: 0,
      maxSupply: 9,
      metadataMutable: false,
    });
    chain.exec(alice, TxKind.AssetMint, { collectionId, tokenId: 1, to: alice.address, contentCid: CID_A });
    failed(
      chain.exec(session, TxKind.AssetTransfer, {
        collectionId,
        tokenId: 1,
        to: session.address,
        onBehalfOf: identityId,
      }),
      E.DELEGATE_SCOPE,
    );
    for (let i = 0; i < 10; i++) chain.block([]);
    failed(chain.exec(session, TxKind.IdentityUpdate, { identityId, profileCid: CID_A }), E.DELEGATE_EXPIRED);
    failed(
      chain.exec(alice, TxKind.DelegateAdd, { identityId, delegate: bob.address, scope: 1, expiresAt: now }),
      E.EXPIRY_IN_PAST,
    );
    rejected(
      () => chain.exec(alice, TxKind.DelegateAdd, { identityId, delegate: bob.address, scope: 4, expiresAt: now + 99 }),
      V.INVALID_FIELD,
    );
  });

  it("lets an asset-scoped session key move the owner's assets, paying its own fee", () => {
    ok(
      chain.exec(alice, TxKind.DelegateAdd, {
        identityId,
        delegate: session.address,
        scope: DelegateScope.Assets,
        expiresAt: chain.timestamp + 100,
      }),
    );
    const collectionId = collectionIdOf(alice.address, chain.nextNonce(alice));
    chain.exec(alice, TxKind.CollectionCreate, {
      name: "C",
      symbol: "C",
      royaltyBps: 0,
      maxSupply: 9,
      metadataMutable: false,
    });
    chain.exec(alice, TxKind.AssetMint, { collectionId, tokenId: 1, to: alice.address, contentCid: CID_A });
    const sessionBefore = chain.balance(session);
    ok(
      chain.exec(session, TxKind.AssetTransfer, {
        collectionId,
        tokenId: 1,
        to: bob.address,
        onBehalfOf: identityId,
        fee: 2n,
      }),
    );
    expect(toHex(chain.state.get(Namespace.Asset, assetObjectId(collectionId, 1))!.owner)).toBe(toHex(bob.address));
    expect(chain.balance(session)).toBe(sessionBefore - 2n);
    failed(chain.exec(session, TxKind.IdentityUpdate, { identityId, profileCid: CID_B }), E.DELEGATE_SCOPE);
    // Approvals would outlive the session key, so a delegate cannot grant them.
    chain.exec(alice, TxKind.AssetMint, { collectionId, tokenId: 2, to: alice.address, contentCid: CID_A });
    failed(
      chain.exec(session, TxKind.AssetApprove, {
        collectionId,
        tokenId: 2,
        approved: session.address,
        onBehalfOf: identityId,
      }),
      E.DELEGATE_SCOPE,
    );
    failed(
      chain.exec(session, TxKind.OperatorSet, {
        collectionId,
        operator: session.address,
        approved: true,
        onBehalfOf: identityId,
      }),
      E.DELEGATE_SCOPE,
    );
    ok(
      chain.exec(alice, TxKind.AssetApprove, {
        collectionId,
        tokenId: 2,
        approved: session.address,
        onBehalfOf: identityId,
      }),
    );
  });

  it("attributes expire and can be removed", () => {
    failed(
      chain.exec(alice, TxKind.AttributeSet, { identityId, key: "twitter", value: "@a", expiresAt: chain.timestamp }),
      E.EXPIRY_IN_PAST,
    );
    ok(
      chain.exec(alice, TxKind.AttributeSet, {
        identityId,
        key: "twitter",
        value: "@a",
        expiresAt: chain.timestamp + 1000,
      }),
    );
    expect(chain.state.get(Namespace.Attribute, attributeObjectId(identityId, "twitter"))!.value).toBe("@a");
    ok(chain.exec(alice, TxKind.AttributeRemove, { identityId, key: "twitter" }));
    failed(chain.exec(alice, TxKind.AttributeRemove, { identityId, key: "twitter" }), E.ATTRIBUTE_NOT_FOUND);
    rejected(
      () => chain.exec(alice, TxKind.AttributeSet, { identityId, key: "Bad Key", value: "", expiresAt: 0 }),
      V.INVALID_FIELD,
    );
  });

  it("owner transfer voids the old owner's delegates; a delegate can revoke itself", () => {
    ok(
      chain.exec(alice, TxKind.DelegateAdd, {
        identityId,
        delegate: session.address,
        scope: 3,
        expiresAt: chain.timestamp + 100,
      }),
    );
    ok(
      chain.exec(alice, TxKind.DelegateAdd, {
        identityId,
        delegate: carol.address,
        scope: 3,
        expiresAt: chain.timestamp + 100,
      }),
    );
    ok(chain.exec(carol, TxKind.DelegateRevoke, { identityId, delegate: carol.address }));
    failed(chain.exec(carol, TxKind.DelegateRevoke, { identityId, delegate: carol.address }), E.DELEGATE_NOT_FOUND);
    failed(chain.exec(bob, TxKind.DelegateRevoke, { identityId, delegate: session.address }), E.NOT_IDENTITY_OWNER);
    failed(chain.exec(bob, TxKind.IdentityTransfer, { identityId, newOwner: bob.address }), E.NOT_IDENTITY_OWNER);
    ok(chain.exec(alice, TxKind.IdentityTransfer, { identityId, newOwner: bob.address }));
    expect(chain.state.get(Namespace.Identity, identityId)).toMatchObject({ ownerEpoch: 1 });
    expect(chain.state.get(Namespace.Delegate, delegateObjectId(identityId, session.address))).toBeDefined();
    failed(chain.exec(session, TxKind.IdentityUpdate, { identityId, profileCid: CID_B }), E.DELEGATE_NOT_FOUND);
    ok(chain.exec(bob, TxKind.IdentityUpdate, { identityId, profileCid: CID_B }));
  });
});

describe("data assets", () => {
  let dataAssetId: Uint8Array;
  beforeEach(() => {
    dataAssetId = dataAssetIdOf(alice.address, chain.nextNonce(alice));
    ok(
      chain.exec(alice, TxKind.DataAssetRegister, {
        contentCid: CID_A,
        pieceCid: pieceCidV1(1),
        size: 2048,
        license: "CC-BY-4.0",
      }),
    );
  });

  it("registers with a real Piece CID only", () => {
    expect(chain.state.get(Namespace.DataAsset, dataAssetId)).toMatchObject({ size: 2048, license: "CC-BY-4.0" });
    rejected(
      () =>
        chain.exec(alice, TxKind.DataAssetRegister, { contentCid: CID_A, pieceCid: CID_B, size: 1, license: "MIT" }),
      V.INVALID_FIELD,
    );
    // A v1 Piece CID whose digest is not 32 bytes.
    const short = CID.create(1, 0xf101, Digest.create(0x1012, new Uint8Array(31))).toString();
    rejected(
      () =>
        chain.exec(alice, TxKind.DataAssetRegister, { contentCid: CID_A, pieceCid: short, size: 1, license: "MIT" }),
      V.INVALID_FIELD,
    );
  });

  it("grants and revokes access, owner only, with a future expiry", () => {
    ok(chain.exec(alice, TxKind.AccessGrant, { dataAssetId, grantee: bob.address, expiresAt: chain.timestamp + 60 }));
    failed(
      chain.exec(bob, TxKind.AccessGrant, { dataAssetId, grantee: bob.address, expiresAt: chain.timestamp + 60 }),
      E.NOT_DATA_OWNER,
    );
    failed(
      chain.exec(alice, TxKind.AccessGrant, { dataAssetId, grantee: carol.address, expiresAt: chain.timestamp }),
      E.EXPIRY_IN_PAST,
    );
    failed(
      chain.exec(alice, TxKind.AccessGrant, {
        dataAssetId: new Uint8Array(32),
        grantee: bob.address,
        expiresAt: chain.timestamp + 9,
      }),
      E.DATA_ASSET_NOT_FOUND,
    );
    ok(chain.exec(alice, TxKind.AccessRevoke, { dataAssetId, grantee: bob.address }));
    failed(chain.exec(alice, TxKind.AccessRevoke, { dataAssetId, grantee: bob.address }), E.GRANT_NOT_FOUND);
  });
});

describe("trades with royalties", () => {
  let collectionId: Uint8Array;
  beforeEach(() => {
    collectionId = collectionIdOf(carol.address, chain.nextNonce(carol));
    chain.exec(carol, TxKind.CollectionCreate, {
      name: "Art",
      symbol: "ART",
      royaltyBps: 1000,
      maxSupply: 10,
      metadataMutable: false,
    });
    chain.exec(carol, TxKind.AssetBatchMint, {
      collectionId,
      firstTokenId: 1,
      to: alice.address,
      contentCids: [CID_A, CID_B],
    });
  });

  it("fills a sell order atomically and pays the royalty to the creator", () => {
    const { order, makerSignature } = chain.order(alice, { collectionId, tokenId: 1, price: 1000n });
    const [a, b, c] = [chain.balance(alice), chain.balance(bob), chain.balance(carol)];
    ok(chain.exec(bob, TxKind.TradeFill, { order, makerSignature, fee: 1n }));
    expect(chain.balance(alice) - a).toBe(900n);
    expect(b - chain.balance(bob)).toBe(1001n);
    expect(chain.balance(carol) - c).toBe(100n);
    expect(toHex(chain.state.get(Namespace.Asset, assetObjectId(collectionId, 1))!.owner)).toBe(toHex(bob.address));
    failed(chain.exec(carol, TxKind.TradeFill, { order, makerSignature }), E.ORDER_CLOSED);
  });

  it("fills a buy order: the taker sells", () => {
    const { order, makerSignature } = chain.order(bob, { collectionId, tokenId: 2, price: 50n, side: OrderSide.Buy });
    ok(chain.exec(alice, TxKind.TradeFill, { order, makerSignature }));
    expect(toHex(chain.state.get(Namespace.Asset, assetObjectId(collectionId, 2))!.owner)).toBe(toHex(bob.address));
  });

  it("refuses expired, wrong-taker, self-fill, unowned and unaffordable orders", () => {
    const expired = chain.order(alice, { collectionId, tokenId: 1, price: 1n, expiresAt: chain.timestamp });
    failed(chain.exec(bob, TxKind.TradeFill, expired), E.ORDER_EXPIRED);
    const privateSale = chain.order(alice, { collectionId, tokenId: 1, price: 1n, taker: carol.address });
    failed(chain.exec(bob, TxKind.TradeFill, privateSale), E.ORDER_WRONG_TAKER);
    const self = chain.order(alice, { collectionId, tokenId: 1, price: 1n, salt: 2n });
    failed(chain.exec(alice, TxKind.TradeFill, self), E.ORDER_SELF_FILL);
    const notHers = chain.order(bob, { collectionId, tokenId: 1, price: 1n });
    failed(chain.exec(carol, TxKind.TradeFill, notHers), E.ORDER_ASSET_NOT_OWNED);
    const pricey = chain.order(alice, { collectionId, tokenId: 1, price: 10n ** 30n });
    failed(chain.exec(bob, TxKind.TradeFill, pricey), E.INSUFFICIENT_BALANCE);
    const gone = chain.order(alice, { collectionId, tokenId: 7, price: 1n });
    failed(chain.exec(bob, TxKind.TradeFill, gone), E.ASSET_NOT_FOUND);
  });

  it("lets only the maker cancel; a cancelled order cannot fill", () => {
    const o = chain.order(alice, { collectionId, tokenId: 1, price: 5n });
    failed(chain.exec(bob, TxKind.OrderCancel, { order: o.order }), E.NOT_ORDER_MAKER);
    ok(chain.exec(alice, TxKind.OrderCancel, { order: o.order }));
    failed(chain.exec(alice, TxKind.OrderCancel, { order: o.order }), E.ORDER_CLOSED);
    failed(chain.exec(bob, TxKind.TradeFill, o), E.ORDER_CLOSED);
  });

  it("rejects a forged maker signature before inclusion", () => {
    const o = chain.order(alice, { collectionId, tokenId: 1, price: 5n });
    const forged = { order: { ...o.order, price: 1n }, makerSignature: o.makerSignature };
    rejected(() => chain.exec(bob, TxKind.TradeFill, forged), V.BAD_ORDER_SIGNATURE);
  });
});

describe("proofs", () => {
  it("proves membership and absence against the header's stateRoot", () => {
    const result = chain.block([chain.sign(alice, TxKind.IdentityCreate, { handle: "alice", profileCid: CID_A })]);
    const root = result.roots.stateRoot;
    const present = proveObject(chain.state, Namespace.Handle, handleObjectId("alice"));
    expect(present.value).not.toBeNull();
    expect(verifyObjectProof(root, present)).toBe(true);
    const absent = proveObject(chain.state, Namespace.Handle, handleObjectId("bob"));
    expect(absent.value).toBeNull();
    expect(verifyObjectProof(root, absent)).toBe(true);
    expect(verifyObjectProof(root, { ...present, value: null })).toBe(false);
    expect(verifyObjectProof(root, { ...absent, value: { identityId: new Uint8Array(32) } })).toBe(false);
    const account = proveObject(chain.state, Namespace.Account, alice.address);
    expect(verifyObjectProof(root, account)).toBe(true);
    expect(
      verifyObjectProof(root, { ...account, value: { ...account.value!, balance: account.value!.balance + 1n } }),
    ).toBe(false);
  });
});

describe("coverage of error codes", () => {
  it("exercised every execution and validation code", () => {
    const execCodes = Object.values(E).filter((v): v is number => typeof v === "number");
    const validationCodes = Object.values(V).filter((v): v is number => typeof v === "number");
    const missing = [...execCodes, ...validationCodes].filter((c) => !seenCodes.has(c)).map((c) => E[c] ?? V[c]);
    expect(missing).toEqual([]);
  });
});
