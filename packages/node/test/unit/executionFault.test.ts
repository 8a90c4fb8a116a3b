/**
 * One transaction never halts block production: a transaction whose execution throws is dropped
 * (reason execution_fault, code 204), its journal entry removed, logged as an error and counted, and
 * the block is sealed without it, before and after a restart.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectionIdOf, signTransaction, txHash } from "@filverse/crypto";
import { getChainConfig, MAX_UINT64_SAFE } from "@filverse/params";
import { TxValidationErrorCode, validateTransaction } from "@filverse/state";
import { CHAIN_ID, cidOf, type Key, makeKey, sequencer as sequencerKey } from "@filverse/test-utils";
import { encodeSignedTx, type SignedTransaction, signedTxToJson, TxKind, type TxMessages } from "@filverse/types";
import { fromHex, type Logger, toHex } from "@filverse/utils";
import { afterEach, describe, expect, it } from "vitest";
// The state machine's handler table, as @filverse/state's executor uses it (the same module under the
// test aliases): the test swaps one handler for one that throws.
import { handlers } from "../../../state/src/execution/index.js";
import { createRpcHandlers } from "../../src/api/index.js";
import { SubmitError } from "../../src/errors.js";
import { NodeMetrics } from "../../src/metrics.js";
import { DevFaucet } from "../../src/sequencer/devFaucet.js";
import { defaultSequencerOpts, Sequencer } from "../../src/sequencer/sequencer.js";

const alice = makeKey(901, "alice");
const bob = makeKey(902, "bob");
const FUNDS = 10n ** 21n;
/** The injected fault: a Transfer of exactly this amount throws inside its handler. */
const POISON = 13n;

const dirs: string[] = [];
const running: Sequencer[] = [];
const originalTransfer = handlers[TxKind.Transfer];

afterEach(async () => {
  handlers[TxKind.Transfer] = originalTransfer;
  for (const s of running.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function injectFault(): void {
  handlers[TxKind.Transfer] = (ctx, m) => {
    if (m.amount === POISON) throw new TypeError("injected fault");
    originalTransfer(ctx, m);
  };
}

type LogLine = { level: string; msg: string; ctx?: Record<string, unknown> };

function captureLogger(lines: LogLine[]): Logger {
  const logger: Logger = {
    error: (msg, ctx) => void lines.push({ level: "error", msg, ctx }),
    warn: (msg, ctx) => void lines.push({ level: "warn", msg, ctx }),
    info: (msg, ctx) => void lines.push({ level: "info", msg, ctx }),
    debug: () => {},
    child: () => logger,
  };
  return logger;
}

async function startSequencer(dir: string, lines: LogLine[], metrics: NodeMetrics | null = null): Promise<Sequencer> {
  const seq = new Sequencer(
    {
      ...defaultSequencerOpts,
      chain: getChainConfig("devnet", { chainId: CHAIN_ID, blockTimeMs: 1_000_000 }),
      genesis: { chainId: CHAIN_ID, timestamp: 1_700_000_000 },
      dataDir: join(dir, "chaindb"),
    },
    {
      key: sequencerKey.priv,
      deposits: new DevFaucet([
        { address: alice.address, amount: FUNDS },
        { address: bob.address, amount: FUNDS },
      ]),
      recoverer: null,
      logger: captureLogger(lines),
      metrics,
    },
  );
  await seq.start();
  running.push(seq);
  return seq;
}

async function restart(seq: Sequencer, dir: string, lines: LogLine[]): Promise<Sequencer> {
  await seq.close();
  running.splice(running.indexOf(seq), 1);
  return startSequencer(dir, lines);
}

function sign<K extends keyof TxMessages>(from: Key, kind: K, message: TxMessages[K]): SignedTransaction {
  return signTransaction(CHAIN_ID, { kind, message } as never, from.priv);
}

const transfer = (from: Key, nonce: number, amount = 1n) =>
  sign(from, TxKind.Transfer, { to: bob.address, amount, nonce, fee: 1n });

/** Let pump() execute everything admitted, then seal. */
async function settleAndSeal(seq: Sequencer): Promise<void> {
  const end = Date.now() + 5_000;
  while (seq.mempool.size > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 2));
  await seq.seal();
}

async function journalHashes(seq: Sequencer): Promise<string[]> {
  const out: string[] = [];
  for await (const e of seq.db.journalEntries()) out.push(toHex(e.hash));
  return out;
}

const stopped = (lines: LogLine[]) => lines.filter((l) => l.msg.startsWith("sequencer stopped"));

describe("a transaction whose execution throws", () => {
  it("is dropped with its reason, its journal entry removed, logged and counted; the block seals without it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "filverse-fault-"));
    dirs.push(dir);
    const lines: LogLine[] = [];
    const metrics = new NodeMetrics();
    const seq = await startSequencer(dir, lines, metrics);
    await seq.seal(); // block 1: deposits
    injectFault();

    const bad = await seq.submitJson(signedTxToJson(transfer(alice, 0, POISON)));
    const good = await seq.submitJson(signedTxToJson(transfer(bob, 0)));
    await settleAndSeal(seq);

    expect(stopped(lines)).toEqual([]);
    expect(seq.head.number).toBe(2);
    expect(await seq.db.getTxLocation(fromHex(good))).not.toBeNull();
    expect(await seq.db.getTxLocation(fromHex(bad))).toBeNull();
    expect(seq.dropInfo(bad)).toEqual({ reason: "execution_fault", code: TxValidationErrorCode.EXECUTION_FAULT });
    const rpc = createRpcHandlers(seq);
    expect(await rpc.filverse_getTransactionStatus!([bad], {} as never)).toEqual({
      hash: bad,
      status: "dropped",
      reason: "execution_fault",
      code: 204,
    });
    expect(await journalHashes(seq)).not.toContain(bad);
    const errors = lines.filter((l) => l.level === "error");
    expect(errors).toEqual([
      expect.objectContaining({
        msg: "transaction dropped: execution fault",
        ctx: expect.objectContaining({ hash: bad }),
      }),
    ]);
    expect(await metrics.text()).toContain('filverse_sequencer_dropped_transactions_total{reason="execution_fault"} 1');
    // Nothing of it was applied: alice's nonce 0 is still free, and the chain goes on.
    const next = await seq.submitJson(signedTxToJson(transfer(alice, 0)));
    await settleAndSeal(seq);
    expect(seq.head.number).toBe(3);
    expect(await seq.db.getTxLocation(fromHex(next))).not.toBeNull();
  });

  it("left in the journal by a crash, it is dropped after the restart and the chain goes on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "filverse-fault-"));
    dirs.push(dir);
    const lines: LogLine[] = [];
    let seq = await startSequencer(dir, lines);
    await seq.seal();
    injectFault();
    // As if admitted just before a crash: journaled, never executed.
    const poison = transfer(alice, 0, POISON);
    const hash = validateTransaction(poison, CHAIN_ID).hash;
    await seq.db.journalPutMany([{ hash, txBytes: encodeSignedTx(poison) }]);

    seq = await restart(seq, dir, lines);
    const good = await seq.submitJson(signedTxToJson(transfer(bob, 0)));
    await settleAndSeal(seq);
    expect(stopped(lines)).toEqual([]);
    expect(seq.head.number).toBe(2);
    expect(await seq.db.getTxLocation(fromHex(good))).not.toBeNull();
    expect(seq.dropInfo(toHex(hash))?.reason).toBe("execution_fault");
    expect(await journalHashes(seq)).not.toContain(toHex(hash));

    seq = await restart(seq, dir, lines);
    expect(seq.pendingTx(toHex(hash))).toBeUndefined();
  });
});

describe("after a block is committed", () => {
  it("a newHead subscriber that throws is logged, and the chain goes on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "filverse-fault-"));
    dirs.push(dir);
    const lines: LogLine[] = [];
    const seq = await startSequencer(dir, lines);
    seq.events.on("newHead", () => {
      throw new TypeError("subscriber bug");
    });
    await seq.seal();
    await seq.submitJson(signedTxToJson(transfer(alice, 0)));
    await settleAndSeal(seq);
    expect(stopped(lines)).toEqual([]);
    expect(seq.head.number).toBe(2);
    expect(lines.filter((l) => l.msg === "newHead listener failed")).toHaveLength(2);
  });
});

describe("issue 12: AssetBatchMint ending past 2^53−1", () => {
  const collectionId = collectionIdOf(alice.address, 0);
  const createCollection = () =>
    sign(alice, TxKind.CollectionCreate, {
      name: "Edge",
      symbol: "EDGE",
      royaltyBps: 0,
      maxSupply: 2 ** 40,
      metadataMutable: false,
      nonce: 0,
      fee: 1n,
    });
  const batch = sign(alice, TxKind.AssetBatchMint, {
    collectionId,
    firstTokenId: MAX_UINT64_SAFE,
    to: alice.address,
    contentCids: [cidOf("a"), cidOf("b")],
    onBehalfOf: new Uint8Array(32),
    nonce: 1,
    fee: 1n,
  });

  it("is refused at admission with -32011 INVALID_FIELD firstTokenId, and the chain goes on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "filverse-fault-"));
    dirs.push(dir);
    const lines: LogLine[] = [];
    const seq = await startSequencer(dir, lines);
    await seq.seal();
    await seq.submitJson(signedTxToJson(createCollection()));
    await settleAndSeal(seq);
    const refused = await seq.submitJson(signedTxToJson(batch)).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(SubmitError);
    expect((refused as SubmitError).code).toBe(-32011);
    expect((refused as SubmitError).details.field).toBe("firstTokenId");
    await seq.submitJson(signedTxToJson(transfer(alice, 1)));
    await settleAndSeal(seq);
    expect(stopped(lines)).toEqual([]);
    expect(seq.head.number).toBe(3);
  });

  it("journaled by an older node, it is dropped as invalid at the restart instead of halting again", async () => {
    const dir = mkdtempSync(join(tmpdir(), "filverse-fault-"));
    dirs.push(dir);
    const lines: LogLine[] = [];
    let seq = await startSequencer(dir, lines);
    await seq.seal();
    await seq.submitJson(signedTxToJson(createCollection()));
    await settleAndSeal(seq);
    const hash = toHex(txHash(batch)); // the journal is keyed by the transaction's hash
    await seq.db.journalPutMany([{ hash: fromHex(hash), txBytes: encodeSignedTx(batch) }]);

    seq = await restart(seq, dir, lines);
    expect(seq.dropInfo(hash)).toEqual({ reason: "invalid", code: TxValidationErrorCode.INVALID_FIELD });
    expect(await journalHashes(seq)).not.toContain(hash);
    await seq.submitJson(signedTxToJson(transfer(alice, 1)));
    await settleAndSeal(seq);
    expect(stopped(lines)).toEqual([]);
    expect(seq.head.number).toBe(3);
  });
});
