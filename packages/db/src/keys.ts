/**
 * The key layout: one prefix byte per column, then fixed-width big-endian fields so LevelDB's byte
 * order is numeric order. README.md repeats this table.
 *
 *   0x00 meta         0x00 ‖ 0x01 genesis hash       → 32 bytes
 *                     0x00 ‖ 0x02 chain id           → u64be
 *                     0x00 ‖ 0x03 genesis header     → SSZ BlockHeader
 *                     0x00 ‖ 0x04 head               → u64be number ‖ hash (32) ‖ SSZ BlockHeader
 *                     0x00 ‖ 0x05 rewind             → UTF-8 JSON RewindRecord (the last rewind, pending or done)
 *   0x01 block        0x01 ‖ u64be number            → SSZ SignedBlock (encodeSignedBlock)
 *   0x02 block hash   0x02 ‖ hash (32)               → u64be number (genesis included)
 *   0x03 receipts     0x03 ‖ u64be number            → SSZ List[Receipt] (ReceiptListSsz)
 *   0x04 tx location  0x04 ‖ hash (32)               → u64be number ‖ u32be index (deposits first, as receipts)
 *   0x05 state object 0x05 ‖ state key (32)          → u8 namespace ‖ u16be id length ‖ id ‖ SSZ object
 *   0x06 withdrawal   0x06 ‖ u64be index             → SSZ Withdrawal
 *   0x07 asset owner  0x07 ‖ owner (20) ‖ collectionId (32) ‖ u64be tokenId → empty
 *   0x08 journal      0x08 ‖ tx hash (32)            → SSZ SignedTransaction (as accepted)
 *   0x09 evidence     0x09 ‖ evidence id (32)        → UTF-8 JSON record (a verifier's evidence)
 *   0x0a signed cp    0x0a ‖ u64be checkpoint index  → digest (32) ‖ signature (65) (a verifier's co-signatures)
 *   0x0b open block   0x0b ‖ u64be number ‖ 0x00     → u64be timestamp ‖ parent hash (32) ‖ SSZ List[Deposit]
 *                     0x0b ‖ u64be number ‖ 0x01 ‖ u32be position → tx hash (32) ‖ receiptRoot (32) ‖ touchedRoot (32)
 *                     (a sequencer's preconfirmed, not yet committed blocks; deleted by the block's commit)
 *   0x0c address tx   0x0c ‖ address (20) ‖ u64be number ‖ u32be index → tx hash (32)
 *                     (every address a receipt names: its sender, a deposit's recipient, the address fields of its message)
 *   0x0d identity owner   0x0d ‖ owner (20) ‖ identityId (32)          → empty
 *   0x0e data-asset grant 0x0e ‖ dataAssetId (32) ‖ grantee (20)       → empty
 *   0x0f collection       0x0f ‖ creator (20) ‖ collectionId (32)      → empty
 *   0x10 collection asset 0x10 ‖ collectionId (32) ‖ u64be tokenId     → empty
 *   0x11 token holding    0x11 ‖ holder (20) ‖ tokenId (32)            → empty (balance above zero)
 *   0x12 identity delegate 0x12 ‖ identityId (32) ‖ delegate (20)      → empty
 *   0x13 identity attribute 0x13 ‖ identityId (32) ‖ sha256(key) (32)  → empty
 *                     (0x07 and 0x0d–0x13 are the lookup indexes of the head state: lookupIndexes.ts;
 *                     meta 0x06 holds their layout version, u32be, for the backfill at start)
 */

export enum DbPrefix {
  Meta = 0x00,
  Block = 0x01,
  BlockHash = 0x02,
  Receipts = 0x03,
  TxLocation = 0x04,
  StateObject = 0x05,
  Withdrawal = 0x06,
  AssetOwner = 0x07,
  Journal = 0x08,
  Evidence = 0x09,
  SignedCheckpoint = 0x0a,
  OpenBlock = 0x0b,
  AddressTx = 0x0c,
  IdentityOwner = 0x0d,
  DataAssetGrant = 0x0e,
  CollectionCreator = 0x0f,
  CollectionAsset = 0x10,
  TokenHolding = 0x11,
  IdentityDelegate = 0x12,
  IdentityAttribute = 0x13,
}

export enum MetaKey {
  GenesisHash = 0x01,
  ChainId = 0x02,
  GenesisHeader = 0x03,
  Head = 0x04,
  Rewind = 0x05,
  LookupVersion = 0x06,
}

export const ADDRESS_BYTES = 20;
export const HASH_BYTES = 32;
/** collectionId (32) ‖ u64be tokenId: the part of an asset-owner key after the owner, and the page cursor. */
export const ASSET_REF_BYTES = HASH_BYTES + 8;

export function u64be(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n));
  return b;
}

/** Reads a u64be that must fit a JS number; null when it does not (the caller reports corruption). */
export function readU64be(bytes: Uint8Array, offset = 0): number | null {
  if (bytes.length < offset + 8) return null;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(offset);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(v);
}

function prefixed(prefix: number, ...parts: Uint8Array[]): Uint8Array {
  let length = 1;
  for (const p of parts) length += p.length;
  const key = new Uint8Array(length);
  key[0] = prefix;
  let offset = 1;
  for (const p of parts) {
    key.set(p, offset);
    offset += p.length;
  }
  return key;
}

export const metaKey = (k: MetaKey) => Uint8Array.of(DbPrefix.Meta, k);
export const blockKey = (n: number) => prefixed(DbPrefix.Block, u64be(n));
export const blockHashKey = (hash: Uint8Array) => prefixed(DbPrefix.BlockHash, hash);
export const receiptsKey = (n: number) => prefixed(DbPrefix.Receipts, u64be(n));
export const txLocationKey = (hash: Uint8Array) => prefixed(DbPrefix.TxLocation, hash);
export const stateObjectKey = (stateKey: Uint8Array) => prefixed(DbPrefix.StateObject, stateKey);
export const withdrawalKey = (index: number) => prefixed(DbPrefix.Withdrawal, u64be(index));
export const journalKey = (hash: Uint8Array) => prefixed(DbPrefix.Journal, hash);
export const evidenceKey = (id: Uint8Array) => prefixed(DbPrefix.Evidence, id);
export const signedCheckpointKey = (index: number) => prefixed(DbPrefix.SignedCheckpoint, u64be(index));
export const openBlockKey = (n: number) => prefixed(DbPrefix.OpenBlock, u64be(n), Uint8Array.of(0));
export const preconfirmedKey = (n: number, position: number) => {
  const p = new Uint8Array(4);
  new DataView(p.buffer).setUint32(0, position);
  return prefixed(DbPrefix.OpenBlock, u64be(n), Uint8Array.of(1), p);
};
export const assetOwnerPrefix = (owner: Uint8Array) => prefixed(DbPrefix.AssetOwner, owner);
export const assetOwnerKey = (owner: Uint8Array, collectionId: Uint8Array, tokenId: number) =>
  prefixed(DbPrefix.AssetOwner, owner, collectionId, u64be(tokenId));

/** u64be block number ‖ u32be position: the part of an address-tx key after the address, and the page cursor. */
export const TX_REF_BYTES = 12;
export const addressTxPrefix = (address: Uint8Array) => prefixed(DbPrefix.AddressTx, address);
export const addressTxKey = (address: Uint8Array, n: number, index: number) => {
  const i = new Uint8Array(4);
  new DataView(i.buffer).setUint32(0, index);
  return prefixed(DbPrefix.AddressTx, address, u64be(n), i);
};

/** The range of every key that starts with `prefix`: [prefix, next prefix). */
export function prefixRange(prefix: Uint8Array): { gte: Uint8Array; lt: Uint8Array } {
  const lt = prefix.slice();
  for (let i = lt.length - 1; i >= 0; i--) {
    if (lt[i]! < 0xff) {
      lt[i]!++;
      return { gte: prefix, lt: lt.subarray(0, i + 1) };
    }
  }
  // Unreachable for our keys: every column byte is below 0xff.
  throw new RangeError(`Prefix ${Buffer.from(prefix).toString("hex")} has no upper bound`);
}

export const columnRange = (prefix: DbPrefix) => prefixRange(Uint8Array.of(prefix));
