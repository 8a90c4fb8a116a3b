/**
 * Edge cases of the consensus-critical code: strings and JSON keys the codecs must keep or refuse
 * (a BOM, lone surrogates, inherited and unknown keys), and execution cases that are easy to get
 * wrong (self-transfers, royalties, overlapping batch mints, delegates after an ownership transfer).
 */
import { collectionIdOf, identityIdOf, tokenIdOf } from "@filverse/crypto";
import { CHAIN_ID, cidOf, makeKey, sequencer, sumBalances, TestChain, ZERO_ADDRESS } from "@filverse/test-utils";
import {
  CollectionCreate,
  DelegateScope,
  decodeSignedBlock,
  decodeSignedTx,
  encodeSignedBlock,
  encodeSignedTx,
  Namespace,
  OrderSide,
  ReceiptStatus,
  type SignedTransaction,
  signedTxToJson,
  Transfer,
  TxKind,
} from "@filverse/types";
import { toHex } from "@filverse/utils";
import { beforeEach, describe, expect, it } from "vitest";
import { applyBlock } from "../../src/applyBlock.js";
import { ExecutionErrorCode as E, TxValidationError, TxValidationErrorCode as V } from "../../src/errors.js";
import { assetObjectId, tokenBalanceObjectId } from "../../src/keys.js";
import { proveWithdrawal, verifyWithdrawalProof } from "../../src/proofs.js";
import type { State } from "../../src/state.js";
import { parseTransactionBytes, parseTransactionJson, validateTransaction } from "../../src/validate.js";

const alice = makeKey(201, "alice");
const bob = makeKey(202, "bob");
const carol = makeKey(203, "carol");
const session = makeKey(204, "session");
const CID_A = cidOf("review-a");
const CID_B = cidOf("review-b");

let chain: TestChain;

beforeEach(() => {
  chain = new TestChain();
  chain.fund([alice, bob, carol, session]);
});

function codeOf(r: { status: number; code: number }): string {
  return r.status === ReceiptStatus.Success ? "OK" : (E[r.code] ?? String(r.code));
}

function expectConservation(state: State): void {
  const g = state.globals();
  expect(sumBalances(state)).toBe(g.totalDeposited - g.totalWithdrawn);
}

function expectMalformed(run: () => unknown): void {
  let caught: unknown;
  try {
    run();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(TxValidationError);
  expect(V[(caught as TxValidationError).code]).toBe(V[V.MALFORMED]);
}

describe("strings and JSON keys at the edges of the codecs", () => {
  /**
   * BUG (consensus split / chain halt). packages/utils/src/bytes.ts:87 builds its decoder as
   * `new TextDecoder("utf-8", { fatal: true })`; `ignoreBOM` defaults to false, so a leading U+FEFF is
   * silently STRIPPED when a string field is decoded from SSZ (types/src/schema.ts stringField.fromSsz).
   * decode(encode(x)) !== x. A user submits, over JSON-RPC, any transaction whose string field starts
   * with U+FEFF (collection name, attribute value, license...). The sequencer validates the JSON form
   * (EIP-712 hashes the BOM, as viem/MetaMask do), includes it and seals the block. Every verifier (and
   * the sequencer itself after a restart) decodes the block's SSZ, gets the string without the BOM, so
   * the EIP-712 digest differs, ecrecover yields a random address, and the block is rejected
   * (NONCE_TOO_HIGH / INSUFFICIENT_FUNDS_FOR_FEE): the chain halts on one cheap transaction.
   * Fix: decode with `new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })` so UTF-8 bytes map
   * 1:1 to strings (and add a round-trip property test over arbitrary strings).
   */
  it("a string field starting with U+FEFF survives the SSZ round trip (no BOM stripping)", () => {
    const c = {
      name: "\ufeffArt",
      symbol: "ART",
      royaltyBps: 0,
      maxSupply: 1,
      metadataMutable: false,
      nonce: 0,
      fee: 0n,
    };
    expect(CollectionCreate.deserialize(CollectionCreate.serialize(c)).name).toBe(c.name);
  });

  it("a block holding a BOM-prefixed string re-executes identically after SSZ encode/decode (verifier view)", () => {
    const tx = chain.sign(alice, TxKind.CollectionCreate, {
      name: "\ufeffArt",
      symbol: "ART",
      royaltyBps: 0,
      maxSupply: 1,
      metadataMutable: false,
    });
    // Sequencer: the transaction arrives over JSON-RPC.
    const viaRpc = parseTransactionJson(JSON.parse(JSON.stringify(signedTxToJson(tx))));
    expect(toHex(validateTransaction(viaRpc, CHAIN_ID).sender)).toBe(toHex(alice.address));
    const block = chain.buildBlock([viaRpc]);
    const base = chain.state;
    const sealed = applyBlock(base, block, { chainId: CHAIN_ID });
    expect(codeOf(sealed.receipts[0]!)).toBe("OK");
    // Verifier: the same block, as it travels (gossip, batch CAR on Filecoin).
    const wire = decodeSignedBlock(encodeSignedBlock({ ...block, signature: new Uint8Array(65) }));
    const replayed = applyBlock(base, wire, { chainId: CHAIN_ID }); // throws BlockError(INVALID_TRANSACTION) today
    expect(toHex(replayed.roots.stateRoot)).toBe(toHex(sealed.roots.stateRoot));
  });

  it("even without JSON, a tx decoded from wire bytes keeps its sender across re-encoding (double BOM)", () => {
    const tx = chain.sign(alice, TxKind.CollectionCreate, {
      name: "\ufeffArt",
      symbol: "ART",
      royaltyBps: 0,
      maxSupply: 1,
      metadataMutable: false,
    });
    // Wire bytes whose string has two BOMs: today the decoder strips one, giving exactly what alice signed.
    const bytes = encodeSignedTx({
      ...tx,
      message: { ...tx.message, name: "\ufeff\ufeffArt" },
    } as SignedTransaction);
    const received = parseTransactionBytes(bytes);
    const sender = validateTransaction(received, CHAIN_ID).sender;
    // The sequencer re-encodes it into its block; a verifier decodes that.
    const reDecoded = decodeSignedTx(encodeSignedTx(received));
    expect(reDecoded.message).toEqual(received.message);
    expect(toHex(validateTransaction(reDecoded, CHAIN_ID).sender)).toBe(toHex(sender));
  });

  /**
   * BUG (codec accepts malformed strings; nodes disagree on object contents). stringField.check
   * (types/src/schema.ts:160) only measures Buffer.byteLength, so a JSON string holding a lone UTF-16
   * surrogate ("\ud800") is accepted. It has no UTF-8 encoding: TextEncoder silently turns it into
   * U+FFFD. The sequencer that took the tx over JSON stores "\ud800" in its state while verifiers
   * (SSZ path) store "\ufffd"; roots agree but RPC answers, DID documents and JSON re-encodings
   * differ between nodes, and signedTxFromJson∘signedTxToJson is not the SSZ round trip.
   * Fix: in stringField.check reject strings that are not well-formed
   * (`!v.isWellFormed()` on Node ≥ 20, or /\p{Surrogate}/u) with CodecError INVALID_STRING.
   */
  it("rejects a JSON string field holding a lone surrogate", () => {
    const tx = chain.sign(alice, TxKind.CollectionCreate, {
      name: "\ud800",
      symbol: "ART",
      royaltyBps: 0,
      maxSupply: 1,
      metadataMutable: false,
    });
    expectMalformed(() => parseTransactionJson(JSON.parse(JSON.stringify(signedTxToJson(tx)))));
  });

  /**
   * BUG (codec accepts extra fields). struct.fromJson (types/src/schema.ts:313) tests unknown keys with
   * `k in fields`, which also sees Object.prototype: "constructor", "toString", "hasOwnProperty",
   * "__proto__" (an own key after JSON.parse) pass as "known" fields and are silently dropped.
   * Fix: `Object.hasOwn(fields, k)` (and `Object.hasOwn(obj, n)` for the required-field test).
   */
  it("rejects inherited property names as extra JSON fields", () => {
    const base = Transfer.toJson({ to: bob.address, amount: 1n, nonce: 0, fee: 1n });
    for (const extra of ["constructor", "toString", "__proto__"]) {
      const text = JSON.stringify(base).replace("{", `{"${extra}":{},`);
      expect(() => Transfer.fromJson(JSON.parse(text)), extra).toThrow(/no such field/);
    }
  });

  /**
   * BUG (codec accepts extra fields, low severity). signedTxFromJson (types/src/envelope.ts:93) and
   * signedBlockFromJson (types/src/chain.ts:155) never check the envelope's keys, unlike every struct,
   * so `{chainId, primaryType, message, signature, kind: 99, from: ...}` is accepted and the extra
   * keys are ignored: a client that thinks it set `from` or `kind` gets no error.
   * Fix: reject any key outside {chainId, primaryType, message, signature} (and the block's four).
   */
  it("rejects unknown keys in the signed-transaction JSON envelope", () => {
    const tx = chain.sign(alice, TxKind.Transfer, { to: bob.address, amount: 1n });
    const json = { ...signedTxToJson(tx), from: toHex(bob.address) };
    expectMalformed(() => parseTransactionJson(json));
  });
});

describe("execution at the edges (regressions)", () => {
  it("FIL self-transfer only costs the fee; an NFT transfer to self clears the approval", () => {
    const before = chain.balance(alice);
    expect(codeOf(chain.exec(alice, TxKind.Transfer, { to: alice.address, amount: 10n ** 20n, fee: 3n }))).toBe("OK");
    expect(chain.balance(alice)).toBe(before - 3n);

    const collectionId = collectionIdOf(alice.address, chain.nextNonce(alice));
    chain.exec(alice, TxKind.CollectionCreate, {
      name: "C",
      symbol: "C",
      royaltyBps: 0,
      maxSupply: 5,
      metadataMutable: false,
    });
    chain.exec(alice, TxKind.AssetMint, { collectionId, tokenId: 1, to: alice.address, contentCid: CID_A });
    chain.exec(alice, TxKind.AssetApprove, { collectionId, tokenId: 1, approved: bob.address });
    expect(codeOf(chain.exec(alice, TxKind.AssetTransfer, { collectionId, tokenId: 1, to: alice.address }))).toBe("OK");
    const asset = chain.state.get(Namespace.Asset, assetObjectId(collectionId, 1))!;
    expect(toHex(asset.owner)).toBe(toHex(alice.address));
    expect(toHex(asset.approved)).toBe(toHex(ZERO_ADDRESS));
    expect(codeOf(chain.exec(bob, TxKind.AssetTransfer, { collectionId, tokenId: 1, to: bob.address }))).toBe(
      "NOT_ASSET_AUTHORIZED",
    );
    expectConservation(chain.state);
  });

  it("a token self-transfer keeps the balance and the supply", () => {
    const tokenId = tokenIdOf(alice.address, chain.nextNonce(alice));
    chain.exec(alice, TxKind.TokenCreate, { name: "T", symbol: "T", decimals: 0, cap: 100n });
    chain.exec(alice, TxKind.TokenMint, { tokenId, to: alice.address, amount: 40n });
    expect(codeOf(chain.exec(alice, TxKind.TokenTransfer, { tokenId, to: alice.address, amount: 40n }))).toBe("OK");
    expect(chain.state.get(Namespace.TokenBalance, tokenBalanceObjectId(tokenId, alice.address))!.balance).toBe(40n);
    expect(chain.state.get(Namespace.Token, tokenId)!.supply).toBe(40n);
  });

  it("trade where the seller is the creator, royalty rounding down, FIL conserved", () => {
    const collectionId = collectionIdOf(carol.address, chain.nextNonce(carol));
    chain.exec(carol, TxKind.CollectionCreate, {
      name: "Art",
      symbol: "ART",
      royaltyBps: 999,
      maxSupply: 10,
      metadataMutable: false,
    });
    chain.exec(carol, TxKind.AssetBatchMint, {
      collectionId,
      firstTokenId: 1,
      to: carol.address,
      contentCids: [CID_A, CID_B],
    });
    // Seller = creator: gets the whole price (royalty to itself).
    const sell = chain.order(carol, { collectionId, tokenId: 1, price: 1001n });
    const [c0, b0] = [chain.balance(carol), chain.balance(bob)];
    expect(codeOf(chain.exec(bob, TxKind.TradeFill, { ...sell, fee: 1n }))).toBe("OK");
    expect(chain.balance(carol) - c0).toBe(1001n);
    expect(b0 - chain.balance(bob)).toBe(1002n);
    // Buy order filled by bob (now the owner) back to carol: royalty floor(1001 * 999 / 10000) = 99.
    const buy = chain.order(carol, { collectionId, tokenId: 1, price: 1001n, side: OrderSide.Buy, salt: 7n });
    const [c1, b1] = [chain.balance(carol), chain.balance(bob)];
    expect(codeOf(chain.exec(bob, TxKind.TradeFill, { ...buy, fee: 1n }))).toBe("OK");
    expect(chain.balance(bob) - b1).toBe(1001n - 99n - 1n);
    expect(c1 - chain.balance(carol)).toBe(1001n - 99n);
    // Replaying the filled order fails (the fee is still charged).
    expect(codeOf(chain.exec(bob, TxKind.TradeFill, buy))).toBe("ORDER_CLOSED");
    expectConservation(chain.state);
  });

  it("batch mint overlapping an existing id fails atomically; supply is not consumed", () => {
    const collectionId = collectionIdOf(alice.address, chain.nextNonce(alice));
    chain.exec(alice, TxKind.CollectionCreate, {
      name: "C",
      symbol: "C",
      royaltyBps: 0,
      maxSupply: 4,
      metadataMutable: false,
    });
    chain.exec(alice, TxKind.AssetMint, { collectionId, tokenId: 3, to: alice.address, contentCid: CID_A });
    const r = chain.exec(alice, TxKind.AssetBatchMint, {
      collectionId,
      firstTokenId: 1,
      to: bob.address,
      contentCids: [CID_A, CID_A, CID_A],
    });
    expect(codeOf(r)).toBe("ASSET_EXISTS");
    expect(chain.state.get(Namespace.Asset, assetObjectId(collectionId, 1))).toBeUndefined();
    expect(chain.state.get(Namespace.Collection, collectionId)!.minted).toBe(1);
  });

  it("a delegate of one identity cannot act onBehalfOf another; an old owner is locked out after transfer", () => {
    const mine = identityIdOf(alice.address, chain.nextNonce(alice));
    chain.exec(alice, TxKind.IdentityCreate, { handle: "review_alice", profileCid: CID_A });
    const other = identityIdOf(bob.address, chain.nextNonce(bob));
    chain.exec(bob, TxKind.IdentityCreate, { handle: "review_bob", profileCid: CID_A });
    chain.exec(alice, TxKind.DelegateAdd, {
      identityId: mine,
      delegate: session.address,
      scope: DelegateScope.All,
      expiresAt: chain.timestamp + 1000,
    });
    // Alice also makes herself a delegate before giving the identity away.
    chain.exec(alice, TxKind.DelegateAdd, {
      identityId: mine,
      delegate: alice.address,
      scope: DelegateScope.All,
      expiresAt: chain.timestamp + 1000,
    });
    const tokenId = tokenIdOf(bob.address, chain.nextNonce(bob));
    chain.exec(bob, TxKind.TokenCreate, { name: "B", symbol: "B", decimals: 0, cap: 10n });
    chain.exec(bob, TxKind.TokenMint, { tokenId, to: bob.address, amount: 10n });
    expect(
      codeOf(
        chain.exec(session, TxKind.TokenTransfer, { tokenId, to: session.address, amount: 1n, onBehalfOf: other }),
      ),
    ).toBe("DELEGATE_NOT_FOUND");

    expect(codeOf(chain.exec(alice, TxKind.IdentityTransfer, { identityId: mine, newOwner: bob.address }))).toBe("OK");
    // Now `mine` resolves to bob: neither alice (old owner, self-delegate) nor session may move bob's tokens.
    for (const k of [alice, session]) {
      expect(
        codeOf(chain.exec(k, TxKind.TokenTransfer, { tokenId, to: k.address, amount: 1n, onBehalfOf: mine })),
      ).toBe("DELEGATE_NOT_FOUND");
      expect(codeOf(chain.exec(k, TxKind.IdentityUpdate, { identityId: mine, profileCid: CID_B }))).toBe(
        "DELEGATE_NOT_FOUND",
      );
    }
    expect(chain.state.get(Namespace.TokenBalance, tokenBalanceObjectId(tokenId, bob.address))!.balance).toBe(10n);
  });

  it("sibling blocks over one parent keep their own withdrawal records (no shared-array clobbering)", () => {
    chain.exec(alice, TxKind.Withdraw, { l1Recipient: alice.address, amount: 5n });
    const parent = chain.state;
    const wa = chain.sign(alice, TxKind.Withdraw, { l1Recipient: alice.address, amount: 7n });
    const wb = chain.sign(bob, TxKind.Withdraw, { l1Recipient: bob.address, amount: 9n });
    const a = applyBlock(parent, chain.buildBlock([wa]), { chainId: CHAIN_ID });
    const b = applyBlock(parent, chain.buildBlock([wb]), { chainId: CHAIN_ID });
    const a2 = applyBlock(parent, chain.buildBlock([wa]), { chainId: CHAIN_ID });
    expect(toHex(a2.roots.stateRoot)).toBe(toHex(a.roots.stateRoot));
    expect(a.state.withdrawal(1)!.amount).toBe(7n);
    expect(b.state.withdrawal(1)!.amount).toBe(9n);
    expect(parent.withdrawal(1)).toBeUndefined();
    for (const r of [a, b]) {
      const proof = proveWithdrawal(r.state, 1)!;
      expect(verifyWithdrawalProof(r.roots.stateRoot, proof)).toBe(true);
    }
    expectConservation(a.state);
    expectConservation(b.state);
  });

  it("the proposer paying itself and a transaction failing mid-handler leave FIL conserved", () => {
    chain.fund([sequencer]);
    const tx1 = chain.sign(sequencer, TxKind.Transfer, { to: alice.address, amount: 1n, fee: 5n });
    const tx2 = chain.sign(alice, TxKind.Withdraw, { l1Recipient: alice.address, amount: 10n ** 30n, fee: 2n });
    const r = chain.block([tx1, tx2]);
    expect(r.receipts.map(codeOf)).toEqual(["OK", "INSUFFICIENT_BALANCE"]);
    expect(r.state.globals().withdrawalCount).toBe(0);
    expectConservation(r.state);
  });
});
