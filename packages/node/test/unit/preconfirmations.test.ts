/**
 * The sequencer's preconfirmations: signed by the block-sealing key once their record is durable,
 * honoured by the sealed block, rebuilt in the recorded order after a restart, and a record that
 * re-execution contradicts stops the start (PRECONFIRMATION_MISMATCH) instead of breaking a promise.
 */
import { recoverPreconfirmationSigner, signTransaction } from "@filverse/crypto";
import { ChainDb } from "@filverse/db";
import { isPreconfirmationBroken } from "@filverse/l1";
import { type Key, makeKey } from "@filverse/test-utils";
import {
  encodeSignedTx,
  type Preconfirmation,
  type PreconfirmationJson,
  RpcErrorCode,
  receiptRoot,
  signedTxToJson,
  TxKind,
  touchedRoot,
} from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { txStatus } from "../../src/api/reads.js";
import type { Preconfirmed } from "../../src/chain/interface.js";
import { NodeError, NodeErrorCode, SubmitError } from "../../src/errors.js";
import { DevFaucet } from "../../src/sequencer/devFaucet.js";
import { defaultSequencerOpts, Sequencer } from "../../src/sequencer/sequencer.js";
import { CHAIN_ID, FUNDS, GENESIS, sequencerKey, tempDirs, testChain } from "./chainFixture.js";

const keys = [makeKey(901, "alice"), makeKey(902, "bob"), makeKey(903, "carol")];
const [alice, bob, carol] = keys as [Key, Key, Key];
const tmp = tempDirs();
const running: Sequencer[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.close();
  tmp.cleanup();
});

async function start(dir: string): Promise<Sequencer> {
  const seq = new Sequencer(
    { ...defaultSequencerOpts, chain: testChain(), genesis: GENESIS, dataDir: dir },
    {
      key: sequencerKey.priv,
      deposits: new DevFaucet(keys.map((k) => ({ address: k.address, amount: FUNDS }))),
      recoverer: null,
    },
  );
  await seq.start();
  running.push(seq);
  return seq;
}

async function stop(seq: Sequencer): Promise<void> {
  running.splice(running.indexOf(seq), 1);
  await seq.close();
}

const nonces = new Map<string, number>();
function transfer(from: Key, amount = 1n, fee = 1n, nonce?: number) {
  const n = nonce ?? nonces.get(toHex(from.address)) ?? 0;
  if (nonce === undefined) nonces.set(toHex(from.address), n + 1);
  return signTransaction(
    CHAIN_ID,
    { kind: TxKind.Transfer, message: { to: carol.address, amount, nonce: n, fee } },
    from.priv,
  );
}

/** The preconfirmation as signed: what L1 and isPreconfirmationBroken read. */
function signed(p: PreconfirmationJson): Preconfirmation {
  return {
    number: Number(p.preconfirmation.number),
    position: p.preconfirmation.position,
    receiptRoot: fromHex(p.preconfirmation.receiptRoot),
    touchedRoot: fromHex(p.preconfirmation.touchedRoot),
  };
}

/** Seal the open block; every preconfirmation given must hold in it. */
async function sealAndCheck(seq: Sequencer, pres: PreconfirmationJson[]): Promise<void> {
  const before = seq.head.number;
  await seq.seal();
  expect(seq.head.number).toBe(before + 1);
  for (const p of pres) {
    const receipts = (await seq.db.getReceipts(Number(p.preconfirmation.number)))!;
    expect(isPreconfirmationBroken({ preconfirmation: signed(p), receipts })).toBe(false);
    expect(toHex(receipts[p.preconfirmation.position]!.txHash)).toBe(p.hash);
  }
}

function checkSignature(p: PreconfirmationJson): void {
  const signer = recoverPreconfirmationSigner(CHAIN_ID, signed(p), fromHex(p.preconfirmation.signature));
  expect(toHex(signer)).toBe(toHex(sequencerKey.address));
  expect(toHex(touchedRoot(p.touched.map((t) => ({ key: fromHex(t.key), valueHash: fromHex(t.valueHash) }))))).toBe(
    p.preconfirmation.touchedRoot,
  );
}

describe("preconfirmations", () => {
  it("sendTransactionSync answers with a signed preconfirmation that the sealed block honours", async () => {
    nonces.clear();
    const seq = await start(tmp.make("preconf"));
    await seq.seal(); // the faucet's deposits
    const events: Preconfirmed[] = [];
    seq.events.on("preconfirmation", (p) => events.push(p));

    const p1 = await seq.submitSync(signedTxToJson(transfer(alice, 5n)), 5_000);
    const raw = transfer(bob, 10n ** 30n); // fails at execution (balance): still preconfirmed, as failed
    const p2 = await seq.submitSync(encodeSignedTx(raw), 5_000);
    for (const p of [p1, p2]) checkSignature(p);
    expect(p1.preconfirmation).toMatchObject({ number: "2", position: 0 });
    expect(p2.preconfirmation).toMatchObject({ number: "2", position: 1 });
    expect(p1.receipt).toMatchObject({ status: 1, code: 0, feePaid: "1" });
    expect(p2.receipt).toMatchObject({ status: 0 });
    expect(p1.touched.length).toBe(3); // alice, carol, the proposer
    expect(events.map((e) => e.hash)).toEqual([p1.hash, p2.hash]);

    expect(await seq.getPreconfirmation(p1.hash)).toEqual(p1);
    expect(await txStatus(seq, null, p1.hash)).toEqual({
      hash: p1.hash,
      status: "preconfirmed",
      blockNumber: "2",
      index: 0,
    });

    await sealAndCheck(seq, [p1, p2]);
    const receipts = (await seq.db.getReceipts(2))!;
    expect(toHex(receiptRoot(receipts[1]!))).toBe(p2.preconfirmation.receiptRoot);
    // Committed: the receipt is final, the preconfirmation and its record are gone.
    expect(await seq.getPreconfirmation(p1.hash)).toBeNull();
    expect((await txStatus(seq, null, p1.hash)).status).toBe("sequenced");
    expect(await seq.db.openBlocks()).toEqual([]);
  });

  it("one synced write per preconfirmation: a transaction's journal entry and its record share a batch", async () => {
    nonces.clear();
    const seq = await start(tmp.make("preconf-one-write"));
    await seq.seal(); // block 1: the faucet's deposits
    const writes: { entries: string[]; records: string[] }[] = [];
    const write = seq.db.journalPutMany.bind(seq.db);
    vi.spyOn(seq.db, "journalPutMany").mockImplementation(async (entries, records = []) => {
      writes.push({
        entries: entries.map((e) => toHex(e.hash)),
        records: records.flatMap((r) => r.preconfirmed.map((t) => toHex(t.hash))),
      });
      return write(entries, records);
    });
    // One alone (no write in flight, the open block not opened yet), then five at once.
    const alone = await seq.submitSync(signedTxToJson(transfer(alice)), 5_000);
    const five = await Promise.all(
      [alice, bob, alice, bob, alice].map((k) => seq.submitSync(signedTxToJson(transfer(k)), 5_000)),
    );
    for (const p of [alone, ...five]) {
      const carrying = writes.filter((w) => w.entries.includes(p.hash) || w.records.includes(p.hash));
      expect(carrying).toHaveLength(1);
      expect(carrying[0]!.entries).toContain(p.hash);
      expect(carrying[0]!.records).toContain(p.hash);
    }
    expect(writes.length).toBeLessThanOrEqual(2);
    await sealAndCheck(seq, [alone, ...five]);
  });

  it("refuses with NOT_PRECONFIRMED: a timeout (the transaction stays admitted), a transaction already sealed", async () => {
    nonces.clear();
    const seq = await start(tmp.make("preconf"));
    await seq.seal();
    const gap = transfer(alice, 1n, 1n, 1); // nonce 0 never comes: it waits in the mempool
    const err = await seq.submitSync(signedTxToJson(gap), 50).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SubmitError);
    expect((err as SubmitError).code).toBe(RpcErrorCode.NOT_PRECONFIRMED);
    expect((err as SubmitError).details).toMatchObject({ status: "pending" });
    expect(seq.pendingTx(toHex(fromHex((err as SubmitError).details.hash as string)))).toBeDefined();

    const first = transfer(bob);
    await seq.submitSync(signedTxToJson(first), 5_000);
    await seq.seal();
    const again = await seq.submitSync(signedTxToJson(first), 5_000).catch((e: unknown) => e);
    expect((again as SubmitError).code).toBe(RpcErrorCode.NOT_PRECONFIRMED);
    expect((again as SubmitError).details).toMatchObject({ status: "sequenced" });
  });

  it("a restart rebuilds the open block in the recorded order, with its number, timestamp and deposits, and seals every promise", async () => {
    nonces.clear();
    const dir = tmp.make("preconf");
    let seq = await start(dir);
    // Block 1 opens with the faucet's deposits; transactions of funded senders follow them.
    const pres: PreconfirmationJson[] = [];
    await seq.seal();
    for (const k of [alice, bob, alice, carol, bob])
      pres.push(await seq.submitSync(signedTxToJson(transfer(k)), 5_000));
    const [stored] = await seq.db.openBlocks();
    expect(stored!.preconfirmed.map((t) => toHex(t.hash))).toEqual(pres.map((p) => p.hash));
    await stop(seq); // the open block is not sealed; its record stays

    seq = await start(dir);
    expect(seq.head.number).toBe(1);
    for (const p of pres) {
      expect(seq.preconfirmedAt(p.hash)).toEqual({ number: 2, position: p.preconfirmation.position });
      expect(await seq.getPreconfirmation(p.hash)).toEqual(p); // deterministic signatures: the same bytes
    }
    // More transactions go on filling the same block after them.
    const later = await seq.submitSync(signedTxToJson(transfer(carol)), 5_000);
    expect(later.preconfirmation).toMatchObject({ number: "2", position: pres.length });
    await sealAndCheck(seq, [...pres, later]);
    const block = (await seq.db.getBlockByNumber(2))!;
    expect(block.header.timestamp).toBe(stored!.params.timestamp);
    expect(await seq.db.openBlocks()).toEqual([]);
  });

  it("when a block's commit is lost while the next one is preconfirming, a restart rebuilds both and seals the first", async () => {
    nonces.clear();
    const dir = tmp.make("preconf");
    let seq = await start(dir);
    await seq.seal();
    const inTwo = await seq.submitSync(signedTxToJson(transfer(alice)), 5_000);
    // Block 2's commit never lands (as if the process died during it).
    let lose = () => {};
    vi.spyOn(seq.db, "commitBlock").mockImplementationOnce(
      () =>
        new Promise((_resolve, reject) => {
          lose = () => reject(new Error("lost"));
        }),
    );
    const sealing = seq.seal();
    const inThree = await seq.submitSync(signedTxToJson(transfer(bob)), 5_000);
    expect(inThree.preconfirmation).toMatchObject({ number: "3", position: 0 });
    lose();
    await sealing;
    expect(seq.failure).not.toBeNull();
    vi.restoreAllMocks();
    await stop(seq);

    seq = await start(dir);
    expect(seq.head.number).toBe(2); // rebuilt and committed at start
    const two = (await seq.db.getReceipts(2))!;
    expect(isPreconfirmationBroken({ preconfirmation: signed(inTwo), receipts: two })).toBe(false);
    expect(seq.preconfirmedAt(inThree.hash)).toEqual({ number: 3, position: 0 });
    await sealAndCheck(seq, [inThree]);
  });

  it("a record that re-execution contradicts stops the start with PRECONFIRMATION_MISMATCH", async () => {
    nonces.clear();
    const dir = tmp.make("preconf");
    const seq = await start(dir);
    await seq.seal();
    const p = await seq.submitSync(signedTxToJson(transfer(alice)), 5_000);
    await stop(seq);

    const db = await ChainDb.open({ dir });
    await db.openBlockPut([
      {
        number: 2,
        params: null,
        preconfirmed: [
          {
            position: 0,
            hash: fromHex(p.hash),
            receiptRoot: new Uint8Array(32).fill(1),
            touchedRoot: fromHex(p.preconfirmation.touchedRoot),
          },
        ],
      },
    ]);
    await db.close();
    const again = new Sequencer(
      { ...defaultSequencerOpts, chain: testChain(), genesis: GENESIS, dataDir: dir },
      { key: sequencerKey.priv, deposits: null, recoverer: null },
    );
    const err = await again.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeError);
    expect((err as NodeError).code).toBe(NodeErrorCode.PRECONFIRMATION_MISMATCH);
    expect((err as NodeError).details).toMatchObject({ number: 2, hash: p.hash, position: 0 });
  });

  it("property: for random admitted sequences, each preconfirmed receipt is the sealed block's receipt at its position", async () => {
    nonces.clear();
    const seq = await start(tmp.make("preconf"));
    await seq.seal();
    const step = fc.record({
      from: fc.integer({ min: 0, max: 2 }),
      amount: fc.bigInt({ min: 0n, max: 2n * FUNDS }),
      fee: fc.bigInt({ min: 1n, max: 5n }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        const pres = await Promise.all(
          steps.map((s) => seq.submitSync(signedTxToJson(transfer(keys[s.from]!, s.amount, s.fee)), 5_000)),
        );
        const number = Number(pres[0]!.preconfirmation.number);
        await seq.seal();
        const receipts = (await seq.db.getReceipts(number))!;
        for (const p of pres) {
          expect(p.preconfirmation.number).toBe(String(number));
          expect(toHex(receiptRoot(receipts[p.preconfirmation.position]!))).toBe(p.preconfirmation.receiptRoot);
        }
        expect(new Set(pres.map((p) => p.preconfirmation.position)).size).toBe(pres.length);
      }),
      { numRuns: 15 },
    );
  });
});
