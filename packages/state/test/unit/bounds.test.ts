/**
 * Bounds where execution derives a value that is later encoded: admission must refuse what execution
 * could not encode (AssetBatchMint token ids past 2^53−1, a nonce with no successor), and execution
 * fails with a code where the bound depends on state (the withdrawals tree's capacity).
 */
import { collectionIdOf } from "@filverse/crypto";
import { MAX_BATCH_MINT, MAX_UINT64_SAFE } from "@filverse/params";
import { Namespace, ReceiptStatus, TxKind } from "@filverse/types";
import { beforeEach, describe, expect, it } from "vitest";
import { TxValidationError, TxValidationErrorCode as V } from "../../src/errors.js";
import { assetObjectId } from "../../src/keys.js";
import { validateTransaction } from "../../src/validate.js";
import { CHAIN_ID, cidOf, makeKey, TestChain } from "./harness.js";

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
    const tx = (nonce: number) =>
      chain.sign(alice, TxKind.Transfer, { to: alice.address, amount: 1n, nonce });
    expect(refusal(() => validateTransaction(tx(MAX_UINT64_SAFE), CHAIN_ID))).toEqual({
      code: V.INVALID_FIELD,
      field: "nonce",
    });
    expect(refusal(() => validateTransaction(tx(MAX_UINT64_SAFE - 1), CHAIN_ID))).toBeNull();
  });
});
