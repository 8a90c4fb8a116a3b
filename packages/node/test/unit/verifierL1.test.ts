/**
 * Verifiers against a real local L1 (hardhat, the compiled rollup): their equivocation evidence is
 * accepted by proveBlockEquivocation, and two verifiers co-sign checkpoints that the sequencer's
 * submitter gathers through the quorum collector; checkpoints read back from L1 match re-execution.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { SingleThreadCrypto, signBlockHeader, signDigest, signPreconfirmation } from "@filverse/crypto";
import { type BatchBuilder, createBatchBuilder, createPieceRequestHandler, createPieceStore } from "@filverse/filecoin";
import {
  CheckpointSubmitter,
  checkpointToAbi,
  createL1Clients,
  createQuorumCollector,
  deployFilverse,
  type LocalL1,
  loadArtifact,
  readCheckpoints,
  signCheckpoint,
  startLocalL1,
} from "@filverse/l1";
import { blockHash, blockHashesRoot, type Checkpoint, TxKind } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import { type Address, createTestClient, type Hex, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RebuildError, RebuildErrorCode, VerifierErrorCode } from "../../src/errors.js";
import { submitEvidenceToL1 } from "../../src/verifier/evidence.js";
import { rebuildFromL1 } from "../../src/verifier/rebuild.js";
import type { Verifier } from "../../src/verifier/verifier.js";
import { CHAIN_ID, GENESIS, key, SequencerFixture, sequencerKey, startVerifier, tempDirs } from "./chainFixture.js";

const alice = key(811, "alice");
const bob = key(812, "bob");
const reporter = key(813, "reporter");
const v1 = key(814, "v1");
const v2 = key(815, "v2");
const v3 = key(816, "v3");
const FIL = 10n ** 18n;
const rollupAbi = loadArtifact("FilverseRollup").abi;

let l1: LocalL1;
let clients: ReturnType<typeof createL1Clients>;
let testClient: ReturnType<typeof createTestClient>;
const tmp = tempDirs();
const open: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  l1 = await startLocalL1();
  clients = createL1Clients({ url: l1.url, chainId: l1.chainId, pollingIntervalMs: 25, retryCount: 0 });
  testClient = createTestClient({ mode: "hardhat", transport: http(l1.url), chain: clients.walletClient.chain });
}, 60_000);
afterAll(async () => {
  await l1?.stop();
});
afterEach(async () => {
  for (const x of open.splice(0).reverse()) await x.close();
  tmp.cleanup();
});

const addr = (k: { address: Uint8Array }) => toHex(k.address) as Address;
const fund = (a: Address) => testClient.setBalance({ address: a, value: 1_000n * FIL });

async function deploy(): Promise<{ rollup: Address; bridge: Address; startBlock: bigint }> {
  const startBlock = await clients.publicClient.getBlockNumber({ cacheTime: 0 });
  const [deployer] = await clients.walletClient.getAddresses();
  const d = await deployFilverse(clients, deployer!, {
    l2ChainId: CHAIN_ID,
    sequencer: addr(sequencerKey),
    genesisTimestamp: GENESIS.timestamp,
    minCollateral: 10n * FIL,
    challengeWindowSec: 60,
    exitDelaySec: 120,
    forceInclusionDelaySec: 600,
  });
  return { rollup: d.rollup, bridge: d.bridge, startBlock };
}

/** A genesis validator (effective at once), its collateral paid by the deployer. */
async function register(rollup: Address, k: { priv: Uint8Array }): Promise<void> {
  const account = privateKeyToAccount(toHex(k.priv) as Hex);
  await fund(account.address);
  const [deployer] = await clients.walletClient.getAddresses();
  const hash = await clients.walletClient.writeContract({
    account: deployer!,
    chain: clients.walletClient.chain,
    address: rollup,
    abi: rollupAbi,
    functionName: "registerGenesis",
    args: [account.address],
    value: 10n * FIL,
  } as never);
  await clients.publicClient.waitForTransactionReceipt({ hash });
}

const read = <T>(rollup: Address, functionName: string, args: unknown[] = []) =>
  clients.publicClient.readContract({ address: rollup, abi: rollupAbi, functionName, args } as never) as Promise<T>;

describe("Verifier evidence on L1", () => {
  it("equivocation evidence is accepted by proveBlockEquivocation: the rollup halts and the sequencer is slashed", async () => {
    const { rollup } = await deploy();
    await register(rollup, sequencerKey);
    const f = await SequencerFixture.start(tmp.make("seq"), [alice]);
    open.push(f.seq);
    const b1 = await f.block();
    const v = await startVerifier(tmp.make());
    open.push(v);
    await v.importBlock(b1);
    const header = { ...b1.header, timestamp: b1.header.timestamp + 7 };
    const err = await v
      .importBlock({ ...b1, header, signature: signBlockHeader(header, sequencerKey.priv) })
      .catch((e: unknown) => e as { code: string });
    expect((err as { code: string }).code).toBe(VerifierErrorCode.EQUIVOCATION);
    const [evidence] = v.evidence("blockEquivocation");

    const account = privateKeyToAccount(toHex(reporter.priv) as Hex);
    await fund(account.address);
    const tx = await submitEvidenceToL1(evidence!, {
      ...clients,
      account,
      rollup,
      sequencer: sequencerKey.address,
      chainId: CHAIN_ID,
    });
    await v.evidenceStore.markSubmitted(evidence!.id, tx);
    expect(await read<boolean>(rollup, "halted")).toBe(true);
    expect(await read<bigint>(rollup, "sequencerBond")).toBe(0n);
    expect((await read<[bigint]>(rollup, "validatorInfo", [addr(sequencerKey)]))[0]).toBe(0n);
    expect(v.evidence()[0]!.l1?.tx).toBe(tx);
  });

  it("a broken preconfirmation's evidence is accepted by provePreconfirmationBreach: the bond is burned, nothing halts", async () => {
    const { rollup } = await deploy();
    const f = await SequencerFixture.start(tmp.make("seq"), [alice]);
    open.push(f.seq);
    const v = await startVerifier(tmp.make());
    open.push(v);
    await v.importBlock(await f.block());
    const receipts = (await v.db.getReceipts(1))!;
    // The sequencer promised another receipt at position 0 of block 1 than the one it sealed.
    const promise = {
      number: 1,
      position: 0,
      receiptRoot: new Uint8Array(32).fill(5),
      touchedRoot: new Uint8Array(32),
    };
    expect(receipts.length).toBeGreaterThan(0);
    const checked = await v.submitPreconfirmation({
      ...promise,
      signature: signPreconfirmation(CHAIN_ID, promise, sequencerKey.priv),
    });
    expect(checked.status).toBe("broken");
    const [evidence] = v.evidence("preconfirmationBreach");
    const account = privateKeyToAccount(toHex(reporter.priv) as Hex);
    await fund(account.address);
    const tx = await submitEvidenceToL1(evidence!, {
      ...clients,
      account,
      rollup,
      sequencer: sequencerKey.address,
      chainId: CHAIN_ID,
    });
    expect(tx).toMatch(/^0x/);
    expect(await read<bigint>(rollup, "sequencerBond")).toBe(0n);
    expect(await read<boolean>(rollup, "halted")).toBe(false);
  });
});

/** The dev faucet's two L1 messages (1 FIL to alice, then bob) made real on the bridge, so checkpoints can consume them. */
async function depositForFaucet(bridge: Address): Promise<void> {
  const [funder] = await clients.walletClient.getAddresses();
  for (const k of [alice, bob]) {
    const hash = await clients.walletClient.writeContract({
      account: funder!,
      chain: clients.walletClient.chain,
      address: bridge,
      abi: loadArtifact("FilverseBridge").abi,
      functionName: "deposit",
      args: [addr(k)],
      value: FIL,
    } as never);
    await clients.publicClient.waitForTransactionReceipt({ hash });
  }
}

describe("co-signing with verifiers", () => {
  it("two of three validators' verifiers sign; the checkpoints on L1 match re-execution", async () => {
    const { rollup, bridge, startBlock } = await deploy();
    for (const k of [v1, v2, v3]) await register(rollup, k);
    await depositForFaucet(bridge);
    const f = await SequencerFixture.start(tmp.make("seq"), [alice, bob]);
    open.push(f.seq);
    await f.block();
    await f.block([f.sign(alice, TxKind.Transfer, { to: bob.address, amount: 3n })]);
    await f.block([f.sign(bob, TxKind.Withdraw, { l1Recipient: bob.address, amount: 2n })]);
    await f.block([f.sign(alice, TxKind.Transfer, { to: bob.address, amount: 1n })]);
    const committer = new SingleThreadCrypto();
    open.push(committer);
    const domain = { l1ChainId: l1.chainId, rollup, l2ChainId: CHAIN_ID };

    const verifiers: Verifier[] = [];
    for (const k of [v1, v2]) {
      const dir = tmp.make();
      let v: Verifier | null = null;
      const batches: BatchBuilder = createBatchBuilder({
        source: { getBlockBytes: (n) => v!.db.getBlockBytes(n) },
        store: await createPieceStore({ dir: join(dir, "pieces") }),
        committer,
      });
      v = await startVerifier(dir, { checkpointSigning: { key: k.priv, domain }, batches });
      open.push(v);
      for (const b of await f.blocks(1, 4)) await v.importBlock(b);
      verifiers.push(v);
    }
    const seqBatches = createBatchBuilder({
      source: { getBlockBytes: (n) => f.seq.db.getBlockBytes(n) },
      store: await createPieceStore({ dir: tmp.make("seq-pieces") }),
      committer,
    });
    const payer = privateKeyToAccount(toHex(sequencerKey.priv) as Hex);
    await fund(payer.address);
    const submitter = new CheckpointSubmitter(
      { rollup, l2ChainId: CHAIN_ID, interval: f.chain.checkpointInterval },
      {
        ...clients,
        account: payer,
        chain: {
          headNumber: () => f.seq.head.number,
          header: async (n) => (await f.seq.db.getBlockByNumber(n))?.header ?? null,
        },
        batch: seqBatches,
        collect: createQuorumCollector(
          { rollup },
          {
            publicClient: clients.publicClient,
            signers: verifiers.map((v) => async (cp) => toHex(await v.signCheckpoint(cp, "sequencer")) as Hex),
          },
        ),
      },
    );
    await submitter.tick();
    expect(submitter.consecutiveFailures).toBe(0);
    expect(Number(await read<bigint>(rollup, "nextCheckpointIndex"))).toBe(2);

    // Read back from L1, the checkpoints are what each verifier re-executed (batch included).
    const records = await readCheckpoints({ rollup, startBlock }, clients);
    for (const r of records) {
      const cp = r.checkpoint!;
      for (const v of verifiers) expect(await v.checkCheckpoint(cp, "l1")).toBe("ok");
    }
    // A checkpoint claiming another state root is evidence.
    const bad = records[1]!.checkpoint!;
    expect(await verifiers[0]!.checkCheckpoint({ ...bad, stateRoot: new Uint8Array(32) }, "l1")).toEqual(["stateRoot"]);
    expect(verifiers[0]!.evidence("checkpointMismatch")[0]).toMatchObject({ origin: "l1", index: 1 });
  });
});

describe("rebuilding from L1", () => {
  it("rebuilds from the rollup and verified pieces (a corrupt server skipped), and refuses a checkpoint that lies", async () => {
    const { rollup, bridge, startBlock } = await deploy();
    await register(rollup, v1);
    await depositForFaucet(bridge);
    const f = await SequencerFixture.start(tmp.make("seq"), [alice, bob]);
    open.push(f.seq);
    await f.block();
    for (let i = 0; i < 5; i++)
      await f.block([f.sign(alice, TxKind.Transfer, { to: bob.address, amount: BigInt(i + 1) })]);
    const committer = new SingleThreadCrypto();
    open.push(committer);
    const store = await createPieceStore({ dir: tmp.make("seq-pieces") });
    const seqBatches = createBatchBuilder({
      source: { getBlockBytes: (n) => f.seq.db.getBlockBytes(n) },
      store,
      committer,
    });

    // Two piece servers: one answers garbage for every piece, one serves the sequencer's store.
    const handler = createPieceRequestHandler({ store });
    const good = createServer((req, res) => handler(req, res));
    const bad = createServer((_req, res) => res.writeHead(200).end(Buffer.alloc(3000, 7)));
    const urls: string[] = [];
    for (const server of [bad, good]) {
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      open.push({ close: () => new Promise<void>((r) => server.close(() => r())) });
      urls.push(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    }

    const account = privateKeyToAccount(toHex(v1.priv) as Hex);
    const domain = { l1ChainId: l1.chainId, rollup, l2ChainId: CHAIN_ID };
    const submitter = new CheckpointSubmitter(
      { rollup, l2ChainId: CHAIN_ID, interval: 2 },
      {
        ...clients,
        account,
        chain: { headNumber: () => 4, header: async (n) => (await f.seq.db.getBlockByNumber(n))?.header ?? null },
        batch: seqBatches,
        sign: async (digest) => [toHex(signDigest(fromHex(digest), v1.priv)) as Hex],
      },
    );
    await submitter.tick();
    expect(submitter.consecutiveFailures).toBe(0);

    const v = await startVerifier(tmp.make());
    open.push(v);
    const seen: number[] = [];
    const result = await rebuildFromL1(
      { rollup, startBlock, pieceUrls: urls },
      { verifier: v, publicClient: clients.publicClient, committer, onProgress: (p) => seen.push(p.block) },
    );
    expect(result).toMatchObject({ checkpoints: 2, head: 4, blocks: 4, lastCheckpoint: { index: 1, lastBlock: 4 } });
    expect(result.stateRoot).toBe(toHex((await f.seq.db.getBlockByNumber(4))!.header.stateRoot));
    expect(seen.at(-1)).toBe(4);

    // Checkpoint 2 on L1 claims another state root for blocks 5..6: the rebuild stops, with evidence.
    const last = (await f.seq.db.getBlockByNumber(6))!.header;
    const batch = await seqBatches(2, 5, 6);
    const lying: Checkpoint = {
      chainId: CHAIN_ID,
      index: 2,
      firstBlock: 5,
      lastBlock: 6,
      parentHash: (await f.seq.db.getBlockByNumber(5))!.header.parentHash,
      lastBlockHash: blockHash(last),
      stateRoot: new Uint8Array(32).fill(0xee),
      withdrawalsRoot: last.withdrawalsRoot,
      blockHashesRoot: blockHashesRoot([(await f.seq.db.getBlockByNumber(5))!.header, last]),
      pieceCid: batch.pieceCid,
      payloadCid: batch.payloadCid,
      pieceSize: batch.pieceSize,
      carSize: batch.carSize,
      lastBlockTimestamp: last.timestamp,
      depositCursor: last.l1DepositNonce,
      validatorSetId: Number(await read<bigint>(rollup, "validatorSetId")),
    };
    const hash = await clients.walletClient.writeContract({
      account,
      chain: clients.walletClient.chain,
      address: rollup,
      abi: rollupAbi,
      functionName: "submitCheckpoint",
      args: [checkpointToAbi(lying), [toHex(signCheckpoint(lying, domain, v1.priv))]],
    } as never);
    expect((await clients.publicClient.waitForTransactionReceipt({ hash })).status).toBe("success");
    const err = await rebuildFromL1(
      { rollup, startBlock, pieceUrls: urls.slice(1) },
      { verifier: v, publicClient: clients.publicClient, committer },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RebuildError);
    expect((err as RebuildError).code).toBe(RebuildErrorCode.CHECKPOINT_MISMATCH);
    expect(v.head.number).toBe(6); // the blocks are valid; the checkpoint is what lies
    expect(v.evidence("checkpointMismatch")[0]).toMatchObject({ origin: "rebuild", index: 2 });
  });
});
