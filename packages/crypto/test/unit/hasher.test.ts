/** Tests for the Hasher seam: the noble batch hasher must agree with plain SHA-256 block by block. */
import { createHash } from "node:crypto";
import { toHex } from "@filverse/utils";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { getHasher, type Hasher, hashtreeHasher, nobleHasher, setHasher, sha256, ZERO_HASH } from "../../src/merkle.js";

function nodeSha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(data).digest());
}

describe("sha256", () => {
  it("matches known vectors", () => {
    expect(toHex(sha256(new Uint8Array(0)))).toBe("0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    // sha256(ZERO ‖ ZERO): the well-known first zero hash of deposit-contract style trees.
    expect(toHex(nobleHasher.digest64(ZERO_HASH, ZERO_HASH))).toBe(
      "0xf5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b",
    );
  });

  it("ZERO_HASH is 32 zero bytes", () => {
    expect(ZERO_HASH).toEqual(new Uint8Array(32));
  });
});

describe("nobleHasher", () => {
  it("digest64 is sha256 of the concatenation", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (a, b) => {
          const joined = new Uint8Array(64);
          joined.set(a, 0);
          joined.set(b, 32);
          expect(nobleHasher.digest64(a, b)).toEqual(nodeSha256(joined));
        },
      ),
    );
  });

  it("hashInto matches sha256 per 64-byte block", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 7 }), fc.nat(), (n, offset, seed) => {
        // Inputs at a non-zero byteOffset catch implementations that ignore subarray offsets.
        const backing = new Uint8Array(offset + n * 64);
        for (let i = 0; i < backing.length; i++) backing[i] = (i * 131 + seed) & 0xff;
        const input = backing.subarray(offset);
        const outBacking = new Uint8Array(3 + n * 32);
        const output = outBacking.subarray(3);
        nobleHasher.hashInto(input, output);
        for (let i = 0; i < n; i++) {
          expect(output.subarray(i * 32, i * 32 + 32)).toEqual(nodeSha256(input.subarray(i * 64, i * 64 + 64)));
        }
        expect(outBacking.subarray(0, 3)).toEqual(new Uint8Array(3));
      }),
    );
  });

  it("hashInto rejects wrong lengths with the length in the message", () => {
    expect(() => nobleHasher.hashInto(new Uint8Array(63), new Uint8Array(32))).toThrow(RangeError);
    expect(() => nobleHasher.hashInto(new Uint8Array(63), new Uint8Array(32))).toThrow(/63/);
    expect(() => nobleHasher.hashInto(new Uint8Array(128), new Uint8Array(32))).toThrow(RangeError);
    expect(() => nobleHasher.hashInto(new Uint8Array(128), new Uint8Array(32))).toThrow(/32/);
    expect(() => nobleHasher.hashInto(new Uint8Array(64), new Uint8Array(64))).toThrow(RangeError);
    expect(() => nobleHasher.hashInto(new Uint8Array(0), new Uint8Array(0))).not.toThrow();
  });

  it("digest64 rejects inputs that are not 32 bytes", () => {
    expect(() => nobleHasher.digest64(new Uint8Array(31), new Uint8Array(32))).toThrow(RangeError);
    expect(() => nobleHasher.digest64(new Uint8Array(32), new Uint8Array(33))).toThrow(RangeError);
  });
});

describe("getHasher / setHasher", () => {
  it("defaults to the native hasher where it loads (noble otherwise), and can be swapped and restored", () => {
    const initial = getHasher();
    expect(initial).toBe(hashtreeHasher ?? nobleHasher);
    const custom: Hasher = { name: "custom", digest64: nobleHasher.digest64, hashInto: nobleHasher.hashInto };
    setHasher(custom);
    try {
      expect(getHasher()).toBe(custom);
    } finally {
      setHasher(initial);
    }
    expect(getHasher()).toBe(initial);
  });

  it("hashtree is bit-identical to noble on random inputs (the fast path and its fallback)", () => {
    expect(hashtreeHasher, "the native hasher loads on this machine").not.toBeNull();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.uint8Array({ minLength: 64, maxLength: 64 }), (n, seed) => {
        const input = new Uint8Array(n * 64);
        for (let i = 0; i < input.length; i++) input[i] = seed[i % 64]! ^ (i * 31);
        const a = new Uint8Array(n * 32);
        const b = new Uint8Array(n * 32);
        hashtreeHasher!.hashInto(input, a);
        nobleHasher.hashInto(input, b);
        expect(a).toEqual(b);
        if (n > 0)
          expect(hashtreeHasher!.digest64(input.subarray(0, 32), input.subarray(32, 64))).toEqual(b.subarray(0, 32));
      }),
      { numRuns: 60 },
    );
    expect(() => hashtreeHasher!.hashInto(new Uint8Array(65), new Uint8Array(32))).toThrow(RangeError);
  });

  it("rejects objects that are not hashers", () => {
    expect(() => setHasher({} as Hasher)).toThrow(TypeError);
    expect(() => setHasher(null as unknown as Hasher)).toThrow(TypeError);
    expect(getHasher()).toBe(hashtreeHasher ?? nobleHasher);
  });
});
