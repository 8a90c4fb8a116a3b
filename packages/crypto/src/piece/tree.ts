/**
 * The piece tree: a binary sha256 tree in which every node hash has its top two bits cleared
 * (sha2-256-trunc254-padded), so that nodes stay BLS12-381 field elements. Zero padding is never
 * hashed: the root of an all-zero subtree of each height is precomputed.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import type { Hasher } from "../hasher.js";
import { NODE_BYTES } from "./size.js";

/** Heights of precomputed zero subtrees: 0 (one zero node) up to this, far above MAX_PIECE_HEIGHT. */
const MAX_ZERO_HEIGHT = 64;

/** Clears the top two bits of every 32-byte node in `nodes` (the trunc254 step). */
export function truncateNodes(nodes: Uint8Array): void {
  for (let i = NODE_BYTES - 1; i < nodes.length; i += NODE_BYTES) nodes[i] &= 0x3f;
}

/** `ZERO_COMMITMENTS[h]`: the root of 2^h zero nodes. Read-only. */
export const ZERO_COMMITMENTS: readonly Uint8Array[] = (() => {
  const out = [new Uint8Array(NODE_BYTES)];
  const pair = new Uint8Array(2 * NODE_BYTES);
  for (let h = 1; h <= MAX_ZERO_HEIGHT; h++) {
    pair.set(out[h - 1]!, 0);
    pair.set(out[h - 1]!, NODE_BYTES);
    const node = sha256(pair);
    truncateNodes(node);
    out.push(node);
  }
  return out;
})();

/** trunc254(sha256(left ‖ right)) through `hasher`, into a fresh node. */
export function hashPair(hasher: Hasher, left: Uint8Array, right: Uint8Array): Uint8Array {
  const node = hasher.digest64(left, right);
  // digest64 may return a view into a buffer it reuses; the stack keeps nodes, so own a copy.
  const own = node.byteOffset === 0 && node.length === node.buffer.byteLength ? node : node.slice();
  truncateNodes(own);
  return own;
}

/**
 * Roots of consecutive, aligned subtrees, merged as they arrive so that at most one root per height
 * is held (a binary counter): the memory of a piece of any size is at most MAX_PIECE_HEIGHT nodes.
 * A subtree pushed after others must not be taller than the last one, which is exactly the
 * condition for it to start at a multiple of its own width.
 */
export class PieceTreeStack {
  private readonly roots: Uint8Array[] = [];
  private readonly heights: number[] = [];

  constructor(private readonly hasher: Hasher) {}

  /** Nodes pushed so far, in leaves (32-byte nodes at height 0). */
  get leaves(): number {
    let n = 0;
    for (const h of this.heights) n += 2 ** h;
    return n;
  }

  /** An independent copy (nodes are never mutated, so they are shared). */
  clone(): PieceTreeStack {
    const copy = new PieceTreeStack(this.hasher);
    copy.roots.push(...this.roots);
    copy.heights.push(...this.heights);
    return copy;
  }

  push(root: Uint8Array, height: number): void {
    const top = this.heights.at(-1);
    if (top !== undefined && height > top) {
      throw new RangeError(`PieceTreeStack: a subtree of height ${height} cannot follow one of height ${top}`);
    }
    let node = root;
    let h = height;
    while (this.heights.at(-1) === h) {
      this.heights.pop();
      node = hashPair(this.hasher, this.roots.pop()!, node);
      h++;
    }
    this.roots.push(node);
    this.heights.push(h);
  }

  /** The root of the tree of `height` whose leaves are everything pushed, then zeros. */
  root(height: number): Uint8Array {
    if (this.roots.length === 0) return ZERO_COMMITMENTS[height]!.slice();
    if (this.leaves > 2 ** height) {
      throw new RangeError(`PieceTreeStack: ${this.leaves} leaves do not fit a tree of height ${height}`);
    }
    let i = this.roots.length - 1;
    let node = this.roots[i]!;
    let h = this.heights[i]!;
    // The last subtree is completed with zero subtrees until it meets the next one down, then merged.
    while (h < height) {
      if (i > 0 && this.heights[i - 1] === h) {
        i--;
        node = hashPair(this.hasher, this.roots[i]!, node);
      } else {
        node = hashPair(this.hasher, node, ZERO_COMMITMENTS[h]!);
      }
      h++;
    }
    return node === this.roots.at(-1) ? node.slice() : node;
  }
}
