/**
 * Rough cost of a synced journal put and of committing a 1000-transaction block. Signing and executing
 * the block takes seconds, so this runs only with FILVERSE_PERF=1: `FILVERSE_PERF=1 npx vitest run packages/db/test/perf`.
 */
import { txHash } from "@filverse/crypto";
import { makeKey } from "@filverse/test-utils";
import { encodeSignedTx, TxKind } from "@filverse/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChainDb } from "../../src/index.js";
import { SealedChain, tempDir } from "../unit/helpers.js";

const TXS = 1000;
const SENDERS = 20;
const JOURNAL_PUTS = 200;

let tmp: ReturnType<typeof tempDir>;
let db: ChainDb;
beforeEach(async () => {
  tmp = tempDir();
  db = await ChainDb.open({ dir: tmp.dir });
});
afterEach(async () => {
  await db.close();
  tmp.remove();
});

describe.skipIf(process.env.FILVERSE_PERF !== "1")("ChainDb costs", () => {
  it(`journal puts and a ${TXS}-tx block commit`, async () => {
    const chain = new SealedChain();
    const senders = Array.from({ length: SENDERS }, (_, i) => makeKey(100 + i));
    await db.initGenesis(chain.genesis);
    for (const k of senders) chain.deposit(k.address);
    await db.commitBlock({ ...chain.next(), journalRemove: [] });

    const txs = Array.from({ length: TXS }, (_, i) =>
      chain.signer.sign(senders[i % SENDERS]!, TxKind.Transfer, {
        to: senders[(i + 1) % SENDERS]!.address,
        amount: 1n,
      }),
    );
    const entries = txs.map((tx) => ({ hash: txHash(tx), txBytes: encodeSignedTx(tx) }));

    let t = performance.now();
    for (const e of entries.slice(0, JOURNAL_PUTS)) await db.journalPut(e.hash, e.txBytes);
    const putMs = (performance.now() - t) / JOURNAL_PUTS;
    t = performance.now();
    for (let i = JOURNAL_PUTS; i < TXS; i += 100) await db.journalPutMany(entries.slice(i, i + 100));
    const batchOf100Ms = (performance.now() - t) / ((TXS - JOURNAL_PUTS) / 100);

    const step = chain.next(txs);
    t = performance.now();
    await db.commitBlock({ ...step, journalRemove: entries.map((e) => e.hash) });
    const commitMs = performance.now() - t;
    t = performance.now();
    const loaded = await db.loadState();
    const loadMs = performance.now() - t;

    console.log(
      JSON.stringify({
        journalPutSyncedMs: +putMs.toFixed(3),
        journalPutMany100SyncedMs: +batchOf100Ms.toFixed(3),
        commitBlockMs: +commitMs.toFixed(1),
        blockBytes: (await db.getBlockBytes(2))!.length,
        changes: step.result.changes.length,
        loadStateMs: +loadMs.toFixed(1),
      }),
    );
    expect(loaded.roots().stateRoot).toEqual(chain.state.roots().stateRoot);
    expect((await db.getReceipts(2))!.length).toBe(TXS);
    let left = 0;
    for await (const _ of db.journalEntries()) left++;
    expect(left).toBe(0);
  }, 120_000);
});
