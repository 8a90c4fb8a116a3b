import { MAX_BLOCK_DEPOSITS, MAX_BLOCK_TXS } from "@filverse/params";
import { HashListSsz } from "@filverse/types";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { getHasher } from "../../src/hasher.js";
import { sszListDepth, sszListProof, sszListRoot } from "../../src/sszList.js";

const LIMIT = MAX_BLOCK_DEPOSITS + MAX_BLOCK_TXS;

function lengthChunk(n: number): Uint8Array {
  const c = new Uint8Array(32);
  new DataView(c.buffer).setBigUint64(0, BigInt(n), true);
  return c;
}

function rootFrom(leaf: Uint8Array, index: number, siblings: Uint8Array[]): Uint8Array {
  const h = getHasher();
  let node = leaf;
  siblings.forEach((s, i) => {
    node = (index >> i) & 1 ? h.digest64(s, node) : h.digest64(node, s);
  });
  return node;
}

describe("sszListProof", () => {
  it("proves every item of random lists against ChainSafe's List[Bytes32] root, and the length past the end", () => {
    const item = fc.uint8Array({ minLength: 32, maxLength: 32 });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 40 }), fc.nat(), (items, pick) => {
        const root = HashListSsz.hashTreeRoot(items);
        const h = getHasher();
        const index = items.length === 0 ? 0 : pick % (items.length + 1);
        const p = sszListProof(items, index, LIMIT);
        expect(p.siblings.length).toBe(sszListDepth(LIMIT));
        expect(h.digest64(p.dataRoot, lengthChunk(items.length))).toEqual(root);
        const leaf = items[index] ?? new Uint8Array(32);
        expect(rootFrom(leaf, index, p.siblings)).toEqual(p.dataRoot);
      }),
      { numRuns: 50 },
    );
  });

  it("refuses an index outside the tree and a list over its limit", () => {
    expect(() => sszListProof([], 2 ** 17, LIMIT)).toThrow(RangeError);
    expect(() => sszListProof([new Uint8Array(32), new Uint8Array(32)], 0, 1)).toThrow(RangeError);
  });
});

describe("sszListRoot", () => {
  it("is ChainSafe's List[Bytes32] hash_tree_root for random lists, and sszListProof's root at small limits", () => {
    const item = fc.uint8Array({ minLength: 32, maxLength: 32 });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 300 }), (items) => {
        expect(sszListRoot(items, LIMIT)).toEqual(HashListSsz.hashTreeRoot(items));
      }),
      { numRuns: 60 },
    );
    // sszListProof hashes pair by pair (checked against ChainSafe above): the same root at any limit.
    const h = getHasher();
    for (const limit of [1, 2, 3, 5, 8, 9, 64]) {
      fc.assert(
        fc.property(fc.array(item, { maxLength: limit }), (items) => {
          const expected = h.digest64(sszListProof(items, 0, limit).dataRoot, lengthChunk(items.length));
          expect(sszListRoot(items, limit)).toEqual(expected);
        }),
        { numRuns: 20 },
      );
    }
  });

  it("refuses a list over its limit and an item that is not 32 bytes", () => {
    expect(() => sszListRoot([new Uint8Array(32), new Uint8Array(32)], 1)).toThrow(RangeError);
    expect(() => sszListRoot([new Uint8Array(31)], LIMIT)).toThrow(RangeError);
  });
});
