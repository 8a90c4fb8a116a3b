/**
 * Bounds where execution derives a value that is later encoded: admission must refuse what execution
 * could not encode (AssetBatchMint token ids past 2^53−1, a nonce with no successor), and execution
 * fails with a code where the bound depends on state (the withdrawals tree's capacity).
 */
import { collectionIdOf, txHash } from "@filverse/crypto";
import { MAX_BATCH_MINT, MAX_UINT64_SAFE } from "@filverse/params";
import { CHAIN_ID, cidOf, makeKey, sequencer, TestChain } from "@filverse/test-utils";
import { encodeSignedTx, Namespace, ReceiptStatus, type SignedTransaction, TxKind } from "@filverse/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { encodeStateEntry, stateValueFits } from "../../src/entryCodec.js";
import { TxValidationError, TxValidationErrorCode as V } from "../../src/errors.js";
import { handlers } from "../../src/execution/index.js";
import { BlockExecutor } from "../../src/executor.js";
import { assetObjectId } from "../../src/keys.js";
import { type ValidatedTransaction, validateTransaction } from "../../src/validate.js";

const alice = makeKey(801, "alice");

let chain: TestChain;

beforeEach(() => {
  chain = new TestChain();
  chain.fund([alice]);
});

function refusal(run: () => unknown): { code: number; field: unknown } | null {
  try {
    run();
    return null;
  } catch (err) {
    if (!(err instanceof TxValidationError)) throw err;
    return { code: err.code, field: err.details.field };
  }
}

const cids = (n: number) => Array.from({ length: n }, (_, i) => cidOf(`bounds-${i}`));

function batchMint(firstTokenId: number, n: number) {
  const collectionId = collectionIdOf(alice.address, 0);
  return chain.sign(alice, TxKind.AssetBatchMint, {
    collectionId,
    firstTokenId,
    to: alice.address,
    contentCids: cids(n),
    nonce: 1,
  });
}

describe("AssetBatchMint: firstTokenId + n − 1 ≤ 2^53−1", () => {
  // The last id in double arithmetic: 9007199254740991 + 2 − 1 rounds to 9007199254740991, so a
  // check written as `firstTokenId + n − 1 > MAX` let the batch through.
  const cases: [firstTokenId: number, n: number, ok: boolean][] = [
    [MAX_UINT64_SAFE, 1, true],
    [MAX_UINT64_SAFE, 2, false],
    [MAX_UINT64_SAFE, 3, false],
    [MAX_UINT64_SAFE - 1, 2, true],
    [MAX_UINT64_SAFE - 1, 3, false],
    [MAX_UINT64_SAFE - (MAX_BATCH_MINT - 1), MAX_BATCH_MINT, true],
    [MAX_UINT64_SAFE - (MAX_BATCH_MINT - 2), MAX_BATCH_MINT, false],
    [0, MAX_BATCH_MINT, true],
  ];
  for (const [first, n, ok] of cases) {
    it(`firstTokenId ${first}, ${n} CIDs: ${ok ? "accepted" : "INVALID_FIELD firstTokenId"}`, () => {
      const result = refusal(() => validateTransaction(batchMint(first, n), CHAIN_ID));
      expect(result).toEqual(ok ? null : { code: V.INVALID_FIELD, field: "firstTokenId" });
    });
  }

  it("a batch ending at 2^53−1 mints and its block encodes", () => {
    chain.exec(alice, TxKind.CollectionCreate, {
      name: "Edge",
      symbol: "EDGE",
      royaltyBps: 0,
      maxSupply: 2 ** 40,
      metadataMutable: false,
    });
    const result = chain.block([batchMint(MAX_UINT64_SAFE - 1, 2)]);
    expect(result.receipts.at(-1)!.status).toBe(ReceiptStatus.Success);
    const collectionId = collectionIdOf(alice.address, 0);
    expect(chain.state.get(Namespace.Asset, assetObjectId(collectionId, MAX_UINT64_SAFE))?.tokenId).toBe(
      MAX_UINT64_SAFE,
    );
  });
});

describe("nonce < 2^53−1: the nonce after it must be representable", () => {
  it("refuses nonce 2^53−1 and accepts 2^53−2 statelessly", () => {
    const tx = (nonce: number) => chain.sign(alice, TxKind.Transfer, { to: alice.address, amount: 1n, nonce });
    expect(refusal(() => validateTransaction(tx(MAX_UINT64_SAFE), CHAIN_ID))).toEqual({
      code: V.INVALID_FIELD,
      field: "nonce",
    });
    expect(refusal(() => validateTransaction(tx(MAX_UINT64_SAFE - 1), CHAIN_ID))).toBeNull();
  });
});

describe("execution: a value its encoding refuses fails the transaction, never the block", () => {
  const asset = (tokenId: number) => ({
    collectionId: new Uint8Array(32),
    tokenId,
    owner: alice.address,
    approved: new Uint8Array(20),
    contentCid: cidOf("x"),
    burned: false,
  });

  it("stateValueFits agrees with the encoder at 2^53−1 and 2^53", () => {
    expect(stateValueFits(Namespace.Asset, asset(MAX_UINT64_SAFE))).toBe(true);
    expect(() => encodeStateEntry(Namespace.Asset, new Uint8Array(40), asset(MAX_UINT64_SAFE))).not.toThrow();
    expect(stateValueFits(Namespace.Asset, asset(MAX_UINT64_SAFE + 1))).toBe(false);
    expect(() => encodeStateEntry(Namespace.Asset, new Uint8Array(40), asset(MAX_UINT64_SAFE + 1))).toThrow(
      /Asset.tokenId/,
    );
    expect(stateValueFits(Namespace.Account, { balance: 2n ** 256n, nonce: 0 })).toBe(false);
    expect(
      stateValueFits(Namespace.Identity, {
        owner: alice.address,
        handle: "a".repeat(33),
        profileCid: "",
        ownerEpoch: 0,
      }),
    ).toBe(false);
  });

  /** A transaction handed to the executor as if validated, bypassing the stateless rules. */
  function unchecked(tx: SignedTransaction): ValidatedTransaction {
    return { tx, hash: txHash(tx), sender: alice.address };
  }

  function executor(): BlockExecutor {
    return new BlockExecutor(chain.state, {
      chainId: CHAIN_ID,
      timestamp: chain.timestamp + 1,
      proposer: sequencer.address,
      minTxFee: 0n,
    });
  }

  it("the issue-12 batch past admission: EXECUTION_FAULT on Asset.tokenId, nothing applied, the block finishes", () => {
    chain.exec(alice, TxKind.CollectionCreate, {
      name: "Edge",
      symbol: "EDGE",
      royaltyBps: 0,
      maxSupply: 2 ** 40,
      metadataMutable: false,
    });
    const before = chain.state.get(Namespace.Account, alice.address)!;
    const ex = executor();
    let caught: unknown;
    try {
      ex.applyTransaction(unchecked(batchMint(MAX_UINT64_SAFE, 2)));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TxValidationError);
    expect((caught as TxValidationError).code).toBe(V.EXECUTION_FAULT);
    expect((caught as TxValidationError).details.field).toBe("Asset.tokenId");
    expect(ex.account(alice.address)).toEqual(before);
    expect(ex.transactionCount).toBe(0);
    const result = ex.finish();
    expect(result.receipts).toEqual([]);
    expect(result.roots.stateRoot).toEqual(chain.state.roots().stateRoot);
  });

  describe("a handler that throws", () => {
    const original = handlers[TxKind.AssetApprove];
    afterEach(() => {
      handlers[TxKind.AssetApprove] = original;
    });
    const approve = (nonce?: number) =>
      chain.sign(alice, TxKind.AssetApprove, {
        collectionId: new Uint8Array(32),
        tokenId: 1,
        approved: alice.address,
        ...(nonce === undefined ? {} : { nonce }),
      });

    it("is EXECUTION_FAULT with nothing applied, fee and nonce included", () => {
      handlers[TxKind.AssetApprove] = () => {
        throw new TypeError("injected");
      };
      const before = chain.state.get(Namespace.Account, alice.address)!;
      const ex = executor();
      expect(() => ex.applyTransaction(validateTransaction(approve(), CHAIN_ID))).toThrow(
        expect.objectContaining({ code: V.EXECUTION_FAULT }),
      );
      expect(ex.account(alice.address)).toEqual(before);
      expect(ex.account(sequencer.address)).toEqual({ balance: 0n, nonce: 0 });
    });

    it("consumes a forced transaction with code EXECUTION_FAULT, as applyBlock does for the verifier", () => {
      handlers[TxKind.AssetApprove] = () => {
        throw new TypeError("injected");
      };
      chain.force(encodeSignedTx(approve(0)));
      const result = chain.block([]);
      const receipt = result.receipts.at(-1)!;
      expect(receipt).toMatchObject({ kind: 0, status: ReceiptStatus.Failed, code: V.EXECUTION_FAULT, feePaid: 0n });
      expect(chain.state.get(Namespace.Account, alice.address)?.nonce).toBe(0);
    });
  });
});
