/** ChainDb on a real LevelDB in a temp dir, with blocks made by the real state machine. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { collectionIdOf, depositHash, txHash } from "@filverse/crypto";
import { createGenesis, type State } from "@filverse/state";
import { cidOf, makeKey, sequencer } from "@filverse/test-utils";
import { blockHash, encodeSignedBlock, encodeSignedTx, Namespace, ReceiptStatus, TxKind } from "@filverse/types";
import { toHex } from "@filverse/utils";
import { ClassicLevel } from "classic-level";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { encodeStateObject } from "../../src/codec.js";
import { ChainDb, DbError, DbErrorCode } from "../../src/index.js";
import { blockKey, MetaKey, metaKey, receiptsKey, stateObjectKey } from "../../src/keys.js";
import { CHAIN_ID, SealedChain, type Step, tempDir } from "./helpers.js";

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
});

afterEach(async () => {
  await db.close();
  tmp.remove();
});

async function reopen(): Promise<void> {
  await db.close();
  db = await ChainDb.open({ dir: tmp.dir });
}

async function commit(step: Step, journalRemove: Uint8Array[] = []): Promise<void> {
  await db.commitBlock({ ...step, journalRemove });
}

const rootHex = (s: State) => toHex(s.roots().stateRoot);

async function expectCode(p: Promise<unknown>, code: DbErrorCode): Promise<DbError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DbError);
  expect((err as DbError).code).toBe(code);
  return err as DbError;
}

describe("genesis", () => {
  it("stores genesis once, finds it again after reopening, and refuses another", async () => {
    expect(await db.getHead()).toBeNull();
    expect(await db.getGenesisHash()).toBeNull();
    expect(await db.initGenesis(chain.genesis)).toBe(true);
    await reopen();
    expect(await db.initGenesis(chain.genesis)).toBe(false);

    const hash = blockHash(chain.genesis.header);
    expect(await db.getGenesisHash()).toEqual(hash);
    expect(await db.getChainId()).toBe(CHAIN_ID);
    const head = await db.getHead();
    expect(head?.number).toBe(0);
    expect(head?.hash).toEqual(hash);
    expect(head?.header).toEqual(chain.genesis.header);
    expect(await db.getBlockNumberByHash(hash)).toBe(0);
    expect(await db.getBlockByNumber(0)).toBeNull();
    expect(rootHex(await db.loadState())).toBe(rootHex(chain.genesis.state));

    const other = createGenesis({ chainId: CHAIN_ID }, { timestamp: 1_800_000_000, proposer: sequencer.address });
    const err = await expectCode(db.initGenesis(other), DbErrorCode.GENESIS_MISMATCH);
    expect(err.details).toEqual({ stored: toHex(hash), given: toHex(blockHash(other.header)) });
  });

  it("refuses a genesis whose state does not match its header", async () => {
    const header = { ...chain.genesis.header, stateRoot: new Uint8Array(32).fill(1) };
    await expectCode(db.initGenesis({ header, state: chain.genesis.state }), DbErrorCode.BAD_INPUT);
    expect(await db.getGenesisHash()).toBeNull();
  });

  it("loadState and commitBlock need a genesis", async () => {
    await expectCode(db.loadState(), DbErrorCode.BAD_HEAD);
    chain.deposit(alice.address);
    await expectCode(commit(chain.next()), DbErrorCode.BAD_HEAD);
  });
});

describe("blocks", () => {
  it("commits blocks; after reopening, head, state, blocks, receipts and tx locations are all there", async () => {
    await db.initGenesis(chain.genesis);
    chain.deposit(alice.address);
    chain.deposit(bob.address);
    const steps = [chain.next()];
    const t1 = chain.signer.sign(alice, TxKind.Transfer, { to: carol.address, amount: 5n });
    const t2 = chain.signer.sign(bob, TxKind.Withdraw, { l1Recipient: bob.address, amount: 7n });
    // alice has far less than this: included, fails at execution, fee charged.
    const t3 = chain.signer.sign(alice, TxKind.Transfer, { to: bob.address, amount: 10n ** 30n });
    steps.push(chain.next([t1, t2, t3]));
    steps.push(chain.next([]));
    for (const s of steps) await commit(s);
    await reopen();

    const head = await db.getHead();
    expect(head?.number).toBe(3);
    expect(head?.hash).toEqual(blockHash(chain.head));
    expect(head?.header).toEqual(chain.head);
    const loaded = await db.loadState();
    expect(rootHex(loaded)).toBe(rootHex(chain.state));
    expect(loaded.withdrawals.length).toBe(1);
    expect(loaded.withdrawal(0)?.amount).toBe(7n);
    expect(loaded.get(Namespace.Account, carol.address)?.balance).toBe(5n);

    for (const { block, result } of steps) {
      const n = block.header.number;
      expect(await db.getBlockBytes(n)).toEqual(encodeSignedBlock(block));
      expect(await db.getBlockByNumber(n)).toEqual(block);
      expect(await db.getBlockNumberByHash(blockHash(block.header))).toBe(n);
      expect(await db.getReceipts(n)).toEqual(result.receipts);
    }
    const receipts2 = await db.getReceipts(2);
    expect(receipts2?.map((r) => r.status)).toEqual([
      ReceiptStatus.Success,
      ReceiptStatus.Success,
      ReceiptStatus.Failed,
    ]);
    expect(await db.getTxLocation(depositHash(steps[0]!.block.deposits[1]!))).toEqual({ blockNumber: 1, index: 1 });
    expect(await db.getTxLocation(txHash(t1))).toEqual({ blockNumber: 2, index: 0 });
    expect(await db.getTxLocation(txHash(t3))).toEqual({ blockNumber: 2, index: 2 });

    expect(await db.getBlockByNumber(4)).toBeNull();
    expect(await db.getBlockBytes(4)).toBeNull();
    expect(await db.getReceipts(4)).toBeNull();
    expect(await db.getTxLocation(new Uint8Array(32).fill(9))).toBeNull();
    expect(await db.getBlockNumberByHash(new Uint8Array(32).fill(9))).toBeNull();
    await expect(db.getBlockByNumber(-1)).rejects.toThrow(RangeError);
  });

  it("refuses a block that leaves a gap or names another parent (BAD_HEAD), and stores nothing of it", async () => {
    await db.initGenesis(chain.genesis);
    chain.deposit(alice.address);
    const b1 = chain.next();
    const b2 = chain.next();
    const err = await expectCode(commit(b2), DbErrorCode.BAD_HEAD);
    expect(err.details).toMatchObject({ headNumber: 0, number: 2 });
    await commit(b1);
    const forged = { ...b2, block: { ...b2.block, header: { ...b2.block.header, parentHash: new Uint8Array(32) } } };
    await expectCode(commit(forged), DbErrorCode.BAD_HEAD);
    await expectCode(commit(b1), DbErrorCode.BAD_HEAD);
    expect((await db.getHead())?.number).toBe(1);
    expect(await db.getBlockByNumber(2)).toBeNull();
  });

  it("refuses a result that is not the block's, or a prev that is not the head state (BAD_INPUT)", async () => {
    await db.initGenesis(chain.genesis);
    chain.deposit(alice.address);
    const b1 = chain.next();
    const b2 = chain.next([chain.signer.sign(alice, TxKind.Transfer, { to: bob.address, amount: 1n })]);
    await expectCode(db.commitBlock({ ...b1, result: b2.result, journalRemove: [] }), DbErrorCode.BAD_INPUT);
    await expectCode(db.commitBlock({ ...b1, prev: b2.prev, journalRemove: [] }), DbErrorCode.BAD_INPUT);
    expect((await db.getHead())?.number).toBe(0);
  });

  it("a large block's commit yields to the event loop between slices and still lands as one batch", async () => {
    await db.initGenesis(chain.genesis);
    chain.deposit(alice.address);
    const small = chain.next();
    for (let i = 0; i < 3_000; i++) chain.deposit(makeKey(1_000 + i, `user${i}`).address);
    const large = chain.next();
    // The commit yields with setImmediate (LevelDB's bindings never call it): not for a small block,
    // several times for thousands of writes.
    const yields = vi.spyOn(globalThis, "setImmediate");
    await commit(small);
    expect(yields).not.toHaveBeenCalled();
    const landing = commit(large);
    await landing;
    expect(yields.mock.calls.length).toBeGreaterThan(0);
    yields.mockRestore();
    await reopen();
    expect((await db.getHead())?.number).toBe(2);
    expect(rootHex(await db.loadState())).toBe(rootHex(large.result.state));
  });

  it("serializes concurrent commits: the same block twice commits once", async () => {
    await db.initGenesis(chain.genesis);
    chain.deposit(alice.address);
    const b1 = chain.next();
    const outcomes = await Promise.allSettled([commit(b1), commit(b1)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(((outcomes.find((o) => o.status === "rejected") as PromiseRejectedResult).reason as DbError).code).toBe(
      DbErrorCode.BAD_HEAD,
    );
  });
});

describe("assets by owner", () => {
  const ids = (assets: { collectionId: Uint8Array; tokenId: number }[]) =>
    assets.map((a) => `${toHex(a.collectionId).slice(2, 6)}:${a.tokenId}`);

  it("pages in (collectionId, tokenId) order and follows mint, transfer and burn", async () => {
    await db.initGenesis(chain.genesis);
    chain.deposit(alice.address);
    chain.deposit(bob.address);
    await commit(chain.next());
    const create = (nonce: number) => {
      const id = collectionIdOf(alice.address, nonce);
      const tx = chain.signer.sign(alice, TxKind.CollectionCreate, {
        name: "Avatars",
        symbol: "AVA",
        royaltyBps: 0,
        maxSupply: 100,
        metadataMutable: false,
      });
      return { id, tx };
    };
    const c1 = create(chain.signer.nextNonce(alice));
    const c2 = create(chain.signer.nextNonce(alice));
    const mint = (collectionId: Uint8Array, tokenId: number, to = alice.address) =>
      chain.signer.sign(alice, TxKind.AssetMint, { collectionId, tokenId, to, contentCid: cidOf(`${tokenId}`) });
    // Minted out of order; the index sorts them.
    await commit(chain.next([c1.tx, c2.tx, mint(c1.id, 5), mint(c2.id, 1), mint(c1.id, 2), mint(c1.id, 300)]));
    await commit(chain.next([mint(c2.id, 7), mint(c1.id, 1), mint(c1.id, 4, bob.address)]));

    const [lo, hi] = toHex(c1.id) < toHex(c2.id) ? [c1.id, c2.id] : [c2.id, c1.id];
    const expected = [
      ...[1, 2, 5, 300].map((t) => ({ collectionId: c1.id, tokenId: t })),
      ...[1, 7].map((t) => ({ collectionId: c2.id, tokenId: t })),
    ].sort((a, b) =>
      toHex(a.collectionId) < toHex(b.collectionId) ? -1 : toHex(a.collectionId) > toHex(b.collectionId) ? 1 : 0,
    );
    expect(toHex(expected[0]!.collectionId)).toBe(toHex(lo!));
    expect(toHex(expected[5]!.collectionId)).toBe(toHex(hi!));

    const all = await db.getAssetsByOwner(alice.address);
    expect(ids(all.assets)).toEqual(ids(expected));
    expect(all.nextCursor).toBeNull();
    expect(all.assets.every((a) => toHex(a.owner) === toHex(alice.address))).toBe(true);

    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<ChainDb["getAssetsByOwner"]>> = await db.getAssetsByOwner(alice.address, {
        cursor,
        limit: 4,
      });
      pages.push(ids(page.assets));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(pages.map((p) => p.length)).toEqual([4, 2]);
    expect(pages.flat()).toEqual(ids(expected));
    // Exactly a page full: no phantom next page.
    const six = await db.getAssetsByOwner(alice.address, { limit: 6 });
    expect(six.assets.length).toBe(6);
    expect(six.nextCursor).toBeNull();

    // alice sends c1:2 to bob and burns c1:5; bob sends c1:4 to carol.
    await commit(
      chain.next([
        chain.signer.sign(alice, TxKind.AssetTransfer, { collectionId: c1.id, tokenId: 2, to: bob.address }),
        chain.signer.sign(alice, TxKind.AssetBurn, { collectionId: c1.id, tokenId: 5 }),
        chain.signer.sign(bob, TxKind.AssetTransfer, { collectionId: c1.id, tokenId: 4, to: carol.address }),
      ]),
    );
    await reopen();
    const c1hex = toHex(c1.id).slice(2, 6);
    expect(ids((await db.getAssetsByOwner(alice.address)).assets).filter((s) => s.startsWith(c1hex))).toEqual([
      `${c1hex}:1`,
      `${c1hex}:300`,
    ]);
    expect(ids((await db.getAssetsByOwner(bob.address)).assets)).toEqual([`${c1hex}:2`]);
    expect(ids((await db.getAssetsByOwner(carol.address)).assets)).toEqual([`${c1hex}:4`]);
    expect((await db.getAssetsByOwner(makeKey(99).address)).assets).toEqual([]);
    // The burned asset stays in state (owner zero) but leaves every owner's list.
    const state = await db.loadState();
    expect(rootHex(state)).toBe(rootHex(chain.state));
  });

  it("checks its arguments", async () => {
    await db.initGenesis(chain.genesis);
    await expect(db.getAssetsByOwner(new Uint8Array(19))).rejects.toThrow(TypeError);
    await expect(db.getAssetsByOwner(alice.address, { cursor: "0x12" })).rejects.toThrow(RangeError);
    await expect(db.getAssetsByOwner(alice.address, { limit: 0 })).rejects.toThrow(RangeError);
    expect(await db.getAssetsByOwner(alice.address, { limit: 10_000 })).toEqual({ assets: [], nextCursor: null });
  });
});

describe("mempool journal", () => {
  const collect = async () => {
    const out: string[] = [];
    for await (const e of db.journalEntries()) out.push(`${toHex(e.hash)}=${toHex(e.txBytes)}`);
    return out.sort();
  };

  it("puts, deletes and lists entries that survive reopening; commitBlock drops the included ones", async () => {
    await db.initGenesis(chain.genesis);
    chain.deposit(alice.address);
    await commit(chain.next());
    const txs = [1n, 2n, 3n].map((amount) => chain.signer.sign(alice, TxKind.Transfer, { to: bob.address, amount }));
    const entries = txs.map((tx) => ({ hash: txHash(tx), txBytes: encodeSignedTx(tx) }));
    const extra = { hash: new Uint8Array(32).fill(0xab), txBytes: Uint8Array.of(1, 2, 3) };
    const gone = { hash: new Uint8Array(32).fill(0xcd), txBytes: Uint8Array.of(4) };
    await db.journalPut(entries[0]!.hash, entries[0]!.txBytes);
    await db.journalPutMany([entries[1]!, entries[2]!, extra, gone]);
    await db.journalPutMany([]);
    await db.journalDelete([gone.hash]);
    await reopen();
    const line = (e: { hash: Uint8Array; txBytes: Uint8Array }) => `${toHex(e.hash)}=${toHex(e.txBytes)}`;
    expect(await collect()).toEqual([...entries, extra].map(line).sort());

    // The block includes the first two; the third stays journaled.
    await commit(chain.next(txs.slice(0, 2)), [entries[0]!.hash, entries[1]!.hash]);
    await reopen();
    expect(await collect()).toEqual([entries[2]!, extra].map(line).sort());
  });

  it("journalPutMany deletes each entry's displaced ones in the same batch, in entry order", async () => {
    const entry = (i: number) => ({ hash: new Uint8Array(32).fill(i), txBytes: Uint8Array.of(i) });
    const line = (i: number) => `${toHex(entry(i).hash)}=${toHex(entry(i).txBytes)}`;
    await db.journalPutMany([entry(1), entry(5)]);
    // 2 replaces 1, 3 replaces 2, 4 evicts 5, then 5 comes back: each later op wins.
    await db.journalPutMany([
      { ...entry(2), remove: [entry(1).hash] },
      { ...entry(3), remove: [entry(2).hash] },
      { ...entry(4), remove: [entry(5).hash] },
      entry(5),
    ]);
    await reopen();
    expect(await collect()).toEqual([3, 4, 5].map(line).sort());
  });

  it("an early break closes the iterator (close() then succeeds)", async () => {
    await db.journalPutMany([1, 2, 3].map((i) => ({ hash: new Uint8Array(32).fill(i), txBytes: Uint8Array.of(i) })));
    let seen = 0;
    for await (const _ of db.journalEntries()) {
      seen++;
      break;
    }
    expect(seen).toBe(1);
  });
});

describe("open blocks (a sequencer's preconfirmations)", () => {
  const h = (b: number) => new Uint8Array(32).fill(b);
  const pre = (position: number, b: number) => ({ position, hash: h(b), receiptRoot: h(b + 1), touchedRoot: h(b + 2) });
  const plain = (x: unknown) =>
    JSON.parse(JSON.stringify(x, (_k, v) => (v instanceof Uint8Array ? toHex(v) : typeof v === "bigint" ? `${v}` : v)));

  it("stores parameters (deposits in full) and preconfirmations in synced batches; they survive reopening; the block's commit deletes them", async () => {
    await db.initGenesis(chain.genesis);
    chain.deposit(alice.address);
    const txs = [1n, 2n].map((amount) => chain.signer.sign(alice, TxKind.Transfer, { to: bob.address, amount }));
    const step = chain.next(txs);
    const params = {
      number: 1,
      parentHash: step.block.header.parentHash,
      timestamp: step.block.header.timestamp,
      deposits: step.block.deposits,
    };
    await db.openBlockPut([{ number: 1, params, preconfirmed: [pre(1, 10)] }]);
    await db.openBlockPut([
      { number: 1, params: null, preconfirmed: [pre(2, 20)] },
      { number: 2, params: { ...params, number: 2, deposits: [] }, preconfirmed: [pre(0, 40)] },
    ]);
    await db.openBlockPut([{ number: 3, params: null, preconfirmed: [] }]); // nothing to write
    await reopen();
    const stored = await db.openBlocks();
    expect(stored.map((b) => b.params.number)).toEqual([1, 2]);
    expect(plain(stored[0]!.params)).toEqual(plain(params));
    expect(plain(stored[0]!.preconfirmed)).toEqual(plain([pre(1, 10), pre(2, 20)]));
    expect(plain(stored[1]!.preconfirmed)).toEqual(plain([pre(0, 40)]));

    // The commit of block 1 deletes its records in the same batch; block 2's stay.
    await db.commitBlock({ ...step, journalRemove: [], clearOpenBlock: true });
    const left = await db.openBlocks();
    expect(left.map((b) => b.params.number)).toEqual([2]);
    await db.openBlockDelete(left);
    expect(await db.openBlocks()).toEqual([]);
  });

  it("journalPutMany writes journal entries and open-block records in one synced batch, either alone too", async () => {
    const entry = { hash: h(7), txBytes: Uint8Array.of(7) };
    const params = { number: 1, parentHash: h(0), timestamp: 1, deposits: [] };
    const batches: number[] = [];
    // Every synced batch goes through the private write(ops): count them and their operations.
    const inner = db as unknown as { write: (ops: unknown[]) => Promise<void> };
    const original = inner.write.bind(db);
    const write = vi.spyOn(inner, "write").mockImplementation((ops) => {
      batches.push(ops.length);
      return original(ops);
    });
    await db.journalPutMany([entry], [{ number: 1, params, preconfirmed: [pre(0, 7)] }]);
    await db.journalPutMany([], [{ number: 1, params: null, preconfirmed: [pre(1, 8)] }]);
    await db.journalPutMany([], [{ number: 1, params: null, preconfirmed: [] }]); // nothing to write
    expect(batches).toEqual([3, 1]);
    write.mockRestore();
    await reopen();
    const journal = [];
    for await (const e of db.journalEntries()) journal.push(toHex(e.hash));
    expect(journal).toEqual([toHex(h(7))]);
    const [stored] = await db.openBlocks();
    expect(plain(stored!.preconfirmed)).toEqual(plain([pre(0, 7), pre(1, 8)]));
  });

  it("refuses parameters of another block, and preconfirmations stored without parameters are CORRUPT", async () => {
    await expect(
      db.openBlockPut([
        { number: 2, params: { number: 3, parentHash: h(0), timestamp: 1, deposits: [] }, preconfirmed: [] },
      ]),
    ).rejects.toThrow(RangeError);
    await db.openBlockPut([{ number: 5, params: null, preconfirmed: [pre(0, 1)] }]);
    await expectCode(db.openBlocks(), DbErrorCode.CORRUPT);
  });
});

describe("verifier records", () => {
  it("keeps evidence records and co-signed checkpoints across reopening; the genesis header reads back", async () => {
    await db.initGenesis(chain.genesis);
    expect(await db.getGenesisHeader()).toEqual(chain.genesis.header);
    const a = new Uint8Array(32).fill(2);
    const b = new Uint8Array(32).fill(1);
    await db.putEvidence(a, new TextEncoder().encode('{"kind":"a"}'));
    await db.putEvidence(b, new TextEncoder().encode('{"kind":"b"}'));
    await db.putSignedCheckpoint({
      index: 3,
      digest: new Uint8Array(32).fill(7),
      signature: new Uint8Array(65).fill(8),
      content: new Uint8Array(32).fill(9),
    });
    // A record without the content hash (as written before it existed) still reads back.
    await db.putSignedCheckpoint({
      index: 5,
      digest: new Uint8Array(32).fill(7),
      signature: new Uint8Array(65).fill(8),
      content: null,
    });
    await reopen();
    const ids: string[] = [];
    for await (const e of db.evidenceEntries()) ids.push(`${toHex(e.id)}=${new TextDecoder().decode(e.record)}`);
    expect(ids).toEqual([`${toHex(b)}={"kind":"b"}`, `${toHex(a)}={"kind":"a"}`]);
    expect(new TextDecoder().decode((await db.getEvidence(a))!)).toBe('{"kind":"a"}');
    expect(await db.getEvidence(new Uint8Array(32))).toBeNull();
    expect(await db.getSignedCheckpoint(3)).toEqual({
      index: 3,
      digest: new Uint8Array(32).fill(7),
      signature: new Uint8Array(65).fill(8),
      content: new Uint8Array(32).fill(9),
    });
    expect((await db.getSignedCheckpoint(5))?.content).toBeNull();
    expect(await db.getSignedCheckpoint(4)).toBeNull();
    await expect(db.putEvidence(new Uint8Array(31), new Uint8Array(1))).rejects.toThrow(RangeError);
  });
});

describe("lifecycle and corruption", () => {
  it("a closed database throws DbError CLOSED everywhere, and close is idempotent", async () => {
    await db.initGenesis(chain.genesis);
    await Promise.all([db.close(), db.close()]);
    await db.close();
    const h = new Uint8Array(32);
    const calls: (() => Promise<unknown>)[] = [
      () => db.getHead(),
      () => db.getGenesisHash(),
      () => db.initGenesis(chain.genesis),
      () => db.getBlockByNumber(1),
      () => db.getBlockBytes(1),
      () => db.getBlockNumberByHash(h),
      () => db.getReceipts(1),
      () => db.getTxLocation(h),
      () => db.loadState(),
      () => db.getAssetsByOwner(alice.address),
      () => db.commitBlock({ ...chain.next(), journalRemove: [] }),
      () => db.journalPut(h, h),
      () => db.journalPutMany([{ hash: h, txBytes: h }]),
      () => db.journalDelete([h]),
      async () => {
        for await (const _ of db.journalEntries()) break;
      },
    ];
    for (const call of calls) await expectCode(Promise.resolve().then(call), DbErrorCode.CLOSED);
  });

  it("close waits for a commit and journal writes in flight", async () => {
    await db.initGenesis(chain.genesis);
    chain.deposit(alice.address);
    const h = new Uint8Array(32).fill(7);
    const pending = [commit(chain.next()), db.journalPut(h, h), db.journalPutMany([{ hash: h, txBytes: h }])];
    await db.close();
    await Promise.all(pending);
    db = await ChainDb.open({ dir: tmp.dir });
    expect((await db.getHead())?.number).toBe(1);
    const journal = [];
    for await (const e of db.journalEntries()) journal.push(e);
    expect(journal).toEqual([{ hash: h, txBytes: h }]);
  });

  it("stored bytes that do not decode throw DbError CORRUPT", async () => {
    await db.initGenesis(chain.genesis);
    chain.deposit(alice.address);
    await commit(chain.next());
    await db.close();

    const raw = new ClassicLevel<Uint8Array, Uint8Array>(tmp.dir, { keyEncoding: "view", valueEncoding: "view" });
    await raw.open();
    const garbage = Uint8Array.of(0xde, 0xad);
    await raw.put(blockKey(1), garbage);
    await raw.put(receiptsKey(1), garbage);
    await raw.put(metaKey(MetaKey.ChainId), garbage);
    await raw.close();
    db = await ChainDb.open({ dir: tmp.dir });
    await expectCode(db.getBlockByNumber(1), DbErrorCode.CORRUPT);
    await expectCode(db.getReceipts(1), DbErrorCode.CORRUPT);
    await expectCode(db.getChainId(), DbErrorCode.CORRUPT);
    expect(rootHex(await db.loadState())).toBe(rootHex(chain.state));
    await db.close();

    // A well-formed object with another value: loadState's root check catches it.
    await raw.open();
    const key = stateObjectKey(chain.state.objects.entries().next().value!.key);
    await raw.put(key, encodeStateObject(Namespace.Account, alice.address, { balance: 1n, nonce: 0 }));
    await raw.close();
    db = await ChainDb.open({ dir: tmp.dir });
    await expectCode(db.loadState(), DbErrorCode.CORRUPT);
    await db.close();

    // An unknown namespace byte: the decode fails before any root is computed.
    await raw.open();
    await raw.put(key, Uint8Array.of(0x7f, 0, 0));
    await raw.close();
    db = await ChainDb.open({ dir: tmp.dir });
    const err = await expectCode(db.loadState(), DbErrorCode.CORRUPT);
    expect(err.shortMessage).toBe("Stored state object does not decode");
    await db.close();

    await raw.open();
    await raw.put(metaKey(MetaKey.Head), garbage);
    await raw.close();
    db = await ChainDb.open({ dir: tmp.dir });
    await expectCode(db.getHead(), DbErrorCode.CORRUPT);
  });
});

describe("storage failures", () => {
  it("a database in use by another process fails to open with that cause", async () => {
    const err = await expectCode(ChainDb.open({ dir: tmp.dir }), DbErrorCode.OPEN_FAILED);
    expect(err.shortMessage).toBe(
      `Database ${tmp.dir} failed to open: in use by another process (another node on this data dir?)`,
    );
  });

  it("an open refused by the file system names the system's reason (here: read-only)", async () => {
    await db.close();
    // What classic-level throws for a data dir on a read-only mount.
    const refused = Object.assign(new Error("Database failed to open"), {
      code: "LEVEL_DATABASE_NOT_OPEN",
      cause: Object.assign(new Error(`IO error: ${tmp.dir}/LOCK: Read-only file system`), { code: "LEVEL_IO_ERROR" }),
    });
    // Every open call refused: ChainDb's, and the one abstract-level defers from its constructor.
    const spy = vi.spyOn(ClassicLevel.prototype, "open").mockRejectedValue(refused);
    const err = await expectCode(ChainDb.open({ dir: tmp.dir }), DbErrorCode.OPEN_FAILED);
    spy.mockRestore();
    expect(err.shortMessage).toBe(`Database ${tmp.dir} failed to open: Read-only file system`);
    db = await ChainDb.open({ dir: tmp.dir });
  });

  it("a data dir that cannot be created names the reason", async () => {
    const file = join(tmp.dir, "a-file");
    writeFileSync(file, "");
    const err = await expectCode(ChainDb.open({ dir: join(file, "chaindb") }), DbErrorCode.OPEN_FAILED);
    expect(err.shortMessage).toMatch(/^Cannot create the database directory .*: ENOTDIR/);
  });

  it("a write the storage refuses is DbError STORAGE with the system's reason", async () => {
    await db.initGenesis(chain.genesis);
    // What classic-level throws when LevelDB's log write fails on a full disk.
    const level = (db as unknown as { db: ClassicLevel<Uint8Array, Uint8Array> }).db;
    const batch = level.batch.bind(level);
    vi.spyOn(level, "batch").mockImplementation(() => {
      const b = batch();
      b.write = () =>
        Promise.reject(
          Object.assign(new Error(`IO error: ${tmp.dir}/000003.log: No space left on device`), {
            code: "LEVEL_IO_ERROR",
          }),
        );
      return b;
    });
    const h = new Uint8Array(32).fill(9);
    const err = await expectCode(db.journalPutMany([{ hash: h, txBytes: h }]), DbErrorCode.STORAGE);
    expect(err.shortMessage).toBe("The database storage failed: No space left on device");
    expect(err.details).toEqual({ reason: "No space left on device" });
    vi.restoreAllMocks();
  });
});
