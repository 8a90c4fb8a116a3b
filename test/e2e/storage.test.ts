/**
 * Batch data on Filecoin, end to end on `filverse devnet`: transactions, then a checkpoint whose
 * Piece CID is on the L1 rollup, then a deal through FilverseDealClient that the storage-provider
 * simulator (its own process) fetches, CommP-checks, publishes and activates on DevnetMarket; the
 * transaction's status reaches `stored`, and the piece retrieved from the provider (verified before
 * use) rebuilds the very blocks the node holds.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createFilverseClient } from "@filverse/client";
import { SingleThreadCrypto } from "@filverse/crypto";
import { readBatch, retrievePiece } from "@filverse/filecoin";
import { loadArtifact } from "@filverse/l1";
import { type Address, createPublicClient, type Hex, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, expect, it } from "vitest";
import { rpc, spawnDevnet, tempDir } from "./helpers.js";

const tmp = tempDir("storage");
afterAll(() => tmp.cleanup());

type Ready = { l1: string; l2: string; rollup: Address; storageProvider: string };

it("a checkpointed batch is stored by a deal, reaches `stored`, and its piece rebuilds the blocks", async () => {
  const dir = join(tmp.dir, "net");
  const devnet = await spawnDevnet<Ready>(dir, ["--checkpoint-interval", "2"], 90_000);
  const committer = new SingleThreadCrypto();
  try {
    const ready = devnet.ready;
    const { l1, l2, rollup, storageProvider } = ready;
    const dev = JSON.parse(readFileSync(join(dir, "dev-accounts.json"), "utf8")) as {
      address: Address;
      privateKey: Hex;
    }[];
    const alice = createFilverseClient({ url: l2, account: privateKeyToAccount(dev[0]!.privateKey) });
    const { hash } = await alice.transfer({ to: dev[1]!.address, amount: 12_345n });
    const sequenced = await alice.waitForTransaction(hash, { timeoutMs: 30_000 });
    const block = Number(sequenced.blockNumber);
    // More blocks close the checkpoint (interval 2) that covers the transfer.
    for (let i = 0; i < 2; i++)
      await alice.waitForTransaction((await alice.transfer({ to: dev[2]!.address, amount: 1n })).hash);
    const stored = await alice.waitForTransaction(hash, { status: "stored", timeoutMs: 90_000 });
    expect(["stored", "finalized"]).toContain(stored.status);

    // The rollup holds the batch's Piece CID; the provider accepted that deal.
    const index = Math.floor((block - 1) / 2);
    const l1Client = createPublicClient({ transport: http(l1) });
    const cp = (await l1Client.readContract({
      address: rollup,
      abi: loadArtifact("FilverseRollup").abi,
      functionName: "getCheckpoint",
      args: [BigInt(index)],
    })) as { pieceCid: string; lastBlock: bigint };
    expect(cp.pieceCid).toMatch(/^bafkzcib/);
    const deals = (await (await fetch(`${storageProvider}/deals`)).json()) as { state: string; pieceCid: string }[];
    expect(deals.filter((d) => d.state === "active").length).toBeGreaterThanOrEqual(index + 1);

    // Retrieval from the provider, verified before use, rebuilds the node's blocks.
    const piece = await retrievePiece({ baseUrl: storageProvider, pieceCid: cp.pieceCid }, { committer });
    const batch = readBatch(piece.bytes);
    expect(batch.blocks.map((b) => b.header.number)).toEqual([index * 2 + 1, index * 2 + 2]);
    for (const b of batch.blocks) {
      const live = (
        await rpc(l2, { jsonrpc: "2.0", id: 1, method: "filverse_getBlockByNumber", params: [String(b.header.number)] })
      ).json as { result: { header: { stateRoot: string } } };
      expect(live.result.header.stateRoot).toBe(`0x${Buffer.from(b.header.stateRoot).toString("hex")}`);
    }
    // The node serves the same piece at its own /piece/ URL (what the deal's location_ref names).
    const fromNode = await retrievePiece({ baseUrl: l2, pieceCid: cp.pieceCid }, { committer });
    expect(fromNode.bytes).toEqual(piece.bytes);
    await alice.close();

    expect(await devnet.stop()).toBe(0);
  } finally {
    await devnet.stop();
    await committer.close();
  }
}, 180_000);
