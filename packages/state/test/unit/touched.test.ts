/**
 * BlockExecutor's touched list (what a preconfirmation commits to): every object a transaction
 * wrote, with its hash_tree_root after it, ascending by key; and the cached hashes leave the block's
 * roots unchanged.
 */
import { makeKey, sequencer, TestChain } from "@filverse/test-utils";
import {
  Namespace,
  ReceiptStatus,
  receiptRoot,
  stateObjectStructs,
  type TouchedEntry,
  TxKind,
  touchedRoot,
} from "@filverse/types";
import { toHex } from "@filverse/utils";
import { beforeEach, describe, expect, it } from "vitest";
import { applyBlock } from "../../src/applyBlock.js";
import { BlockExecutor } from "../../src/executor.js";
import { stateKey } from "../../src/keys.js";
import { validateTransaction } from "../../src/validate.js";

const alice = makeKey(1, "alice");
const bob = makeKey(2, "bob");
const CHAIN_ID = 3_141_592_601;

let chain: TestChain;

beforeEach(() => {
  chain = new TestChain();
  chain.fund([alice]);
});

function executor(): BlockExecutor {
  return new BlockExecutor(chain.state, {
    chainId: CHAIN_ID,
    timestamp: chain.timestamp + 1,
    proposer: sequencer.address,
    minTxFee: 1n,
  });
}

function hashOf(state: BlockExecutor, ns: Namespace, id: Uint8Array): string {
  const a = state.account(id);
  return toHex((stateObjectStructs[ns] as { hashTreeRoot(v: unknown): Uint8Array }).hashTreeRoot(a));
}

describe("BlockExecutor touched list", () => {
  it("lists the sender, the recipient and the proposer with their values after the transfer, ascending by key", () => {
    const ex = executor();
    const tx = chain.sign(alice, TxKind.Transfer, { to: bob.address, amount: 100n, fee: 7n });
    const {
      receipt: r,
      touched,
      receiptRoot: rr,
      touchedRoot: tr,
    } = ex.applyTransactionPreconfirmed(validateTransaction(tx, CHAIN_ID));
    expect(r.status).toBe(ReceiptStatus.Success);
    expect(toHex(rr)).toBe(toHex(receiptRoot(r)));
    expect(toHex(tr)).toBe(toHex(touchedRoot(touched)));
    const expected = [alice.address, bob.address, sequencer.address]
      .map((a) => ({ key: toHex(stateKey(Namespace.Account, a)), valueHash: hashOf(ex, Namespace.Account, a) }))
      .sort((x, y) => (x.key < y.key ? -1 : 1));
    expect(touched.map((e) => ({ key: toHex(e.key), valueHash: toHex(e.valueHash) }))).toEqual(expected);
  });

  it("lists only the fee and nonce writes of a failed transaction", () => {
    const ex = executor();
    const tx = chain.sign(alice, TxKind.Transfer, { to: bob.address, amount: 10n ** 30n, fee: 3n });
    const { receipt: r, touched } = ex.applyTransactionPreconfirmed(validateTransaction(tx, CHAIN_ID));
    expect(r.status).toBe(ReceiptStatus.Failed);
    expect(touched.map((e) => toHex(e.key)).sort()).toEqual(
      [alice.address, sequencer.address].map((a) => toHex(stateKey(Namespace.Account, a))).sort(),
    );
  });

  it("a transaction rewriting an object reports its own value, and the block's roots equal applyBlock's", () => {
    const ex = executor();
    const txs = [
      chain.sign(alice, TxKind.Transfer, { to: bob.address, amount: 1n }),
      chain.sign(alice, TxKind.Transfer, { to: bob.address, amount: 2n }),
      chain.sign(alice, TxKind.Transfer, { to: bob.address, amount: 3n }),
    ];
    const lists: TouchedEntry[][] = [];
    // Preconfirmed and plain transactions mixed: the cached receipt roots and value hashes must
    // give the block the same roots as a replay that computes them all.
    txs.forEach((tx, i) => {
      const vtx = validateTransaction(tx, CHAIN_ID);
      if (i === 1) ex.applyTransaction(vtx);
      else lists.push(ex.applyTransactionPreconfirmed(vtx).touched);
    });
    const bobKey = toHex(stateKey(Namespace.Account, bob.address));
    const bobHash = (l: TouchedEntry[]) => toHex(l.find((e) => toHex(e.key) === bobKey)!.valueHash);
    expect(bobHash(lists[0]!)).not.toBe(bobHash(lists[1]!));
    expect(bobHash(lists[1]!)).toBe(hashOf(ex, Namespace.Account, bob.address));

    const result = ex.finish();
    const block = chain.buildBlock(txs);
    const replay = applyBlock(
      chain.state,
      { ...block, header: { ...block.header, timestamp: chain.timestamp + 1 } },
      {
        chainId: CHAIN_ID,
      },
    );
    expect(toHex(result.roots.stateRoot)).toBe(toHex(replay.roots.stateRoot));
    expect(toHex(result.roots.receiptsRoot)).toBe(toHex(replay.roots.receiptsRoot));
  });

  it("costs nothing when not asked: no touched list, no cached hash", () => {
    const ex = executor();
    ex.applyTransaction(
      validateTransaction(chain.sign(alice, TxKind.Transfer, { to: bob.address, amount: 1n }), CHAIN_ID),
    );
    expect(ex.finish().changes.every((c) => c.valueHash === undefined)).toBe(true);
  });
});
