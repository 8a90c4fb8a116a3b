/**
 * The lookup indexes: reads the state cannot answer by key (the state key is a hash of namespace and
 * id), kept as empty-valued LevelDB keys next to the objects. Each is a function of one state object
 * (its namespace, id and value), so a block's commit, a rewind and a backfill all derive them the
 * same way: the keys of the object before the change go, the keys of the object after it come.
 *
 *   0x07 asset owner       owner (20) ‖ collectionId (32) ‖ u64be tokenId   (live, owned assets)
 *   0x0d identity owner    owner (20) ‖ identityId (32)
 *   0x0e data-asset grant  dataAssetId (32) ‖ grantee (20)                 (expired grants included)
 *   0x0f collection        creator (20) ‖ collectionId (32)
 *   0x10 collection asset  collectionId (32) ‖ u64be tokenId               (burned assets included)
 *   0x11 token holding     holder (20) ‖ tokenId (32)                      (balance above zero)
 *   0x12 identity delegate identityId (32) ‖ delegate (20)                  (expired ones included)
 *   0x13 identity attribute identityId (32) ‖ sha256(key) (32)              (expired ones included)
 */
import { tokenBalanceObjectId } from "@filverse/state";
import { type Asset, type Collection, type Identity, Namespace, type TokenBalance } from "@filverse/types";
import { bytesEqual, concatBytes } from "@filverse/utils";
import { DbPrefix } from "./keys.js";

/** The lookups a page read can name: each is one key column, scoped by a fixed-width prefix. */
export enum LookupKind {
  AssetsByOwner = "assetsByOwner",
  IdentitiesByOwner = "identitiesByOwner",
  GranteesOfDataAsset = "granteesOfDataAsset",
  CollectionsByCreator = "collectionsByCreator",
  AssetsByCollection = "assetsByCollection",
  TokensByHolder = "tokensByHolder",
  DelegatesOfIdentity = "delegatesOfIdentity",
  AttributesOfIdentity = "attributesOfIdentity",
}

export type LookupSpec = {
  prefix: DbPrefix;
  /** Bytes of the scope (the owner, the data asset...) right after the prefix byte. */
  scopeBytes: number;
  /** Bytes of the rest of the key (the reference, which is also the page cursor). */
  refBytes: number;
  /** The state object a key names: its namespace and id, from the scope and the reference. */
  object(scope: Uint8Array, ref: Uint8Array): { ns: Namespace; id: Uint8Array };
};

export const LOOKUPS: Record<LookupKind, LookupSpec> = {
  [LookupKind.AssetsByOwner]: {
    prefix: DbPrefix.AssetOwner,
    scopeBytes: 20,
    refBytes: 40,
    object: (_owner, ref) => ({ ns: Namespace.Asset, id: ref }),
  },
  [LookupKind.IdentitiesByOwner]: {
    prefix: DbPrefix.IdentityOwner,
    scopeBytes: 20,
    refBytes: 32,
    object: (_owner, ref) => ({ ns: Namespace.Identity, id: ref }),
  },
  [LookupKind.GranteesOfDataAsset]: {
    prefix: DbPrefix.DataAssetGrant,
    scopeBytes: 32,
    refBytes: 20,
    object: (dataAsset, grantee) => ({ ns: Namespace.AccessGrant, id: concatBytes(dataAsset, grantee) }),
  },
  [LookupKind.CollectionsByCreator]: {
    prefix: DbPrefix.CollectionCreator,
    scopeBytes: 20,
    refBytes: 32,
    object: (_creator, ref) => ({ ns: Namespace.Collection, id: ref }),
  },
  [LookupKind.AssetsByCollection]: {
    prefix: DbPrefix.CollectionAsset,
    scopeBytes: 32,
    refBytes: 8,
    object: (collection, tokenId) => ({ ns: Namespace.Asset, id: concatBytes(collection, tokenId) }),
  },
  [LookupKind.TokensByHolder]: {
    prefix: DbPrefix.TokenHolding,
    scopeBytes: 20,
    refBytes: 32,
    object: (holder, tokenId) => ({ ns: Namespace.TokenBalance, id: tokenBalanceObjectId(tokenId, holder) }),
  },
  [LookupKind.DelegatesOfIdentity]: {
    prefix: DbPrefix.IdentityDelegate,
    scopeBytes: 32,
    refBytes: 20,
    object: (identity, delegate) => ({ ns: Namespace.Delegate, id: concatBytes(identity, delegate) }),
  },
  [LookupKind.AttributesOfIdentity]: {
    prefix: DbPrefix.IdentityAttribute,
    scopeBytes: 32,
    refBytes: 32,
    object: (identity, keyHash) => ({ ns: Namespace.Attribute, id: concatBytes(identity, keyHash) }),
  },
};

/**
 * The columns rebuilt by a backfill, and the version of their layout: a database whose stored
 * version (meta 0x06) is lower was written before some of them existed, and is backfilled at start.
 */
export const LOOKUP_COLUMNS = [
  DbPrefix.AssetOwner,
  DbPrefix.IdentityOwner,
  DbPrefix.DataAssetGrant,
  DbPrefix.CollectionCreator,
  DbPrefix.CollectionAsset,
  DbPrefix.TokenHolding,
  DbPrefix.IdentityDelegate,
  DbPrefix.IdentityAttribute,
] as const;
export const LOOKUP_INDEX_VERSION = 1;

const ZERO_ADDRESS = new Uint8Array(20);

/** The lookup keys of one state object (none for a namespace no lookup covers). */
export function lookupKeys(ns: Namespace, id: Uint8Array, value: unknown): Uint8Array[] {
  switch (ns) {
    case Namespace.Asset: {
      const a = value as Asset;
      const keys = [key(DbPrefix.CollectionAsset, id)];
      if (!a.burned && !bytesEqual(a.owner, ZERO_ADDRESS)) keys.push(key(DbPrefix.AssetOwner, a.owner, id));
      return keys;
    }
    case Namespace.Identity:
      return [key(DbPrefix.IdentityOwner, (value as Identity).owner, id)];
    case Namespace.AccessGrant:
      return [key(DbPrefix.DataAssetGrant, id)];
    case Namespace.Collection:
      return [key(DbPrefix.CollectionCreator, (value as Collection).creator, id)];
    case Namespace.TokenBalance: {
      if ((value as TokenBalance).balance === 0n) return [];
      // id: tokenId (32) ‖ holder (20); the key leads with the holder.
      return [key(DbPrefix.TokenHolding, id.subarray(32), id.subarray(0, 32))];
    }
    case Namespace.Delegate:
      return [key(DbPrefix.IdentityDelegate, id)];
    case Namespace.Attribute:
      return [key(DbPrefix.IdentityAttribute, id)];
    default:
      return [];
  }
}

export type IndexOp = { type: "put"; key: Uint8Array; value: Uint8Array } | { type: "del"; key: Uint8Array };
const EMPTY = new Uint8Array(0);

/** The operations that move the lookups from `before` to `after` (either absent: created, deleted). */
export function lookupOps(
  ops: IndexOp[],
  ns: Namespace,
  id: Uint8Array,
  before: unknown | undefined | null,
  after: unknown | undefined | null,
): void {
  const old = before == null ? [] : lookupKeys(ns, id, before);
  const now = after == null ? [] : lookupKeys(ns, id, after);
  for (const k of old) if (!now.some((n) => bytesEqual(n, k))) ops.push({ type: "del", key: k });
  for (const k of now) if (!old.some((o) => bytesEqual(o, k))) ops.push({ type: "put", key: k, value: EMPTY });
}

function key(prefix: DbPrefix, ...parts: Uint8Array[]): Uint8Array {
  return concatBytes(Uint8Array.of(prefix), ...parts);
}
