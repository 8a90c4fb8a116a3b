/** A tree that keeps its values serialized (a codec) commits and proves exactly as one that keeps them as objects. */
import { createHash } from "node:crypto";
import { toHex } from "@filverse/utils";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type SmtValueCodec, SparseMerkleTree, verifySmtProof } from "../../src/merkle.js";

type Rec = { n: number; label: string };

let decodes = 0;
const recCodec: SmtValueCodec<Rec> = {
  encode: (r) => new TextEncoder().encode(JSON.stringify(r)),
  decode(bytes) {
    decodes++;
    return JSON.parse(new TextDecoder().decode(bytes)) as Rec;
  },
};

const sha = (s: string) => new Uint8Array(createHash("sha256").update(s).digest());
const keyOf = (i: number) => sha(`key-${i}`);
const vhOf = (r: Rec) => sha(JSON.stringify(r));

describe("SparseMerkleTree with a value codec", () => {
  it("same roots, proofs and entries as a plain tree, over random batches; old versions stay readable", () => {
    const opArb = fc.array(
      fc.record({ k: fc.integer({ min: 0, max: 40 }), del: fc.boolean(), label: fc.string({ maxLength: 300 }) }),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 6 }), (batches) => {
        let plain = SparseMerkleTree.empty<Rec>();
        let coded = SparseMerkleTree.empty<Rec>(recCodec);
        const history: { coded: SparseMerkleTree<Rec>; model: Map<number, Rec>; root: Uint8Array }[] = [];
        const model = new Map<number, Rec>();
        for (const batch of batches) {
          const updates = batch.map(({ k, del, label }) => {
            if (del) {
              model.delete(k);
              return { key: keyOf(k), value: null };
            }
            const value = { n: k, label };
            model.set(k, value);
            return { key: keyOf(k), value, valueHash: vhOf(value) };
          });
          plain = plain.update(updates);
          coded = coded.update(updates);
          expect(coded.root()).toEqual(plain.root());
          expect(coded.size).toBe(model.size);
          history.push({ coded, model: new Map(model), root: coded.root() });
        }
        for (const h of history) {
          expect(h.coded.root()).toEqual(h.root);
          const entries = [...h.coded.entries()];
          expect(entries.map((e) => e.value).sort((a, b) => a.n - b.n)).toEqual(
            [...h.model.values()].sort((a, b) => a.n - b.n),
          );
          for (let k = 0; k <= 40; k++) {
            const want = h.model.get(k);
            expect(h.coded.get(keyOf(k))).toEqual(want);
            const proof = h.coded.prove(keyOf(k));
            expect(verifySmtProof(h.root, keyOf(k), want === undefined ? null : vhOf(want), proof)).toBe(true);
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it("decodes on every read into a fresh object, and keeps no reference to the value written", () => {
    const value = { n: 1, label: "a" };
    const t = SparseMerkleTree.empty<Rec>(recCodec).update([{ key: keyOf(1), value, valueHash: vhOf(value) }]);
    value.label = "mutated after the write";
    decodes = 0;
    const a = t.get(keyOf(1));
    const b = t.getLeaf(keyOf(1))?.value;
    expect(decodes).toBe(2);
    expect(a).toEqual({ n: 1, label: "a" });
    expect(a).not.toBe(b);
    expect(t.get(keyOf(2))).toBeUndefined();
    expect(decodes).toBe(2);
  });

  it("copies keys and value hashes in: the caller may reuse its arrays", () => {
    const key = keyOf(7);
    const valueHash = sha("v");
    const t = SparseMerkleTree.empty<string>().update([{ key, value: "v", valueHash }]);
    const root = t.root();
    const keyHex = toHex(key);
    key.fill(0);
    valueHash.fill(0);
    expect(t.root()).toEqual(root);
    expect(toHex(t.getLeaf(keyOf(7))!.key)).toBe(keyHex);
    expect(t.getLeaf(keyOf(7))!.valueHash).toEqual(sha("v"));
  });

  it("a codec that throws leaves the tree as it was", () => {
    const bad: SmtValueCodec<Rec> = {
      encode(r) {
        if (r.n < 0) throw new RangeError("negative");
        return recCodec.encode(r);
      },
      decode: recCodec.decode,
    };
    const one = { n: 1, label: "x" };
    const t = SparseMerkleTree.empty<Rec>(bad).update([{ key: keyOf(1), value: one, valueHash: vhOf(one) }]);
    const root = t.root();
    const neg = { n: -1, label: "y" };
    expect(() =>
      t.update([
        { key: keyOf(2), value: one, valueHash: vhOf(one) },
        { key: keyOf(3), value: neg, valueHash: vhOf(neg) },
      ]),
    ).toThrow(RangeError);
    expect(t.root()).toEqual(root);
    expect(t.size).toBe(1);
  });

  it("rejects a codec without encode and decode", () => {
    expect(() => SparseMerkleTree.empty({} as SmtValueCodec<Rec>)).toThrow(TypeError);
  });
});
