/**
 * Deals end to end on a real local L1 (a hardhat node): the node's batch builder packs checkpoint
 * batches into its piece store, the deal tracker proposes them through FilverseDealClient, the
 * storage-provider simulator fetches each piece from the node's /piece/ URL, checks its CommP,
 * publishes and activates the deal on DevnetMarket, and the batch counts as stored. A piece whose
 * bytes do not match its Piece CID is refused and never published.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createL1Clients,
  type DealDeployment,
  deployDealContracts,
  getDealStatus,
  type L1Clients,
  type LocalL1,
  startLocalL1,
} from "@filverse/l1";
import { type Address, createTestClient, http } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDealClientBackend } from "../../src/backends/dealClient.js";
import { createBatchBuilder } from "../../src/batchBuilder.js";
import { readBatch } from "../../src/car/readBatch.js";
import { DealTracker } from "../../src/dealTracker.js";
import { createPieceServer, type PieceServer } from "../../src/piece/pieceServer.js";
import { createPieceStore, type PieceStore } from "../../src/piece/pieceStore.js";
import { retrievePiece } from "../../src/retrieval/retrievePiece.js";
import { StorageProviderSimulator } from "../../src/spSimulator.js";
import { buildTestChain, dataSegmentCommitter, type TestChain } from "./chain.js";

const INTERVAL = 4;
const FIL = 10n ** 18n;
const node = privateKeyToAccount(generatePrivateKey());
const provider = privateKeyToAccount(generatePrivateKey());

let dir: string;
let l1: LocalL1;
let clients: L1Clients;
let deals: DealDeployment;
let chain: TestChain;
let nodeStore: PieceStore;
let nodeServer: PieceServer;
let nodeUrl: string;
let sp: StorageProviderSimulator;
let spUrl: string;

const waitFor = async (check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000) => {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "filverse-deals-"));
  l1 = await startLocalL1();
  clients = createL1Clients({ url: l1.url, chainId: l1.chainId, pollingIntervalMs: 25, retryCount: 0 });
  const testClient = createTestClient({ mode: "hardhat", transport: http(l1.url), chain: clients.walletClient.chain });
  const [deployer] = (await clients.walletClient.getAddresses()) as [Address];
  for (const a of [node, provider]) await testClient.setBalance({ address: a.address, value: 100n * FIL });
  deals = await deployDealContracts(clients, deployer, { market: "devnet", proposers: [node.address] });
  chain = buildTestChain(2 * INTERVAL);
  nodeStore = await createPieceStore({ dir: join(dir, "node-pieces") });
  nodeServer = createPieceServer({}, { store: nodeStore });
  ({ url: nodeUrl } = await nodeServer.start());
  sp = new StorageProviderSimulator(
    { dealClient: deals.dealClient, market: deals.devnetMarket!, pollIntervalMs: 100 },
    {
      clients,
      account: provider,
      store: await createPieceStore({ dir: join(dir, "sp-pieces") }),
      committer: dataSegmentCommitter,
    },
  );
  ({ url: spUrl } = await sp.start());
}, 60_000);

afterAll(async () => {
  await sp?.close();
  await nodeServer?.close();
  await l1?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("deals through FilverseDealClient and the storage-provider simulator", () => {
  it("stores every checkpointed batch: proposed, fetched, CommP-checked, published, active", async () => {
    const source = { getBlockBytes: async (n: number) => chain.bytes[n - 1] ?? null };
    const builder = createBatchBuilder({ source, store: nodeStore, committer: dataSegmentCommitter });
    let checkpointed = INTERVAL;
    const tracker = new DealTracker(
      { stateFile: join(dir, "deals.json"), interval: INTERVAL, pieceBaseUrl: nodeUrl, pollIntervalMs: 100 },
      {
        backend: createDealClientBackend(
          { dealClient: deals.dealClient, startOffsetEpochs: 50 },
          { clients, account: node },
        ),
        batches: builder,
        store: nodeStore,
        checkpointedBlock: () => checkpointed,
      },
    );
    await tracker.start();
    try {
      await waitFor(() => tracker.storedBlock() === INTERVAL, "checkpoint 0 stored");
      checkpointed = 2 * INTERVAL;
      await waitFor(() => tracker.storedBlock() === 2 * INTERVAL, "checkpoint 1 stored");
    } finally {
      await tracker.close();
    }
    for (const index of [0, 1]) {
      const [record] = tracker.deals(index);
      expect(record).toMatchObject({ backend: "dealclient", state: "active" });
      expect(
        await getDealStatus(clients.publicClient, { dealClient: deals.dealClient, id: record!.ref as never }),
      ).toMatchObject({ status: "active", dealId: BigInt(record!.dealId!) });
      // The provider serves the piece it stored; what it serves rebuilds the checkpoint's blocks.
      const batch = tracker.batch(index)!;
      const piece = await retrievePiece(
        { baseUrl: spUrl, pieceCid: batch.pieceCid },
        { committer: dataSegmentCommitter },
      );
      const read = readBatch(piece.bytes, { payloadCid: batch.payloadCid });
      expect(read.blockBytes).toEqual(chain.bytes.slice(index * INTERVAL, (index + 1) * INTERVAL));
    }
    expect(sp.deals().map((d) => d.state)).toEqual(["active", "active"]);

    // A restarted tracker reads its state: nothing is proposed twice.
    const again = new DealTracker(
      { stateFile: join(dir, "deals.json"), interval: INTERVAL, pieceBaseUrl: nodeUrl, pollIntervalMs: 100 },
      {
        backend: createDealClientBackend({ dealClient: deals.dealClient }, { clients, account: node }),
        batches: builder,
        store: nodeStore,
        checkpointedBlock: () => 2 * INTERVAL,
      },
    );
    expect(again.storedBlock()).toBe(2 * INTERVAL);
    await again.tick();
    await again.close();
    expect(again.deals(0)).toHaveLength(1);
    expect(again.deals(1)).toHaveLength(1);
  }, 60_000);

  it("refuses a piece whose bytes do not match its Piece CID: nothing is published", async () => {
    // A node whose stored piece was corrupted on disk (same length, one byte flipped).
    const source = { getBlockBytes: async (n: number) => chain.bytes[n - 1] ?? null };
    const honest = await createBatchBuilder({
      source,
      store: await createPieceStore({ dir: join(dir, "scratch") }),
      committer: dataSegmentCommitter,
    })(0, 1, INTERVAL);
    const badStore = await createPieceStore({ dir: join(dir, "bad-pieces") });
    const good = (await (await createPieceStore({ dir: join(dir, "scratch") })).get(honest.pieceCid))!;
    const corrupted = good.slice();
    corrupted[corrupted.length >> 1]! ^= 0xff;
    await badStore.put(honest.pieceCid, corrupted);
    const badServer = createPieceServer({}, { store: badStore });
    const { url } = await badServer.start();
    try {
      const backend = createDealClientBackend(
        { dealClient: deals.dealClient, startOffsetEpochs: 60 },
        { clients, account: node },
      );
      const record = await backend.store(
        {
          checkpointIndex: 0,
          pieceCid: honest.pieceCid,
          pieceCidV1: honest.pieceCidV1,
          paddedSize: honest.pieceSize,
          payloadCid: honest.payloadCid,
          carSize: honest.carSize,
          locationRef: `${url}/piece/${honest.pieceCid}`,
        },
        async () => corrupted,
      );
      await waitFor(() => sp.deals().some((d) => d.proposalId === record.ref && d.state !== "fetching"), "the refusal");
      const outcome = sp.deals().find((d) => d.proposalId === record.ref)!;
      expect(outcome).toMatchObject({ state: "refused", dealId: null });
      expect(outcome.reason).toBe("The downloaded bytes are not the piece");
      expect((await backend.refresh(record)).state).toBe("proposed");
    } finally {
      await badServer.close();
    }
  }, 60_000);
});
