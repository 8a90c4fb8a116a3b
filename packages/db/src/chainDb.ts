/**
 * ChainDb: everything a sequencer or verifier persists, on classic-level (LevelDB). Each block is one
 * synced batch, so a kill -9 at any moment leaves either the whole block or nothing of it.
 */
import { mkdirSync } from "node:fs";
import { assetObjectId, type BlockExecutionResult, State, type StateEntry, stateKey } from "@filverse/state";
import {
  type Asset,
  type Attribute,
  type BlockHeader,
  BlockHeader as BlockHeaderType,
  blockHash,
  type Delegate,
  type Deposit,
  encodeSignedBlock,
  encodeSignedBlockWithTxBytes,
  type Identity,
  Namespace,
  type Receipt,
  type SignedBlock,
  type Withdrawal,
} from "@filverse/types";
import { bytesEqual, concatBytes, fromHex, toHex } from "@filverse/utils";
import { ClassicLevel } from "classic-level";
import { addressTxEntries } from "./addressIndex.js";
import {
  corrupt,
  decodeBlock,
  decodeHead,
  decodeOpenBlock,
  decodePreconfirmed,
  decodeReceipts,
  decodeStateObject,
  decodeTxLocation,
  decodeU64,
  decodeWithdrawal,
  encodeHead,
  encodeOpenBlock,
  encodePreconfirmed,
  encodeReceipts,
  encodeStateObject,
  encodeTxLocation,
  encodeWithdrawal,
  type Head,
  type OpenBlockParams,
  type PreconfirmedTx,
  type TxLocation,
} from "./codec.js";
import { DbError, DbErrorCode, storageReason } from "./errors.js";
import {
  ADDRESS_BYTES,
  ASSET_REF_BYTES,
  addressTxKey,
  addressTxPrefix,
  assetOwnerPrefix,
  blockHashKey,
  blockKey,
  columnRange,
  DbPrefix,
  evidenceKey,
  journalKey,
  MetaKey,
  metaKey,
  openBlockKey,
  preconfirmedKey,
  prefixRange,
  readU64be,
  receiptsKey,
  signedCheckpointKey,
  stateObjectKey,
  TX_REF_BYTES,
  txLocationKey,
  u64be,
  withdrawalKey,
} from "./keys.js";
import {
  LOOKUP_COLUMNS,
  LOOKUP_INDEX_VERSION,
  LOOKUPS,
  type LookupKind,
  LookupKind as LookupKindValue,
  lookupKeys,
  lookupOps,
} from "./lookupIndexes.js";
import {
  checkRewind,
  decodeRewindRecord,
  encodeRewindRecord,
  type RemovedBlock,
  type RewindRecord,
  rewindOps,
} from "./rewind.js";

export type { RewindRecord } from "./rewind.js";

/** A rewind: the record that names it (pending) and the two states it moves between. */
export type RewindInput = {
  record: RewindRecord;
  /** The head state (ChainDb checks it against the head's stateRoot). */
  current: State;
  /** The state after block `record.target` (checked against that block's stateRoot). */
  targetState: State;
  /** A sequencer's rewind: the removed blocks' transactions go back to the journal. */
  returnTransactions: boolean;
};

/** What a rewind did: the blocks it removed, the transactions it put back in the journal in order. */
export type RewindOutcome = {
  removedBlocks: number;
  returned: Uint8Array[];
  /** The L1 messages the removed blocks had consumed: the deposit source must offer them again. */
  deposits: Deposit[];
  record: RewindRecord;
};

export type ChainDbOpts = {
  /** Directory of the LevelDB; created if missing. */
  dir: string;
};

export type CommitBlockInput = {
  block: SignedBlock;
  /** applyBlock(prev, block) (or the sequencer's BlockExecutor.finish()). */
  result: BlockExecutionResult;
  /** The state before the block: the stored head state. */
  prev: State;
  /** Mempool journal entries to drop in the same batch (the block's transaction hashes, usually). */
  journalRemove: Uint8Array[];
  /**
   * The block's transactions already SSZ-encoded, in order (the sequencer has them from admission):
   * the block is stored without encoding them again. Absent: encoded here.
   */
  txBytes?: readonly Uint8Array[];
  /**
   * A sequencer's commit: delete the block's open-block records (openBlockPut) in the same batch,
   * so a restart never finds promises about a block that is already committed.
   */
  clearOpenBlock?: boolean;
};

export type { OpenBlockParams, PreconfirmedTx } from "./codec.js";

/** What openBlockPut writes of one open block: its parameters on the first write, then its new preconfirmations. */
export type OpenBlockWrite = {
  number: number;
  params: OpenBlockParams | null;
  preconfirmed: readonly PreconfirmedTx[];
};

/** A sequencer's open block as stored: its parameters and its preconfirmed transactions by position. */
export type StoredOpenBlock = { params: OpenBlockParams; preconfirmed: PreconfirmedTx[] };

export type GetAssetsByOwnerOpts = {
  /** nextCursor of the previous page; null or absent for the first page. */
  cursor?: string | null;
  /** Page size; default DEFAULT_ASSET_PAGE, capped at MAX_ASSET_PAGE. */
  limit?: number;
};

export type JournalEntry = { hash: Uint8Array; txBytes: Uint8Array };

/**
 * A journal write: the entry, and the entries of the transactions it displaces (the one it replaces
 * at the same nonce, the one it evicted), deleted in the same batch right after it is put.
 */
export type JournalPut = JournalEntry & { remove?: readonly Uint8Array[] };

/**
 * A verifier's co-signature of checkpoint `index`, kept so it never signs another: the digest it
 * signed and, since the rollup judges equivocation by content, the checkpoint's content hash
 * (`checkpointContentHash`; null in records made before it).
 */
export type SignedCheckpointRecord = {
  index: number;
  digest: Uint8Array;
  signature: Uint8Array;
  content: Uint8Array | null;
};

export const DEFAULT_ASSET_PAGE = 50;
export const MAX_ASSET_PAGE = 500;

type Level = ClassicLevel<Uint8Array, Uint8Array>;
type Op = { type: "put"; key: Uint8Array; value: Uint8Array } | { type: "del"; key: Uint8Array };
type ReadOpts = { snapshot?: ReturnType<Level["snapshot"]> };

export class ChainDb {
  private closed = false;
  private closing: Promise<void> | null = null;
  /** Head-changing writes (initGenesis, commitBlock) run one at a time, so each checks the head it extends. */
  private writeQueue: Promise<unknown> = Promise.resolve();
  /** Journal writes in flight; close() lets them finish, so a resolved journalPut is always durable. */
  private readonly journalWrites = new Set<Promise<void>>();

  private constructor(private readonly db: Level) {}

  /**
   * Opens (creating it if missing) the database in `opts.dir`. Throws DbError OPEN_FAILED with the
   * cause a person can act on: the directory in use by another process, a read-only file system,
   * missing permissions.
   */
  static async open(opts: ChainDbOpts): Promise<ChainDb> {
    const dir = opts.dir;
    try {
      mkdirSync(dir, { recursive: true });
    } catch (cause) {
      const reason =
        (cause as NodeJS.ErrnoException).code === "EROFS" ? "Read-only file system" : (cause as Error).message;
      throw new DbError(DbErrorCode.OPEN_FAILED, `Cannot create the database directory ${dir}: ${reason}`, {
        cause,
      });
    }
    const db: Level = new ClassicLevel<Uint8Array, Uint8Array>(dir, {
      keyEncoding: "view",
      valueEncoding: "view",
    });
    try {
      await db.open();
    } catch (err) {
      // classic-level wraps the reason: LEVEL_DATABASE_NOT_OPEN "Database failed to open", whose cause
      // is LEVEL_LOCKED (another process holds the LOCK file) or LEVEL_IO_ERROR (EROFS, EACCES...).
      const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
      const reason =
        cause?.code === "LEVEL_LOCKED"
          ? "in use by another process (another node on this data dir?)"
          : storageReason(String(cause?.message ?? (err as Error).message));
      throw new DbError(DbErrorCode.OPEN_FAILED, `Database ${dir} failed to open: ${reason}`, {
        cause: err,
      });
    }
    return new ChainDb(db);
  }

  /** Waits for the write in progress, then releases the LevelDB handle. Idempotent. */
  close(): Promise<void> {
    if (this.closing === null) {
      this.closed = true;
      const journalWrites = Promise.allSettled(this.journalWrites);
      this.closing = Promise.allSettled([this.writeQueue, journalWrites]).then(() => this.db.close());
    }
    return this.closing;
  }

  // --- genesis and head ---

  /**
   * First start: store the genesis header, its hash, the chain id and the genesis state, and make it
   * the head. Returns false if this genesis is already stored; throws GENESIS_MISMATCH for another one.
   */
  initGenesis(genesis: { header: BlockHeader; state: State }): Promise<boolean> {
    return this.serial(async () => {
      const { header, state } = genesis;
      const hash = blockHash(header);
      const stored = await this.getRaw(metaKey(MetaKey.GenesisHash));
      if (stored !== undefined) {
        if (bytesEqual(stored, hash)) return false;
        throw new DbError(DbErrorCode.GENESIS_MISMATCH, "The database holds another genesis", {
          details: { stored: toHex(stored), given: toHex(hash) },
        });
      }
      if ((await this.getRaw(metaKey(MetaKey.Head))) !== undefined) {
        throw corrupt("genesis hash (a head is stored without one)", metaKey(MetaKey.GenesisHash));
      }
      const stateRoot = state.roots().stateRoot;
      if (!bytesEqual(stateRoot, header.stateRoot)) {
        throw new DbError(DbErrorCode.BAD_INPUT, "The genesis state does not match the genesis header's stateRoot", {
          details: { headerStateRoot: toHex(header.stateRoot), stateRoot: toHex(stateRoot) },
        });
      }
      const ops: Op[] = [
        { type: "put", key: metaKey(MetaKey.GenesisHash), value: hash },
        { type: "put", key: metaKey(MetaKey.ChainId), value: u64be(header.chainId) },
        { type: "put", key: metaKey(MetaKey.GenesisHeader), value: BlockHeaderType.serialize(header) },
        { type: "put", key: blockHashKey(hash), value: u64be(header.number) },
        { type: "put", key: metaKey(MetaKey.Head), value: encodeHead({ number: header.number, hash, header }) },
        { type: "put", key: metaKey(MetaKey.LookupVersion), value: u32be(LOOKUP_INDEX_VERSION) },
      ];
      for (const { value: e } of state.objects.entries()) {
        ops.push({
          type: "put",
          key: stateObjectKey(stateKey(e.ns, e.id)),
          value: encodeStateObject(e.ns, e.id, e.value),
        });
        lookupOps(ops, e.ns, e.id, null, e.value);
      }
      for (let i = 0; i < state.withdrawals.length; i++) {
        const w = state.withdrawal(i)!;
        ops.push({ type: "put", key: withdrawalKey(w.index), value: encodeWithdrawal(w) });
      }
      await this.write(ops);
      return true;
    });
  }

  async getGenesisHash(): Promise<Uint8Array | null> {
    this.assertOpen();
    return (await this.getRaw(metaKey(MetaKey.GenesisHash))) ?? null;
  }

  /** The chain id of the stored genesis. */
  async getChainId(): Promise<number | null> {
    this.assertOpen();
    const key = metaKey(MetaKey.ChainId);
    const bytes = await this.getRaw(key);
    return bytes === undefined ? null : decodeU64("chain id", key, bytes);
  }

  /** The stored genesis header (null before initGenesis). */
  async getGenesisHeader(): Promise<BlockHeader | null> {
    this.assertOpen();
    const key = metaKey(MetaKey.GenesisHeader);
    const bytes = await this.getRaw(key);
    if (bytes === undefined) return null;
    try {
      return BlockHeaderType.deserialize(bytes);
    } catch (cause) {
      throw corrupt("genesis header", key, cause);
    }
  }

  async getHead(): Promise<Head | null> {
    this.assertOpen();
    return this.readHead();
  }

  // --- blocks, receipts, transactions ---

  /** The signed block at height n; null for the genesis (it has no signature or body) and unknown heights. */
  async getBlockByNumber(n: number): Promise<SignedBlock | null> {
    this.assertOpen();
    const key = blockKey(checkHeight(n));
    const bytes = await this.getRaw(key);
    return bytes === undefined ? null : decodeBlock(key, bytes);
  }

  /** The block's SSZ exactly as stored (encodeSignedBlock), for serving peers without re-encoding. */
  async getBlockBytes(n: number): Promise<Uint8Array | null> {
    this.assertOpen();
    return (await this.getRaw(blockKey(checkHeight(n)))) ?? null;
  }

  /** The height of a stored block (genesis included) by its hash. */
  async getBlockNumberByHash(hash: Uint8Array): Promise<number | null> {
    this.assertOpen();
    const key = blockHashKey(hash);
    const bytes = await this.getRaw(key);
    return bytes === undefined ? null : decodeU64("block number", key, bytes);
  }

  /** The block's receipts in block order (deposits first); null for genesis and unknown heights. */
  async getReceipts(n: number): Promise<Receipt[] | null> {
    this.assertOpen();
    const key = receiptsKey(checkHeight(n));
    const bytes = await this.getRaw(key);
    return bytes === undefined ? null : decodeReceipts(key, bytes);
  }

  /** Where a transaction or deposit hash was included; index is its receipt's index in the block. */
  async getTxLocation(hash: Uint8Array): Promise<TxLocation | null> {
    this.assertOpen();
    const key = txLocationKey(hash);
    const bytes = await this.getRaw(key);
    return bytes === undefined ? null : decodeTxLocation(key, bytes);
  }

  // --- state ---

  /**
   * Rebuild the head state from the stored objects and withdrawals, read from one snapshot, and check
   * its root against the head header's stateRoot (CORRUPT if they differ).
   */
  async loadState(): Promise<State> {
    this.assertOpen();
    const snapshot = this.db.snapshot();
    try {
      const head = await this.readHead({ snapshot });
      if (head === null) throw noGenesis();
      const entries: StateEntry[] = [];
      for await (const [key, value] of this.iterate(columnRange(DbPrefix.StateObject), { snapshot })) {
        entries.push(decodeStateObject(key, value));
      }
      const withdrawals: Withdrawal[] = [];
      for await (const [key, value] of this.iterate(columnRange(DbPrefix.Withdrawal), { snapshot })) {
        const w = decodeWithdrawal(key, value);
        if (w.index !== withdrawals.length || readU64be(key, 1) !== w.index) throw corrupt("withdrawal index", key);
        withdrawals.push(w);
      }
      const state = State.fromEntries(entries, withdrawals);
      const { stateRoot } = state.roots();
      if (!bytesEqual(stateRoot, head.header.stateRoot)) {
        throw new DbError(DbErrorCode.CORRUPT, "The stored state does not match the head's stateRoot", {
          details: { head: head.number, headStateRoot: toHex(head.header.stateRoot), stateRoot: toHex(stateRoot) },
        });
      }
      return state;
    } finally {
      await snapshot.close();
    }
  }

  /**
   * Live (not burned) assets owned by `owner`, by (collectionId, tokenId) ascending. nextCursor is null
   * on the last page. Index and objects are read from one snapshot, so a page never mixes two blocks.
   */
  async getAssetsByOwner(
    owner: Uint8Array,
    opts: GetAssetsByOwnerOpts = {},
  ): Promise<{ assets: Asset[]; nextCursor: string | null }> {
    this.assertOpen();
    if (!(owner instanceof Uint8Array) || owner.length !== ADDRESS_BYTES) {
      throw new TypeError(`owner must be a 20-byte address, got ${owner instanceof Uint8Array ? toHex(owner) : owner}`);
    }
    const limit = pageLimit(opts.limit);
    const prefix = assetOwnerPrefix(owner);
    const { gte, lt } = prefixRange(prefix);
    const range = opts.cursor == null ? { gte, lt } : { gt: concatBytes(prefix, parseCursor(opts.cursor)), lt };
    const snapshot = this.db.snapshot();
    try {
      const indexKeys = await this.guard(() => this.db.keys({ ...range, limit: limit + 1, snapshot }).all());
      const page = indexKeys.slice(0, limit).map(plain);
      const objectKeys = page.map((k) => {
        if (k.length !== prefix.length + ASSET_REF_BYTES) throw corrupt("asset-owner index key", k);
        const tokenId = decodeU64("asset-owner index key", k, k.subarray(k.length - 8));
        return stateObjectKey(
          stateKey(Namespace.Asset, assetObjectId(k.subarray(prefix.length, k.length - 8), tokenId)),
        );
      });
      const values = await this.guard(() => this.db.getMany(objectKeys, { snapshot }));
      const assets = values.map((bytes, i) => {
        if (bytes === undefined) throw corrupt("asset-owner index (it names a missing asset)", page[i]!);
        const entry = decodeStateObject(objectKeys[i]!, plain(bytes));
        const asset = entry.value as Asset;
        if (entry.ns !== Namespace.Asset || !bytesEqual(asset.owner, owner)) {
          throw corrupt("asset-owner index (it names an asset of another owner)", page[i]!);
        }
        return asset;
      });
      const last = page[page.length - 1];
      const nextCursor = indexKeys.length > limit && last ? toHex(last.subarray(prefix.length)) : null;
      return { assets, nextCursor };
    } finally {
      await snapshot.close();
    }
  }

  /**
   * The entries (user transactions and deposits) that name `address` (see addressIndex.ts), newest
   * first: block number, then position, descending. `cursor` is the previous page's nextCursor
   * (u64be number ‖ u32be position, hex); nextCursor is null on the last page. A database from a
   * version before the index is indexed by backfillLookups at start.
   */
  async getTransactionsByAddress(
    address: Uint8Array,
    opts: GetAssetsByOwnerOpts = {},
  ): Promise<{ items: { hash: Uint8Array; blockNumber: number; index: number }[]; nextCursor: string | null }> {
    this.assertOpen();
    if (!(address instanceof Uint8Array) || address.length !== ADDRESS_BYTES) {
      throw new TypeError(
        `address must be a 20-byte address, got ${address instanceof Uint8Array ? toHex(address) : address}`,
      );
    }
    const limit = pageLimit(opts.limit);
    const prefix = addressTxPrefix(address);
    const { gte, lt } = prefixRange(prefix);
    const range = opts.cursor == null ? { gte, lt } : { gte, lt: concatBytes(prefix, parseTxCursor(opts.cursor)) };
    const entries = await this.guard(() => this.db.iterator({ ...range, reverse: true, limit: limit + 1 }).all());
    const items = entries.slice(0, limit).map(([k, v]) => {
      const key = plain(k);
      const value = plain(v);
      if (key.length !== prefix.length + TX_REF_BYTES || value.length !== 32)
        throw corrupt("address-tx index entry", key);
      const blockNumber = decodeU64("address-tx index key", key, key.subarray(prefix.length, prefix.length + 8));
      const index = new DataView(key.buffer, key.byteOffset + prefix.length + 8, 4).getUint32(0);
      return { hash: value, blockNumber, index };
    });
    const last = entries.length > limit ? plain(entries[limit - 1]![0]) : null;
    return { items, nextCursor: last ? toHex(last.subarray(prefix.length)) : null };
  }

  /**
   * One page of a lookup index (lookupIndexes.ts) of the head state: the objects it names under
   * `scope` (an owner, a creator, a data asset, a collection, a holder), by key ascending, each with
   * its key reference (`ref`, the part after the scope). Index and objects come from one snapshot, so
   * a page never mixes two blocks. `cursor` is the previous page's nextCursor (the last ref, hex);
   * nextCursor is null on the last page. Throws RangeError for a bad scope, limit or cursor.
   */
  async getLookupPage(
    kind: LookupKind,
    scope: Uint8Array,
    opts: GetAssetsByOwnerOpts = {},
  ): Promise<{
    items: { ref: Uint8Array; ns: Namespace; id: Uint8Array; value: unknown }[];
    nextCursor: string | null;
  }> {
    this.assertOpen();
    const spec = LOOKUPS[kind];
    if (!(scope instanceof Uint8Array) || scope.length !== spec.scopeBytes) {
      throw new RangeError(`The ${kind} scope must be ${spec.scopeBytes} bytes`);
    }
    const limit = pageLimit(opts.limit);
    const prefix = concatBytes(Uint8Array.of(spec.prefix), scope);
    const { gte, lt } = prefixRange(prefix);
    let range: { gte?: Uint8Array; gt?: Uint8Array; lt: Uint8Array } = { gte, lt };
    if (opts.cursor != null) {
      let ref: Uint8Array;
      try {
        ref = fromHex(opts.cursor, spec.refBytes);
      } catch (cause) {
        throw new RangeError(`cursor must be a nextCursor of a previous ${kind} page`, { cause });
      }
      range = { gt: concatBytes(prefix, ref), lt };
    }
    const snapshot = this.db.snapshot();
    try {
      return await this.readLookup(kind, scope, range, limit, snapshot);
    } finally {
      await snapshot.close();
    }
  }

  /**
   * An identity (by id) with its delegates and attributes (their lookup indexes, at most `max` of
   * each, by key ascending), all read from one snapshot so that they describe one block. null when
   * no such identity exists. `truncated` says one of the lists has more than `max`.
   */
  async getIdentityWithEntries(
    identityId: Uint8Array,
    max: number,
  ): Promise<{
    identity: Identity;
    delegates: { ref: Uint8Array; value: Delegate }[];
    attributes: { ref: Uint8Array; value: Attribute }[];
    truncated: boolean;
  } | null> {
    this.assertOpen();
    if (!(identityId instanceof Uint8Array) || identityId.length !== 32) {
      throw new RangeError("identityId must be 32 bytes");
    }
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}`);
    const snapshot = this.db.snapshot();
    try {
      const key = stateObjectKey(stateKey(Namespace.Identity, identityId));
      const bytes = await this.guard(() => this.db.get(key, { snapshot }));
      if (bytes === undefined) return null;
      const entry = decodeStateObject(key, plain(bytes));
      if (entry.ns !== Namespace.Identity) throw corrupt("identity object", key);
      const all = async (kind: LookupKind) => {
        const prefix = concatBytes(Uint8Array.of(LOOKUPS[kind].prefix), identityId);
        return this.readLookup(kind, identityId, prefixRange(prefix), max, snapshot);
      };
      const [delegates, attributes] = [
        await all(LookupKindValue.DelegatesOfIdentity),
        await all(LookupKindValue.AttributesOfIdentity),
      ];
      return {
        identity: entry.value as Identity,
        delegates: delegates.items.map((i) => ({ ref: i.ref, value: i.value as Delegate })),
        attributes: attributes.items.map((i) => ({ ref: i.ref, value: i.value as Attribute })),
        truncated: delegates.nextCursor !== null || attributes.nextCursor !== null,
      };
    } finally {
      await snapshot.close();
    }
  }

  /** Up to `limit` entries of a lookup in `range`, with the objects they name, from `snapshot`. */
  private async readLookup(
    kind: LookupKind,
    scope: Uint8Array,
    range: { gte?: Uint8Array; gt?: Uint8Array; lt: Uint8Array },
    limit: number,
    snapshot: ReturnType<Level["snapshot"]>,
  ): Promise<{
    items: { ref: Uint8Array; ns: Namespace; id: Uint8Array; value: unknown }[];
    nextCursor: string | null;
  }> {
    const spec = LOOKUPS[kind];
    const prefixLength = 1 + spec.scopeBytes;
    const indexKeys = (await this.guard(() => this.db.keys({ ...range, limit: limit + 1, snapshot }).all())).map(plain);
    const page = indexKeys.slice(0, limit);
    const refs = page.map((k) => {
      if (k.length !== prefixLength + spec.refBytes) throw corrupt(`${kind} index key`, k);
      return k.subarray(prefixLength);
    });
    const objects = refs.map((ref) => spec.object(scope, ref));
    const objectKeys = objects.map((o) => stateObjectKey(stateKey(o.ns, o.id)));
    const values = objectKeys.length === 0 ? [] : await this.guard(() => this.db.getMany(objectKeys, { snapshot }));
    const items = values.map((bytes, i) => {
      if (bytes === undefined) throw corrupt(`${kind} index (it names a missing object)`, page[i]!);
      const entry = decodeStateObject(objectKeys[i]!, plain(bytes));
      const ok =
        entry.ns === objects[i]!.ns && lookupKeys(entry.ns, entry.id, entry.value).some((k) => bytesEqual(k, page[i]!));
      if (!ok) throw corrupt(`${kind} index (it names an object that does not match)`, page[i]!);
      return { ref: refs[i]!, ns: entry.ns, id: entry.id, value: entry.value };
    });
    const last = refs[refs.length - 1];
    return { items, nextCursor: indexKeys.length > limit && last ? toHex(last) : null };
  }

  /**
   * Make the indexes whole in a database written before some of them existed (its stored layout
   * version is below LOOKUP_INDEX_VERSION): the address → transaction index (0x0c) is written again
   * from every stored block and its receipts (BACKFILL_BLOCKS blocks per synced batch), then one
   * synced batch deletes every lookup key, writes them again from `state` (the head state,
   * loadState's) and stores the new version. Returns whether it rebuilt. A database at the current
   * version is left alone: every commit and rewind since keeps the indexes in the block's own batch.
   */
  backfillLookups(state: State): Promise<boolean> {
    this.assertOpen();
    return this.serial(async () => {
      const versionKey = metaKey(MetaKey.LookupVersion);
      const stored = await this.getRaw(versionKey);
      if (stored !== undefined) {
        if (stored.length !== 4) throw corrupt("lookup index version", versionKey);
        if (new DataView(stored.buffer, stored.byteOffset, 4).getUint32(0) >= LOOKUP_INDEX_VERSION) return false;
      }
      const head = await this.readHead();
      if (head === null) throw noGenesis();
      if (!bytesEqual(state.roots().stateRoot, head.header.stateRoot)) {
        throw new DbError(DbErrorCode.BAD_INPUT, "The lookup backfill needs the head state", {
          details: { head: head.number },
        });
      }
      // The address → transaction index (0x0c) of every stored block, a chunk of blocks per batch:
      // puts only, so a backfill killed half way is simply done again at the next start.
      for (let from = 1; from <= head.number; from += BACKFILL_BLOCKS) {
        const chunk: Op[] = [];
        for (let n = from; n < from + BACKFILL_BLOCKS && n <= head.number; n++) {
          const [block, receipts] = await Promise.all([this.getBlockByNumber(n), this.getReceipts(n)]);
          if (!block || !receipts) throw corrupt(`block ${n} (below the head, not stored)`, blockKey(n));
          for (const e of addressTxEntries(block, receipts)) {
            chunk.push({ type: "put", key: addressTxKey(e.address, n, e.index), value: e.hash });
          }
        }
        if (chunk.length > 0) await this.write(chunk, new Slicer());
      }
      const ops: Op[] = [];
      for (const column of LOOKUP_COLUMNS) {
        for await (const [key] of this.iterate(columnRange(column))) ops.push({ type: "del", key });
      }
      for (const { value: e } of state.objects.entries()) lookupOps(ops, e.ns, e.id, null, e.value);
      ops.push({ type: "put", key: versionKey, value: u32be(LOOKUP_INDEX_VERSION) });
      await this.write(ops, new Slicer());
      return true;
    });
  }

  // --- the atomic block commit ---

  /**
   * Persist a block and everything it changed in ONE synced LevelDB batch: the block, its hash index,
   * receipts, tx locations, state writes, withdrawals, asset-owner and address-tx indexes, journal
   * removals and the head.
   */
  commitBlock(input: CommitBlockInput): Promise<void> {
    return this.serial(async () => {
      const { block, result, prev, journalRemove, txBytes } = input;
      const { header } = block;
      const head = await this.readHead();
      if (head === null) throw noGenesis();
      if (header.number !== head.number + 1 || !bytesEqual(header.parentHash, head.hash)) {
        throw new DbError(DbErrorCode.BAD_HEAD, `Block ${header.number} does not extend the head ${head.number}`, {
          details: {
            headNumber: head.number,
            headHash: toHex(head.hash),
            number: header.number,
            parentHash: toHex(header.parentHash),
          },
        });
      }
      checkResult(block, result, prev, head);

      const n = header.number;
      const hash = blockHash(header);
      const ops: Op[] = [
        {
          type: "put",
          key: blockKey(n),
          value: txBytes ? encodeSignedBlockWithTxBytes(block, txBytes) : encodeSignedBlock(block),
        },
        { type: "put", key: blockHashKey(hash), value: u64be(n) },
        { type: "put", key: receiptsKey(n), value: encodeReceipts(result.receipts) },
      ];
      result.hashes.forEach((h, i) => {
        ops.push({ type: "put", key: txLocationKey(h), value: encodeTxLocation(n, i) });
      });
      // The encoding and LevelDB's puts run in slices (Slicer): a block of a few thousand writes
      // would otherwise hold the event loop for 5–15 ms in one piece, and every request waits.
      const slicer = new Slicer();
      for (const change of result.changes) {
        if (slicer.due()) await slicer.yield();
        const key = stateObjectKey(change.key);
        if (change.value === null) ops.push({ type: "del", key });
        else ops.push({ type: "put", key, value: encodeStateObject(change.ns, change.id, change.value) });
        if (INDEXED.has(change.ns))
          lookupOps(ops, change.ns, change.id, prev.getByKey(change.key)?.value, change.value);
      }
      for (const w of result.withdrawals) {
        ops.push({ type: "put", key: withdrawalKey(w.index), value: encodeWithdrawal(w) });
      }
      for (const e of addressTxEntries(block, result.receipts)) {
        ops.push({ type: "put", key: addressTxKey(e.address, n, e.index), value: e.hash });
      }
      for (const h of journalRemove) ops.push({ type: "del", key: journalKey(h) });
      if (input.clearOpenBlock) {
        ops.push({ type: "del", key: openBlockKey(n) });
        for (let p = 0; p < result.receipts.length; p++) ops.push({ type: "del", key: preconfirmedKey(n, p) });
      }
      ops.push({ type: "put", key: metaKey(MetaKey.Head), value: encodeHead({ number: n, hash, header }) });
      await this.write(ops, slicer);
    });
  }

  // --- rewind after a checkpoint proven wrong on L1 (rewind.ts) ---

  /** The last rewind's record (pending: decided, not yet written), or null. */
  async getRewind(): Promise<RewindRecord | null> {
    this.assertOpen();
    const key = metaKey(MetaKey.Rewind);
    const bytes = await this.getRaw(key);
    return bytes === undefined ? null : decodeRewindRecord(key, bytes);
  }

  /**
   * Record, synced, that the chain must go back to `record.target` (status pending): written before
   * anything else, so a node killed before `rewind` finishes it at its next start.
   */
  beginRewind(record: RewindRecord): Promise<void> {
    return this.serial(async () => {
      await this.write([
        { type: "put", key: metaKey(MetaKey.Rewind), value: encodeRewindRecord({ ...record, status: "pending" }) },
      ]);
    });
  }

  /**
   * Go back to block `record.target` in ONE synced batch (see rewind.ts for what it holds): a kill -9
   * leaves the chain as it was, with the pending record, or wholly rewound with the record done. A
   * head at or below the target removes nothing and only marks the record done (idempotent).
   */
  rewind(input: RewindInput): Promise<RewindOutcome> {
    return this.serial(async () => {
      const { record } = input;
      const head = await this.readHead();
      if (head === null) throw noGenesis();
      const target = record.target;
      const removed: RemovedBlock[] = [];
      const ops: Op[] = [];
      let returned: Uint8Array[] = [];
      if (head.number > target) {
        const targetHeader =
          target === 0
            ? ((await this.getGenesisHeader()) ?? null)
            : ((await this.getBlockByNumber(target))?.header ?? null);
        checkRewind({
          head,
          target,
          targetHash: record.targetHash,
          storedTargetHash: targetHeader ? blockHash(targetHeader) : null,
          targetHeader,
          current: input.current,
          targetState: input.targetState,
        });
        for (let n = target + 1; n <= head.number; n++) {
          const [block, receipts] = await Promise.all([this.getBlockByNumber(n), this.getReceipts(n)]);
          if (!block || !receipts) throw corrupt(`block ${n} (below the head, not stored)`, blockKey(n));
          removed.push({ number: n, block, receipts });
        }
        const current = input.current;
        returned = rewindOps(
          {
            delBlock: (n, hash) => {
              ops.push({ type: "del", key: blockKey(n) }, { type: "del", key: blockHashKey(hash) });
              ops.push({ type: "del", key: receiptsKey(n) });
            },
            delTxLocation: (h) => ops.push({ type: "del", key: txLocationKey(h) }),
            putJournal: (h, bytes) => ops.push({ type: "put", key: journalKey(h), value: bytes }),
            putObject: (key, ns, id, value) =>
              ops.push({ type: "put", key: stateObjectKey(key), value: encodeStateObject(ns, id, value as never) }),
            delObject: (key) => ops.push({ type: "del", key: stateObjectKey(key) }),
            index: (ns, id, before, after) => lookupOps(ops, ns, id, before, after),
            delWithdrawal: (i) => ops.push({ type: "del", key: withdrawalKey(i) }),
          },
          { removed, current, target: input.targetState, returnTransactions: input.returnTransactions },
        );
        for (const r of removed) {
          for (const e of addressTxEntries(r.block, r.receipts)) {
            ops.push({ type: "del", key: addressTxKey(e.address, r.number, e.index) });
          }
        }
        for await (const [key] of this.iterate(columnRange(DbPrefix.OpenBlock))) ops.push({ type: "del", key });
        const hash = blockHash(targetHeader!);
        ops.push({
          type: "put",
          key: metaKey(MetaKey.Head),
          value: encodeHead({ number: target, hash, header: targetHeader! }),
        });
      }
      const done: RewindRecord = { ...record, status: "done", fromHead: head.number, returned };
      ops.push({ type: "put", key: metaKey(MetaKey.Rewind), value: encodeRewindRecord(done) });
      await this.write(ops);
      const deposits = removed.flatMap((r) => r.block.deposits);
      return { removedBlocks: removed.length, returned, deposits, record: done };
    });
  }

  // --- mempool journal ---

  /**
   * Write-ahead of an accepted transaction: durable (fsync) when the promise resolves. A synced put
   * costs about one fsync (see README for the measurement); batch concurrent ones with journalPutMany.
   */
  async journalPut(hash: Uint8Array, txBytes: Uint8Array): Promise<void> {
    this.assertOpen();
    await this.trackJournal(this.guard(() => this.db.put(journalKey(hash), txBytes, { sync: true })));
  }

  /**
   * Several journal entries in one synced batch: one fsync for all of them. Each entry's `remove`
   * is deleted in the same batch, after its put and in entry order, so a transaction and what it
   * displaced change places atomically: a crash leaves one of the two, never neither. A sequencer
   * passes the open-block records (`openBlocks`, as openBlockPut) that go with them, so that a
   * transaction's entry and its preconfirmation share one fsync; they follow the entries.
   */
  async journalPutMany(entries: readonly JournalPut[], openBlocks: readonly OpenBlockWrite[] = []): Promise<void> {
    this.assertOpen();
    const ops: Op[] = [];
    for (const e of entries) {
      ops.push({ type: "put", key: journalKey(e.hash), value: e.txBytes });
      for (const h of e.remove ?? []) ops.push({ type: "del", key: journalKey(h) });
    }
    openBlockOps(ops, openBlocks);
    if (ops.length === 0) return;
    await this.trackJournal(this.write(ops));
  }

  /**
   * Drop entries of transactions dropped for good (their nonce passed, no longer includable). Not
   * synced: losing a delete to a crash only replays a transaction the mempool drops again, and an
   * fsync here would cost ms. A displaced transaction (replaced, evicted) is removed by the
   * journalPutMany that writes what displaced it instead.
   */
  async journalDelete(hashes: Uint8Array[]): Promise<void> {
    this.assertOpen();
    if (hashes.length === 0) return;
    await this.trackJournal(
      this.guard(() =>
        writeChained(
          this.db,
          hashes.map((h) => ({ type: "del" as const, key: journalKey(h) })),
          false,
        ),
      ),
    );
  }

  /** Every journal entry, by hash order (not arrival order: the mempool re-sorts by sender and nonce). */
  async *journalEntries(): AsyncIterable<JournalEntry> {
    this.assertOpen();
    for await (const [key, txBytes] of this.iterate(columnRange(DbPrefix.Journal))) {
      if (key.length !== 33) throw corrupt("journal key", key);
      yield { hash: key.slice(1), txBytes };
    }
  }

  // --- a sequencer's open blocks: what its preconfirmations promised ---

  /**
   * One synced batch: for each open block, its parameters (`params`, on its first write) and the
   * transactions it preconfirmed since the last write. Durable when the promise resolves, so a
   * preconfirmation is signed only after it; commitBlock with clearOpenBlock deletes them.
   */
  async openBlockPut(writes: readonly OpenBlockWrite[]): Promise<void> {
    this.assertOpen();
    const ops: Op[] = [];
    openBlockOps(ops, writes);
    if (ops.length === 0) return;
    await this.trackJournal(this.write(ops));
  }

  /**
   * Every stored open block, ascending by number, each with its preconfirmed transactions by
   * position. A block with preconfirmations and no parameters is CORRUPT (they are written together).
   */
  async openBlocks(): Promise<StoredOpenBlock[]> {
    this.assertOpen();
    const blocks = new Map<number, { params: OpenBlockParams | null; preconfirmed: PreconfirmedTx[] }>();
    for await (const [key, value] of this.iterate(columnRange(DbPrefix.OpenBlock))) {
      const number = key.length >= 10 ? readU64be(key, 1) : null;
      if (number === null) throw corrupt("open block key", key);
      let b = blocks.get(number);
      if (!b) blocks.set(number, (b = { params: null, preconfirmed: [] }));
      if (key.length === 10 && key[9] === 0) b.params = decodeOpenBlock(key, number, value);
      else if (key.length === 14 && key[9] === 1) {
        const position = new DataView(key.buffer, key.byteOffset, key.byteLength).getUint32(10);
        b.preconfirmed.push(decodePreconfirmed(key, position, value));
      } else throw corrupt("open block key", key);
    }
    const out: StoredOpenBlock[] = [];
    for (const [number, b] of blocks) {
      if (!b.params) throw corrupt("open block (preconfirmations without parameters)", openBlockKey(number));
      out.push({ params: b.params, preconfirmed: b.preconfirmed });
    }
    return out.sort((a, b) => a.params.number - b.params.number);
  }

  /** Delete open blocks that can no longer be built (at or below the head: left by an older version). */
  async openBlockDelete(blocks: readonly StoredOpenBlock[]): Promise<void> {
    this.assertOpen();
    const ops: Op[] = [];
    for (const b of blocks) {
      ops.push({ type: "del", key: openBlockKey(b.params.number) });
      for (const t of b.preconfirmed) ops.push({ type: "del", key: preconfirmedKey(b.params.number, t.position) });
    }
    if (ops.length > 0) await this.trackJournal(this.write(ops));
  }

  // --- a verifier's records: evidence and co-signed checkpoints ---

  /** Store (or overwrite) one evidence record, synced: evidence must survive a crash. */
  async putEvidence(id: Uint8Array, record: Uint8Array): Promise<void> {
    this.assertOpen();
    if (id.length !== 32) throw new RangeError(`evidence id must be 32 bytes, got ${id.length}`);
    await this.trackJournal(this.write([{ type: "put", key: evidenceKey(id), value: record }]));
  }

  async getEvidence(id: Uint8Array): Promise<Uint8Array | null> {
    this.assertOpen();
    return (await this.getRaw(evidenceKey(id))) ?? null;
  }

  /** Every evidence record, by id order. */
  async *evidenceEntries(): AsyncIterable<{ id: Uint8Array; record: Uint8Array }> {
    this.assertOpen();
    for await (const [key, record] of this.iterate(columnRange(DbPrefix.Evidence))) {
      if (key.length !== 33) throw corrupt("evidence key", key);
      yield { id: key.slice(1), record };
    }
  }

  /** Record a co-signature, synced before the signature leaves the node. */
  async putSignedCheckpoint(r: SignedCheckpointRecord): Promise<void> {
    this.assertOpen();
    if (r.digest.length !== 32 || r.signature.length !== 65 || (r.content !== null && r.content.length !== 32)) {
      throw new RangeError(
        "a signed checkpoint needs a 32-byte digest, a 65-byte signature and a 32-byte content hash",
      );
    }
    // digest ‖ signature ‖ content (97 bytes without the content hash, as records made before it).
    const value = r.content ? concatBytes(r.digest, r.signature, r.content) : concatBytes(r.digest, r.signature);
    await this.trackJournal(this.write([{ type: "put", key: signedCheckpointKey(r.index), value }]));
  }

  async getSignedCheckpoint(index: number): Promise<SignedCheckpointRecord | null> {
    this.assertOpen();
    const key = signedCheckpointKey(checkHeight(index));
    const bytes = await this.getRaw(key);
    if (bytes === undefined) return null;
    if (bytes.length !== 97 && bytes.length !== 129) throw corrupt("signed checkpoint", key);
    return {
      index,
      digest: bytes.slice(0, 32),
      signature: bytes.slice(32, 97),
      content: bytes.length === 129 ? bytes.slice(97) : null,
    };
  }

  // --- internals ---

  private assertOpen(): void {
    if (this.closed) throw new DbError(DbErrorCode.CLOSED, "The database is closed");
  }

  /**
   * Runs a LevelDB call, turning "database not open" into DbError CLOSED and a failure of the
   * storage (LevelDB's IOError: disk full, file too large, read-only) into DbError STORAGE.
   */
  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      const code = (cause as { code?: unknown }).code;
      if (code === "LEVEL_DATABASE_NOT_OPEN") {
        throw new DbError(DbErrorCode.CLOSED, "The database is closed", { cause });
      }
      if (code === "LEVEL_IO_ERROR") {
        const reason = storageReason((cause as Error).message);
        throw new DbError(DbErrorCode.STORAGE, `The database storage failed: ${reason}`, {
          cause,
          details: { reason },
        });
      }
      throw cause;
    }
  }

  private async trackJournal(write: Promise<void>): Promise<void> {
    this.journalWrites.add(write);
    try {
      await write;
    } finally {
      this.journalWrites.delete(write);
    }
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    this.assertOpen();
    const run = this.writeQueue.then(fn, fn);
    this.writeQueue = run.catch(() => undefined);
    return run;
  }

  /** The one write path of blocks and genesis: a single batch, fsynced before it resolves. */
  private write(ops: Op[], slicer: Slicer | null = null): Promise<void> {
    return this.guard(() => writeChained(this.db, ops, true, slicer));
  }

  /** Public reads check assertOpen themselves; writes queued before close() still run these. */
  private async getRaw(key: Uint8Array, opts: ReadOpts = {}): Promise<Uint8Array | undefined> {
    const bytes = await this.guard(() => this.db.get(key, opts));
    return bytes === undefined ? undefined : plain(bytes);
  }

  private async readHead(opts: ReadOpts = {}): Promise<Head | null> {
    const key = metaKey(MetaKey.Head);
    const bytes = await this.getRaw(key, opts);
    return bytes === undefined ? null : decodeHead(key, bytes);
  }

  private async *iterate(
    range: { gte: Uint8Array; lt: Uint8Array },
    opts: ReadOpts = {},
  ): AsyncGenerator<[Uint8Array, Uint8Array]> {
    const it = this.db.iterator({ ...range, ...opts });
    try {
      while (true) {
        const entry = await this.guard(() => it.next());
        if (entry === undefined) return;
        yield [plain(entry[0]), plain(entry[1])];
      }
    } finally {
      await it.close();
    }
  }
}

/**
 * The "view" encoding hands out Node Buffers; callers get plain Uint8Arrays (no copy), so that
 * slice() copies and equality checks behave as everywhere else in Filverse.
 */
function plain(bytes: Uint8Array): Uint8Array {
  return Object.getPrototypeOf(bytes) === Uint8Array.prototype
    ? bytes
    : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * One LevelDB batch through the chained API. The array form (`db.batch(ops)`) costs about 6.5 µs of
 * main-thread time per operation (abstract-level clones every op with the options spread into it,
 * then the binding reads each object's properties); the chained form about 0.8 µs (12,000 puts of
 * 33-byte keys and 120-byte values: 65-94 ms against 7-13 ms, measured). Same atomicity: nothing is
 * written until write(), and then all of it in one WriteBatch.
 */
/**
 * How long a block commit's synchronous work runs before it lets the event loop serve what waits
 * (requests, a sequencer's preconfirmations): the batch is the same, built in slices.
 */
const COMMIT_SLICE_MS = 3;

/** Tells a long synchronous loop when to yield: checked cheaply every 32 steps, yields after COMMIT_SLICE_MS. */
class Slicer {
  private deadline = performance.now() + COMMIT_SLICE_MS;
  private steps = 0;

  due(): boolean {
    return (++this.steps & 31) === 0 && performance.now() > this.deadline;
  }

  async yield(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.deadline = performance.now() + COMMIT_SLICE_MS;
  }
}

/** `slicer`: yield between puts when it says so (the batch stays one atomic write). */
async function writeChained(db: Level, ops: Op[], sync: boolean, slicer: Slicer | null = null): Promise<void> {
  const batch = db.batch();
  try {
    for (const op of ops) {
      if (slicer?.due()) await slicer.yield();
      if (op.type === "put") batch.put(op.key, op.value);
      else batch.del(op.key);
    }
  } catch (err) {
    await batch.close();
    throw err;
  }
  await batch.write({ sync });
}

/** Blocks read per batch by the address-index backfill. */
const BACKFILL_BLOCKS = 256;

/** The namespaces some lookup index covers (lookupIndexes.ts): only their changes read the previous object. */
const INDEXED = new Set<Namespace>([
  Namespace.Delegate,
  Namespace.Attribute,
  Namespace.Asset,
  Namespace.Identity,
  Namespace.AccessGrant,
  Namespace.Collection,
  Namespace.TokenBalance,
]);

function u32be(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
}

/**
 * Cheap guards (byte compares; prev's root is cached from its own execution) that the result belongs
 * to this block and prev is the head state: a mismatch stored once would poison the database for good.
 */
function checkResult(block: SignedBlock, result: BlockExecutionResult, prev: State, head: Head): void {
  const { header } = block;
  const mismatch = (what: string, details: Record<string, unknown>) =>
    new DbError(DbErrorCode.BAD_INPUT, `Block ${header.number}: ${what}`, { details });
  const count = block.deposits.length + block.transactions.length;
  if (result.hashes.length !== count || result.receipts.length !== count) {
    throw mismatch("the result's hashes or receipts do not match the block's deposits and transactions", {
      expected: count,
      hashes: result.hashes.length,
      receipts: result.receipts.length,
    });
  }
  for (const field of ["stateRoot", "txRoot", "receiptsRoot", "withdrawalsRoot"] as const) {
    if (!bytesEqual(result.roots[field], header[field])) {
      throw mismatch(`the result's ${field} is not the header's`, {
        header: toHex(header[field]),
        result: toHex(result.roots[field]),
      });
    }
  }
  const prevRoot = prev.roots().stateRoot;
  if (!bytesEqual(prevRoot, head.header.stateRoot)) {
    throw mismatch("prev is not the head state", { head: toHex(head.header.stateRoot), prev: toHex(prevRoot) });
  }
}

function noGenesis(): DbError {
  return new DbError(DbErrorCode.BAD_HEAD, "No genesis is stored: call initGenesis first");
}

function checkHeight(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`Block number must be a safe non-negative integer, got ${n}`);
  return n;
}

function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_ASSET_PAGE;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  return Math.min(limit, MAX_ASSET_PAGE);
}

function parseCursor(cursor: string): Uint8Array {
  try {
    return fromHex(cursor, ASSET_REF_BYTES);
  } catch (cause) {
    throw new RangeError(`cursor must be a nextCursor returned by getAssetsByOwner, got ${JSON.stringify(cursor)}`, {
      cause,
    });
  }
}

function parseTxCursor(cursor: string): Uint8Array {
  try {
    return fromHex(cursor, TX_REF_BYTES);
  } catch (cause) {
    throw new RangeError(
      `cursor must be a nextCursor returned by getTransactionsByAddress, got ${JSON.stringify(cursor)}`,
      { cause },
    );
  }
}

/** The operations of open-block writes: each block's parameters (first write), then its preconfirmations. */
function openBlockOps(ops: Op[], writes: readonly OpenBlockWrite[]): void {
  for (const { number, params, preconfirmed } of writes) {
    checkHeight(number);
    if (params && params.number !== number) {
      throw new RangeError(`Open block parameters are for block ${params.number}, not ${number}`);
    }
    if (params) ops.push({ type: "put", key: openBlockKey(number), value: encodeOpenBlock(params) });
    for (const t of preconfirmed) {
      ops.push({ type: "put", key: preconfirmedKey(number, t.position), value: encodePreconfirmed(t) });
    }
  }
}
