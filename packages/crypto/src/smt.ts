/**
 * The L2 state commitment: a persistent (path-copying) compact sparse Merkle tree over 32-byte keys,
 * with membership and non-membership proofs that verify without the tree.
 */
import { bytesEqual } from "@filverse/utils";
import { getHasher, sha256, sha256Into, ZERO_HASH } from "./hasher.js";

const KEY_BITS = 256;

/**
 * Where a leaf keeps its bytes: one latin1 string (one byte per char) holding
 * key ‖ valueHash ‖ leafHash ‖ the encoded value (codec trees only). A string is the most compact
 * GC-managed byte container V8 has: 16 B of header and the bytes inline, against about 96 B for a
 * Uint8Array view (measured with a heap snapshot, docs/benchmarks.md), and unlike views into a
 * shared slab it is freed exactly when its leaf is, so no old batch is kept alive by one survivor.
 */
const LEAF_KEY_AT = 0;
const LEAF_VALUE_HASH_AT = 32;
const LEAF_HASH_AT = 64;
const LEAF_VALUE_AT = 96;

class SmtLeaf<V> {
  constructor(
    /** key ‖ valueHash ‖ leafHash ‖ encoded value, latin1; the leaf hash is computed when the leaf is made. */
    readonly data: string,
    /** The value itself in a tree without a codec; undefined in a codec tree (the value is in `data`). */
    readonly value: V | undefined,
  ) {}
}

/**
 * A branch keeps its hash in eight int32 fields (the 32 bytes as read through an Int32Array): on
 * 64-bit V8 each is a small integer stored inline, 64 B in all, with no array object per hash.
 * Set once by root(); never changed afterwards, so sharing the branch between versions is safe.
 */
class SmtBranch<V> {
  hashed: boolean;
  h0: number;
  h1: number;
  h2: number;
  h3: number;
  h4: number;
  h5: number;
  h6: number;
  h7: number;

  constructor(
    readonly left: SmtNode<V>,
    readonly right: SmtNode<V>,
  ) {
    this.hashed = false;
    this.h0 = 0;
    this.h1 = 0;
    this.h2 = 0;
    this.h3 = 0;
    this.h4 = 0;
    this.h5 = 0;
    this.h6 = 0;
    this.h7 = 0;
  }
}

/** `null` is an empty subtree. */
type SmtNode<V> = SmtLeaf<V> | SmtBranch<V> | null;

export type SmtEntry<V> = { key: Uint8Array; value: V; valueHash: Uint8Array };

export type SmtUpdate<V> = { key: Uint8Array; value: V | null; valueHash?: Uint8Array };

/**
 * How a tree stores its values: serialized in the leaf and decoded on every read, instead of as the
 * JavaScript objects themselves. For large trees of small records (the state), where an object graph
 * costs several times its serialized size.
 */
export interface SmtValueCodec<V> {
  /** The tree copies the bytes before it calls encode again, so they may be a view of a reused buffer. */
  encode(value: V): Uint8Array;
  /** `bytes` is a view of a buffer the tree reuses: copy out whatever the value keeps. */
  decode(bytes: Uint8Array): V;
}

export type SmtProof = {
  key: Uint8Array;
  /** Sibling hashes from the root down to the depth where the walk stopped (siblings[0] is the root's other child). */
  siblings: Uint8Array[];
  /**
   * The leaf found at the end of the walk: equal key = membership; a different key (sharing the first
   * siblings.length bits) = non-membership; null = the walk ended at an empty subtree = non-membership.
   */
  leaf: { key: Uint8Array; valueHash: Uint8Array } | null;
};

/**
 * What the last sibling of a proof (`siblings[siblings.length - 1]`) is made of: a leaf's key and
 * valueHash, or a branch's two child hashes. A verifier that deletes the proven leaf needs it: a lone
 * leaf left beside an empty side is lifted (the compact rule), and only a preimage tells a leaf's hash
 * from a branch's (leaves hash 65 bytes, branches 64). The L1 one-step proof takes it (docs/fault-proofs.md).
 */
export type SmtSiblingPreimage =
  | { leaf: { key: Uint8Array; valueHash: Uint8Array }; branch?: undefined }
  | { branch: { left: Uint8Array; right: Uint8Array }; leaf?: undefined };

/** MSB-first: depth 0 is the top bit of byte 0. */
function bitAt(key: Uint8Array, depth: number): number {
  return (key[depth >>> 3]! >>> (7 - (depth & 7))) & 1;
}

/**
 * bitAt of a key held in a string (a leaf's data, or a key to delete), one byte per char. During an
 * update every key is held this way, so the pass never needs the callers' arrays.
 */
function keyBitAt(data: string, depth: number): number {
  return (data.charCodeAt(LEAF_KEY_AT + (depth >>> 3)) >>> (7 - (depth & 7))) & 1;
}

/** compareBytes of two keys held in strings, from byte `from` on. */
function compareKeys(a: string, b: string, from: number): number {
  for (let i = from; i < 32; i++) {
    const d = a.charCodeAt(LEAF_KEY_AT + i) - b.charCodeAt(LEAF_KEY_AT + i);
    if (d !== 0) return d;
  }
  return 0;
}

/** compareBytes(key, leaf key) for a 32-byte key. */
function compareToLeafKey(key: Uint8Array, data: string): number {
  for (let i = 0; i < 32; i++) {
    const d = key[i]! - data.charCodeAt(LEAF_KEY_AT + i);
    if (d !== 0) return d;
  }
  return 0;
}

/** A fresh array of `n` bytes of a leaf's data string from `at`. */
function leafBytes(data: string, at: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = data.charCodeAt(at + i);
  return out;
}

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new RangeError(`SMT key must be 32 bytes, got ${key instanceof Uint8Array ? key.length : typeof key}`);
  }
}

/** Prefix of a leaf's 65-byte hash input. */
export const SMT_LEAF_PREFIX = 0x00;
const leafInput = new Uint8Array(65);

/** smtLeafHash written into `out` (32 bytes). */
export function smtLeafHashInto(key: Uint8Array, valueHash: Uint8Array, out: Uint8Array): void {
  leafInput[0] = SMT_LEAF_PREFIX;
  leafInput.set(key, 1);
  leafInput.set(valueHash, 33);
  sha256Into(leafInput, out);
}

/**
 * leafHash = sha256(0x00 ‖ key ‖ valueHash): 65 bytes, where a branch hashes 64. SHA-256 pads the
 * message length into the last block, so no leaf hash can equal a branch hash without a SHA-256
 * collision; without this a branch's two children could be passed off as a leaf (a forged proof).
 * Branches, the bulk of the hashing, stay on the 64-byte fast path.
 */
export function smtLeafHash(key: Uint8Array, valueHash: Uint8Array): Uint8Array {
  leafInput[0] = SMT_LEAF_PREFIX;
  leafInput.set(key, 1);
  leafInput.set(valueHash, 33);
  return sha256(leafInput);
}

/** Where leaf data strings are assembled; grows to the largest encoded value seen. */
let leafScratch = Buffer.alloc(256);
let leafHashSlot = leafScratch.subarray(LEAF_HASH_AT, LEAF_HASH_AT + 32);

/** A leaf's data string: key ‖ valueHash ‖ leafHash ‖ encoded (codec trees; empty otherwise). */
function makeLeafData(key: Uint8Array, valueHash: Uint8Array, encoded: Uint8Array | null): string {
  const length = LEAF_VALUE_AT + (encoded === null ? 0 : encoded.length);
  if (leafScratch.length < length) {
    leafScratch = Buffer.alloc(Math.max(length, leafScratch.length * 2));
    leafHashSlot = leafScratch.subarray(LEAF_HASH_AT, LEAF_HASH_AT + 32);
  }
  leafScratch.set(key, LEAF_KEY_AT);
  leafScratch.set(valueHash, LEAF_VALUE_HASH_AT);
  smtLeafHashInto(key, valueHash, leafHashSlot);
  if (encoded !== null) leafScratch.set(encoded, LEAF_VALUE_AT);
  return leafScratch.toString("latin1", 0, length);
}

/** Where codec trees copy a leaf's bytes to decode its value; grows to the longest leaf seen. */
let decodeScratch = Buffer.alloc(512);

/** A key to delete, held as a string like the leaves' keys. */
function keyString(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, 32).toString("latin1");
}

/**
 * One batch update over entries sorted by key and deduplicated. Every subtree visited receives the
 * contiguous slice of entries whose keys fall under it, so each touched path is copied exactly once.
 */
class UpdatePass<V> {
  /** Net change in the number of leaves. */
  delta = 0;

  constructor(
    /** The entries' keys in ascending order: a new leaf's data string, or the key to delete. */
    private readonly keys: string[],
    /** The new leaf of each entry, null where it deletes. */
    private readonly leaves: (SmtLeaf<V> | null)[],
    /** live[i] = number of non-deleting entries among entries[0..i); makes "how many survive here" O(1). */
    private readonly live: Int32Array,
  ) {}

  apply(node: SmtNode<V>, depth: number, lo: number, hi: number): SmtNode<V> {
    if (lo === hi) return node;
    if (node === null) {
      this.delta += this.live[hi]! - this.live[lo]!;
      return this.build(depth, lo, hi, null);
    }
    if (node instanceof SmtLeaf) return this.mergeLeaf(node, depth, lo, hi);
    const mid = this.split(depth, lo, hi);
    const left = this.apply(node.left, depth + 1, lo, mid);
    const right = this.apply(node.right, depth + 1, mid, hi);
    if (left === node.left && right === node.right) return node;
    // Compact form: a lone leaf next to an empty side moves up; repeated by the callers on the way up.
    if (left === null && (right === null || right instanceof SmtLeaf)) return right;
    if (right === null && left instanceof SmtLeaf) return left;
    return new SmtBranch(left, right);
  }

  /** The subtree is the single leaf `old`; the result holds `old` (unless replaced or deleted) plus the inserts. */
  private mergeLeaf(old: SmtLeaf<V>, depth: number, lo: number, hi: number): SmtNode<V> {
    const at = this.find(old.data, lo, hi);
    const inserted = this.live[hi]! - this.live[lo]!;
    if (at < 0) {
      this.delta += inserted;
      return this.build(depth, lo, hi, old);
    }
    // `old` is superseded by entries[at]: it leaves when that entry deletes, otherwise it is replaced.
    this.delta += inserted - 1;
    return this.build(depth, lo, hi, null);
  }

  /**
   * Build the compact subtree at `depth` holding the live entries of [lo, hi) plus `extra`, an existing
   * leaf whose key is not among those entries. Reuses `extra` as is so its cached hash survives a lift.
   */
  private build(depth: number, lo: number, hi: number, extra: SmtLeaf<V> | null): SmtNode<V> {
    const count = this.live[hi]! - this.live[lo]! + (extra === null ? 0 : 1);
    if (count === 0) return null;
    if (count === 1) return extra ?? this.leaves[this.firstLive(lo, hi)]!;
    if (depth >= KEY_BITS) throw new RangeError("SMT invariant broken: distinct keys agree on all 256 bits");
    const mid = this.split(depth, lo, hi);
    let extraLeft: SmtLeaf<V> | null = null;
    let extraRight: SmtLeaf<V> | null = null;
    if (extra !== null) {
      if (keyBitAt(extra.data, depth) === 0) extraLeft = extra;
      else extraRight = extra;
    }
    return new SmtBranch(this.build(depth + 1, lo, mid, extraLeft), this.build(depth + 1, mid, hi, extraRight));
  }

  /** First index in [lo, hi) whose bit at `depth` is 1; the slice shares its first `depth` bits, so that bit is sorted. */
  private split(depth: number, lo: number, hi: number): number {
    const keys = this.keys;
    let a = lo;
    let b = hi;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (keyBitAt(keys[m]!, depth) === 0) a = m + 1;
      else b = m;
    }
    return a;
  }

  /** The index in [lo, hi) of the entry with the key of the leaf whose data is `data`, or -1. */
  private find(data: string, lo: number, hi: number): number {
    const keys = this.keys;
    let a = lo;
    let b = hi;
    while (a < b) {
      const m = (a + b) >>> 1;
      const c = compareKeys(keys[m]!, data, 0);
      if (c === 0) return m;
      if (c < 0) a = m + 1;
      else b = m;
    }
    return -1;
  }

  /** The index of the first non-deleting entry in [lo, hi); the caller knows there is one. */
  private firstLive(lo: number, hi: number): number {
    const live = this.live;
    const target = live[lo]!;
    let a = lo;
    let b = hi - 1;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (live[m + 1]! > target) b = m;
      else a = m + 1;
    }
    return a;
  }
}

export class SparseMerkleTree<V> {
  private constructor(
    private readonly top: SmtNode<V>,
    private readonly count: number,
    private readonly codec: SmtValueCodec<V> | null,
  ) {}

  /**
   * An empty tree. With a codec, values are kept serialized in the leaves and decoded on every read
   * (get, getLeaf, entries return fresh objects); without one, the values given are kept as they are.
   */
  static empty<V>(codec: SmtValueCodec<V> | null = null): SparseMerkleTree<V> {
    if (codec !== null && (typeof codec.encode !== "function" || typeof codec.decode !== "function")) {
      throw new TypeError("SparseMerkleTree.empty: a codec needs encode and decode functions");
    }
    return new SparseMerkleTree<V>(null, 0, codec);
  }

  /** Number of leaves. */
  get size(): number {
    return this.count;
  }

  get(key: Uint8Array): V | undefined {
    const leaf = this.findLeaf(key);
    return leaf === undefined ? undefined : this.valueOf(leaf);
  }

  /** The key and valueHash are fresh copies. */
  getLeaf(key: Uint8Array): SmtEntry<V> | undefined {
    const leaf = this.findLeaf(key);
    return leaf === undefined ? undefined : this.entryOf(leaf);
  }

  private findLeaf(key: Uint8Array): SmtLeaf<V> | undefined {
    checkKey(key);
    let node = this.top;
    let depth = 0;
    while (node instanceof SmtBranch) {
      node = bitAt(key, depth++) === 0 ? node.left : node.right;
    }
    return node !== null && compareToLeafKey(key, node.data) === 0 ? node : undefined;
  }

  private valueOf(leaf: SmtLeaf<V>): V {
    if (this.codec === null) return leaf.value as V;
    const data = leaf.data;
    if (decodeScratch.length < data.length)
      decodeScratch = Buffer.alloc(Math.max(data.length, decodeScratch.length * 2));
    // Into a reused buffer: a fresh Buffer per read drew on Node's 8 KiB pools fast enough to show
    // as allocation and GC time in a replay profile.
    decodeScratch.write(data, 0, "latin1");
    return this.codec.decode(
      new Uint8Array(decodeScratch.buffer, decodeScratch.byteOffset + LEAF_VALUE_AT, data.length - LEAF_VALUE_AT),
    );
  }

  private entryOf(leaf: SmtLeaf<V>): SmtEntry<V> {
    return {
      key: leafBytes(leaf.data, LEAF_KEY_AT, 32),
      value: this.valueOf(leaf),
      valueHash: leafBytes(leaf.data, LEAF_VALUE_HASH_AT, 32),
    };
  }

  /**
   * Batch update: value === null deletes. Entries may be in any order; for duplicate keys the last wins.
   * The key and valueHash are copied into the tree, so the caller may reuse its arrays. Hashes the new
   * leaves (one 65-byte sha256 each); branches are hashed lazily by root().
   */
  update(entries: Iterable<SmtUpdate<V>>): SparseMerkleTree<V> {
    // Each entry becomes its leaf (or its key, to delete) as it arrives, so a caller that generates
    // entries lets go of its objects at once: building from n objects never holds them all.
    const codec = this.codec;
    const keys: string[] = [];
    const made: (SmtLeaf<V> | null)[] = [];
    for (const e of entries) {
      checkKey(e.key);
      if (e.value === null) {
        keys.push(keyString(e.key));
        made.push(null);
        continue;
      }
      if (e.valueHash === undefined || e.valueHash === null) {
        throw new TypeError("SMT update: valueHash is required when value is not null");
      }
      if (!(e.valueHash instanceof Uint8Array) || e.valueHash.length !== 32) {
        throw new RangeError(
          `SMT valueHash must be 32 bytes, got ${e.valueHash instanceof Uint8Array ? e.valueHash.length : typeof e.valueHash}`,
        );
      }
      const leaf =
        codec === null
          ? new SmtLeaf(makeLeafData(e.key, e.valueHash, null), e.value)
          : new SmtLeaf<V>(makeLeafData(e.key, e.valueHash, codec.encode(e.value)), undefined);
      keys.push(leaf.data);
      made.push(leaf);
    }
    if (keys.length === 0) return this;

    const order = sortLastWins(keys);
    const n = order.length;
    const sortedKeys: string[] = new Array(n);
    const leaves: (SmtLeaf<V> | null)[] = new Array(n);
    const live = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) {
      const j = order[i]!;
      sortedKeys[i] = keys[j]!;
      leaves[i] = made[j]!;
      live[i + 1] = live[i]! + (made[j] === null ? 0 : 1);
    }

    const pass = new UpdatePass<V>(sortedKeys, leaves, live);
    const top = pass.apply(this.top, 0, 0, n);
    if (top === this.top) return this;
    return new SparseMerkleTree(top, this.count + pass.delta, codec);
  }

  /**
   * The root hash, a fresh copy. Hashes every branch that has no hash yet, in batches through the
   * current Hasher, one depth at a time from the deepest up. Hashes are cached in the branches, so
   * structure shared with other versions is never hashed twice.
   */
  root(): Uint8Array {
    this.hashBranches();
    return nodeHash(this.top);
  }

  private hashBranches(): void {
    const top = this.top;
    if (!(top instanceof SmtBranch) || top.hashed) return;

    const levels: SmtBranch<V>[][] = [];
    collectDirty(top, 0, levels);

    let max = 0;
    for (const level of levels) if (level.length > max) max = level.length;
    // Int32Array views move each 32-byte hash as eight words between the branches and the buffers.
    const input = new Uint8Array(max * 64);
    const input32 = new Int32Array(input.buffer);
    const output = new Uint8Array(max * 32);
    const output32 = new Int32Array(output.buffer);
    const hasher = getHasher();

    for (let d = levels.length - 1; d >= 0; d--) {
      const level = levels[d]!;
      const k = level.length;
      if (k === 0) continue;
      for (let i = 0; i < k; i++) {
        const b = level[i]!;
        writeChildHash(input, input32, i * 64, b.left);
        writeChildHash(input, input32, i * 64 + 32, b.right);
      }
      hasher.hashInto(input.subarray(0, k * 64), output.subarray(0, k * 32));
      for (let i = 0; i < k; i++) {
        const b = level[i]!;
        const w = i * 8;
        b.h0 = output32[w]!;
        b.h1 = output32[w + 1]!;
        b.h2 = output32[w + 2]!;
        b.h3 = output32[w + 3]!;
        b.h4 = output32[w + 4]!;
        b.h5 = output32[w + 5]!;
        b.h6 = output32[w + 6]!;
        b.h7 = output32[w + 7]!;
        b.hashed = true;
      }
    }
  }

  /** Membership or non-membership proof for `key`; the returned arrays are fresh copies. */
  prove(key: Uint8Array): SmtProof {
    checkKey(key);
    this.hashBranches();
    const siblings: Uint8Array[] = [];
    let node = this.top;
    let depth = 0;
    while (node instanceof SmtBranch) {
      const goRight = bitAt(key, depth++) === 1;
      siblings.push(nodeHash(goRight ? node.left : node.right));
      node = goRight ? node.right : node.left;
    }
    return {
      key: key.slice(),
      siblings,
      leaf:
        node === null
          ? null
          : { key: leafBytes(node.data, LEAF_KEY_AT, 32), valueHash: leafBytes(node.data, LEAF_VALUE_HASH_AT, 32) },
    };
  }

  /**
   * The preimage of the last sibling of `prove(key)`, or null when that proof has no siblings. Fresh
   * copies. With prove(key) it is what the L1 needs to delete `key` (see SmtSiblingPreimage).
   */
  proveLastSibling(key: Uint8Array): SmtSiblingPreimage | null {
    checkKey(key);
    this.hashBranches();
    let node = this.top;
    let sibling: SmtNode<V> = null;
    let depth = 0;
    while (node instanceof SmtBranch) {
      const goRight = bitAt(key, depth++) === 1;
      sibling = goRight ? node.left : node.right;
      node = goRight ? node.right : node.left;
    }
    if (depth === 0 || sibling === null) return null;
    if (sibling instanceof SmtLeaf) {
      return {
        leaf: {
          key: leafBytes(sibling.data, LEAF_KEY_AT, 32),
          valueHash: leafBytes(sibling.data, LEAF_VALUE_HASH_AT, 32),
        },
      };
    }
    return { branch: { left: nodeHash(sibling.left), right: nodeHash(sibling.right) } };
  }

  /** All leaves in ascending key order (MSB-first bits make left-to-right order the byte order). */
  *entries(): IterableIterator<SmtEntry<V>> {
    const stack: SmtNode<V>[] = [];
    if (this.top !== null) stack.push(this.top);
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node instanceof SmtLeaf) {
        yield this.entryOf(node);
      } else if (node !== null) {
        if (node.right !== null) stack.push(node.right);
        if (node.left !== null) stack.push(node.left);
      }
    }
  }
}

/**
 * The indices of `keys` in ascending key order, keeping only the last index given for each key.
 * Sorting indices by a 32-bit key prefix first is about 3x faster than comparing whole keys, since
 * uniformly random keys rarely tie on it.
 */
function sortLastWins(keys: string[]): Uint32Array {
  const n = keys.length;
  const prefix = new Uint32Array(n);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    prefix[i] = ((k.charCodeAt(0) << 24) | (k.charCodeAt(1) << 16) | (k.charCodeAt(2) << 8) | k.charCodeAt(3)) >>> 0;
    order[i] = i;
  }
  // Ties broken by input position, so within a run of equal keys the last one given comes last.
  order.sort((a, b) => prefix[a]! - prefix[b]! || compareKeys(keys[a]!, keys[b]!, 4) || a - b);
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const j = order[i]!;
    if (i + 1 < n) {
      const next = order[i + 1]!;
      if (prefix[j] === prefix[next] && compareKeys(keys[j]!, keys[next]!, 4) === 0) continue;
    }
    order[kept++] = j;
  }
  return order.subarray(0, kept);
}

/** Recursion is bounded by the key length: a branch exists only while two keys still share a prefix. */
function collectDirty<V>(node: SmtNode<V>, depth: number, levels: SmtBranch<V>[][]): void {
  if (!(node instanceof SmtBranch) || node.hashed) return;
  // Levels are pushed in order (a branch's parent is collected before it), so the array stays packed.
  if (levels.length === depth) levels.push([]);
  levels[depth]!.push(node);
  collectDirty(node.left, depth + 1, levels);
  collectDirty(node.right, depth + 1, levels);
}

/** A node's hash as a fresh array; branches must be hashed already. */
function nodeHash<V>(node: SmtNode<V>): Uint8Array {
  if (node === null) return new Uint8Array(32);
  if (node instanceof SmtLeaf) return leafBytes(node.data, LEAF_HASH_AT, 32);
  const words = Int32Array.of(node.h0, node.h1, node.h2, node.h3, node.h4, node.h5, node.h6, node.h7);
  return new Uint8Array(words.buffer);
}

/** Write a child's hash at byte `offset` (a multiple of 32) of `buf`, whose Int32Array view is `buf32`. */
function writeChildHash<V>(buf: Uint8Array, buf32: Int32Array, offset: number, child: SmtNode<V>): void {
  if (child === null) {
    buf.fill(0, offset, offset + 32);
  } else if (child instanceof SmtBranch) {
    const w = offset >>> 2;
    buf32[w] = child.h0;
    buf32[w + 1] = child.h1;
    buf32[w + 2] = child.h2;
    buf32[w + 3] = child.h3;
    buf32[w + 4] = child.h4;
    buf32[w + 5] = child.h5;
    buf32[w + 6] = child.h6;
    buf32[w + 7] = child.h7;
  } else {
    const data = child.data;
    for (let i = 0; i < 32; i++) buf[offset + i] = data.charCodeAt(LEAF_HASH_AT + i);
  }
}

function is32(x: unknown): x is Uint8Array {
  return x instanceof Uint8Array && x.length === 32;
}

/** Check a proof against a root without the tree. valueHash null claims absence. Never throws. */
export function verifySmtProof(
  root: Uint8Array,
  key: Uint8Array,
  valueHash: Uint8Array | null,
  proof: SmtProof,
): boolean {
  if (!is32(root)) return false;
  const implied = smtRootFromProof(key, valueHash, proof);
  return implied !== null && bytesEqual(implied, root);
}

/**
 * The root a well-formed proof of (key, valueHash | absence) implies, or null if the proof is
 * malformed or does not make that claim. For callers that hold the root one level up (the state
 * root commits this root beside the withdrawals root). Never throws.
 */
export function smtRootFromProof(key: Uint8Array, valueHash: Uint8Array | null, proof: SmtProof): Uint8Array | null {
  try {
    if (!is32(key) || (valueHash !== null && !is32(valueHash))) return null;
    if (proof === null || typeof proof !== "object") return null;
    const { siblings, leaf } = proof;
    if (!Array.isArray(siblings) || siblings.length > KEY_BITS) return null;
    for (const s of siblings) if (!is32(s)) return null;
    if (proof.key !== undefined && !(is32(proof.key) && bytesEqual(proof.key, key))) return null;
    const depth = siblings.length;

    if (leaf !== null) {
      if (typeof leaf !== "object" || !is32(leaf.key) || !is32(leaf.valueHash)) return null;
      if (!sharesPrefix(leaf.key, key, depth)) return null;
    }
    if (valueHash !== null) {
      if (leaf === null || !bytesEqual(leaf.key, key) || !bytesEqual(leaf.valueHash, valueHash)) return null;
    } else if (leaf !== null && bytesEqual(leaf.key, key)) {
      return null;
    }

    const hasher = getHasher();
    let h = leaf === null ? ZERO_HASH : smtLeafHash(leaf.key, leaf.valueHash);
    for (let d = depth - 1; d >= 0; d--) {
      const s = siblings[d]!;
      h = bitAt(key, d) === 1 ? hasher.digest64(s, h) : hasher.digest64(h, s);
    }
    return h;
  } catch {
    return null;
  }
}

function sharesPrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  const whole = bits >>> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (a[whole]! & mask) === (b[whole]! & mask);
}
