/** The address → transaction index (0x0c): written in the block's batch, paged newest first, undone by a rewind. */
import { txHash } from "@filverse/crypto";
import { makeKey } from "@filverse/test-utils";
import { blockHash, TxKind } from "@filverse/types";
import { toHex } from "@filverse/utils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChainDb } from "../../src/index.js";
import { SealedChain, type Step, tempDir } from "./helpers.js";

const alice = makeKey(1, "alice");
const bob = makeKey(2, "bob");
const carol = makeKey(3, "carol");

let tmp: ReturnType<typeof tempDir>;
let db: ChainDb;
let chain: SealedChain;

beforeEach(async () => {
  tmp = tempDir();
  db = await ChainDb.open({ dir: tmp.dir });
  chain = new SealedChain();
  await db.initGenesis(chain.genesis);
});

afterEach(async () => {
  await db.close();
  tmp.remove();
});

const commit = (step: Step) => db.commitBlock({ ...step, journalRemove: [] });
const refs = (page: Awaited<ReturnType<ChainDb["getTransactionsByAddress"]>>) =>
  page.items.map((i) => `${i.blockNumber}:${i.index}`);

describe("getTransactionsByAddress", () => {
  it("lists deposits to, and transactions from or to, an address, newest first, in pages", async () => {
    chain.deposit(alice.address);
    chain.deposit(bob.address);
    const b1 = chain.next();
    await commit(b1);
    const t1 = chain.signer.sign(alice, TxKind.Transfer, { to: bob.address, amount: 5n });
    const t2 = chain.signer.sign(alice, TxKind.Transfer, { to: carol.address, amount: 1n });
    await commit(chain.next([t1, t2]));
    const t3 = chain.signer.sign(bob, TxKind.Transfer, { to: alice.address, amount: 2n });
    await commit(chain.next([t3]));

    const a = await db.getTransactionsByAddress(alice.address);
    expect(refs(a)).toEqual(["3:0", "2:1", "2:0", "1:0"]);
    expect(a.nextCursor).toBeNull();
    expect(toHex(a.items[0]!.hash)).toBe(toHex(txHash(t3)));
    expect(toHex(a.items[3]!.hash)).toBe(toHex(b1.result.hashes[0]!));
    expect(refs(await db.getTransactionsByAddress(bob.address))).toEqual(["3:0", "2:0", "1:1"]);
    expect(refs(await db.getTransactionsByAddress(carol.address))).toEqual(["2:1"]);
    expect((await db.getTransactionsByAddress(makeKey(9).address)).items).toEqual([]);

    const first = await db.getTransactionsByAddress(alice.address, { limit: 3 });
    expect(refs(first)).toEqual(["3:0", "2:1", "2:0"]);
    expect(first.nextCursor).not.toBeNull();
    const second = await db.getTransactionsByAddress(alice.address, { limit: 3, cursor: first.nextCursor });
    expect(refs(second)).toEqual(["1:0"]);
    expect(second.nextCursor).toBeNull();
    // Exactly a page full: no phantom next page.
    expect((await db.getTransactionsByAddress(alice.address, { limit: 4 })).nextCursor).toBeNull();
  });

  it("a rewind removes the entries of the blocks it removes", async () => {
    chain.deposit(alice.address);
    const b1 = chain.next();
    await commit(b1);
    const afterB1 = chain.state;
    await commit(chain.next([chain.signer.sign(alice, TxKind.Transfer, { to: bob.address, amount: 5n })]));
    expect(refs(await db.getTransactionsByAddress(bob.address))).toEqual(["2:0"]);
    await db.rewind({
      record: {
        status: "pending",
        target: 1,
        targetHash: blockHash(b1.block.header),
        checkpoint: 0,
        l1Block: 1n,
        l1LogIndex: 0,
        fromHead: 2,
        returned: [],
      },
      current: chain.state,
      targetState: afterB1,
      returnTransactions: false,
    });
    expect((await db.getTransactionsByAddress(bob.address)).items).toEqual([]);
    expect(refs(await db.getTransactionsByAddress(alice.address))).toEqual(["1:0"]);
  });

  it("checks its arguments", async () => {
    await expect(db.getTransactionsByAddress(new Uint8Array(19))).rejects.toThrow(TypeError);
    await expect(db.getTransactionsByAddress(alice.address, { cursor: "0x12" })).rejects.toThrow(RangeError);
    await expect(db.getTransactionsByAddress(alice.address, { limit: 0 })).rejects.toThrow(RangeError);
  });
});

describe("addressTxEntries", () => {
  it("names a Via transaction's sponsor and account beside its signer and message addresses", async () => {
    const { addressTxEntries } = await import("../../src/addressIndex.js");
    const { signTransaction } = await import("@filverse/crypto");
    const tx = signTransaction(
      7,
      { kind: TxKind.Transfer, message: { to: carol.address, amount: 1n, nonce: 0, fee: 1n } },
      makeKey(4).priv,
      { sponsor: alice.address, account: bob.address },
    );
    const block = { header: {} as never, deposits: [], transactions: [tx] };
    const receipt = {
      txHash: new Uint8Array(32),
      kind: 1,
      sender: makeKey(4).address,
      status: 1,
      code: 0,
      feePaid: 1n,
    };
    const named = addressTxEntries(block, [receipt]).map((e) => toHex(e.address));
    expect(named.sort()).toEqual([makeKey(4).address, carol.address, alice.address, bob.address].map(toHex).sort());
  });
});
