/** Tests for the compact sparse Merkle tree: exact roots against a naive reference, persistence, proofs, hashing cost. */
import { createHash } from "node:crypto";
import { bytesEqual, compareBytes, toHex } from "@filverse/utils";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  getHasher,
  type Hasher,
  nobleHasher,
  type SmtProof,
  SparseMerkleTree,
  setHasher,
  smtLeafHash,
  verifySmtProof,
  ZERO_HASH,
} from "../../src/merkle.js";

// ---------- independent reference (node:crypto, no caching, straight from the definition) ----------

/** Reference leaf hash: sha256(0x00 ‖ key ‖ valueHash). */
function L(key: Uint8Array, valueHash: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(Uint8Array.of(0)).update(key).update(valueHash).digest());
}

function H(a: Uint8Array, b: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(a).update(b).digest());
}

function bit(key: Uint8Array, d: number): number {
  return (key[d >> 3]! >> (7 - (d % 8))) & 1;
}

type Pair = { key: Uint8Array; valueHash: Uint8Array };

function refRoot(pairs: Pair[], depth = 0): Uint8Array {
  if (pairs.length === 0) return new Uint8Array(32);
  if (pairs.length === 1) return L(pairs[0]!.key, pairs[0]!.valueHash);
  const left = pairs.filter((p) => bit(p.key, depth) === 0);
  const right = pairs.filter((p) => bit(p.key, depth) === 1);
  return H(refRoot(left, depth + 1), refRoot(right, depth + 1));
}

function refRootOfModel(model: Map<string, Pair>): Uint8Array {
  return refRoot([...model.values()]);
}

// ---------- helpers ----------

function key(hex: string): Uint8Array {
  const k = new Uint8Array(32);
  k.set(Buffer.from(hex, "hex"));
  return k;
}

function vhOf(n: number): Uint8Array {
  return new Uint8Array(createHash("sha256").update(`value-${n}`).digest());
}

function keyOf(n: number): Uint8Array {
  return new Uint8Array(createHash("sha256").update(`key-${n}`).digest());
}

function flipBit(bytes: Uint8Array, bitIndex: number): Uint8Array {
  const out = bytes.slice();
  out[bitIndex >> 3]! ^= 1 << (7 - (bitIndex % 8));
  return out;
}

function cloneProof(p: SmtProof): SmtProof {
  return {
    key: p.key.slice(),
    siblings: p.siblings.map((s) => s.slice()),
    leaf: p.leaf === null ? null : { key: p.leaf.key.slice(), valueHash: p.leaf.valueHash.slice() },
  };
}

/** Keys with 0-3 leading zero bytes, so long shared prefixes (one-sided branches) are common. */
const keyArb = fc
  .tuple(fc.integer({ min: 0, max: 3 }), fc.uint8Array({ minLength: 32, maxLength: 32 }))
  .map(([zeros, bytes]) => {
    const k = bytes.slice();
    k.fill(0, 0, zeros);
    return k;
  });

const vhArb = fc.uint8Array({ minLength: 32, maxLength: 32 });

/** A pool of distinct keys, including twins that differ only in the last bit (branches at depth 255). */
const keyPoolArb = fc
  .tuple(fc.uniqueArray(keyArb, { minLength: 1, maxLength: 24, selector: toHex }), fc.integer({ min: 0, max: 4 }))
  .map(([keys, twins]) => {
    const pool: Uint8Array[] = [...keys];
    const seen = new Set(pool.map(toHex));
    for (let i = 0; i < Math.min(twins, keys.length); i++) {
      const twin = flipBit(keys[i]!, 255);
      if (!seen.has(toHex(twin))) {
        seen.add(toHex(twin));
        pool.push(twin);
      }
    }
    return pool;
  });

function treeOf(pairs: Pair[]): SparseMerkleTree<string> {
  return SparseMerkleTree.empty<string>().update(
    pairs.map((p) => ({ key: p.key, value: toHex(p.valueHash), valueHash: p.valueHash })),
  );
}

// ---------- hand-computed roots ----------

describe("SparseMerkleTree: exact roots", () => {
  it("empty tree has root ZERO", () => {
    const t = SparseMerkleTree.empty<number>();
    expect(t.root()).toEqual(ZERO_HASH);
    expect(t.size).toBe(0);
    expect([...t.entries()]).toEqual([]);
  });

  it("a single leaf's root is its leaf hash, at any key", () => {
    const k = keyOf(1);
    const vh = vhOf(1);
    const t = SparseMerkleTree.empty<number>().update([{ key: k, value: 1, valueHash: vh }]);
    expect(t.root()).toEqual(smtLeafHash(k, vh));
    expect(t.root()).toEqual(L(k, vh));
    expect(t.size).toBe(1);
  });

  it("two leaves differing in the first bit: H(left ‖ right), in either insertion order", () => {
    const a = key("00");
    const b = key("80");
    const la = L(a, vhOf(1));
    const lb = L(b, vhOf(2));
    const expected = H(la, lb);
    const t1 = SparseMerkleTree.empty<number>().update([
      { key: a, value: 1, valueHash: vhOf(1) },
      { key: b, value: 2, valueHash: vhOf(2) },
    ]);
    const t2 = SparseMerkleTree.empty<number>()
      .update([{ key: b, value: 2, valueHash: vhOf(2) }])
      .update([{ key: a, value: 1, valueHash: vhOf(1) }]);
    expect(t1.root()).toEqual(expected);
    expect(t2.root()).toEqual(expected);
  });

  it("keys sharing a 3-bit prefix make one-sided branches, and deletes re-compact", () => {
    // A = 1010…, B = 1011…: they share "101" and split at depth 3. C = 0… sits alone on the left.
    const A = key("a0");
    const B = key("b0");
    const C = key("00");
    const lA = L(A, vhOf(1));
    const lB = L(B, vhOf(2));
    const lC = L(C, vhOf(3));
    const Z = new Uint8Array(32);

    const ab = SparseMerkleTree.empty<number>().update([
      { key: B, value: 2, valueHash: vhOf(2) },
      { key: A, value: 1, valueHash: vhOf(1) },
    ]);
    const d3 = H(lA, lB); // depth 3: A left, B right
    const d2 = H(Z, d3); // depth 2: bit 2 is 1 for both
    const d1 = H(d2, Z); // depth 1: bit 1 is 0 for both
    expect(ab.root()).toEqual(H(Z, d1)); // depth 0: bit 0 is 1 for both

    const abc = ab.update([{ key: C, value: 3, valueHash: vhOf(3) }]);
    expect(abc.root()).toEqual(H(lC, d1));
    expect(abc.size).toBe(3);

    // The proof for A walks the one-sided chain and ends at A itself.
    const proof = abc.prove(A);
    expect(proof.siblings).toEqual([lC, Z, Z, lB]);
    expect(proof.leaf).toEqual({ key: A, valueHash: vhOf(1) });
    expect(verifySmtProof(abc.root(), A, vhOf(1), proof)).toBe(true);

    // Deleting B leaves A alone on the right: it is lifted all the way to depth 1.
    const ac = abc.update([{ key: B, value: null }]);
    expect(ac.root()).toEqual(H(lC, lA));
    expect(ac.prove(A).siblings).toEqual([lC]);
    expect(ac.size).toBe(2);

    const a = ac.update([{ key: C, value: null }]);
    expect(a.root()).toEqual(lA);
    expect(a.update([{ key: A, value: null }]).root()).toEqual(Z);
  });

  it("keys differing only in the last bit give a 256-deep path", () => {
    const k1 = key("");
    const k2 = flipBit(k1, 255);
    const t = SparseMerkleTree.empty<number>().update([
      { key: k2, value: 2, valueHash: vhOf(2) },
      { key: k1, value: 1, valueHash: vhOf(1) },
    ]);
    expect(t.root()).toEqual(
      refRoot([
        { key: k1, valueHash: vhOf(1) },
        { key: k2, valueHash: vhOf(2) },
      ]),
    );
    const p = t.prove(k1);
    expect(p.siblings.length).toBe(256);
    expect(verifySmtProof(t.root(), k1, vhOf(1), p)).toBe(true);
    expect(t.update([{ key: k2, value: null }]).root()).toEqual(L(k1, vhOf(1)));
  });
});

// ---------- API behaviour ----------

describe("SparseMerkleTree: API", () => {
  it("get / getLeaf / entries / size", () => {
    const pairs = Array.from({ length: 50 }, (_, i) => ({ key: keyOf(i), valueHash: vhOf(i) }));
    const t = SparseMerkleTree.empty<number>().update(pairs.map((p, i) => ({ ...p, value: i })));
    expect(t.size).toBe(50);
    for (let i = 0; i < 50; i++) {
      expect(t.get(keyOf(i))).toBe(i);
      expect(t.getLeaf(keyOf(i))).toEqual({ key: keyOf(i), value: i, valueHash: vhOf(i) });
    }
    expect(t.get(keyOf(1000))).toBeUndefined();
    expect(t.getLeaf(keyOf(1000))).toBeUndefined();
    const listed = [...t.entries()];
    const sortedKeys = pairs.map((p) => p.key).sort(compareBytes);
    expect(listed.map((e) => e.key)).toEqual(sortedKeys);
    for (const e of listed) expect(e.valueHash).toEqual(vhOf(e.value));
  });

  it("duplicate keys in one batch: the last wins", () => {
    const k = keyOf(7);
    const t = SparseMerkleTree.empty<number>().update([
      { key: k, value: 1, valueHash: vhOf(1) },
      { key: keyOf(8), value: 8, valueHash: vhOf(8) },
      { key: k, value: 2, valueHash: vhOf(2) },
    ]);
    expect(t.get(k)).toBe(2);
    expect(t.size).toBe(2);
    const deleted = t.update([
      { key: k, value: 3, valueHash: vhOf(3) },
      { key: k, value: null },
    ]);
    expect(deleted.get(k)).toBeUndefined();
    expect(deleted.size).toBe(1);
    const reinserted = t.update([
      { key: k, value: null },
      { key: k, value: 4, valueHash: vhOf(4) },
    ]);
    expect(reinserted.get(k)).toBe(4);
    expect(reinserted.size).toBe(2);
  });

  it("no-op updates return the same tree", () => {
    const t = SparseMerkleTree.empty<number>().update([{ key: keyOf(1), value: 1, valueHash: vhOf(1) }]);
    expect(t.update([])).toBe(t);
    expect(t.update([{ key: keyOf(2), value: null }])).toBe(t);
    expect(
      SparseMerkleTree.empty<number>()
        .update([{ key: keyOf(2), value: null }])
        .root(),
    ).toEqual(ZERO_HASH);
    const big = SparseMerkleTree.empty<number>().update(
      Array.from({ length: 64 }, (_, i) => ({ key: keyOf(i), value: i, valueHash: vhOf(i) })),
    );
    expect(
      big.update([
        { key: keyOf(100), value: null },
        { key: keyOf(101), value: null },
      ]),
    ).toBe(big);
  });

  it("validates arguments", () => {
    const t = SparseMerkleTree.empty<number>();
    expect(() => t.update([{ key: new Uint8Array(31), value: 1, valueHash: vhOf(1) }])).toThrow(RangeError);
    expect(() => t.update([{ key: new Uint8Array(31), value: null }])).toThrow(RangeError);
    expect(() => t.update([{ key: keyOf(1), value: 1 }])).toThrow(TypeError);
    expect(() => t.update([{ key: keyOf(1), value: 1, valueHash: new Uint8Array(33) }])).toThrow(RangeError);
    expect(() => t.get(new Uint8Array(33))).toThrow(RangeError);
    expect(() => t.prove(new Uint8Array(0))).toThrow(RangeError);
  });

  it("root() returns a copy, so mutating it cannot corrupt the tree", () => {
    const t = SparseMerkleTree.empty<number>().update([
      { key: keyOf(1), value: 1, valueHash: vhOf(1) },
      { key: keyOf(2), value: 2, valueHash: vhOf(2) },
    ]);
    const r = t.root();
    const saved = r.slice();
    r.fill(0xff);
    expect(t.root()).toEqual(saved);
    SparseMerkleTree.empty<number>().root().fill(1);
    expect(SparseMerkleTree.empty<number>().root()).toEqual(new Uint8Array(32));
    expect(ZERO_HASH).toEqual(new Uint8Array(32));
  });
});

// ---------- random sequences against the reference ----------

type Op = { idx: number; del: boolean; vh: Uint8Array };

const scenarioArb = keyPoolArb.chain((pool) =>
  fc.record({
    pool: fc.constant(pool),
    ops: fc.array(fc.record<Op>({ idx: fc.nat({ max: pool.length - 1 }), del: fc.boolean(), vh: vhArb }), {
      minLength: 0,
      maxLength: 60,
    }),
    batchSizes: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 8 }),
    hashEarly: fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }),
  }),
);

describe("SparseMerkleTree: matches the reference definition", () => {
  it("random insert/update/delete batches give the reference root; old versions stay intact", () => {
    fc.assert(
      fc.property(scenarioArb, ({ pool, ops, batchSizes, hashEarly }) => {
        const model = new Map<string, Pair & { value: string }>();
        let tree = SparseMerkleTree.empty<string>();
        const history: { tree: SparseMerkleTree<string>; model: Map<string, Pair & { value: string }> }[] = [
          { tree, model: new Map() },
        ];
        let pos = 0;
        for (let b = 0; pos < ops.length; b++) {
          const size = batchSizes[b % batchSizes.length]!;
          const batch = ops.slice(pos, pos + size);
          pos += size;
          tree = tree.update(
            batch.map((op) =>
              op.del
                ? { key: pool[op.idx]!, value: null }
                : { key: pool[op.idx]!, value: toHex(op.vh), valueHash: op.vh },
            ),
          );
          for (const op of batch) {
            const k = pool[op.idx]!;
            if (op.del) model.delete(toHex(k));
            else model.set(toHex(k), { key: k, valueHash: op.vh, value: toHex(op.vh) });
          }
          // Hash some versions right away and leave others lazy, so later versions share both kinds.
          if (hashEarly[b % hashEarly.length]) tree.root();
          history.push({ tree, model: new Map(model) });
        }

        for (const { tree: t, model: m } of history) {
          expect(t.root()).toEqual(refRootOfModel(m));
          expect(t.size).toBe(m.size);
          for (const k of pool) expect(t.get(k)).toBe(m.get(toHex(k))?.value);
          expect([...t.entries()].map((e) => toHex(e.key))).toEqual([...m.keys()].sort());
        }

        // Order and batching independence: the whole sequence as one batch, and the final set built
        // from scratch in reverse key order one leaf at a time.
        const oneBatch = SparseMerkleTree.empty<string>().update(
          ops.map((op) =>
            op.del ? { key: pool[op.idx]!, value: null } : { key: pool[op.idx]!, value: "", valueHash: op.vh },
          ),
        );
        expect(oneBatch.root()).toEqual(tree.root());
        let rebuilt = SparseMerkleTree.empty<string>();
        for (const p of [...model.values()].sort((a, b) => compareBytes(b.key, a.key))) {
          rebuilt = rebuilt.update([{ key: p.key, value: p.value, valueHash: p.valueHash }]);
        }
        expect(rebuilt.root()).toEqual(tree.root());
      }),
      { numRuns: 200 },
    );
  });

  it("deleting everything in random chunks returns to ZERO through the compact forms", () => {
    fc.assert(
      fc.property(keyPoolArb, fc.integer({ min: 1, max: 5 }), (pool, chunk) => {
        const pairs = pool.map((k, i) => ({ key: k, valueHash: vhOf(i) }));
        let t = treeOf(pairs);
        let remaining = [...pairs];
        while (remaining.length > 0) {
          const gone = remaining.slice(0, chunk);
          remaining = remaining.slice(chunk);
          t = t.update(gone.map((p) => ({ key: p.key, value: null })));
          expect(t.root()).toEqual(refRoot(remaining));
          expect(t.size).toBe(remaining.length);
        }
        expect(t.root()).toEqual(ZERO_HASH);
      }),
      { numRuns: 100 },
    );
  });
});

// ---------- persistence ----------

describe("SparseMerkleTree: persistence", () => {
  it("updating never changes the old tree", () => {
    const base = treeOf(Array.from({ length: 100 }, (_, i) => ({ key: keyOf(i), valueHash: vhOf(i) })));
    const baseRoot = base.root();
    const next = base.update([
      { key: keyOf(1), value: null },
      { key: keyOf(2), value: "changed", valueHash: vhOf(999) },
      { key: keyOf(500), value: "new", valueHash: vhOf(500) },
    ]);
    expect(next.root()).not.toEqual(baseRoot);
    expect(base.root()).toEqual(baseRoot);
    expect(base.get(keyOf(1))).toBe(toHex(vhOf(1)));
    expect(base.get(keyOf(2))).toBe(toHex(vhOf(2)));
    expect(base.get(keyOf(500))).toBeUndefined();
    expect(base.size).toBe(100);
    expect(next.size).toBe(100);
    expect(next.get(keyOf(1))).toBeUndefined();
    expect(next.get(keyOf(2))).toBe("changed");
  });
});

// ---------- proofs ----------

function expectTamperedFails(root: Uint8Array, k: Uint8Array, vh: Uint8Array | null, proof: SmtProof): void {
  const verify = (p: SmtProof, kk = k, v = vh): boolean => verifySmtProof(root, kk, v, p);
  // Every level for short proofs; a spread sample for the 256-deep ones, to keep the suite fast.
  const step = Math.max(1, Math.floor(proof.siblings.length / 12));
  const levels = new Set<number>([proof.siblings.length - 1]);
  for (let i = 0; i < proof.siblings.length; i += step) levels.add(i);
  for (const i of levels) {
    if (i < 0) continue;
    const p = cloneProof(proof);
    p.siblings[i] = flipBit(p.siblings[i]!, (i * 37) % 256);
    expect(verify(p)).toBe(false);
  }
  if (proof.siblings.length > 0) {
    const dropLast = cloneProof(proof);
    dropLast.siblings.pop();
    expect(verify(dropLast)).toBe(false);
    const dropFirst = cloneProof(proof);
    dropFirst.siblings.shift();
    expect(verify(dropFirst)).toBe(false);
  }
  if (proof.siblings.length < 256) {
    const addLast = cloneProof(proof);
    addLast.siblings.push(new Uint8Array(32));
    expect(verify(addLast)).toBe(false);
    const addFirst = cloneProof(proof);
    addFirst.siblings.unshift(vhOf(12345));
    expect(verify(addFirst)).toBe(false);
  }
  if (proof.leaf !== null) {
    const badVh = cloneProof(proof);
    badVh.leaf!.valueHash = flipBit(badVh.leaf!.valueHash, 7);
    expect(verify(badVh)).toBe(false);
  }
  if (vh !== null) {
    // Membership: any change to the claimed value or key must fail.
    expect(verify(proof, k, flipBit(vh, 200))).toBe(false);
    for (const b of [0, proof.siblings.length, 255]) {
      const k2 = flipBit(k, Math.min(b, 255));
      expect(verify({ ...cloneProof(proof), key: k2 }, k2)).toBe(false);
    }
    const badLeafKey = cloneProof(proof);
    badLeafKey.leaf!.key = flipBit(badLeafKey.leaf!.key, 255);
    expect(verify(badLeafKey)).toBe(false);
  } else {
    // Absence: moving the key off the proven path must fail.
    for (let b = 0; b < proof.siblings.length; b += Math.max(1, proof.siblings.length >> 2)) {
      const k2 = flipBit(k, b);
      expect(verify({ ...cloneProof(proof), key: k2 }, k2)).toBe(false);
    }
  }
}

describe("SparseMerkleTree: proofs", () => {
  const kinds = { membership: 0, endsAtEmpty: 0, endsAtOtherLeaf: 0 };

  it("membership and non-membership proofs verify; tampered ones and false claims fail", () => {
    fc.assert(
      fc.property(keyPoolArb, fc.array(keyArb, { maxLength: 10 }), (pool, extra) => {
        const presentCount = Math.max(0, pool.length - 3);
        const present = pool.slice(0, presentCount).map((k, i) => ({ key: k, valueHash: vhOf(i) }));
        const presentSet = new Set(present.map((p) => toHex(p.key)));
        const t = treeOf(present);
        const root = t.root();
        expect(root).toEqual(refRoot(present));

        for (const p of present) {
          const proof = t.prove(p.key);
          kinds.membership++;
          expect(verifySmtProof(root, p.key, p.valueHash, proof)).toBe(true);
          // A present key cannot be proven absent, with its own proof or a doctored one.
          expect(verifySmtProof(root, p.key, null, proof)).toBe(false);
          expect(verifySmtProof(root, p.key, null, { ...cloneProof(proof), leaf: null })).toBe(false);
          expectTamperedFails(root, p.key, p.valueHash, proof);
        }

        // Absent keys: the rest of the pool (often deep twins of present keys), random keys, and
        // near-misses of present keys (last bit flipped: shares a long prefix with a real leaf).
        const absent = [...pool.slice(presentCount), ...extra, ...present.map((p) => flipBit(p.key, 254))].filter(
          (k) => !presentSet.has(toHex(k)),
        );
        for (const k of absent) {
          const proof = t.prove(k);
          if (proof.leaf === null) kinds.endsAtEmpty++;
          else kinds.endsAtOtherLeaf++;
          expect(verifySmtProof(root, k, null, proof)).toBe(true);
          // A membership claim for an absent key fails, whatever valueHash and leaf are claimed.
          expect(verifySmtProof(root, k, vhOf(1), proof)).toBe(false);
          expect(verifySmtProof(root, k, vhOf(1), { ...cloneProof(proof), leaf: { key: k, valueHash: vhOf(1) } })).toBe(
            false,
          );
          if (proof.leaf !== null) {
            expect(
              verifySmtProof(root, k, proof.leaf.valueHash, {
                ...cloneProof(proof),
                leaf: { key: k, valueHash: proof.leaf.valueHash },
              }),
            ).toBe(false);
          }
          expectTamperedFails(root, k, null, proof);
        }
      }),
      { numRuns: 150 },
    );
    expect(kinds.membership).toBeGreaterThan(0);
    expect(kinds.endsAtEmpty).toBeGreaterThan(0);
    expect(kinds.endsAtOtherLeaf).toBeGreaterThan(0);
  });

  it("both kinds of non-membership proof on a fixed tree", () => {
    // Left half: C alone (lifted to depth 1). Right half: A and B share "101", so "11…" is empty.
    const t = treeOf([
      { key: key("a0"), valueHash: vhOf(1) },
      { key: key("b0"), valueHash: vhOf(2) },
      { key: key("00"), valueHash: vhOf(3) },
    ]);
    const root = t.root();
    const atLeaf = t.prove(key("40")); // 01…: walk ends at C
    expect(atLeaf.leaf?.key).toEqual(key("00"));
    expect(atLeaf.siblings.length).toBe(1);
    expect(verifySmtProof(root, key("40"), null, atLeaf)).toBe(true);
    const atEmpty = t.prove(key("c0")); // 11…: walk ends at the empty side of the depth-1 branch
    expect(atEmpty.leaf).toBeNull();
    expect(atEmpty.siblings.length).toBe(2);
    expect(verifySmtProof(root, key("c0"), null, atEmpty)).toBe(true);
    // The empty tree proves every key absent with an empty proof.
    const empty = SparseMerkleTree.empty<string>();
    expect(verifySmtProof(ZERO_HASH, key("c0"), null, empty.prove(key("c0")))).toBe(true);
    expect(verifySmtProof(ZERO_HASH, key("c0"), vhOf(1), empty.prove(key("c0")))).toBe(false);
  });

  it("proveLastSibling: the preimage of the last sibling, a leaf or a branch", () => {
    // Same tree: C alone on the left; A and B under "101" on the right.
    const t = treeOf([
      { key: key("a0"), valueHash: vhOf(1) },
      { key: key("b0"), valueHash: vhOf(2) },
      { key: key("00"), valueHash: vhOf(3) },
    ]);
    // A's last sibling is B, a leaf.
    const a = t.prove(key("a0"));
    const leaf = t.proveLastSibling(key("a0"));
    expect(leaf?.leaf).toEqual({ key: key("b0"), valueHash: vhOf(2) });
    expect(smtLeafHash(leaf!.leaf!.key, leaf!.leaf!.valueHash)).toEqual(a.siblings.at(-1));
    // C's only sibling is the right half, a branch: its children hash to it.
    const c = t.prove(key("00"));
    const branch = t.proveLastSibling(key("00"));
    expect(branch?.branch).toBeDefined();
    expect(getHasher().digest64(branch!.branch!.left, branch!.branch!.right)).toEqual(c.siblings.at(-1));
    // No siblings, no preimage.
    expect(treeOf([{ key: key("a0"), valueHash: vhOf(1) }]).proveLastSibling(key("a0"))).toBeNull();
    expect(SparseMerkleTree.empty<string>().proveLastSibling(key("a0"))).toBeNull();
  });

  it("proofs are copies: tampering with one does not touch the tree", () => {
    const t = treeOf(Array.from({ length: 10 }, (_, i) => ({ key: keyOf(i), valueHash: vhOf(i) })));
    const root = t.root();
    const p = t.prove(keyOf(3));
    for (const s of p.siblings) s.fill(0xaa);
    p.leaf!.valueHash.fill(0xbb);
    expect(t.root()).toEqual(root);
    expect(verifySmtProof(root, keyOf(3), vhOf(3), t.prove(keyOf(3)))).toBe(true);
  });

  // Leaf/branch confusion: were leaves hashed like branches (sha256 of 64 bytes), the two child hashes
  // of any branch could be passed off as a "leaf" (key = left hash, valueHash = right hash); at the
  // root with no grinding at all. Leaves hash 65 bytes (0x00 prefix), so these forgeries fail.
  describe("leaf/branch domain separation", () => {
    const pairs = Array.from({ length: 8 }, (_, i) => ({ key: keyOf(i), valueHash: vhOf(i) }));
    const t = treeOf(pairs);
    const root = t.root();
    const left = rootChild(t, 0);
    const right = rootChild(t, 1);
    it("the root is H(left ‖ right) of the recovered children", () => {
      expect(H(left, right)).toEqual(root);
    });

    it("rejects a forged non-membership proof for a present key", () => {
      const forged: SmtProof = { key: keyOf(3), siblings: [], leaf: { key: left, valueHash: right } };
      expect(verifySmtProof(root, keyOf(3), null, forged)).toBe(false);
    });

    it("rejects a forged membership proof for an absent key", () => {
      const forged: SmtProof = { key: left, siblings: [], leaf: { key: left, valueHash: right } };
      expect(t.get(left)).toBeUndefined();
      expect(verifySmtProof(root, left, right, forged)).toBe(false);
    });
  });

  it("verifySmtProof returns false on malformed input and never throws", () => {
    const t = treeOf(Array.from({ length: 10 }, (_, i) => ({ key: keyOf(i), valueHash: vhOf(i) })));
    const root = t.root();
    const k = keyOf(3);
    const good = t.prove(k);
    expect(verifySmtProof(root, k, vhOf(3), good)).toBe(true);
    const bad: unknown[] = [
      null,
      undefined,
      {},
      { key: k, siblings: null, leaf: null },
      { key: k, siblings: [new Uint8Array(31)], leaf: null },
      { key: k, siblings: ["x"], leaf: null },
      { key: k, siblings: Array.from({ length: 257 }, () => new Uint8Array(32)), leaf: null },
      { ...good, leaf: { key: new Uint8Array(31), valueHash: vhOf(3) } },
      { ...good, leaf: { key: k } },
      { ...good, leaf: 5 },
      { ...good, key: new Uint8Array(5) },
    ];
    for (const p of bad) {
      expect(verifySmtProof(root, k, vhOf(3), p as SmtProof)).toBe(false);
      expect(verifySmtProof(root, k, null, p as SmtProof)).toBe(false);
    }
    expect(verifySmtProof(root.subarray(1), k, vhOf(3), good)).toBe(false);
    expect(verifySmtProof(root, k.subarray(1), vhOf(3), good)).toBe(false);
    expect(verifySmtProof(root, k, vhOf(3).subarray(1), good)).toBe(false);
    expect(verifySmtProof(null as unknown as Uint8Array, k, vhOf(3), good)).toBe(false);
  });
});

/** The hash of the root's child on side `side`, recomputed from a proof that walks into that side. */
function rootChild(t: SparseMerkleTree<string>, side: 0 | 1): Uint8Array {
  const probe = new Uint8Array(32);
  if (side === 1) probe[0] = 0x80;
  const proof = t.prove(probe);
  let h = proof.leaf === null ? new Uint8Array(32) : L(proof.leaf.key, proof.leaf.valueHash);
  for (let d = proof.siblings.length - 1; d >= 1; d--) {
    h = bit(probe, d) === 1 ? H(proof.siblings[d]!, h) : H(h, proof.siblings[d]!);
  }
  return h;
}

// ---------- hashing cost ----------

function countingHasher(): { hasher: Hasher; blocks: number; calls: number[] } {
  const state = {
    blocks: 0,
    calls: [] as number[],
    hasher: {
      name: "counting",
      digest64(a: Uint8Array, b: Uint8Array): Uint8Array {
        state.blocks++;
        return nobleHasher.digest64(a, b);
      },
      hashInto(input: Uint8Array, output: Uint8Array): void {
        state.blocks += input.length / 64;
        state.calls.push(input.length / 64);
        nobleHasher.hashInto(input, output);
      },
    } as Hasher,
  };
  return state;
}

describe("SparseMerkleTree: hashing is incremental and batched", () => {
  it("root() after k updates in a tree of n costs about k·log2(n) hashes, in level batches", () => {
    const n = 4096;
    const k = 16;
    const c = 4;
    const base = treeOf(Array.from({ length: n }, (_, i) => ({ key: keyOf(i), valueHash: vhOf(i) })));
    const counter = countingHasher();
    const previousHasher = getHasher();
    setHasher(counter.hasher);
    try {
      base.root();
      // Leaves hash 65 bytes outside the 64-byte hasher; branches go through it one batch per depth.
      expect(counter.calls.length).toBeLessThanOrEqual(64);
      expect(counter.blocks).toBeLessThan(3 * n);

      counter.blocks = 0;
      base.root();
      expect(counter.blocks).toBe(0);

      const bound = k * (Math.ceil(Math.log2(n)) + c);
      const scenarios: { key: Uint8Array; value: string | null; valueHash?: Uint8Array }[][] = [
        Array.from({ length: k }, (_, i) => ({ key: keyOf(i * 101), value: "u", valueHash: vhOf(n + i) })),
        Array.from({ length: k }, (_, i) => ({ key: keyOf(n + i), value: "i", valueHash: vhOf(i) })),
        Array.from({ length: k }, (_, i) => ({ key: keyOf(i * 37), value: null })),
      ];
      for (const entries of scenarios) {
        counter.blocks = 0;
        counter.calls = [];
        const next = base.update(entries);
        expect(counter.blocks).toBe(0); // update() hashes nothing
        next.root();
        expect(counter.blocks).toBeLessThanOrEqual(bound);
        expect(counter.blocks).toBeLessThan(n / 8);
        // One call per depth that has dirty branches, never one per node.
        expect(counter.calls.length).toBeLessThanOrEqual(40);
        // Shared structure with the base is never rehashed.
        counter.blocks = 0;
        base.root();
        next.root();
        expect(counter.blocks).toBe(0);
      }

      // Proving hashes nothing new either.
      counter.blocks = 0;
      base.prove(keyOf(5));
      expect(counter.blocks).toBe(0);
    } finally {
      setHasher(previousHasher);
    }
  });

  it("the root is the same under any Hasher implementing the interface", () => {
    const pairs = Array.from({ length: 300 }, (_, i) => ({ key: keyOf(i), valueHash: vhOf(i) }));
    const nodeHasher: Hasher = {
      name: "node",
      digest64: (a, b) => H(a, b),
      hashInto(input, output) {
        for (let i = 0; i < input.length / 64; i++) {
          output.set(
            createHash("sha256")
              .update(input.subarray(i * 64, i * 64 + 64))
              .digest(),
            i * 32,
          );
        }
      },
    };
    const previousHasher = getHasher();
    setHasher(nodeHasher);
    let viaNode: Uint8Array;
    try {
      viaNode = treeOf(pairs).root();
    } finally {
      setHasher(previousHasher);
    }
    expect(viaNode).toEqual(treeOf(pairs).root());
    expect(bytesEqual(viaNode, refRoot(pairs))).toBe(true);
  });
});
