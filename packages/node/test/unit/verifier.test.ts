/**
 * The Verifier on a real chain: blocks made by an in-process Sequencer, re-executed to the same
 * roots; tampered blocks refused whole and reported; equivocation; restart; checkpoint co-signing.
 */
import { join } from "node:path";
import {
  type CryptoPool,
  createCryptoPool,
  depositHash,
  recoverAddress,
  SingleThreadCrypto,
  signBlockHeader,
  txHash,
} from "@filverse/crypto";
import { createBatchBuilder, createPieceStore } from "@filverse/filecoin";
import { type CheckpointDomain, checkpointContentHash, checkpointDigest } from "@filverse/l1";
import { BlockErrorCode } from "@filverse/state";
import {
  type BlockHeader,
  blockHash,
  blockHashesRoot,
  type Checkpoint,
  encodeSignedBlock,
  HashListSsz,
  type SignedBlock,
  TxKind,
} from "@filverse/types";
import { toHex } from "@filverse/utils";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CheckpointRefusal, CheckpointRefusalCode, VerifierError, VerifierErrorCode } from "../../src/errors.js";
import type { BlockSource } from "../../src/sync/blockSource.js";
import { bodyMatchesHeader } from "../../src/verifier/blockTransactions.js";
import type { Verifier } from "../../src/verifier/verifier.js";
import { CHAIN_ID, key, SequencerFixture, sequencerKey, startVerifier, tempDirs, testChain } from "./chainFixture.js";

const alice = key(801, "alice");
const bob = key(802, "bob");
const validator = key(803, "validator");
const tmp = tempDirs();
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
  tmp.cleanup();
});

let pool: CryptoPool;
beforeAll(() => {
  pool = createCryptoPool({ threads: 1 });
});
afterAll(async () => {
  await pool?.close();
});

async function fixture(): Promise<SequencerFixture> {
  const f = await SequencerFixture.start(tmp.make("seq"), [alice, bob]);
  open.push(f.seq);
  return f;
}

async function verifier(...args: Parameters<typeof startVerifier>): Promise<Verifier> {
  const v = await startVerifier(...args);
  open.push(v);
  return v;
}

/** A few blocks of mixed kinds: funding, transfers, a collection and a mint, an identity. */
async function mixedChain(f: SequencerFixture): Promise<SignedBlock[]> {
  await f.block(); // the faucet's deposits
  await f.block([
    f.sign(alice, TxKind.Transfer, { to: bob.address, amount: 5n }),
    f.sign(bob, TxKind.Transfer, { to: alice.address, amount: 7n }),
  ]);
  await f.block([
    f.sign(alice, TxKind.CollectionCreate, {
      name: "Worlds",
      symbol: "W",
      royaltyBps: 250,
      maxSupply: 10,
      metadataMutable: true,
    }),
    f.sign(bob, TxKind.IdentityCreate, {
      handle: "bob_verifier",
      profileCid: "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy",
    }),
  ]);
  await f.block([f.sign(alice, TxKind.Withdraw, { l1Recipient: alice.address, amount: 3n })]);
  return f.blocks(1, f.seq.head.number);
}

/** A copy of a block with its header changed and sealed again by the sequencer's key. */
function reseal(block: SignedBlock, change: Partial<BlockHeader>): SignedBlock {
  const header = { ...block.header, ...change };
  return { ...block, header, signature: signBlockHeader(header, sequencerKey.priv) };
}

async function rejection(p: Promise<unknown>): Promise<VerifierError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(VerifierError);
  return err as VerifierError;
}

describe("Verifier: re-execution", () => {
  it("re-executes the sequencer's blocks (signatures on the pool) to the same roots, receipts and indexes", async () => {
    const f = await fixture();
    const blocks = await mixedChain(f);
    const v = await verifier(tmp.make(), { recoverer: pool });
    for (const b of blocks) v.prepare(b); // signatures recovered ahead, as sync does
    for (const b of blocks) expect((await v.importBlock(b)).status).toBe("imported");
    expect(v.head.number).toBe(f.seq.head.number);
    expect(toHex(v.head.hash)).toBe(toHex(f.seq.head.hash));
    expect(toHex(v.state.roots().stateRoot)).toBe(toHex(f.seq.state.roots().stateRoot));
    for (const b of blocks) {
      expect(await v.db.getReceipts(b.header.number)).toEqual(await f.seq.db.getReceipts(b.header.number));
    }
    // The same block again is known; nothing changes.
    expect((await v.importBlock(blocks[1]!)).status).toBe("known");
    expect(v.evidence()).toEqual([]);
  });

  it("bounds the import queue: past maxQueuedImports waiting imports a block is refused with QUEUE_FULL, and the queue drains", async () => {
    const f = await fixture();
    const blocks = await mixedChain(f);
    const v = await verifier(tmp.make(), { recoverer: pool }, testChain(), { maxQueuedImports: 2 });
    const first = v.importBlock(blocks[0]!);
    const second = v.importBlock(blocks[1]!);
    const refused = await rejection(v.importBlock(blocks[2]!));
    expect(refused).toBeInstanceOf(VerifierError);
    expect((refused as VerifierError).code).toBe(VerifierErrorCode.QUEUE_FULL);
    expect((await first).status).toBe("imported");
    expect((await second).status).toBe("imported");
    // Drained: the refused block is imported once there is room.
    expect((await v.importBlock(blocks[2]!)).status).toBe("imported");
  });

  it("buffers blocks ahead of the head, fills the gap from the BlockSource, and resumes after a restart", async () => {
    const f = await fixture();
    const blocks = await mixedChain(f);
    const asked: [number, number][] = [];
    const source: BlockSource = {
      head: async () => ({ number: f.seq.head.number, hash: f.seq.head.hash }),
      blocksByRange: async (start, count) => {
        asked.push([start, count]);
        return (await f.blocks(start, Math.min(start + count - 1, f.seq.head.number))).slice(0, 2);
      },
    };
    const dir = tmp.make();
    let v = await verifier(dir, { source, recoverer: null });
    expect((await v.importBlock(blocks[3]!)).status).toBe("buffered");
    expect(v.syncing()).toBe(true);
    await v.sync();
    expect(v.head.number).toBe(4);
    expect(v.syncing()).toBe(false);
    expect(asked[0]).toEqual([1, 4]);

    // Restart: the same head and state root from LevelDB; the next blocks follow.
    await v.close();
    open.splice(open.indexOf(v), 1);
    v = await verifier(dir, { source });
    expect(v.head.number).toBe(4);
    expect(toHex(v.state.roots().stateRoot)).toBe(toHex(blocks[3]!.header.stateRoot));
    const b5 = await f.block([f.sign(bob, TxKind.Transfer, { to: alice.address, amount: 1n })]);
    expect((await v.importBlock(b5)).status).toBe("imported");
    expect(toHex(v.state.roots().stateRoot)).toBe(toHex(f.seq.state.roots().stateRoot));
  });
});

describe("Verifier: bad blocks", () => {
  it("judges gossip at committed heights at once: duplicate, altered body, equivocation, unsealed; bodies checked against txRoot", async () => {
    const f = await fixture();
    const [b1, b2] = await mixedChain(f);
    const v = await verifier(tmp.make(), { recoverer: pool });
    await v.importBlock(b1!);
    await v.importBlock(b2!);
    expect(await v.judgeCommittedHeight(b2!, encodeSignedBlock(b2!), "p")).toBe("duplicate");
    const altered = { ...b2!, transactions: b2!.transactions.slice(1) };
    expect(bodyMatchesHeader(b2!)).toBe(true);
    expect(bodyMatchesHeader(altered)).toBe(false);
    expect(await v.judgeCommittedHeight(altered, encodeSignedBlock(altered), "p")).toBe("altered");
    expect(v.evidence()).toEqual([]);
    const unsealed = { ...b2!, header: { ...b2!.header, timestamp: b2!.header.timestamp + 1 } };
    expect(await v.judgeCommittedHeight(unsealed, encodeSignedBlock(unsealed), "p")).toBe("invalid");
    const twin = reseal(b2!, { timestamp: b2!.header.timestamp + 1 });
    expect(await v.judgeCommittedHeight(twin, encodeSignedBlock(twin), "peer-y")).toBe("equivocation");
    expect(v.evidence("blockEquivocation")).toMatchObject([{ number: 2, source: "peer-y" }]);
    expect(await v.judgeCommittedHeight(b1!, encodeSignedBlock(b1!), "p")).toBe("duplicate");
  });

  it("a sealed block with a wrong state root is refused, nothing applied, evidence kept (and the real one then equivocates)", async () => {
    const f = await fixture();
    const [b1, b2] = await mixedChain(f);
    const v = await verifier(tmp.make(), { recoverer: pool });
    await v.importBlock(b1!);
    const before = await v.db.getHead();
    const bad = reseal(b2!, { stateRoot: new Uint8Array(32).fill(9) });
    const err = await rejection(v.importBlock(bad, "peer-x"));
    expect(err.code).toBe(VerifierErrorCode.INVALID_BLOCK);
    expect(err.details).toMatchObject({ code: BlockErrorCode.ROOT_MISMATCH, sealed: true, field: "stateRoot" });
    expect(await v.db.getHead()).toEqual(before);
    expect(v.head.number).toBe(1);
    const [e] = v.evidence("invalidBlock");
    expect(e).toMatchObject({ kind: "invalidBlock", number: 2, code: BlockErrorCode.ROOT_MISMATCH, source: "peer-x" });
    expect(e!.kind === "invalidBlock" && e!.block).toBe(toHex(encodeSignedBlock(bad)));
    // Served again, it is refused from the cache (no second record).
    expect((await rejection(v.importBlock(bad))).code).toBe(VerifierErrorCode.INVALID_BLOCK);
    expect(v.evidence("invalidBlock")).toHaveLength(1);

    // The valid block at that height imports, and two seals at one height are equivocation.
    expect((await v.importBlock(b2!)).status).toBe("imported");
    expect(toHex(v.state.roots().stateRoot)).toBe(toHex(b2!.header.stateRoot));
    expect(v.evidence("blockEquivocation")).toHaveLength(1);
  });

  it("a sealed block with a bad transaction signature is refused and reported; a body changed on the way is refused without blame", async () => {
    const f = await fixture();
    const [b1, b2] = await mixedChain(f);
    const v = await verifier(tmp.make(), { recoverer: pool });
    await v.importBlock(b1!);
    const txs = b2!.transactions.map((t) => ({ ...t, signature: t.signature.slice() }));
    txs[1]!.signature[64] = 30; // v must be 27 or 28
    const body = { ...b2!, transactions: txs };

    // Relayed with the real (sealed) header: the body does not hash to txRoot. Not the sequencer's fault.
    const relayed = await rejection(v.importBlock(body));
    expect(relayed.details).toMatchObject({ code: BlockErrorCode.INVALID_TRANSACTION, sealed: false });
    expect(v.evidence()).toEqual([]);

    // Sealed by the sequencer with that body (txRoot over it): evidence, with the transaction's code.
    const hashes = [...b2!.deposits.map((d) => depositHash(d)), ...txs.map((t) => txHash(t))];
    const sealedBad = reseal(body, { txRoot: HashListSsz.hashTreeRoot(hashes) });
    v.prepare(sealedBad); // a failure found ahead of the import is the import's
    const err = await rejection(v.importBlock(sealedBad));
    expect(err.details).toMatchObject({ code: BlockErrorCode.INVALID_TRANSACTION, sealed: true, index: 1 });
    expect(v.head.number).toBe(1);
    expect(v.evidence("invalidBlock")[0]).toMatchObject({ code: BlockErrorCode.INVALID_TRANSACTION, number: 2 });

    // The real block was not poisoned by the relayed copy that shares its hash.
    expect((await v.importBlock(b2!)).status).toBe("imported");
  });

  it("refuses blocks not sealed by the sequencer, without evidence", async () => {
    const f = await fixture();
    const [b1] = await mixedChain(f);
    const v = await verifier(tmp.make());
    const forged = { ...b1!, signature: signBlockHeader(b1!.header, alice.priv) };
    const err = await rejection(v.importBlock(forged));
    expect(err.details).toMatchObject({ code: BlockErrorCode.BAD_SEAL, sealed: false });
    expect(v.evidence()).toEqual([]);
    expect((await v.importBlock(b1!)).status).toBe("imported");
  });

  it("two sealed headers at one committed height are equivocation evidence", async () => {
    const f = await fixture();
    const [b1, b2] = await mixedChain(f);
    const v = await verifier(tmp.make());
    await v.importBlock(b1!);
    await v.importBlock(b2!);
    const other = reseal(b2!, { timestamp: b2!.header.timestamp + 1 });
    const err = await rejection(v.importBlock(other, "peer-y"));
    expect(err.code).toBe(VerifierErrorCode.EQUIVOCATION);
    const [e] = v.evidence("blockEquivocation");
    expect(e).toMatchObject({ number: 2, source: "peer-y" });
    if (e?.kind !== "blockEquivocation") throw new Error("no equivocation");
    expect([e.a.hash, e.b.hash].sort()).toEqual([toHex(blockHash(b2!.header)), toHex(blockHash(other.header))].sort());
    // Reported once.
    await rejection(v.importBlock(other));
    expect(v.evidence()).toHaveLength(1);
  });
});

describe("Verifier: checkpoint co-signing", () => {
  const domain: CheckpointDomain = {
    l1ChainId: 31_415_926,
    rollup: "0x00000000000000000000000000000000000000aa",
    l2ChainId: CHAIN_ID,
  };

  it("signs a checkpoint that matches its own execution and batch, and refuses any mismatch", async () => {
    const f = await fixture();
    await mixedChain(f); // 4 blocks: checkpoints 0 (1..2) and 1 (3..4) with interval 2
    const committer = new SingleThreadCrypto();
    open.push(committer);
    const seqBatches = createBatchBuilder({
      source: { getBlockBytes: (n) => f.seq.db.getBlockBytes(n) },
      store: await createPieceStore({ dir: tmp.make("seq-pieces") }),
      committer,
    });
    const dir = tmp.make();
    const store = await createPieceStore({ dir: join(dir, "pieces") });
    let v: Verifier | null = null;
    const batches = createBatchBuilder({
      source: { getBlockBytes: (n) => v!.db.getBlockBytes(n) },
      store,
      committer,
    });
    v = await verifier(dir, { checkpointSigning: { key: validator.priv, domain }, batches }, testChain());
    for (const b of await f.blocks(1, 3)) await v.importBlock(b);

    const checkpoint = async (index: number): Promise<Checkpoint> => {
      const last = (await f.seq.db.getBlockByNumber(index * 2 + 2))!.header;
      const batch = await seqBatches(index, index * 2 + 1, index * 2 + 2);
      return {
        chainId: CHAIN_ID,
        index,
        firstBlock: index * 2 + 1,
        lastBlock: index * 2 + 2,
        parentHash: (await f.seq.db.getBlockByNumber(index * 2 + 1))!.header.parentHash,
        lastBlockHash: blockHash(last),
        stateRoot: last.stateRoot,
        withdrawalsRoot: last.withdrawalsRoot,
        blockHashesRoot: blockHashesRoot([(await f.seq.db.getBlockByNumber(index * 2 + 1))!.header, last]),
        pieceCid: batch.pieceCid,
        payloadCid: batch.payloadCid,
        pieceSize: batch.pieceSize,
        carSize: batch.carSize,
        lastBlockTimestamp: last.timestamp,
        depositCursor: last.l1DepositNonce,
        validatorSetId: 1,
      };
    };
    const refusal = async (cp: Checkpoint) => {
      const err = await v!.signCheckpoint(cp).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CheckpointRefusal);
      return err as CheckpointRefusal;
    };

    const cp0 = await checkpoint(0);
    const sig = await v.signCheckpoint(cp0);
    expect(toHex(recoverAddress(checkpointDigest(cp0, domain), sig))).toBe(toHex(validator.address));
    expect(store.has(cp0.pieceCid)).toBe(true); // its own batch, kept
    expect(toHex(await v.signCheckpoint(cp0))).toBe(toHex(sig)); // asked again: the same signature

    // Block 4 is not executed here yet.
    const cp1 = await checkpoint(1);
    expect((await refusal(cp1)).code).toBe(CheckpointRefusalCode.NOT_EXECUTED);
    await v.importBlock((await f.seq.db.getBlockByNumber(4))!);

    const badRoot = await refusal({ ...cp1, stateRoot: new Uint8Array(32).fill(1) });
    expect(badRoot.code).toBe(CheckpointRefusalCode.ROOT_MISMATCH);
    expect(badRoot.details.mismatches).toEqual([
      { field: "stateRoot", claimed: toHex(new Uint8Array(32).fill(1)), computed: toHex(cp1.stateRoot) },
    ]);
    expect(v.evidence("checkpointMismatch")[0]).toMatchObject({ origin: "cosign", index: 1 });
    expect((await refusal({ ...cp1, depositCursor: 9 })).code).toBe(CheckpointRefusalCode.ROOT_MISMATCH);
    const badHashes = await refusal({ ...cp1, blockHashesRoot: new Uint8Array(32).fill(2) });
    expect(badHashes.code).toBe(CheckpointRefusalCode.ROOT_MISMATCH);
    expect((badHashes.details.mismatches as { field: string }[]).map((m) => m.field)).toEqual(["blockHashesRoot"]);
    expect((await refusal({ ...cp1, lastBlockTimestamp: 1 })).code).toBe(CheckpointRefusalCode.ROOT_MISMATCH);
    const badPiece = await refusal({ ...cp1, pieceCid: cp0.pieceCid });
    expect(badPiece.code).toBe(CheckpointRefusalCode.BATCH_MISMATCH);
    expect((badPiece.details.mismatches as { field: string }[])[0]!.field).toBe("pieceCid");
    expect((await refusal({ ...cp1, carSize: cp1.carSize + 1 })).code).toBe(CheckpointRefusalCode.BATCH_MISMATCH);
    expect((await refusal({ ...cp1, firstBlock: 2 })).code).toBe(CheckpointRefusalCode.BAD_RANGE);
    expect((await refusal({ ...cp1, chainId: 1 })).code).toBe(CheckpointRefusalCode.WRONG_CHAIN);

    const first = await v.signCheckpoint(cp1);
    // Re-made for a changed validator set (same content, new set id): signed again, since the rollup
    // judges equivocation by content; the new signature is the one kept from then on.
    const remade = { ...cp1, validatorSetId: 2 };
    const again = await v.signCheckpoint(remade);
    expect(toHex(recoverAddress(checkpointDigest(remade, domain), again))).toBe(toHex(validator.address));
    expect(toHex(again)).not.toBe(toHex(first));
    expect(toHex(await v.signCheckpoint(remade))).toBe(toHex(again));
    // Different content at a signed index (even under yet another set id): never both.
    expect((await refusal({ ...remade, carSize: remade.carSize + 1 })).code).toBe(CheckpointRefusalCode.BATCH_MISMATCH);
    const otherLast = await refusal({ ...cp1, validatorSetId: 3, lastBlockHash: new Uint8Array(32).fill(5) });
    expect(otherLast.code).toBe(CheckpointRefusalCode.ROOT_MISMATCH);
    const otherParent = await refusal({ ...cp1, validatorSetId: 3, parentHash: new Uint8Array(32).fill(5) });
    expect(otherParent.code).toBe(CheckpointRefusalCode.ROOT_MISMATCH);
    expect(JSON.stringify(otherParent.details)).toContain("parentHash");

    // Against a rollup that judges equivocation by digest, a new set id is never re-signed.
    v.setEquivocationRule("digest");
    expect((await refusal({ ...remade, validatorSetId: 7 })).code).toBe(CheckpointRefusalCode.ALREADY_SIGNED);
    v.setEquivocationRule("content");
    // A record of other content at the index, or one without a content hash (written before it
    // existed): never a second digest.
    const record = { index: 1, digest: new Uint8Array(32).fill(1), signature: new Uint8Array(65) };
    await v.db.putSignedCheckpoint({ ...record, content: new Uint8Array(32).fill(2) });
    expect((await refusal(remade)).code).toBe(CheckpointRefusalCode.ALREADY_SIGNED);
    await v.db.putSignedCheckpoint({ ...record, content: null });
    expect((await refusal(remade)).code).toBe(CheckpointRefusalCode.ALREADY_SIGNED);
    await v.db.putSignedCheckpoint({
      index: 1,
      digest: checkpointDigest(remade, domain),
      signature: again,
      content: checkpointContentHash(remade),
    });

    // Gossip that arrived stamped more than maxGossipLagSec (60 s) before: the sequencer holds its
    // clock back, so the range is not co-signed. Only this chain's block at the height counts.
    const b3 = (await f.seq.db.getBlockByNumber(3))!;
    v.observeGossipedBlock({ ...b3, header: { ...b3.header, timestamp: 1 } }, Date.now());
    v.observeGossipedBlock(b3, (b3.header.timestamp + 59) * 1000);
    expect(toHex(await v.signCheckpoint(remade))).toBe(toHex(again));
    v.observeGossipedBlock(b3, (b3.header.timestamp + 61) * 1000);
    const stale = await refusal(remade);
    expect(stale.code).toBe(CheckpointRefusalCode.STALE_TIMESTAMP);
    expect(stale.details).toMatchObject({ block: 3, maxGossipLagSec: 60 });
  });

  it("refuses to sign without a validator key and batch builder", async () => {
    const v = await verifier(tmp.make());
    const err = await v
      .signCheckpoint({} as Checkpoint)
      .then(() => null)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointRefusal);
    expect((err as CheckpointRefusal).code).toBe(CheckpointRefusalCode.NOT_CONFIGURED);
  });
});
