/**
 * The L2 state commitment: a persistent (path-copying) compact sparse Merkle tree over 32-byte keys,
 * with membership and non-membership proofs that verify without the tree.
 */
import { bytesEqual, compareBytes } from "@filverse/utils";
import { getHasher, sha256, sha256Into, ZERO_HASH } from "./hasher.js";

const KEY_BITS = 256;

class SmtLeaf<V> {
  constructor(
    readonly key: Uint8Array,
    readonly value: V,
    readonly valueHash: Uint8Array,
    // Set once by root(); never changes afterwards, so sharing the leaf between versions is safe.
    public hash: Uint8Array | null,
  ) {}
}

class SmtBranch<V> {
  constructor(
    readonly left: SmtNode<V>,
    readonly right: SmtNode<V>,
    public hash: Uint8Array | null,
  ) {}
}

/** `null` is an empty subtree. */
type SmtNode<V> = SmtLeaf<V> | SmtBranch<V> | null;

export type SmtEntry<V> = { key: Uint8Array; value: V; valueHash: Uint8Array };

export type SmtUpdate<V> = { key: Uint8Array; value: V | null; valueHash?: Uint8Array };

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

/** MSB-first: depth 0 is the top bit of byte 0. */
function bitAt(key: Uint8Array, depth: number): number {
  return (key[depth >>> 3]! >>> (7 - (depth & 7))) & 1;
}

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new RangeError(`SMT key must be 32 bytes, got ${key instanceof Uint8Array ? key.length : typeof key}`);
  }
}

/** Prefix of a leaf's 65-byte hash input. */
export const SMT_LEAF_PREFIX = 0x00;
const leafInput = new Uint8Array(65);

/**
 * leafHash = sha256(0x00 ‖ key ‖ valueHash): 65 bytes, where a branch hashes 64. SHA-256 pads the
 * message length into the last block, so no leaf hash can equal a branch hash without a SHA-256
 * collision; without this a branch's two children could be passed off as a leaf (a forged proof).
 * Branches, the bulk of the hashing, stay on the 64-byte fast path.
 */
/** smtLeafHash written into `out` (32 bytes). */
export function smtLeafHashInto(key: Uint8Array, valueHash: Uint8Array, out: Uint8Array): void {
  leafInput[0] = SMT_LEAF_PREFIX;
  leafInput.set(key, 1);
  leafInput.set(valueHash, 33);
  sha256Into(leafInput, out);
}

export function smtLeafHash(key: Uint8Array, valueHash: Uint8Array): Uint8Array {
  leafInput[0] = SMT_LEAF_PREFIX;
  leafInput.set(key, 1);
  leafInput.set(valueHash, 33);
  return sha256(leafInput);
}

/**
 * One batch update over entries sorted by key and deduplicated. Every subtree visited receives the
 * contiguous slice of entries whose keys fall under it, so each touched path is copied exactly once.
 */
class UpdatePass<V> {
  /** Net change in the number of leaves. */
  delta = 0;

  constructor(
    private readonly entries: SmtUpdate<V>[],
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
    return new SmtBranch(left, right, null);
  }

  /** The subtree is the single leaf `old`; the result holds `old` (unless replaced or deleted) plus the inserts. */
  private mergeLeaf(old: SmtLeaf<V>, depth: number, lo: number, hi: number): SmtNode<V> {
    const at = this.find(old.key, lo, hi);
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
    if (count === 1) {
      if (extra !== null) return extra;
      const e = this.entries[this.firstLive(lo, hi)]!;
      return new SmtLeaf(e.key, e.value as V, e.valueHash!, null);
    }
    if (depth >= KEY_BITS) throw new RangeError("SMT invariant broken: distinct keys agree on all 256 bits");
    const mid = this.split(depth, lo, hi);
    let extraLeft: SmtLeaf<V> | null = null;
    let extraRight: SmtLeaf<V> | null = null;
    if (extra !== null) {
      if (bitAt(extra.key, depth) === 0) extraLeft = extra;
      else extraRight = extra;
    }
    return new SmtBranch(this.build(depth + 1, lo, mid, extraLeft), this.build(depth + 1, mid, hi, extraRight), null);
  }

  /** First index in [lo, hi) whose bit at `depth` is 1; the slice shares its first `depth` bits, so that bit is sorted. */
  private split(depth: number, lo: number, hi: number): number {
    const entries = this.entries;
    let a = lo;
    let b = hi;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (bitAt(entries[m]!.key, depth) === 0) a = m + 1;
      else b = m;
    }
    return a;
  }

  private find(key: Uint8Array, lo: number, hi: number): number {
    const entries = this.entries;
    let a = lo;
    let b = hi;
    while (a < b) {
      const m = (a + b) >>> 1;
      const c = compareBytes(entries[m]!.key, key);
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
  ) {}

  static empty<V>(): SparseMerkleTree<V> {
    return new SparseMerkleTree<V>(null, 0);
  }

  /** Number of leaves. */
  get size(): number {
    return this.count;
  }

  get(key: Uint8Array): V | undefined {
    return this.findLeaf(key)?.value;
  }

  /** The stored key and valueHash are the arrays passed to update(); treat them as read-only. */
  getLeaf(key: Uint8Array): SmtEntry<V> | undefined {
    const leaf = this.findLeaf(key);
    return leaf === undefined ? undefined : { key: leaf.key, value: leaf.value, valueHash: leaf.valueHash };
  }

  private findLeaf(key: Uint8Array): SmtLeaf<V> | undefined {
    checkKey(key);
    let node = this.top;
    let depth = 0;
    while (node instanceof SmtBranch) {
      node = bitAt(key, depth++) === 0 ? node.left : node.right;
    }
    return node !== null && bytesEqual(node.key, key) ? node : undefined;
  }

  /**
   * Batch update: value === null deletes. Entries may be in any order; for duplicate keys the last wins.
   * The tree keeps the passed key and valueHash arrays (no copies on the hot path): do not mutate them
   * afterwards. Hashes nothing; root() does that lazily.
   */
  update(entries: Iterable<SmtUpdate<V>>): SparseMerkleTree<V> {
    const list: SmtUpdate<V>[] = [];
    for (const e of entries) {
      checkKey(e.key);
      if (e.value !== null) {
        if (e.valueHash === undefined || e.valueHash === null) {
          throw new TypeError("SMT update: valueHash is required when value is not null");
        }
        if (!(e.valueHash instanceof Uint8Array) || e.valueHash.length !== 32) {
          throw new RangeError(
            `SMT valueHash must be 32 bytes, got ${e.valueHash instanceof Uint8Array ? e.valueHash.length : typeof e.valueHash}`,
          );
        }
      }
      list.push(e);
    }
    if (list.length === 0) return this;

    const sorted = sortLastWins(list);
    const n = sorted.length;
    const live = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) live[i + 1] = live[i]! + (sorted[i]!.value === null ? 0 : 1);

    const pass = new UpdatePass<V>(sorted, live);
    const top = pass.apply(this.top, 0, 0, n);
    if (top === this.top) return this;
    return new SparseMerkleTree(top, this.count + pass.delta);
  }

  /**
   * The root hash. Hashes every node that has no hash yet, in batches through the current Hasher: all
   * dirty leaves at once, then dirty branches one depth at a time from the deepest up. Hashes are cached
   * in the nodes, so structure shared with other versions is never hashed twice. Returns a copy, so a
   * caller mutating it cannot corrupt the cache.
   */
  root(): Uint8Array {
    return this.rootHash().slice();
  }

  private rootHash(): Uint8Array {
    const top = this.top;
    if (top === null) return ZERO_HASH;
    if (top.hash !== null) return top.hash;

    const leaves: SmtLeaf<V>[] = [];
    const levels: SmtBranch<V>[][] = [];
    collectDirty(top, 0, leaves, levels);

    let max = 0;
    for (const level of levels) if (level !== undefined && level.length > max) max = level.length;
    const input = new Uint8Array(max * 64);
    const hasher = getHasher();

    // Node hashes are views into one buffer per batch, not 32-byte arrays of their own: a separate
    // Uint8Array costs about 240 B of V8 heap, a view about 100 B (measured; rss_mb_1m). A buffer
    // stays alive while any of its views does, so an old batch can hold a few dead slots; the
    // batches of a block are small (k and k·log n hashes), so the waste is bounded.
    // Leaves hash 65 bytes (domain separation), so they do not go through the 64-byte batch path;
    // a block changing k objects hashes k leaves but about k·log2(n) branches.
    const leafSlab = new Uint8Array(leaves.length * 32);
    for (let i = 0; i < leaves.length; i++) {
      const leaf = leaves[i]!;
      const out = leafSlab.subarray(i * 32, i * 32 + 32);
      smtLeafHashInto(leaf.key, leaf.valueHash, out);
      leaf.hash = out;
    }

    for (let d = levels.length - 1; d >= 0; d--) {
      const level = levels[d];
      if (level === undefined || level.length === 0) continue;
      const k = level.length;
      for (let i = 0; i < k; i++) {
        const b = level[i]!;
        writeChildHash(input, i * 64, b.left);
        writeChildHash(input, i * 64 + 32, b.right);
      }
      const output = new Uint8Array(k * 32);
      hasher.hashInto(input.subarray(0, k * 64), output);
      for (let i = 0; i < k; i++) level[i]!.hash = output.subarray(i * 32, i * 32 + 32);
    }
    return top.hash!;
  }

  /** Membership or non-membership proof for `key`; the returned arrays are fresh copies. */
  prove(key: Uint8Array): SmtProof {
    checkKey(key);
    this.rootHash();
    const siblings: Uint8Array[] = [];
    let node = this.top;
    let depth = 0;
    while (node instanceof SmtBranch) {
      const goRight = bitAt(key, depth++) === 1;
      const sibling = goRight ? node.left : node.right;
      siblings.push(sibling === null ? new Uint8Array(32) : sibling.hash!.slice());
      node = goRight ? node.right : node.left;
    }
    return {
      key: key.slice(),
      siblings,
      leaf: node === null ? null : { key: node.key.slice(), valueHash: node.valueHash.slice() },
    };
  }

  /** All leaves in ascending key order (MSB-first bits make left-to-right order the byte order). */
  *entries(): IterableIterator<SmtEntry<V>> {
    const stack: SmtNode<V>[] = [];
    if (this.top !== null) stack.push(this.top);
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node instanceof SmtLeaf) {
        yield { key: node.key, value: node.value, valueHash: node.valueHash };
      } else if (node !== null) {
        if (node.right !== null) stack.push(node.right);
        if (node.left !== null) stack.push(node.left);
      }
    }
  }
}

/**
 * Sort by key and keep only the last entry given for each key. Sorting indices by a 32-bit key prefix
 * first is about 3x faster than comparing whole keys, since uniformly random keys rarely tie on it.
 */
function sortLastWins<T extends { key: Uint8Array }>(list: T[]): T[] {
  const n = list.length;
  const prefix = new Uint32Array(n);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const k = list[i]!.key;
    prefix[i] = ((k[0]! << 24) | (k[1]! << 16) | (k[2]! << 8) | k[3]!) >>> 0;
    order[i] = i;
  }
  // Ties broken by input position, so within a run of equal keys the last one given comes last.
  order.sort((a, b) => prefix[a]! - prefix[b]! || compareKeyTail(list[a]!.key, list[b]!.key) || a - b);
  const out: T[] = [];
  for (let i = 0; i < n; i++) {
    const e = list[order[i]!]!;
    if (
      i + 1 < n &&
      prefix[order[i]!] === prefix[order[i + 1]!] &&
      compareKeyTail(e.key, list[order[i + 1]!]!.key) === 0
    ) {
      continue;
    }
    out.push(e);
  }
  return out;
}

/** Compares bytes 4..31 of two 32-byte keys (the first four are compared through the prefix). */
function compareKeyTail(a: Uint8Array, b: Uint8Array): number {
  for (let i = 4; i < 32; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Recursion is bounded by the key length: a branch exists only while two keys still share a prefix. */
function collectDirty<V>(node: SmtNode<V>, depth: number, leaves: SmtLeaf<V>[], levels: SmtBranch<V>[][]): void {
  if (node === null || node.hash !== null) return;
  if (node instanceof SmtLeaf) {
    leaves.push(node);
    return;
  }
  let level = levels[depth];
  if (level === undefined) {
    // Fill gaps so the array stays packed (holey arrays are slower in V8).
    while (levels.length < depth) levels.push([]);
    level = [];
    levels[depth] = level;
  }
  level.push(node);
  collectDirty(node.left, depth + 1, leaves, levels);
  collectDirty(node.right, depth + 1, leaves, levels);
}

function writeChildHash<V>(buf: Uint8Array, offset: number, child: SmtNode<V>): void {
  if (child === null) buf.fill(0, offset, offset + 32);
  else buf.set(child.hash!, offset);
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
