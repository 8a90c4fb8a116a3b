/**
 * The withdrawals tree: a fixed-depth, append-only binary Merkle tree whose root and proofs an L1
 * Solidity contract checks, so its shape stays the plain textbook one (zero-hash padding, no length mixed in).
 */
import { bytesEqual } from "@filverse/utils";
import { getHasher, ZERO_HASH } from "./hasher.js";

const DEFAULT_DEPTH = 32;
/** Indices stay exact JavaScript numbers up to 2^53. */
const MAX_DEPTH = 52;

/** An internal node at height h ≥ 1. Children are nodes at height h-1, or 32-byte leaves at height 1; null is empty. */
class AppendNode {
  constructor(
    readonly left: AppendChild,
    readonly right: AppendChild,
    public hash: Uint8Array | null,
  ) {}
}

type AppendChild = AppendNode | Uint8Array | null;

// zeroCache[i] is the root of an empty subtree of height i; grown on demand and never mutated.
const zeroCache: Uint8Array[] = [ZERO_HASH];

function zeroHashes(depth: number): Uint8Array[] {
  if (zeroCache.length <= depth) {
    const hasher = getHasher();
    while (zeroCache.length <= depth) {
      const z = zeroCache[zeroCache.length - 1]!;
      zeroCache.push(hasher.digest64(z, z));
    }
  }
  return zeroCache;
}

function checkDepth(depth: number): void {
  if (!Number.isInteger(depth) || depth < 0 || depth > MAX_DEPTH) {
    throw new RangeError(`Append tree depth must be an integer in [0, ${MAX_DEPTH}], got ${depth}`);
  }
}

/** zeroHashes[0] = ZERO, zeroHashes[i+1] = sha256(zeroHashes[i] ‖ zeroHashes[i]); depth+1 fresh copies. */
export function appendTreeZeroHashes(depth: number): Uint8Array[] {
  checkDepth(depth);
  return zeroHashes(depth)
    .slice(0, depth + 1)
    .map((z) => z.slice());
}

export class AppendMerkleTree {
  private constructor(
    private readonly height: number,
    private readonly count: number,
    /** At height 0 the root is the single leaf itself. */
    private readonly top: AppendChild,
  ) {}

  static empty(depth: number = DEFAULT_DEPTH): AppendMerkleTree {
    checkDepth(depth);
    return new AppendMerkleTree(depth, 0, null);
  }

  get depth(): number {
    return this.height;
  }

  get length(): number {
    return this.count;
  }

  /**
   * Appends leaves at indices length, length+1, ... and returns the new tree. The tree keeps the passed
   * arrays (no copies): do not mutate them afterwards.
   */
  append(leaves: Uint8Array[]): AppendMerkleTree {
    if (!Array.isArray(leaves)) throw new TypeError("append expects an array of 32-byte leaves");
    for (let i = 0; i < leaves.length; i++) {
      const leaf = leaves[i];
      if (!(leaf instanceof Uint8Array) || leaf.length !== 32) {
        throw new RangeError(
          `Append tree leaf ${i} must be 32 bytes, got ${leaf instanceof Uint8Array ? leaf.length : typeof leaf}`,
        );
      }
    }
    if (leaves.length === 0) return this;
    const capacity = 2 ** this.height;
    if (this.count + leaves.length > capacity) {
      throw new RangeError(
        `Append tree of depth ${this.height} is full: ${this.count} + ${leaves.length} leaves exceed capacity ${capacity}`,
      );
    }
    const top = insert(this.top, this.height, 0, this.count, this.count + leaves.length, leaves, this.count);
    return new AppendMerkleTree(this.height, this.count + leaves.length, top);
  }

  /** A copy of the leaf at `index`. */
  leaf(index: number): Uint8Array {
    this.checkIndex(index);
    let node = this.top;
    for (let h = this.height; h > 0; h--) {
      const half = 2 ** (h - 1);
      const n = node as AppendNode;
      if (index < half) node = n.left;
      else {
        node = n.right;
        index -= half;
      }
    }
    return (node as Uint8Array).slice();
  }

  /**
   * Lazily hashes the nodes appended since the last call, one Hasher batch per height from the leaves up,
   * and caches the hashes in the nodes (shared with older and newer versions). Returns a copy, so a
   * caller mutating it cannot corrupt the cache.
   */
  root(): Uint8Array {
    return this.rootHash().slice();
  }

  private rootHash(): Uint8Array {
    const zeros = zeroHashes(this.height);
    const top = this.top;
    if (top === null) return zeros[this.height]!;
    if (top instanceof Uint8Array) return top;
    if (top.hash !== null) return top.hash;

    // levels[h] holds the unhashed nodes at height h (index 0 unused: leaves are hashes already).
    const levels: AppendNode[][] = [];
    for (let h = 0; h <= this.height; h++) levels.push([]);
    collectDirty(top, this.height, levels);

    let max = 0;
    for (const level of levels) if (level.length > max) max = level.length;
    const input = new Uint8Array(max * 64);
    const output = new Uint8Array(max * 32);
    const hasher = getHasher();
    for (let h = 1; h <= this.height; h++) {
      const level = levels[h]!;
      const k = level.length;
      if (k === 0) continue;
      const zero = zeros[h - 1]!;
      for (let i = 0; i < k; i++) {
        const node = level[i]!;
        input.set(childHash(node.left, zero), i * 64);
        input.set(childHash(node.right, zero), i * 64 + 32);
      }
      hasher.hashInto(input.subarray(0, k * 64), output.subarray(0, k * 32));
      // slice, not subarray: a shared batch buffer would be kept alive by any one surviving node.
      for (let i = 0; i < k; i++) level[i]!.hash = output.slice(i * 32, i * 32 + 32);
    }
    return top.hash!;
  }

  /** `depth` sibling hashes from the leaf level up (siblings[0] is the leaf's sibling), as fresh copies. */
  prove(index: number): Uint8Array[] {
    this.checkIndex(index);
    this.rootHash();
    const zeros = zeroHashes(this.height);
    const siblings: Uint8Array[] = new Array(this.height);
    let node = this.top;
    for (let h = this.height; h > 0; h--) {
      const half = 2 ** (h - 1);
      const n = node as AppendNode;
      const zero = zeros[h - 1]!;
      if (index < half) {
        siblings[h - 1] = childHash(n.right, zero).slice();
        node = n.left;
      } else {
        siblings[h - 1] = childHash(n.left, zero).slice();
        node = n.right;
        index -= half;
      }
    }
    return siblings;
  }

  private checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) {
      throw new RangeError(`Append tree index ${index} out of range [0, ${this.count})`);
    }
  }
}

/**
 * Path-copies the subtree at `height` covering indices [start, start + 2^height) and places the leaves
 * for indices [lo, hi) in it (leaves[i - base] goes to index i). Untouched siblings are shared as they
 * are, so a batch of k costs O(k + height) new nodes; recursion depth is at most the tree depth.
 */
function insert(
  node: AppendChild,
  height: number,
  start: number,
  lo: number,
  hi: number,
  leaves: Uint8Array[],
  base: number,
): AppendChild {
  if (height === 0) return leaves[start - base]!;
  const n = node as AppendNode | null;
  const mid = start + 2 ** (height - 1);
  let left = n === null ? null : n.left;
  let right = n === null ? null : n.right;
  if (lo < mid) left = insert(left, height - 1, start, lo, Math.min(hi, mid), leaves, base);
  if (hi > mid) right = insert(right, height - 1, mid, Math.max(lo, mid), hi, leaves, base);
  return new AppendNode(left, right, null);
}

function collectDirty(node: AppendChild, height: number, levels: AppendNode[][]): void {
  if (node === null || node instanceof Uint8Array || node.hash !== null) return;
  levels[height]!.push(node);
  if (height > 1) {
    collectDirty(node.left, height - 1, levels);
    collectDirty(node.right, height - 1, levels);
  }
}

function childHash(child: AppendChild, zero: Uint8Array): Uint8Array {
  if (child === null) return zero;
  if (child instanceof Uint8Array) return child;
  return child.hash!;
}

function is32(x: unknown): x is Uint8Array {
  return x instanceof Uint8Array && x.length === 32;
}

/**
 * Check a proof as the L1 contract does: bit i of index (LSB first) set means the running node is the
 * right child at level i. Never throws; malformed input returns false.
 */
export function verifyAppendProof(
  root: Uint8Array,
  leaf: Uint8Array,
  index: number,
  siblings: Uint8Array[],
  depth: number = DEFAULT_DEPTH,
): boolean {
  if (!is32(root)) return false;
  const implied = appendRootFromProof(leaf, index, siblings, depth);
  return implied !== null && bytesEqual(implied, root);
}

/** The root a well-formed proof implies for `leaf` at `index`, or null if malformed. Never throws. */
export function appendRootFromProof(
  leaf: Uint8Array,
  index: number,
  siblings: Uint8Array[],
  depth: number = DEFAULT_DEPTH,
): Uint8Array | null {
  try {
    if (!Number.isInteger(depth) || depth < 0 || depth > MAX_DEPTH) return null;
    if (!is32(leaf) || !Array.isArray(siblings) || siblings.length !== depth) return null;
    if (!Number.isInteger(index) || index < 0 || index >= 2 ** depth) return null;
    const hasher = getHasher();
    let h = leaf;
    let idx = index;
    for (let i = 0; i < depth; i++) {
      const s = siblings[i];
      if (!is32(s)) return null;
      const bit = idx % 2;
      h = bit === 1 ? hasher.digest64(s, h) : hasher.digest64(h, s);
      idx = (idx - bit) / 2;
    }
    return h;
  } catch {
    return null;
  }
}
