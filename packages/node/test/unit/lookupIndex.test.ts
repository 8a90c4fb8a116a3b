import { type State, type StateChange, State as StateClass, stateKey } from "@filverse/state";
import { Namespace, type StateObjects } from "@filverse/types";
import { concatBytes, toHex } from "@filverse/utils";
import { describe, expect, it } from "vitest";
import { LookupIndex } from "../../src/chain/lookupIndex.js";

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const alice = bytes(20, 0xa1);
const bob = bytes(20, 0xb2);
const id1 = bytes(32, 0x01);
const id2 = bytes(32, 0x02);
const data = bytes(32, 0xd0);

const write = (ns: Namespace, id: Uint8Array, value: StateObjects[Namespace] | null): StateChange => ({
  ns,
  id,
  key: stateKey(ns, id),
  value,
});
const identity = (owner: Uint8Array, handle: string, ownerEpoch = 0) =>
  ({ owner, handle, profileCid: "", ownerEpoch }) as unknown as StateObjects[Namespace];
const grant = (expiresAt: number) => ({ expiresAt }) as unknown as StateObjects[Namespace];

/** Applies each block's changes to the state and the index; checks a rebuild from state agrees. */
function step(state: State, index: LookupIndex, changes: StateChange[]): State {
  const next = state.withChanges(changes, [], []);
  index.apply(changes);
  const rebuilt = new LookupIndex();
  rebuilt.rebuild(next);
  for (const who of [alice, bob]) expect(rebuilt.identitiesOf(toHex(who))).toEqual(index.identitiesOf(toHex(who)));
  expect(rebuilt.granteesOf(toHex(data))).toEqual(index.granteesOf(toHex(data)));
  return next;
}

describe("LookupIndex", () => {
  it("follows create, transfer, grant, revoke, and a rebuild (restart or rewind)", () => {
    const index = new LookupIndex();
    let state = StateClass.genesis();
    index.rebuild(state);
    state = step(state, index, [
      write(Namespace.Identity, id2, identity(alice, "alice_two")),
      write(Namespace.Identity, id1, identity(alice, "alice_one")),
    ]);
    const afterCreate = state;
    expect(index.identitiesOf(toHex(alice))).toEqual([toHex(id1), toHex(id2)]);
    expect(index.identitiesOf(toHex(bob))).toEqual([]);

    state = step(state, index, [write(Namespace.Identity, id1, identity(bob, "alice_one", 1))]);
    expect(index.identitiesOf(toHex(alice))).toEqual([toHex(id2)]);
    expect(index.identitiesOf(toHex(bob))).toEqual([toHex(id1)]);

    state = step(state, index, [
      write(Namespace.AccessGrant, concatBytes(data, bob), grant(100)),
      write(Namespace.AccessGrant, concatBytes(data, alice), grant(200)),
    ]);
    expect(index.granteesOf(toHex(data))).toEqual([toHex(alice), toHex(bob)]);

    state = step(state, index, [write(Namespace.AccessGrant, concatBytes(data, alice), null)]);
    expect(index.granteesOf(toHex(data))).toEqual([toHex(bob)]);

    // A rewind or a restart rebuilds from the kept state: back to just after the creates.
    index.rebuild(afterCreate);
    expect(index.identitiesOf(toHex(alice))).toEqual([toHex(id1), toHex(id2)]);
    expect(index.identitiesOf(toHex(bob))).toEqual([]);
    expect(index.granteesOf(toHex(data))).toEqual([]);
  });

  it("lists the collections an address created, and forgets one a rewind undoes", () => {
    const index = new LookupIndex();
    let state = StateClass.genesis();
    index.rebuild(state);
    const collection = (creator: Uint8Array) =>
      ({
        creator,
        name: "C",
        symbol: "C",
        royaltyBps: 0,
        maxSupply: 0,
        minted: 0,
        burned: 0,
        metadataMutable: false,
      }) as unknown as StateObjects[Namespace];
    state = step(state, index, [
      write(Namespace.Collection, id2, collection(alice)),
      write(Namespace.Collection, id1, collection(alice)),
    ]);
    expect(index.collectionsOf(toHex(alice))).toEqual([toHex(id1), toHex(id2)]);
    expect(index.collectionsOf(toHex(bob))).toEqual([]);
    index.apply([write(Namespace.Collection, id2, null)]);
    expect(index.collectionsOf(toHex(alice))).toEqual([toHex(id1)]);
    const rebuilt = new LookupIndex();
    rebuilt.rebuild(state);
    expect(rebuilt.collectionsOf(toHex(alice))).toEqual([toHex(id1), toHex(id2)]);
  });

  it("lists a collection's token ids in numeric order past 100, keeps burned ones, and follows a rewind", () => {
    const index = new LookupIndex();
    let state = StateClass.genesis();
    index.rebuild(state);
    const assetId = (collection: Uint8Array, tokenId: number) => {
      const t = new Uint8Array(8);
      new DataView(t.buffer).setBigUint64(0, BigInt(tokenId));
      return concatBytes(collection, t);
    };
    const asset = (collectionId: Uint8Array, tokenId: number, owner: Uint8Array, burned = false) =>
      ({
        collectionId,
        tokenId,
        owner,
        approved: bytes(20, 0),
        contentCid: "",
        burned,
      }) as unknown as StateObjects[Namespace];
    const key = (tokenId: number) => `0x${tokenId.toString(16).padStart(16, "0")}`;
    // Written out of order, with ids whose decimal order differs from numeric (9 < 10 < 100 < 255 < 2^40).
    const ids = [255, 9, 100, 2 ** 40, 10, 0, 101];
    state = step(
      state,
      index,
      ids.map((t) => write(Namespace.Asset, assetId(id1, t), asset(id1, t, alice))),
    );
    const sorted = [...ids].sort((a, b) => a - b).map(key);
    expect(index.assetsOf(toHex(id1))).toEqual(sorted);
    expect(index.assetsOf(toHex(id2))).toEqual([]);
    const afterMint = state;

    // A transfer and a burn rewrite the object; the token id stays listed once.
    state = step(state, index, [
      write(Namespace.Asset, assetId(id1, 9), asset(id1, 9, bob)),
      write(Namespace.Asset, assetId(id1, 255), asset(id1, 255, bytes(20, 0), true)),
      write(Namespace.Asset, assetId(id2, 7), asset(id2, 7, bob)),
    ]);
    expect(index.assetsOf(toHex(id1))).toEqual(sorted);
    expect(index.assetsOf(toHex(id2))).toEqual([key(7)]);
    const rebuilt = new LookupIndex();
    rebuilt.rebuild(state);
    expect(rebuilt.assetsOf(toHex(id1))).toEqual(sorted);
    expect(rebuilt.assetsOf(toHex(id2))).toEqual([key(7)]);

    // A rewind's undo (null) takes the token id out; a rebuild from the kept state agrees.
    index.apply([write(Namespace.Asset, assetId(id2, 7), null), write(Namespace.Asset, assetId(id1, 101), null)]);
    expect(index.assetsOf(toHex(id2))).toEqual([]);
    expect(index.assetsOf(toHex(id1))).toEqual(sorted.filter((k) => k !== key(101)));
    index.rebuild(afterMint);
    expect(index.assetsOf(toHex(id1))).toEqual(sorted);
    expect(index.assetsOf(toHex(id2))).toEqual([]);
  });
});
