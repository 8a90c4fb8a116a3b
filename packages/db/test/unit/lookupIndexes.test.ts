/**
 * The lookup indexes (0x07, 0x0d–0x11): written in the block's batch, paged, undone by a rewind, and
 * backfilled at start in a database written before they existed. Each page is checked against a
 * scan of the state's objects (the oracle), computed here without the index code.
 */
import { collectionIdOf, dataAssetIdOf, identityIdOf, tokenIdOf } from "@filverse/crypto";
import type { State } from "@filverse/state";
import { cidOf, makeKey, pieceCidV1 } from "@filverse/test-utils";
import {
  type Asset,
  blockHash,
  type Collection,
  type Identity,
  Namespace,
  type TokenBalance,
  TxKind,
} from "@filverse/types";
import { toHex } from "@filverse/utils";
import { ClassicLevel } from "classic-level";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChainDb, LookupKind } from "../../src/index.js";
import { MetaKey, metaKey, prefixRange } from "../../src/keys.js";
import { SealedChain, type Step, tempDir } from "./helpers.js";

const alice = makeKey(1, "alice");
const bob = makeKey(2, "bob");
const carol = makeKey(3, "carol");
const people = [alice, bob, carol];

let tmp: ReturnType<typeof tempDir>;
let db: ChainDb;
let chain: SealedChain;

beforeEach(async () => {
  tmp = tempDir();
  db = await ChainDb.open({ dir: tmp.dir });
  chain = new SealedChain();
  await db.initGenesis(chain.genesis);
});

afterEach(async () => {
  await db.close();
  tmp.remove();
});

const commit = (step: Step) => db.commitBlock({ ...step, journalRemove: [] });

/** Every [key, value] of a column, hex, read on a raw LevelDB. */
async function columnEntries(raw: ClassicLevel<Uint8Array, Uint8Array>, column: number): Promise<string[][]> {
  const out: string[][] = [];
  for await (const [k, v] of raw.iterator(prefixRange(Uint8Array.of(column)))) out.push([toHex(k), toHex(v)]);
  return out;
}

/** Closes `db` and opens its directory as a raw LevelDB. */
async function reopenRaw(): Promise<ClassicLevel<Uint8Array, Uint8Array>> {
  await db.close();
  const raw = new ClassicLevel<Uint8Array, Uint8Array>(tmp.dir, { keyEncoding: "view", valueEncoding: "view" });
  await raw.open();
  return raw;
}

/** Every ref of a lookup, read in pages of 2 (so cursors are exercised). */
async function all(kind: LookupKind, scope: Uint8Array): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<ChainDb["getLookupPage"]>> = await db.getLookupPage(kind, scope, {
      cursor,
      limit: 2,
    });
    out.push(...page.items.map((i) => toHex(i.ref)));
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

/** What each lookup must hold for `scope`, from a scan of the state. */
function oracle(state: State, kind: LookupKind, scope: Uint8Array): string[] {
  const s = toHex(scope);
  const out: string[] = [];
  for (const { value: e } of state.objects.entries()) {
    const id = toHex(e.id);
    if (kind === LookupKind.IdentitiesByOwner && e.ns === Namespace.Identity) {
      if (toHex((e.value as Identity).owner) === s) out.push(id);
    } else if (kind === LookupKind.CollectionsByCreator && e.ns === Namespace.Collection) {
      if (toHex((e.value as Collection).creator) === s) out.push(id);
    } else if (kind === LookupKind.GranteesOfDataAsset && e.ns === Namespace.AccessGrant) {
      if (id.slice(0, 66) === s) out.push(`0x${id.slice(66)}`);
    } else if (kind === LookupKind.AssetsByCollection && e.ns === Namespace.Asset) {
      if (id.slice(0, 66) === s) out.push(`0x${id.slice(66)}`);
    } else if (kind === LookupKind.AssetsByOwner && e.ns === Namespace.Asset) {
      const a = e.value as Asset;
      if (!a.burned && toHex(a.owner) === s) out.push(id);
    } else if (
      (kind === LookupKind.DelegatesOfIdentity && e.ns === Namespace.Delegate) ||
      (kind === LookupKind.AttributesOfIdentity && e.ns === Namespace.Attribute)
    ) {
      if (id.slice(0, 66) === s) out.push(`0x${id.slice(66)}`);
    } else if (kind === LookupKind.TokensByHolder && e.ns === Namespace.TokenBalance) {
      if (`0x${id.slice(66)}` === s && (e.value as TokenBalance).balance > 0n) out.push(id.slice(0, 66));
    }
  }
  return out.sort();
}

async function expectMatchesState(state: State, scopes: Uint8Array[]): Promise<void> {
  for (const kind of Object.values(LookupKind)) {
    const spec = { 20: people.map((p) => p.address), 32: scopes };
    const width = [
      LookupKind.GranteesOfDataAsset,
      LookupKind.AssetsByCollection,
      LookupKind.DelegatesOfIdentity,
      LookupKind.AttributesOfIdentity,
    ].includes(kind)
      ? 32
      : 20;
    for (const scope of spec[width]) {
      expect(await all(kind, scope), `${kind} ${toHex(scope)}`).toEqual(oracle(state, kind, scope));
    }
  }
}

/** A chain with identities, collections and assets, a data asset with grants, and a token. */
async function build(): Promise<{ scopes: Uint8Array[]; afterFirst: State; first: Step }> {
  chain.deposit(alice.address);
  chain.deposit(bob.address);
  chain.deposit(carol.address);
  const first = chain.next();
  await commit(first);
  const afterFirst = chain.state;
  const s = chain.signer;
  const n = (k: typeof alice) => s.nextNonce(k);
  const col = collectionIdOf(alice.address, n(alice));
  const createCol = s.sign(alice, TxKind.CollectionCreate, {
    name: "Avatars",
    symbol: "AVA",
    royaltyBps: 0,
    maxSupply: 100,
    metadataMutable: false,
  });
  const mint = (tokenId: number, to = alice.address) =>
    s.sign(alice, TxKind.AssetMint, { collectionId: col, tokenId, to, contentCid: cidOf(`${tokenId}`) });
  const mints = [mint(3), mint(1, bob.address), mint(2)];
  const idA = identityIdOf(alice.address, n(alice));
  const createIdA = s.sign(alice, TxKind.IdentityCreate, { handle: "alice_x", profileCid: cidOf("a") });
  const data = dataAssetIdOf(alice.address, n(alice));
  const register = s.sign(alice, TxKind.DataAssetRegister, {
    contentCid: cidOf("data"),
    pieceCid: pieceCidV1(1),
    size: 1024,
    license: "CC-BY-4.0",
  });
  const grant = (to: Uint8Array) =>
    s.sign(alice, TxKind.AccessGrant, { dataAssetId: data, grantee: to, expiresAt: 2_000_000_000 });
  const grants = [grant(bob.address), grant(carol.address)];
  const token = tokenIdOf(bob.address, n(bob));
  const createToken = s.sign(bob, TxKind.TokenCreate, { name: "Coin", symbol: "CN", decimals: 2, cap: 10_000n });
  const tokenMint = s.sign(bob, TxKind.TokenMint, { tokenId: token, to: bob.address, amount: 500n });
  await commit(chain.next([createCol, ...mints, createIdA, register, ...grants, createToken, tokenMint]));
  const idB = identityIdOf(bob.address, n(bob));
  await commit(
    chain.next([
      s.sign(alice, TxKind.DelegateAdd, { identityId: idA, delegate: bob.address, scope: 1, expiresAt: 2_000_000_000 }),
      s.sign(alice, TxKind.DelegateAdd, {
        identityId: idA,
        delegate: carol.address,
        scope: 3,
        expiresAt: 2_000_000_000,
      }),
      s.sign(alice, TxKind.AttributeSet, { identityId: idA, key: "site", value: "https://a.example", expiresAt: 0 }),
      s.sign(alice, TxKind.AttributeSet, { identityId: idA, key: "gone", value: "x", expiresAt: 0 }),
    ]),
  );
  await commit(
    chain.next([
      s.sign(alice, TxKind.DelegateRevoke, { identityId: idA, delegate: bob.address }),
      s.sign(alice, TxKind.AttributeRemove, { identityId: idA, key: "gone" }),
      s.sign(bob, TxKind.IdentityCreate, { handle: "bob_x", profileCid: cidOf("b") }),
      // alice hands her identity to carol, burns token 3, revokes bob's grant; bob pays carol all his coins.
      s.sign(alice, TxKind.IdentityTransfer, { identityId: idA, newOwner: carol.address }),
      s.sign(alice, TxKind.AssetBurn, { collectionId: col, tokenId: 3 }),
      s.sign(alice, TxKind.AccessRevoke, { dataAssetId: data, grantee: bob.address }),
      s.sign(bob, TxKind.TokenTransfer, { tokenId: token, to: carol.address, amount: 500n }),
    ]),
  );
  expect(chain.state.get(Namespace.Identity, idB)).toBeTruthy();
  expect(chain.state.get(Namespace.Identity, idA)?.owner).toEqual(carol.address);
  return { scopes: [col, data, idA, idB], afterFirst, first };
}

describe("lookup indexes", () => {
  it("follow every block's changes and survive reopening", async () => {
    const { scopes } = await build();
    await expectMatchesState(chain.state, scopes);
    // Spot checks of what the oracle says, so the test cannot pass on two empty lists.
    expect(await all(LookupKind.GranteesOfDataAsset, scopes[1]!)).toEqual([toHex(carol.address)]);
    expect((await all(LookupKind.AssetsByCollection, scopes[0]!)).length).toBe(3);
    expect((await all(LookupKind.TokensByHolder, carol.address)).length).toBe(1);
    expect(await all(LookupKind.TokensByHolder, bob.address)).toEqual([]);
    expect((await all(LookupKind.IdentitiesByOwner, carol.address)).length).toBe(1);
    expect(await all(LookupKind.DelegatesOfIdentity, scopes[2]!)).toEqual([toHex(carol.address)]);
    expect((await all(LookupKind.AttributesOfIdentity, scopes[2]!)).length).toBe(1);
    const withEntries = (await db.getIdentityWithEntries(scopes[2]!, 10))!;
    expect(withEntries.identity.owner).toEqual(carol.address);
    expect(withEntries.delegates.map((d) => [toHex(d.ref), d.value.scope])).toEqual([[toHex(carol.address), 3]]);
    expect(withEntries.attributes.map((a) => a.value.key)).toEqual(["site"]);
    expect(withEntries.truncated).toBe(false);
    expect(await db.getIdentityWithEntries(new Uint8Array(32).fill(9), 10)).toBeNull();
    const page = await db.getLookupPage(LookupKind.TokensByHolder, carol.address);
    expect((page.items[0]!.value as TokenBalance).balance).toBe(500n);
    await db.close();
    db = await ChainDb.open({ dir: tmp.dir });
    expect(await db.backfillLookups(await db.loadState())).toBe(false);
    await expectMatchesState(chain.state, scopes);
  });

  it("a rewind takes them back to the target's state", async () => {
    const { scopes, afterFirst, first } = await build();
    await db.rewind({
      record: {
        status: "pending",
        target: 1,
        targetHash: blockHash(first.block.header),
        checkpoint: 0,
        l1Block: 1n,
        l1LogIndex: 0,
        fromHead: 4,
        returned: [],
      },
      current: chain.state,
      targetState: afterFirst,
      returnTransactions: false,
    });
    await expectMatchesState(afterFirst, scopes);
    expect(await all(LookupKind.AssetsByCollection, scopes[0]!)).toEqual([]);
  });

  it("a database written before the indexes existed is backfilled once at start", async () => {
    const { scopes } = await build();
    await db.close();
    // Make it look old: no layout version, no lookup keys but the asset-owner ones.
    const raw = new ClassicLevel<Uint8Array, Uint8Array>(tmp.dir, { keyEncoding: "view", valueEncoding: "view" });
    await raw.open();
    await raw.del(metaKey(MetaKey.LookupVersion));
    const addressTx = await columnEntries(raw, 0x0c);
    expect(addressTx.length).toBeGreaterThan(10);
    for (const column of [0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13])
      await raw.clear(prefixRange(Uint8Array.of(column)));
    await raw.close();
    db = await ChainDb.open({ dir: tmp.dir });
    expect(await all(LookupKind.TokensByHolder, carol.address)).toEqual([]);
    const state = await db.loadState();
    expect((await db.getTransactionsByAddress(alice.address)).items).toEqual([]);
    expect(await db.backfillLookups(state)).toBe(true);
    await expectMatchesState(chain.state, scopes);
    // The address → transaction index is back, entry for entry.
    await db.close();
    const again = new ClassicLevel<Uint8Array, Uint8Array>(tmp.dir, { keyEncoding: "view", valueEncoding: "view" });
    await again.open();
    expect(await columnEntries(again, 0x0c)).toEqual(addressTx);
    await again.close();
    db = await ChainDb.open({ dir: tmp.dir });
    expect(await db.backfillLookups(state)).toBe(false);
  });

  it("the backfill needs the head state", async () => {
    await build();
    await expect(db.backfillLookups(chain.genesis.state)).resolves.toBe(false); // current version: untouched
    const raw = await reopenRaw();
    await raw.del(metaKey(MetaKey.LookupVersion));
    await raw.close();
    db = await ChainDb.open({ dir: tmp.dir });
    await expect(db.backfillLookups(chain.genesis.state)).rejects.toMatchObject({ code: "DB_BAD_INPUT" });
  });

  it("checks its arguments", async () => {
    await expect(db.getLookupPage(LookupKind.IdentitiesByOwner, new Uint8Array(19))).rejects.toThrow(RangeError);
    await expect(db.getLookupPage(LookupKind.IdentitiesByOwner, alice.address, { cursor: "0x12" })).rejects.toThrow(
      RangeError,
    );
    await expect(db.getLookupPage(LookupKind.IdentitiesByOwner, alice.address, { limit: 0 })).rejects.toThrow(
      RangeError,
    );
    expect(await db.getLookupPage(LookupKind.TokensByHolder, alice.address, { limit: 10_000 })).toEqual({
      items: [],
      nextCursor: null,
    });
  });
});
