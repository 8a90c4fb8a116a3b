/**
 * A checkpoint comes by itself on a quiet chain: a real Sequencer (4-block ranges, 40 ms blocks)
 * seals nothing while nothing is pending, completes the range of a withdrawal with empty blocks and
 * stops at the range's end, does the same for a range older than maxAgeSec, and picks the rule up
 * again after a restart.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signTransaction } from "@filverse/crypto";
import { getChainConfig } from "@filverse/params";
import { CHAIN_ID, makeKey, sequencer as sequencerKey } from "@filverse/test-utils";
import { signedTxToJson, TxKind } from "@filverse/types";
import { afterEach, describe, expect, it } from "vitest";
import { checkpointFillOf } from "../../src/config.js";
import { CheckpointFill, type CheckpointFillOpts, rangeLastBlock } from "../../src/sequencer/checkpointFill.js";
import { DevFaucet } from "../../src/sequencer/devFaucet.js";
import { defaultSequencerOpts, Sequencer } from "../../src/sequencer/sequencer.js";

const alice = makeKey(811, "alice");
const INTERVAL = 4;
const dirs: string[] = [];
const running: Sequencer[] = [];

afterEach(async () => {
  for (const s of running.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function start(dir: string, fill: CheckpointFillOpts | null): Promise<Sequencer> {
  const seq = new Sequencer(
    {
      ...defaultSequencerOpts,
      chain: getChainConfig("devnet", { chainId: CHAIN_ID, blockTimeMs: 40, checkpointInterval: INTERVAL }),
      genesis: { chainId: CHAIN_ID, timestamp: 1_700_000_000 },
      dataDir: join(dir, "chaindb"),
      checkpointFill: fill,
    },
    {
      key: sequencerKey.priv,
      deposits: new DevFaucet([{ address: alice.address, amount: 10n ** 18n }]),
      recoverer: null,
    },
  );
  await seq.start();
  running.push(seq);
  return seq;
}

async function waitForHead(seq: Sequencer, n: number, ms = 8_000): Promise<void> {
  const end = Date.now() + ms;
  while (seq.head.number < n) {
    if (Date.now() > end) throw new Error(`head ${seq.head.number}, waited for ${n}`);
    await sleep(10);
  }
}

function tx(kind: TxKind.Withdraw | TxKind.Transfer, nonce: number) {
  const message =
    kind === TxKind.Withdraw
      ? { l1Recipient: alice.address, amount: 1n, nonce, fee: 0n }
      : { to: alice.address, amount: 1n, nonce, fee: 0n };
  return signedTxToJson(signTransaction(CHAIN_ID, { kind, message } as never, alice.priv));
}

describe("checkpoint fill: the rule", () => {
  const root = (b: number) => new Uint8Array(32).fill(b);
  const h = (number: number, timestamp: number, w = 0) => ({ number, timestamp, withdrawalsRoot: root(w) });

  it("is due for a withdrawal after its delay, for a range after its age, and never once the range ends", () => {
    const f = new CheckpointFill(4, { withdrawalDelaySec: 10, maxAgeSec: 100 });
    expect(f.due(1e9)).toBeNull(); // no range open
    f.sealed(h(1, 1000), h(0, 0));
    expect(f.due(1050)).toBeNull();
    expect(f.due(1100)).toBe("age");
    f.sealed(h(2, 1020, 1), h(1, 1000));
    expect(f.due(1029)).toBeNull();
    expect(f.due(1030)).toBe("withdrawal");
    expect(f.rangeEnd).toBe(4);
    f.sealed(h(3, 1031, 1), h(2, 1020, 1));
    f.sealed(h(4, 1031, 1), h(3, 1031, 1));
    expect(f.due(1e9)).toBeNull(); // range complete: nothing pending
    expect(f.rangeEnd).toBeNull();
    f.sealed(h(5, 2000, 1), h(4, 1031, 1));
    expect(f.due(2050)).toBeNull(); // a new range without a withdrawal, younger than its age
    expect(rangeLastBlock(5, 4)).toBe(8);
    expect(new CheckpointFill(4, { withdrawalDelaySec: null, maxAgeSec: null }).enabled).toBe(false);
  });

  it("restores the range's first withdrawal from stored headers (binary search)", async () => {
    const headers = new Map([0, 1, 2, 3, 4, 5, 6, 7].map((n) => [n, h(n, 100 + n, n >= 6 ? 9 : n >= 3 ? 1 : 0)]));
    const reads: number[] = [];
    const read = async (n: number) => {
      reads.push(n);
      return headers.get(n) ?? null;
    };
    const f = new CheckpointFill(8, { withdrawalDelaySec: 5, maxAgeSec: null });
    await f.restore(7, read);
    // Block 3 appended the range's first withdrawal (ts 103): due 5 s later.
    expect(f.due(107)).toBeNull();
    expect(f.due(108)).toBe("withdrawal");
    expect(f.rangeEnd).toBe(8);
    expect(reads.length).toBeLessThanOrEqual(3 + Math.ceil(Math.log2(8)) + 1);
    // A head that ends a range has nothing open.
    const g = new CheckpointFill(8, { withdrawalDelaySec: 0, maxAgeSec: 0 });
    await g.restore(8, read);
    expect(g.due(1e9)).toBeNull();
  });

  it("takes the preset's defaults, which a config may override or turn off", () => {
    expect(checkpointFillOf({ preset: "devnet" })).toEqual({ withdrawalDelaySec: 0, maxAgeSec: null });
    expect(checkpointFillOf({ preset: "mainnet" })).toEqual({ withdrawalDelaySec: 3600, maxAgeSec: null });
    expect(checkpointFillOf({ preset: "mainnet", checkpoints: { withdrawalDelaySec: null, maxAgeSec: 60 } })).toEqual({
      withdrawalDelaySec: null,
      maxAgeSec: 60,
    });
  });
});

describe("checkpoint fill: a real sequencer on a quiet chain", () => {
  it("seals nothing while nothing is pending, and completes a withdrawal's range with empty blocks, then stops", async () => {
    const dir = mkdtempSync(join(tmpdir(), "filverse-fill-"));
    dirs.push(dir);
    const seq = await start(dir, { withdrawalDelaySec: 0, maxAgeSec: null });
    await waitForHead(seq, 1); // the faucet's deposit
    await sleep(400); // 10 seal ticks: an idle chain with nothing pending grows nothing
    expect(seq.head.number).toBe(1);

    await seq.submitJson(tx(TxKind.Withdraw, 0));
    await waitForHead(seq, INTERVAL);
    await sleep(400);
    expect(seq.head.number).toBe(INTERVAL); // the range is complete: no more empty blocks
    const blocks = await Promise.all([2, 3, 4].map((n) => seq.db.getBlockByNumber(n)));
    expect(blocks.map((b) => b!.transactions.length)).toEqual([1, 0, 0]);
  });

  it("without the rule (a node without a rollup) a withdrawal's range stays open", async () => {
    const dir = mkdtempSync(join(tmpdir(), "filverse-fill-"));
    dirs.push(dir);
    const seq = await start(dir, null);
    await waitForHead(seq, 1);
    await seq.submitJson(tx(TxKind.Withdraw, 0));
    await waitForHead(seq, 2);
    await sleep(400);
    expect(seq.head.number).toBe(2);
  });

  it("completes a range older than maxAgeSec, and picks a waiting withdrawal up again after a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "filverse-fill-"));
    dirs.push(dir);
    let seq = await start(dir, { withdrawalDelaySec: null, maxAgeSec: 1 });
    await waitForHead(seq, 1);
    await waitForHead(seq, INTERVAL, 4_000); // block 1 (the deposit) opened the range: due after 1 s
    await seq.submitJson(tx(TxKind.Transfer, 0));
    await waitForHead(seq, INTERVAL + 1);
    await seq.close();
    running.splice(0);

    // A withdrawal sealed with a 1 s delay, the sequencer stopped before it is due: the restarted one
    // finds it in the stored headers and completes the range.
    seq = await start(dir, { withdrawalDelaySec: 1, maxAgeSec: null });
    await seq.submitJson(tx(TxKind.Withdraw, 1));
    await waitForHead(seq, INTERVAL + 2);
    await seq.close();
    running.splice(0);
    seq = await start(dir, { withdrawalDelaySec: 1, maxAgeSec: null });
    expect(seq.head.number).toBe(INTERVAL + 2);
    await waitForHead(seq, 2 * INTERVAL, 5_000);
    await sleep(300);
    expect(seq.head.number).toBe(2 * INTERVAL);
  });
});
