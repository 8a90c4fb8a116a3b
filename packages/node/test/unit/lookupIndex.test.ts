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
});
