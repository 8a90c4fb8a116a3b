/**
 * The rewind after a lost fault-proof game (chain/rewind.ts), on a real chain made by an in-process
 * Sequencer: the database goes back to the target in one batch (blocks, indexes, state, head), the
 * removed blocks' transactions return to the mempool in their original order and are sequenced
 * again, one no longer includable gets its typed drop reason, the same L1 log is applied once, a
 * verifier accepts the new blocks at heights it had imported (and still records equivocation
 * elsewhere), and a rewind interrupted after its decision is finished at the next start.
 */
import { join } from "node:path";
import { ChainDb } from "@filverse/db";
import { blockHash, type Deposit, type SignedBlock, signedTxToJson, TxKind } from "@filverse/types";
import { toHex } from "@filverse/utils";
import { afterEach, describe, expect, it } from "vitest";
import { createRpcHandlers } from "../../src/api/index.js";
import type { DepositSource } from "../../src/chain/interface.js";
import type { RewindRequest } from "../../src/chain/rewind.js";
import { VerifierError, VerifierErrorCode } from "../../src/errors.js";
import { DevFaucet } from "../../src/sequencer/devFaucet.js";
import { defaultSequencerOpts, Sequencer } from "../../src/sequencer/sequencer.js";
import {
  FUNDS,
  GENESIS,
  key,
  SequencerFixture,
  sequencerKey,
  startVerifier,
  tempDirs,
  testChain,
} from "./chainFixture.js";

const alice = key(901, "alice");
const bob = key(902, "bob");
const tmp = tempDirs();
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
  tmp.cleanup();
});

function request(target: SignedBlock, over: Partial<RewindRequest> = {}): RewindRequest {
  return {
    target: target.header.number,
    targetHash: blockHash(target.header),
    checkpoint: 1,
    l1Block: 100n,
    l1LogIndex: 3,
    ...over,
  };
}

/** The transaction hashes of block `n` (its receipts after the deposits). */
async function txHashesOf(seq: Sequencer, n: number): Promise<string[]> {
  const block = (await seq.db.getBlockByNumber(n))!;
  return (await seq.db.getReceipts(n))!.slice(block.deposits.length).map((r) => toHex(r.txHash));
}

/** Blocks 1 (the faucet's deposits), 2 [a0, b0] and 3 [a1, b1, a2]; a3 executed into the open block. */
async function chainOfThree(f: SequencerFixture) {
  const b1 = await f.block();
  const txs2 = [
    f.sign(alice, TxKind.Transfer, { to: bob.address, amount: 1n }),
    f.sign(bob, TxKind.Transfer, { to: alice.address, amount: 2n }),
  ];
  await f.block(txs2);
  const txs3 = [
    f.sign(alice, TxKind.Transfer, { to: bob.address, amount: 3n }),
    f.sign(bob, TxKind.Transfer, { to: alice.address, amount: 4n }),
    f.sign(alice, TxKind.Withdraw, { l1Recipient: bob.address, amount: 5n }),
  ];
  await f.block(txs3);
  const a3 = f.sign(alice, TxKind.Transfer, { to: bob.address, amount: 6n });
  const a3Hash = await f.seq.submitJson(signedTxToJson(a3));
  while (f.seq.pendingCount() > 0) await new Promise((r) => setTimeout(r, 2));
  const removed = [...(await txHashesOf(f.seq, 2)), ...(await txHashesOf(f.seq, 3))];
  return { b1, removed, a3Hash };
}

describe("sequencer rewind", () => {
  it("goes back to the target in the database, returns the removed transactions in order, and seals them again", async () => {
    const f = await SequencerFixture.start(tmp.make("seq"), [alice, bob]);
    open.push(f.seq);
    const { b1, removed, a3Hash } = await chainOfThree(f);
    expect(removed).toHaveLength(5);
    const before = f.seq.state.roots().stateRoot;

    const rpc = createRpcHandlers(f.seq);
    const statusOf = (h: string) => rpc.filverse_getTransactionStatus!([h], {} as never) as Promise<{ status: string }>;
    expect((await statusOf(removed[0]!)).status).toBe("sequenced");
    const outcome = await f.seq.rewind(request(b1));
    expect(outcome?.removedBlocks).toBe(2);
    // RPC readers see the rewound chain: a removed transaction is pending (or preconfirmed) again.
    for (const h of removed) expect(["pending", "preconfirmed"]).toContain((await statusOf(h)).status);
    expect(await rpc.filverse_getTransactionReceipt!([removed[0]!], {} as never)).toBeNull();
    expect(outcome?.returned.map((h) => toHex(h))).toEqual(removed);
    expect(f.seq.head.number).toBe(1);
    expect(toHex(f.seq.state.roots().stateRoot)).toBe(toHex(b1.header.stateRoot));
    expect(await f.seq.db.getBlockByNumber(2)).toBeNull();
    expect(await f.seq.db.getBlockByNumber(3)).toBeNull();
    for (const h of removed) {
      expect(await f.seq.db.getTxLocation(fromHexBytes(h))).toBeNull();
      expect(f.seq.pendingTx(h)).toBeDefined();
    }
    expect(f.seq.pendingTx(a3Hash)).toBeDefined();
    const record = await f.seq.db.getRewind();
    expect(record?.status).toBe("done");
    expect(record?.fromHead).toBe(3);
    // The stored state is the target's: a fresh load agrees.
    expect(toHex((await f.seq.db.loadState()).roots().stateRoot)).toBe(toHex(b1.header.stateRoot));

    // The same L1 log again, or an older one: nothing happens.
    expect(await f.seq.rewind(request(b1))).toBeNull();
    expect(await f.seq.rewind(request(b1, { l1Block: 99n }))).toBeNull();

    // Sealed again, in their original order (equal fees: admission order), the open block's last.
    while (f.seq.pendingCount() > 0) await new Promise((r) => setTimeout(r, 2));
    await f.seq.seal();
    expect(f.seq.head.number).toBe(2);
    const receipts = (await f.seq.db.getReceipts(2))!;
    expect(receipts.map((r) => toHex(r.txHash))).toEqual([...removed, a3Hash]);
    expect(receipts.every((r) => r.code === 0)).toBe(true);
    // The same transactions on the same state: the same state as before the rewind plus a3.
    expect(toHex(f.seq.state.roots().stateRoot)).not.toBe(toHex(before));
  });

  it("gives a typed drop reason to a removed transaction no longer includable", async () => {
    // A deposit source that forgets what it served and offers nothing again: after a rewind to the
    // genesis, alice's funds never come back, so her transactions cannot pay their fee.
    const faucet = new DevFaucet([
      { address: alice.address, amount: FUNDS },
      { address: bob.address, amount: FUNDS },
    ]);
    let served = 0;
    const once: DepositSource = {
      pending: async (after, max) => {
        const out: Deposit[] = (await faucet.pending(Math.max(after, served), max)).slice(0, max);
        served = Math.max(served, ...out.map((d) => d.l1Nonce));
        return out;
      },
    };
    const dir = tmp.make("seq");
    const seq = new Sequencer(
      { ...defaultSequencerOpts, chain: testChain(), genesis: GENESIS, dataDir: join(dir, "seq") },
      { key: sequencerKey.priv, deposits: once, recoverer: null },
    );
    await seq.start();
    open.push(seq);
    const f = new SequencerFixture(seq, testChain());
    await f.block();
    const tx = f.sign(alice, TxKind.Transfer, { to: bob.address, amount: 1n });
    await f.block([tx]);
    const hash = toHex((await seq.db.getReceipts(2))![0]!.txHash);
    const genesisHash = (await seq.db.getGenesisHash())!;

    await seq.rewind({ target: 0, targetHash: genesisHash, checkpoint: 0, l1Block: 5n, l1LogIndex: 0 });
    expect(seq.head.number).toBe(0);
    expect(seq.pendingTx(hash)).toBeDefined();
    // Executing it fails the fee check: dropped with its code, never silently.
    const until = Date.now() + 5_000;
    while (!seq.isDropped(hash) && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
    expect(seq.dropInfo(hash)).toEqual({ reason: "not_includable", code: expect.any(Number) });
  });

  it("finishes at the next start a rewind decided and not written (killed in between)", async () => {
    const dir = tmp.make("seq");
    const f = await SequencerFixture.start(dir, [alice, bob]);
    const { b1, removed, a3Hash } = await chainOfThree(f);
    await f.seq.close();
    // What a kill -9 right after beginRewind leaves: the pending record, the chain untouched.
    const db = await ChainDb.open({ dir: join(dir, "seq") });
    await db.beginRewind({ ...request(b1), status: "pending", fromHead: 3, returned: [] });
    expect((await db.getHead())?.number).toBe(3);
    await db.close();

    const seq = new Sequencer(
      { ...defaultSequencerOpts, chain: testChain(), genesis: GENESIS, dataDir: join(dir, "seq") },
      {
        key: sequencerKey.priv,
        deposits: new DevFaucet([
          { address: alice.address, amount: FUNDS },
          { address: bob.address, amount: FUNDS },
        ]),
        recoverer: null,
      },
    );
    await seq.start();
    open.push(seq);
    expect(seq.head.number).toBe(1);
    expect((await seq.db.getRewind())?.status).toBe("done");
    for (const h of [...removed, a3Hash]) expect(seq.pendingTx(h)).toBeDefined();
    // The L1 log it came from is applied: seeing it again does nothing.
    expect(await seq.rewind(request(b1))).toBeNull();
    const f2 = new SequencerFixture(seq, testChain());
    await f2.block();
    expect((await seq.db.getReceipts(2))!.map((r) => toHex(r.txHash))).toEqual([...removed, a3Hash]);
  });
});

describe("verifier rewind", () => {
  it("accepts the new blocks at heights it had imported once L1 put them back in play, and keeps equivocation elsewhere", async () => {
    const f = await SequencerFixture.start(tmp.make("seq"), [alice, bob]);
    open.push(f.seq);
    const { b1 } = await chainOfThree(f);
    const old = await f.blocks(1, 3);
    const v = await startVerifier(tmp.make("verifier"), {});
    open.push(v);
    for (const b of old) expect((await v.importBlock(b)).status).toBe("imported");

    await f.seq.rewind(request(b1));
    while (f.seq.pendingCount() > 0) await new Promise((r) => setTimeout(r, 2));
    await f.seq.seal();
    const fresh = (await f.seq.db.getBlockByNumber(2))!;
    expect(toHex(blockHash(fresh.header))).not.toBe(toHex(blockHash(old[1]!.header)));

    // L1 halted after the fault: height 2 is past the last valid checkpoint, so no evidence.
    v.setUnsettledAbove(1);
    await expect(v.importBlock(fresh)).rejects.toMatchObject({ code: VerifierErrorCode.REWIND_PENDING });
    expect(v.evidence()).toEqual([]);

    const outcome = await v.rewind(request(b1));
    expect(outcome?.removedBlocks).toBe(2);
    expect(v.head.number).toBe(1);
    expect((await v.importBlock(fresh)).status).toBe("imported");
    expect(toHex(v.state.roots().stateRoot)).toBe(toHex(f.seq.state.roots().stateRoot));
    expect(v.evidence()).toEqual([]);
    expect(await v.rewind(request(b1))).toBeNull();

    // Once the rollup runs again, a second seal at a height is equivocation, as always.
    v.setUnsettledAbove(null);
    const err = await v.importBlock(old[1]!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VerifierError);
    expect((err as VerifierError).code).toBe(VerifierErrorCode.EQUIVOCATION);
    expect(v.evidence("blockEquivocation")).toHaveLength(1);
  });
});

function fromHexBytes(h: string): Uint8Array {
  return Uint8Array.from(Buffer.from(h.slice(2), "hex"));
}
