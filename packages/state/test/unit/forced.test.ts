/** Forced transactions: L1 messages carrying a signed L2 transaction, consumed in bridge nonce order. */
import { depositHash, txHash } from "@filverse/crypto";
import { CHAIN_ID, makeKey, TestChain, ZERO_ADDRESS } from "@filverse/test-utils";
import { encodeSignedTx, Namespace, ReceiptStatus, TxKind } from "@filverse/types";
import { beforeEach, describe, expect, it } from "vitest";
import { applyBlock } from "../../src/applyBlock.js";
import { BlockErrorCode, TxValidationErrorCode } from "../../src/errors.js";

const alice = makeKey(1, "alice");
const bob = makeKey(2, "bob");

describe("forced transactions", () => {
  let chain: TestChain;
  beforeEach(() => {
    chain = new TestChain();
    chain.fund([alice]);
  });

  it("executes a valid forced transaction before the block's own, under its own tx hash", () => {
    const forced = chain.sign(alice, TxKind.Transfer, { to: bob.address, amount: 5n, fee: 2n });
    chain.force(encodeSignedTx(forced));
    const own = chain.sign(alice, TxKind.Transfer, { to: bob.address, amount: 1n, fee: 2n });
    const result = chain.block([own]);
    expect(result.receipts).toHaveLength(2);
    expect(result.receipts[0]).toMatchObject({ kind: TxKind.Transfer, status: ReceiptStatus.Success, feePaid: 2n });
    expect(result.hashes[0]).toEqual(txHash(forced));
    expect(result.receipts[0]!.txHash).toEqual(txHash(forced));
    expect(result.l1DepositNonce).toBe(2);
    expect(chain.state.get(Namespace.Account, bob.address)).toMatchObject({ balance: 6n });
  });

  it.each([
    ["undecodable bytes", () => new Uint8Array([1, 2, 3]), TxValidationErrorCode.MALFORMED],
    [
      "a nonce gap",
      () => encodeSignedTx(chain.sign(alice, TxKind.Transfer, { to: bob.address, amount: 1n, nonce: 7 })),
      TxValidationErrorCode.NONCE_TOO_HIGH,
    ],
    [
      "a fee the sender cannot pay",
      () => encodeSignedTx(chain.sign(bob, TxKind.Transfer, { to: alice.address, amount: 1n, fee: 1n })),
      TxValidationErrorCode.INSUFFICIENT_FUNDS_FOR_FEE,
    ],
    [
      "a broken signature",
      () => {
        const tx = chain.sign(alice, TxKind.Transfer, { to: bob.address, amount: 1n });
        const bytes = encodeSignedTx({ ...tx, signature: new Uint8Array(65).fill(1) });
        return bytes;
      },
      TxValidationErrorCode.BAD_SIGNATURE,
    ],
  ])("consumes %s with a failed receipt and changes nothing else", (_name, make, code) => {
    const before = chain.state.roots();
    const message = chain.force(make());
    const result = chain.block([]);
    expect(result.receipts).toEqual([
      {
        txHash: depositHash(message),
        kind: TxKind.Deposit,
        sender: ZERO_ADDRESS,
        status: ReceiptStatus.Failed,
        code,
        feePaid: 0n,
      },
    ]);
    expect(result.l1DepositNonce).toBe(2);
    // Only the L1 cursor moved: the objects tree is the same apart from the globals object.
    expect(result.roots.withdrawalsRoot).toEqual(before.withdrawalsRoot);
    expect(chain.state.get(Namespace.Account, alice.address)).toMatchObject({ nonce: 0 });
  });

  it("a forced transaction replayed through the block's own list is not includable", () => {
    const forced = chain.sign(alice, TxKind.Transfer, { to: bob.address, amount: 5n });
    chain.force(encodeSignedTx(forced));
    expect(() => chain.block([forced])).toThrowError(
      expect.objectContaining({ code: BlockErrorCode.INVALID_TRANSACTION }),
    );
  });

  it("rejects a block whose forced message also carries value", () => {
    const forced = chain.sign(alice, TxKind.Transfer, { to: bob.address, amount: 5n });
    const message = chain.force(encodeSignedTx(forced));
    message.amount = 1n;
    expect(() => applyBlock(chain.state, chain.buildBlock([]), { chainId: CHAIN_ID })).toThrowError(
      expect.objectContaining({ code: BlockErrorCode.BAD_L1_MESSAGE }),
    );
  });
});
