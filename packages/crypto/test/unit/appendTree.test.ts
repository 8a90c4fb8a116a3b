/** Tests for the withdrawals append tree: roots against a naive recompute, proofs as L1 checks them, persistence. */
import { createHash } from "node:crypto";
import { toHex } from "@filverse/utils";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AppendMerkleTree,
  appendTreeZeroHashes,
  getHasher,
  type Hasher,
  nobleHasher,
  setHasher,
  verifyAppendProof,
} from "../../src/merkle.js";

function H(a: Uint8Array, b: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(a).update(b).digest());
}

function leafOf(i: number): Uint8Array {
  return new Uint8Array(createHash("sha256").update(`withdrawal-${i}`).digest());
}

function refZeros(depth: number): Uint8Array[] {
  const z: Uint8Array[] = [new Uint8Array(32)];
  for (let i = 0; i < depth; i++) z.push(H(z[i]!, z[i]!));
  return z;
}

/** Full recompute of every level over the filled prefix, padding with the zero hash of that level. */
function naiveRoot(leaves: Uint8Array[], depth: number): Uint8Array {
  const zeros = refZeros(depth);
  let layer = leaves;
  for (let h = 0; h < depth; h++) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < layer.length; i += 2) next.push(H(layer[i]!, layer[i + 1] ?? zeros[h]!));
    layer = next;
  }
  return layer[0] ?? zeros[depth]!;
}

/** Literally the whole 2^depth-leaf tree, for small depths. */
function fullRoot(leaves: Uint8Array[], depth: number): Uint8Array {
  let layer = Array.from({ length: 2 ** depth }, (_, i) => leaves[i] ?? new Uint8Array(32));
  while (layer.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < layer.length; i += 2) next.push(H(layer[i]!, layer[i + 1]!));
    layer = next;
  }
  return layer[0]!;
}

function flipBit(bytes: Uint8Array, bitIndex: number): Uint8Array {
  const out = bytes.slice();
  out[bitIndex >> 3]! ^= 1 << (7 - (bitIndex % 8));
  return out;
}

describe("appendTreeZeroHashes", () => {
  it("matches the definition and the well-known values", () => {
    const z = appendTreeZeroHashes(32);
    expect(z.length).toBe(33);
    expect(z).toEqual(refZeros(32));
    expect(toHex(z[1]!)).toBe("0xf5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b");
    expect(toHex(z[2]!)).toBe("0xdb56114e00fdd4c1f85c892bf35ac9a89289aaecb1ebd0a96cde606a748b5d71");
  });

  it("returns copies", () => {
    appendTreeZeroHashes(4)[1]!.fill(7);
    expect(appendTreeZeroHashes(4)).toEqual(refZeros(4));
    expect(AppendMerkleTree.empty(4).root()).toEqual(refZeros(4)[4]);
  });

  it("rejects bad depths", () => {
    expect(() => appendTreeZeroHashes(-1)).toThrow(RangeError);
    expect(() => appendTreeZeroHashes(1.5)).toThrow(RangeError);
    expect(() => appendTreeZeroHashes(53)).toThrow(RangeError);
  });
});

describe("AppendMerkleTree: roots", () => {
  it("depth 4: every length from 0 to full matches the literal full tree", () => {
    const leaves = Array.from({ length: 16 }, (_, i) => leafOf(i));
    let t = AppendMerkleTree.empty(4);
    expect(t.depth).toBe(4);
    for (let n = 0; n <= 16; n++) {
      expect(t.length).toBe(n);
      expect(t.root()).toEqual(fullRoot(leaves.slice(0, n), 4));
      if (n < 16) t = t.append([leaves[n]!]);
    }
  });

  it("depth 32 (the default): lengths around powers of two match the naive recompute", () => {
    const lengths = [0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 31, 32, 33, 64, 65, 127, 128, 129, 1024, 1025];
    const leaves = Array.from({ length: 1025 }, (_, i) => leafOf(i));
    let t = AppendMerkleTree.empty();
    expect(t.depth).toBe(32);
    for (const n of lengths) {
      t = t.append(leaves.slice(t.length, n));
      expect(t.length).toBe(n);
      expect(t.root()).toEqual(naiveRoot(leaves.slice(0, n), 32));
    }
  });

  it("random batch sizes and depths give the naive root, and every old version keeps its root", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 12 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
        (depth, batchSizes, hashEarly) => {
          const capacity = 2 ** depth;
          const all: Uint8Array[] = [];
          let t = AppendMerkleTree.empty(depth);
          const versions: { tree: AppendMerkleTree; n: number }[] = [{ tree: t, n: 0 }];
          for (let b = 0; b < batchSizes.length; b++) {
            const size = Math.min(batchSizes[b]!, capacity - all.length);
            const batch = Array.from({ length: size }, (_, i) => leafOf(all.length + i));
            t = t.append(batch);
            all.push(...batch);
            if (hashEarly[b % hashEarly.length]) t.root();
            versions.push({ tree: t, n: all.length });
          }
          for (const { tree, n } of versions) {
            expect(tree.length).toBe(n);
            expect(tree.root()).toEqual(naiveRoot(all.slice(0, n), depth));
            for (let i = 0; i < n; i += Math.max(1, n >> 2)) expect(tree.leaf(i)).toEqual(all[i]);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it("depth 0 is a single slot whose root is the leaf", () => {
    const t = AppendMerkleTree.empty(0);
    expect(t.root()).toEqual(new Uint8Array(32));
    const one = t.append([leafOf(1)]);
    expect(one.root()).toEqual(leafOf(1));
    expect(one.prove(0)).toEqual([]);
    expect(verifyAppendProof(one.root(), leafOf(1), 0, [], 0)).toBe(true);
    expect(() => one.append([leafOf(2)])).toThrow(RangeError);
  });
});

describe("AppendMerkleTree: persistence and limits", () => {
  it("appending never changes the old tree", () => {
    const a = AppendMerkleTree.empty(8).append([leafOf(0), leafOf(1), leafOf(2)]);
    const rootA = a.root();
    const b = a.append([leafOf(3)]);
    const c = a.append([leafOf(99), leafOf(100)]); // a fork of the same base
    expect(a.length).toBe(3);
    expect(a.root()).toEqual(rootA);
    expect(() => a.leaf(3)).toThrow(RangeError);
    expect(b.leaf(3)).toEqual(leafOf(3));
    expect(c.leaf(3)).toEqual(leafOf(99));
    expect(b.root()).toEqual(naiveRoot([0, 1, 2, 3].map(leafOf), 8));
    expect(c.root()).toEqual(naiveRoot([0, 1, 2, 99, 100].map(leafOf), 8));
    expect(a.append([])).toBe(a);
  });

  it("appending beyond capacity throws RangeError and leaves the tree usable", () => {
    const t = AppendMerkleTree.empty(2).append([leafOf(0), leafOf(1), leafOf(2)]);
    expect(() => t.append([leafOf(3), leafOf(4)])).toThrow(RangeError);
    const full = t.append([leafOf(3)]);
    expect(full.length).toBe(4);
    expect(() => full.append([leafOf(4)])).toThrow(RangeError);
    expect(full.root()).toEqual(fullRoot([0, 1, 2, 3].map(leafOf), 2));
  });

  it("validates arguments", () => {
    const t = AppendMerkleTree.empty(4).append([leafOf(0)]);
    expect(() => AppendMerkleTree.empty(-1)).toThrow(RangeError);
    expect(() => AppendMerkleTree.empty(2.5)).toThrow(RangeError);
    expect(() => t.append([new Uint8Array(31)])).toThrow(RangeError);
    expect(() => t.append("nope" as unknown as Uint8Array[])).toThrow(TypeError);
    expect(() => t.leaf(1)).toThrow(RangeError);
    expect(() => t.leaf(-1)).toThrow(RangeError);
    expect(() => t.prove(1)).toThrow(RangeError);
    expect(() => t.prove(0.5)).toThrow(RangeError);
  });

  it("root(), leaf() and proofs are copies", () => {
    const t = AppendMerkleTree.empty(4).append([leafOf(0), leafOf(1)]);
    const root = t.root();
    t.root().fill(1);
    t.leaf(0).fill(2);
    for (const s of t.prove(1)) s.fill(3);
    expect(t.root()).toEqual(root);
    expect(t.leaf(0)).toEqual(leafOf(0));
    expect(AppendMerkleTree.empty(4).root()).toEqual(refZeros(4)[4]);
  });
});

describe("AppendMerkleTree: proofs", () => {
  function checkProofs(t: AppendMerkleTree, all: Uint8Array[], indices: number[]): void {
    const root = t.root();
    const depth = t.depth;
    for (const i of indices) {
      const proof = t.prove(i);
      expect(proof.length).toBe(depth);
      expect(verifyAppendProof(root, all[i]!, i, proof, depth)).toBe(true);
      expect(verifyAppendProof(root, flipBit(all[i]!, 3), i, proof, depth)).toBe(false);
      if (2 ** depth > 1) expect(verifyAppendProof(root, all[i]!, i ^ 1, proof, depth)).toBe(false);
      for (let s = 0; s < depth; s++) {
        const bad: Uint8Array[] = proof.map((x) => x.slice());
        bad[s] = flipBit(bad[s]!, (s * 13) % 256);
        expect(verifyAppendProof(root, all[i]!, i, bad, depth)).toBe(false);
      }
      if (depth > 0) expect(verifyAppendProof(root, all[i]!, i, proof.slice(1), depth)).toBe(false);
      expect(verifyAppendProof(root, all[i]!, i, [...proof, new Uint8Array(32)], depth)).toBe(false);
      expect(verifyAppendProof(flipBit(root, 0), all[i]!, i, proof, depth)).toBe(false);
    }
  }

  it("every index of small trees verifies; tampering fails", () => {
    for (const depth of [1, 2, 3, 4]) {
      for (let n = 1; n <= 2 ** depth; n++) {
        const all = Array.from({ length: n }, (_, i) => leafOf(i));
        const t = AppendMerkleTree.empty(depth).append(all);
        checkProofs(
          t,
          all,
          all.map((_, i) => i),
        );
      }
    }
  });

  it("depth 32 proofs verify with the default depth, siblings ordered from the leaf up", () => {
    const all = Array.from({ length: 300 }, (_, i) => leafOf(i));
    const t = AppendMerkleTree.empty().append(all.slice(0, 150)).append(all.slice(150));
    checkProofs(t, all, [0, 1, 2, 127, 128, 255, 256, 298, 299]);
    const proof = t.prove(5);
    expect(verifyAppendProof(t.root(), all[5]!, 5, proof)).toBe(true);
    // siblings[0] is the leaf's neighbour (index 4); the top ones are empty subtrees.
    expect(proof[0]).toEqual(all[4]);
    expect(proof[31]).toEqual(refZeros(32)[31]);
    // A proof for an index past the end proves the empty slot only against the zero leaf.
    expect(verifyAppendProof(t.root(), new Uint8Array(32), 300, t.prove(299), 32)).toBe(false);
  });

  it("verifyAppendProof returns false on malformed input and never throws", () => {
    const all = [leafOf(0), leafOf(1), leafOf(2)];
    const t = AppendMerkleTree.empty(4).append(all);
    const root = t.root();
    const proof = t.prove(2);
    expect(verifyAppendProof(root, all[2]!, 2, proof, 4)).toBe(true);
    expect(verifyAppendProof(root, all[2]!, 2, proof)).toBe(false); // default depth 32
    expect(verifyAppendProof(root, all[2]!, 2 + 16, proof, 4)).toBe(false);
    expect(verifyAppendProof(root, all[2]!, -1, proof, 4)).toBe(false);
    expect(verifyAppendProof(root, all[2]!, 1.5, proof, 4)).toBe(false);
    expect(verifyAppendProof(root, all[2]!, 2, proof, -1)).toBe(false);
    expect(verifyAppendProof(root, all[2]!, 2, proof, 99)).toBe(false);
    expect(verifyAppendProof(root.subarray(1), all[2]!, 2, proof, 4)).toBe(false);
    expect(verifyAppendProof(root, all[2]!.subarray(1), 2, proof, 4)).toBe(false);
    expect(verifyAppendProof(root, all[2]!, 2, [...proof.slice(0, 3), new Uint8Array(31)], 4)).toBe(false);
    expect(verifyAppendProof(root, all[2]!, 2, null as unknown as Uint8Array[], 4)).toBe(false);
    expect(verifyAppendProof(root, all[2]!, 2, ["x", "y", "z", "w"] as unknown as Uint8Array[], 4)).toBe(false);
  });
});

describe("AppendMerkleTree: hashing is incremental and batched", () => {
  it("appending k leaves to a big tree rehashes about k + depth nodes, one hashInto per level", () => {
    const state = { blocks: 0, calls: 0 };
    const counting: Hasher = {
      name: "counting",
      digest64(a, b) {
        state.blocks++;
        return nobleHasher.digest64(a, b);
      },
      hashInto(input, output) {
        state.blocks += input.length / 64;
        state.calls++;
        nobleHasher.hashInto(input, output);
      },
    };
    const base = AppendMerkleTree.empty(32).append(Array.from({ length: 2000 }, (_, i) => leafOf(i)));
    base.root();
    const previousHasher = getHasher();
    setHasher(counting);
    try {
      const next = base.append(Array.from({ length: 10 }, (_, i) => leafOf(5000 + i)));
      expect(state.blocks).toBe(0);
      next.root();
      expect(state.calls).toBeLessThanOrEqual(32);
      expect(state.blocks).toBeLessThanOrEqual(10 + 32 + 4);
      state.blocks = 0;
      next.root();
      base.root();
      next.prove(2005);
      expect(state.blocks).toBe(0);
    } finally {
      setHasher(previousHasher);
    }
  });
});
