/**
 * The SDK's paged lookups and the CLI's read commands against a sequencer process with real blocks:
 * getTokensByHolder, getCollectionsByCreator, getAssetsByCollection, getTransactionsByAddress and
 * getIdentitiesByOwner page by limit and cursor to the whole list; the CLI prints the same first page
 * (`token holdings`, `asset collections`, `asset collection-assets`, `tx list`, `identity list`);
 * bad input is a ClientError before anything is sent, a cursor the node never issued is the node's
 * typed -32602, and the checkpoint and dispute reads of a node without an L1 rollup are
 * UnavailableError. The node reads: genesis, evidence, p2p identity and peers.
 */
import {
  ClientError,
  ClientErrorCode,
  createFilverseClient,
  type FilverseClient,
  InvalidParamsRpcError,
  UnavailableError,
} from "@filverse/client";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cli, type DevAccount, initDevnet, type RunningNode, startSequencer, tempDir, waitFor } from "./helpers.js";

const CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
const tmp = tempDir("sdklookups");
let accounts: DevAccount[];
let node: RunningNode;
let alice: FilverseClient;

beforeAll(async () => {
  ({ accounts } = initDevnet(tmp.dir));
  node = await startSequencer(tmp.dir);
  alice = createFilverseClient({ url: node.url, account: privateKeyToAccount(accounts[0]!.privateKey) });
}, 60_000);

afterAll(async () => {
  await alice?.close();
  await node?.stop();
  tmp.cleanup();
});

/** Every page of a lookup at `limit` a page, following nextCursor to the end. */
async function allPages<P extends { nextCursor: string | null }>(
  read: (page: { limit: number; cursor?: string }) => Promise<P | null>,
  limit: number,
): Promise<P[]> {
  const pages: P[] = [];
  let cursor: string | null = null;
  do {
    const page: P | null = await read(cursor === null ? { limit } : { limit, cursor });
    if (page === null) throw new Error("no such list");
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor !== null && pages.length < 20);
  return pages;
}

const json = (args: string[]) => {
  const r = cli([...args, "--rpc", node.url, "--json"]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
};
const human = (args: string[]) => {
  const r = cli([...args, "--rpc", node.url]);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};

it("pages tokens by holder, collections by creator, a collection's assets, transactions and identities; the CLI prints them", async () => {
  const me = alice.address!.toLowerCase() as `0x${string}`;
  const bob = accounts[1]!.address.toLowerCase() as `0x${string}`;
  // Three tokens minted to bob (decimals 2, 0, 18), three collections by alice, an identity.
  const tokens: { tokenId: string; amount: bigint; decimals: number; symbol: string }[] = [];
  for (const [i, decimals] of [2, 0, 18].entries()) {
    const made = await alice.createToken({ name: `Coin ${i}`, symbol: `C${i}`, decimals, cap: 10n ** 30n });
    const amount = BigInt(150 + i);
    const minted = await alice.mintToken({ tokenId: made.tokenId, to: bob, amount });
    expect((await alice.waitForTransaction(minted.hash)).result).toBe("success");
    tokens.push({ tokenId: made.tokenId, amount, decimals, symbol: `C${i}` });
  }
  const collections: string[] = [];
  for (let i = 0; i < 3; i++) {
    const made = await alice.createCollection({
      name: `Set ${i}`,
      symbol: `S${i}`,
      royaltyBps: 250,
      maxSupply: 10,
      metadataMutable: false,
    });
    collections.push(made.collectionId);
  }
  const mint = await alice.batchMintAssets({
    collectionId: collections[0] as `0x${string}`,
    firstTokenId: 1,
    to: bob,
    contentCids: Array(3).fill(CID),
  });
  const id = await alice.createIdentity({ handle: "sdk_lookups", profileCid: CID });
  expect((await alice.waitForTransaction(id.hash)).result).toBe("success");
  expect((await alice.waitForTransaction(mint.hash)).result).toBe("success");

  // Tokens by holder: ascending token id, the balance and the token's name, symbol and decimals.
  const tokenPages = await allPages((p) => alice.getTokensByHolder({ holder: bob, ...p }), 2);
  expect(tokenPages.map((p) => p.tokens.length)).toEqual([2, 1]);
  const held = tokenPages.flatMap((p) => p.tokens);
  const sorted = [...tokens].sort((a, b) => (a.tokenId < b.tokenId ? -1 : 1));
  expect(held).toEqual(
    sorted.map((t) => ({
      tokenId: t.tokenId,
      balance: String(t.amount),
      name: `Coin ${tokens.indexOf(t)}`,
      symbol: t.symbol,
      decimals: t.decimals,
    })),
  );
  expect(tokenPages[0]!.holder).toBe(bob);
  expect((await alice.getTokensByHolder({ holder: me })).tokens).toEqual([]);
  expect(json(["token", "holdings", bob])).toEqual({ holder: bob, tokens: held, nextCursor: null });
  const holdings = human(["token", "holdings", bob]);
  expect(holdings).toContain(`1.5 C0  Coin 0  ${tokens[0]!.tokenId}`);
  expect(holdings).toContain(`151 C1  Coin 1  ${tokens[1]!.tokenId}`);
  expect(holdings).toContain(`0.000000000000000152 C2  Coin 2  ${tokens[2]!.tokenId}`);
  expect(holdings).not.toContain("more:");
  expect(human(["token", "holdings", bob, "--limit", "2"])).toMatch(
    new RegExp(`^more: --cursor ${tokenPages[0]!.nextCursor}$`, "m"),
  );

  // Collections by creator: ascending id, each as getCollection has it.
  const colPages = await allPages((p) => alice.getCollectionsByCreator({ creator: me, ...p }), 2);
  const created = colPages.flatMap((p) => p.collections).map((c) => c.id);
  expect(created).toEqual([...collections].sort());
  expect(human(["asset", "collections", me])).toContain(`${collections[1]}  Set 1 (S1)  0 minted of 10, royalty 2.5%`);

  // A collection's assets, by token id.
  const assetPages = await allPages(
    (p) => alice.getAssetsByCollection({ collectionId: collections[0] as `0x${string}`, ...p }),
    2,
  );
  expect(assetPages.flatMap((p) => p.assets).map((a) => [a.tokenId, a.owner])).toEqual([
    ["1", bob],
    ["2", bob],
    ["3", bob],
  ]);
  expect(human(["asset", "collection-assets", collections[0]!])).toContain(`#3  ${bob}  ${CID}`);

  // Transactions naming bob: the three token mints and the batch mint, newest first.
  const txPages = await allPages((p) => alice.getTransactionsByAddress({ address: bob, ...p }), 3);
  const txs = txPages.flatMap((p) => p.transactions);
  expect(txs.map((t) => t.hash)).toContain(mint.hash);
  const order = txs.map((t) => BigInt(t.blockNumber) * 1_000_000n + BigInt(t.index));
  expect(order).toEqual([...order].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
  expect(human(["tx", "list", bob])).toMatch(new RegExp(`^\\d+\\.\\d+  AssetBatchMint  ok  ${mint.hash}$`, "m"));
  const listed = json(["tx", "list", bob, "--limit", "1"]) as { transactions: { hash: string }[] };
  expect(listed.transactions.map((t) => t.hash)).toEqual([txs[0]!.hash]);

  // Identities by owner, through the SDK and `identity list <owner>`.
  const ids = await alice.getIdentitiesByOwner({ owner: me });
  expect(ids.identities.map((i) => i.handle)).toEqual(["sdk_lookups"]);
  expect(human(["identity", "list", me])).toContain("sdk_lookups");
}, 180_000);

it("bad input is ClientError INVALID_INPUT before anything is sent; an unknown cursor is the node's -32602", async () => {
  const bob = accounts[1]!.address;
  for (const call of [
    () => alice.getTokensByHolder({ holder: bob, limit: 501 }),
    () => alice.getTokensByHolder({ holder: "0xbeef" as `0x${string}` }),
    () => alice.getCollectionsByCreator({ creator: bob, cursor: "page-2" }),
    () => alice.getCheckpoints({ limit: 0 }),
  ]) {
    const err = await call().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientError);
    expect((err as ClientError).code).toBe(ClientErrorCode.INVALID_INPUT);
  }
  // Hex, but not a token id: the node refuses the cursor by name.
  const err = await alice.getTokensByHolder({ holder: bob, cursor: "0x01" }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(InvalidParamsRpcError);
  expect(err).toMatchObject({ data: { param: "page.cursor" } });
  const r = cli(["token", "holdings", "0x1234", "--rpc", node.url]);
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("The holder must be a 0x address");
});

it("a node without an L1 rollup: getCheckpoint and getCheckpoints are UnavailableError", async () => {
  await expect(alice.getCheckpoints({ limit: 5 })).rejects.toBeInstanceOf(UnavailableError);
  await expect(alice.getCheckpoint()).rejects.toBeInstanceOf(UnavailableError);
  const r = cli(["bridge", "checkpoints", "--rpc", node.url]);
  expect(r.status).not.toBe(0);
  expect(r.stderr.length).toBeGreaterThan(0);
});

it("the node reads: the genesis is block 1's parent, a sequencer has no evidence; no p2p, no dispute game: UnavailableError", async () => {
  const genesis = await alice.getGenesis();
  // Block 1's parent is the genesis.
  const block1 = await waitFor(() => alice.getBlockByNumber({ blockNumber: 1 }), 20_000, "block 1");
  expect(genesis.hash).toMatch(/^0x[0-9a-f]{64}$/);
  expect(block1?.header.parentHash).toBe(genesis.hash);
  expect(await alice.getEvidence()).toEqual([]);
  expect(await alice.getEvidence({ kind: "invalidBlock" })).toEqual([]);
  // This sequencer runs no p2p network.
  await expect(alice.getPeers()).rejects.toBeInstanceOf(UnavailableError);
  await expect(alice.getNodeIdentity()).rejects.toMatchObject({ data: { reason: "p2p disabled" } });
  await expect(alice.getDisputes({ limit: 5 })).rejects.toBeInstanceOf(UnavailableError);
});
