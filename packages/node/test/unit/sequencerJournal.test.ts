/**
 * The sequencer's journal around replacements and evictions: an acknowledged transaction stays in the
 * journal until whatever displaced it is durable (one batch writes the newcomer and deletes the
 * displaced), and a restart that finds both a transaction and its replacement keeps the higher fee.
 */
import { signTransaction, txHash } from "@filverse/crypto";
import { ChainDb } from "@filverse/db";
import { type Key, makeKey } from "@filverse/test-utils";
import { encodeSignedTx, type SignedTransaction, signedTxToJson, TxKind } from "@filverse/types";
import { toHex } from "@filverse/utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DevFaucet } from "../../src/sequencer/devFaucet.js";
import { defaultMempoolOpts, type MempoolOpts } from "../../src/sequencer/mempool.js";
import { defaultSequencerOpts, Sequencer } from "../../src/sequencer/sequencer.js";
import { CHAIN_ID, FUNDS, GENESIS, sequencerKey, tempDirs, testChain } from "./chainFixture.js";

const alice = makeKey(881, "alice");
const bob = makeKey(882, "bob");
const carol = makeKey(883, "carol");
const tmp = tempDirs();
const running: Sequencer[] = [];
/** Held journal flushes, released after a failed test so that close() can finish. */
const held: (() => void)[] = [];
afterEach(async () => {
  for (const release of held.splice(0)) release();
  vi.restoreAllMocks();
  for (const s of running.splice(0)) await s.close();
  tmp.cleanup();
});

async function start(dir: string, mempool: Partial<MempoolOpts> = {}): Promise<Sequencer> {
  const seq = new Sequencer(
    {
      ...defaultSequencerOpts,
      chain: testChain(),
      genesis: GENESIS,
      dataDir: dir,
      mempool: { ...defaultMempoolOpts, ...mempool },
    },
    {
      key: sequencerKey.priv,
      deposits: new DevFaucet([alice, bob, carol].map((k) => ({ address: k.address, amount: FUNDS }))),
      recoverer: null,
    },
  );
  await seq.start();
  running.push(seq);
  return seq;
}

function transfer(from: Key, nonce: number, fee: bigint, amount = 1n) {
  return signTransaction(
    CHAIN_ID,
    { kind: TxKind.Transfer, message: { to: carol.address, amount, nonce, fee } },
    from.priv,
  );
}

async function journaled(seq: Sequencer): Promise<Set<string>> {
  const out = new Set<string>();
  for await (const e of seq.db.journalEntries()) out.add(toHex(e.hash));
  return out;
}

/**
 * Holds the next journal flush until released: a flush already in progress, which the write of a
 * replacement (or of a transaction that evicts another) queues behind.
 */
function holdNextFlush(seq: Sequencer): { release: () => void } {
  let release = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  held.push(release);
  const original = seq.db.journalPutMany.bind(seq.db);
  vi.spyOn(seq.db, "journalPutMany").mockImplementationOnce(async (...args) => {
    await gate;
    return original(...args);
  });
  return { release };
}

const hashOf = (tx: SignedTransaction): string => toHex(txHash(tx));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("sequencer journal", () => {
  it("a fee replacement deletes the original's entry only with the replacement's durable write", async () => {
    const seq = await start(tmp.make("journal"));
    await seq.seal(); // block 1: the faucet funds everyone
    // Nonce 1 with nonce 0 missing: it waits in the mempool (only the journal keeps it across a crash).
    const original = await seq.submitJson(signedTxToJson(transfer(alice, 1, 10n)));
    const flush = holdNextFlush(seq);
    const other = seq.submitJson(signedTxToJson(transfer(bob, 1, 10n))); // its flush is now in progress
    const replacing = transfer(alice, 1, 20n);
    const replacementHash = hashOf(replacing);
    const replacement = seq.submitJson(signedTxToJson(replacing));
    while (!seq.pendingTx(replacementHash)) await sleep(1);
    await sleep(50); // ample time for an eager delete of the original to land

    // A crash now: the original was acknowledged and its replacement is not durable yet.
    expect(await journaled(seq)).toContain(original);

    flush.release();
    expect(await replacement).toBe(replacementHash);
    await other;
    const after = await journaled(seq);
    expect(after).toContain(replacementHash);
    expect(after).not.toContain(original);
    expect(seq.isDropped(original)).toBe(true);
  });

  it("an eviction deletes the evicted entry only with the newcomer's durable write", async () => {
    const seq = await start(tmp.make("journal"), { maxTxs: 2 });
    await seq.seal();
    const cheap = await seq.submitJson(signedTxToJson(transfer(alice, 1, 1n)));
    const flush = holdNextFlush(seq);
    const first = seq.submitJson(signedTxToJson(transfer(bob, 1, 5n))); // the pool is now full
    const evicting = transfer(bob, 2, 5n); // evicts alice's cheaper transaction
    const evictingHash = hashOf(evicting);
    const second = seq.submitJson(signedTxToJson(evicting));
    while (!seq.pendingTx(evictingHash)) await sleep(1);
    await sleep(50);
    expect(seq.isDropped(cheap)).toBe(true);

    expect(await journaled(seq)).toContain(cheap);

    flush.release();
    await Promise.all([first, second]);
    const after = await journaled(seq);
    expect(after).toContain(evictingHash);
    expect(after).not.toContain(cheap);
  });

  it("a restart that finds a transaction and its replacement keeps the higher fee, whatever their hash order", async () => {
    // Both orders of the two hashes in the journal (it is read in hash order).
    const pairs: [ReturnType<typeof transfer>, ReturnType<typeof transfer>][] = [];
    for (let amount = 1n; pairs.length < 2 && amount < 100n; amount++) {
      const low = transfer(alice, 1, 10n, amount);
      const high = transfer(alice, 1, 30n, amount);
      const lowFirst = hashOf(low) < hashOf(high);
      if (pairs.length === 0 || lowFirst !== hashOf(pairs[0]![0]) < hashOf(pairs[0]![1])) pairs.push([low, high]);
    }
    expect(pairs).toHaveLength(2);
    for (const [low, high] of pairs) {
      const dir = tmp.make("journal");
      const seq = await start(dir);
      await seq.seal();
      await seq.close();
      running.splice(running.indexOf(seq), 1);
      const db = await ChainDb.open({ dir });
      await db.journalPutMany([low, high].map((t) => ({ hash: txHash(t), txBytes: encodeSignedTx(t) })));
      await db.close();

      const restarted = await start(dir);
      expect(restarted.pendingTx(hashOf(high))).toBeDefined();
      expect(restarted.pendingTx(hashOf(low))).toBeUndefined();
      expect(restarted.isDropped(hashOf(low))).toBe(true);
      expect([...(await journaled(restarted))]).toEqual([hashOf(high)]);
    }
  });
});
