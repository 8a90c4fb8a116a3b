/**
 * Four reads the state cannot answer by key: the identities an address owns, the grantees of a
 * data asset, the collections an address created, and the assets (token ids) of a collection. Like the IdentityIndex, it is rebuilt from the state at start and after a rewind, and
 * updated from each committed block's changes, so it always describes the head state.
 */
import type { State, StateChange } from "@filverse/state";
import { type Collection, type Identity, Namespace, type StateObjects } from "@filverse/types";
import { toHex } from "@filverse/utils";

export class LookupIndex {
  /** owner address hex → identity id hex. */
  private readonly byOwner = new Map<string, Set<string>>();
  /** identity id hex → owner address hex: what a transfer or a removal takes the id out of. */
  private readonly ownerOf = new Map<string, string>();
  /** data asset id hex → grantee address hex. */
  private readonly grants = new Map<string, Set<string>>();
  /** creator address hex → collection id hex (a collection's creator never changes). */
  private readonly byCreator = new Map<string, Set<string>>();
  /**
   * collection id hex → token id as 8-byte big-endian hex (so string order is numeric order). An
   * asset is never deleted (a burn keeps it, owner zero); a null value is a rewind's undo.
   */
  private readonly assets = new Map<string, Set<string>>();
  /** collection id hex → its token ids sorted, kept until the collection's set changes. */
  private readonly sortedAssets = new Map<string, string[]>();

  rebuild(state: State): void {
    this.byOwner.clear();
    this.ownerOf.clear();
    this.grants.clear();
    this.byCreator.clear();
    this.assets.clear();
    this.sortedAssets.clear();
    for (const { value: e } of state.objects.entries()) this.put(e.ns, e.id, e.value);
  }

  apply(changes: Iterable<StateChange>): void {
    for (const c of changes) this.put(c.ns, c.id, c.value);
  }

  private put(ns: Namespace, id: Uint8Array, value: StateObjects[Namespace] | null): void {
    if (ns === Namespace.Identity) {
      const identityId = toHex(id);
      const previous = this.ownerOf.get(identityId);
      if (previous !== undefined) {
        remove(this.byOwner, previous, identityId);
        this.ownerOf.delete(identityId);
      }
      if (value !== null) {
        const owner = toHex((value as Identity).owner);
        add(this.byOwner, owner, identityId);
        this.ownerOf.set(identityId, owner);
      }
    } else if (ns === Namespace.AccessGrant) {
      const dataAsset = toHex(id.subarray(0, 32));
      const grantee = toHex(id.subarray(32));
      if (value !== null) add(this.grants, dataAsset, grantee);
      else remove(this.grants, dataAsset, grantee);
    } else if (ns === Namespace.Collection) {
      const collectionId = toHex(id);
      // Collections are never deleted; a null value (a rewind's undo) removes it from any creator.
      if (value !== null) add(this.byCreator, toHex((value as Collection).creator), collectionId);
      else
        for (const [creator, set] of this.byCreator)
          if (set.has(collectionId)) remove(this.byCreator, creator, collectionId);
    } else if (ns === Namespace.Asset) {
      // id: collectionId (32) ‖ tokenId (8, big-endian).
      const collectionId = toHex(id.subarray(0, 32));
      const tokenKey = toHex(id.subarray(32));
      const set = this.assets.get(collectionId);
      if (value !== null ? set?.has(tokenKey) : !set?.has(tokenKey)) return;
      if (value !== null) add(this.assets, collectionId, tokenKey);
      else remove(this.assets, collectionId, tokenKey);
      this.sortedAssets.delete(collectionId);
    }
  }

  /** Ids (hex) of the identities `owner` (lower-case hex) owns, ascending. */
  identitiesOf(owner: string): string[] {
    return [...(this.byOwner.get(owner) ?? [])].sort();
  }

  /** Ids (hex) of the collections `creator` (lower-case hex) created, ascending. */
  collectionsOf(creator: string): string[] {
    return [...(this.byCreator.get(creator) ?? [])].sort();
  }

  /**
   * Token ids of the assets of a collection (burned ones included), each as 8-byte big-endian hex,
   * ascending. The sorted list is cached until a block adds or removes one of its assets.
   */
  assetsOf(collectionId: string): string[] {
    let sorted = this.sortedAssets.get(collectionId);
    if (!sorted) {
      sorted = [...(this.assets.get(collectionId) ?? [])].sort();
      this.sortedAssets.set(collectionId, sorted);
    }
    return sorted;
  }

  /** Grantee addresses (hex) holding a grant on the data asset, expired or not, ascending. */
  granteesOf(dataAssetId: string): string[] {
    return [...(this.grants.get(dataAssetId) ?? [])].sort();
  }
}

function add(map: Map<string, Set<string>>, key: string, member: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(member);
}

function remove(map: Map<string, Set<string>>, key: string, member: string): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(member);
  if (set.size === 0) map.delete(key);
}
