/**
 * filverse_getIdentitiesByOwner and filverse_getDataAssetGrantees against a sequencer process with
 * real blocks: pages by limit and cursor that add up to the whole list in ascending order, a limit
 * above the maximum refused with -32602 naming `page.limit` (not an internal error), and the lookup
 * index the same after the node restarts, and still following new blocks. filverse_getAssetsByCollection
 * likewise: numeric token id order, burned assets kept, the same pages after a restart.
 */
import { createFilverseClient, type FilverseClient } from "@filverse/client";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type DevAccount, initDevnet, type RunningNode, rpc, startSequencer, tempDir } from "./helpers.js";

const CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
const PIECE = "baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq";
const tmp = tempDir("lookupreads");
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

let nextId = 1;
async function call(
  method: string,
  params: unknown[],
): Promise<{ result?: unknown; error?: { code: number; data?: unknown } }> {
  const { json } = await rpc(node.url, { jsonrpc: "2.0", id: nextId++, method, params });
  return json as { result?: unknown; error?: { code: number; data?: unknown } };
}

type Page<K extends string> = Record<K, Record<string, unknown>[]> & { nextCursor: string | null };

/** Every page of a list at `limit` per page, following nextCursor to the end. */
async function allPages<K extends string>(
  method: string,
  first: string,
  key: K,
  limit: number,
): Promise<{ pages: Page<K>[]; items: Record<string, unknown>[] }> {
  const pages: Page<K>[] = [];
  let cursor: string | null = null;
  do {
    const r = await call(method, [first, cursor === null ? { limit } : { cursor, limit }]);
    expect(r.error, JSON.stringify(r.error)).toBeUndefined();
    const page = r.result as Page<K>;
    expect(page[key].length).toBeLessThanOrEqual(limit);
    pages.push(page);
    cursor = page.nextCursor;
  } while (cursor !== null && pages.length < 20);
  return { pages, items: pages.flatMap((p) => p[key]) };
}

const ascending = (xs: string[]) => [...xs].sort();

it("pages identities by owner and grantees by data asset; refuses a limit above 500; keeps the index across a restart", async () => {
  const owner = accounts[0]!.address.toLowerCase();
  // Five identities for alice and one for bob, in real blocks.
  const created: `0x${string}`[] = [];
  for (let i = 0; i < 5; i++) {
    const sent = await alice.createIdentity({ handle: `lookup_${i}`, profileCid: CID });
    created.push(sent.identityId);
  }
  const bob = createFilverseClient({ url: node.url, account: privateKeyToAccount(accounts[1]!.privateKey) });
  const bobs = await bob.createIdentity({ handle: "lookup_bob", profileCid: CID });
  expect((await bob.waitForTransaction(bobs.hash)).result).toBe("success");
  await bob.close();
  // A data asset with five grants, one revoked.
  const data = await alice.registerDataAsset({ contentCid: CID, pieceCid: PIECE, size: 4096, license: "CC0" });
  const grantees = Array.from({ length: 5 }, () => privateKeyToAccount(generatePrivateKey()).address.toLowerCase());
  const expiresAt = Math.floor(Date.now() / 1000) + 3600;
  for (const grantee of grantees)
    await alice.grantAccess({ dataAssetId: data.dataAssetId, grantee: grantee as `0x${string}`, expiresAt });
  const revoked = await alice.revokeAccess({ dataAssetId: data.dataAssetId, grantee: grantees[2] as `0x${string}` });
  expect((await alice.waitForTransaction(revoked.hash)).result).toBe("success");
  const holding = grantees.filter((_, i) => i !== 2);

  const identities = await allPages("filverse_getIdentitiesByOwner", owner, "identities", 2);
  expect(identities.pages.map((p) => p.identities.length)).toEqual([2, 2, 1]);
  const ids = identities.items.map((i) => i.id as string);
  expect(ids).toEqual(ascending(created.map((c) => c.toLowerCase())));
  expect(identities.items.every((i) => i.owner === owner)).toBe(true);
  expect(identities.pages.at(-1)!.nextCursor).toBeNull();
  // The cursor is the last id of its page, and the next page starts after it.
  expect(identities.pages[0]!.nextCursor).toBe(ids[1]);
  // One page of 500 holds them all, and bob's list is his one identity.
  const whole = (await call("filverse_getIdentitiesByOwner", [owner, { limit: 500 }])).result as Page<"identities">;
  expect(whole.identities.map((i) => i.id)).toEqual(ids);
  expect(whole.nextCursor).toBeNull();
  const bobList = (await call("filverse_getIdentitiesByOwner", [accounts[1]!.address])).result as Page<"identities">;
  expect(bobList.identities.map((i) => i.id)).toEqual([bobs.identityId.toLowerCase()]);

  const granted = await allPages("filverse_getDataAssetGrantees", data.dataAssetId, "grantees", 3);
  expect(granted.pages.map((p) => p.grantees.length)).toEqual([3, 1]);
  expect(granted.items.map((g) => g.grantee)).toEqual(ascending(holding));
  expect(granted.items.every((g) => g.active === true && g.expiresAt === String(expiresAt))).toBe(true);
  expect((await call("filverse_getDataAssetGrantees", [`0x${"ab".repeat(32)}`])).result).toBeNull();

  // Limits out of range and a foreign cursor: typed -32602 naming the param, never -32603.
  for (const [method, first] of [
    ["filverse_getIdentitiesByOwner", owner],
    ["filverse_getDataAssetGrantees", data.dataAssetId],
  ] as const) {
    for (const page of [{ limit: 501 }, { limit: 0 }, { limit: "5" }, { limit: 2.5 }]) {
      const r = await call(method, [first, page]);
      expect(r.error, `${method} ${JSON.stringify(page)}`).toMatchObject({
        code: -32602,
        data: { param: "page.limit", index: 1, expected: "an integer from 1 to 500" },
      });
    }
    const r = await call(method, [first, { cursor: "0x1234" }]);
    expect(r.error).toMatchObject({ code: -32602, data: { param: "page.cursor" } });
  }

  // A restart rebuilds the index from the state: the same pages, and new blocks still move it.
  expect(await node.stop()).toBe(0);
  await alice.close();
  node = await startSequencer(tmp.dir);
  alice = createFilverseClient({ url: node.url, account: privateKeyToAccount(accounts[0]!.privateKey) });
  const after = await allPages("filverse_getIdentitiesByOwner", owner, "identities", 2);
  expect(after.pages).toEqual(identities.pages);
  const grantedAfter = await allPages("filverse_getDataAssetGrantees", data.dataAssetId, "grantees", 3);
  expect(grantedAfter.pages).toEqual(granted.pages);
  const moved = await alice.transferIdentity({ identityId: created[0]!, newOwner: accounts[1]!.address });
  expect((await alice.waitForTransaction(moved.hash)).result).toBe("success");
  const left = (await call("filverse_getIdentitiesByOwner", [owner])).result as Page<"identities">;
  expect(left.identities.map((i) => i.id)).toEqual(ids.filter((id) => id !== created[0]!.toLowerCase()));
  const bobNow = (await call("filverse_getIdentitiesByOwner", [accounts[1]!.address])).result as Page<"identities">;
  expect(bobNow.identities.map((i) => i.id)).toEqual(
    ascending([bobs.identityId.toLowerCase(), created[0]!.toLowerCase()]),
  );
}, 60_000);

it("filverse_getAssetsByCollection pages a collection's assets by numeric token id, burned ones too, across a restart", async () => {
  const made = await alice.createCollection({
    name: "Paged",
    symbol: "PGD",
    royaltyBps: 0,
    maxSupply: 100_000,
    metadataMutable: false,
  });
  expect((await alice.waitForTransaction(made.hash)).result).toBe("success");
  // 200..204 in one batch, then 9 and 10_000 alone: numeric order differs from minting order.
  const batch = await alice.batchMintAssets({
    collectionId: made.collectionId,
    firstTokenId: 200,
    to: alice.address!,
    contentCids: Array(5).fill(CID),
  });
  const nine = await alice.mintAsset({
    collectionId: made.collectionId,
    tokenId: 9,
    to: alice.address!,
    contentCid: CID,
  });
  const big = await alice.mintAsset({
    collectionId: made.collectionId,
    tokenId: 10_000,
    to: alice.address!,
    contentCid: CID,
  });
  for (const h of [batch.hash, nine.hash, big.hash]) expect((await alice.waitForTransaction(h)).result).toBe("success");
  const burn = await alice.burnAsset({ collectionId: made.collectionId, tokenId: 201 });
  expect((await alice.waitForTransaction(burn.hash)).result).toBe("success");

  const expected = ["9", "200", "201", "202", "203", "204", "10000"];
  const listed = await allPages("filverse_getAssetsByCollection", made.collectionId, "assets", 3);
  expect(listed.pages.map((p) => p.assets.length)).toEqual([3, 3, 1]);
  expect(listed.items.map((a) => a.tokenId)).toEqual(expected);
  expect(listed.items.find((a) => a.tokenId === "201")).toMatchObject({ burned: true });
  expect(listed.pages[0]!.nextCursor).toBe("0x00000000000000c9"); // token 201, 8 bytes big-endian
  expect((await call("filverse_getAssetsByCollection", [`0x${"cd".repeat(32)}`])).result).toBeNull();
  const r = await call("filverse_getAssetsByCollection", [made.collectionId, { cursor: "0x1234" }]);
  expect(r.error).toMatchObject({ code: -32602, data: { param: "page.cursor" } });

  // The SDK action reads the same list.
  const viaClient = await alice.getAssetsByCollection({ collectionId: made.collectionId, limit: 500 });
  expect(viaClient!.assets.map((a) => a.tokenId)).toEqual(expected);

  // A restart rebuilds the index from the state: the same pages; a new mint joins in order.
  expect(await node.stop()).toBe(0);
  await alice.close();
  node = await startSequencer(tmp.dir);
  alice = createFilverseClient({ url: node.url, account: privateKeyToAccount(accounts[0]!.privateKey) });
  const after = await allPages("filverse_getAssetsByCollection", made.collectionId, "assets", 3);
  expect(after.pages).toEqual(listed.pages);
  const more = await alice.mintAsset({
    collectionId: made.collectionId,
    tokenId: 100,
    to: alice.address!,
    contentCid: CID,
  });
  expect((await alice.waitForTransaction(more.hash)).result).toBe("success");
  const now = await allPages("filverse_getAssetsByCollection", made.collectionId, "assets", 500);
  expect(now.items.map((a) => a.tokenId)).toEqual(["9", "100", ...expected.slice(1)]);
}, 60_000);
