/** Native keccak256 is bit-identical to noble's (the fast path and its fallback). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keccak256, keccak256Native, keccak256Noble } from "../../src/keccak.js";

describe("keccak256", () => {
  it("the native binding loads here and is the default", () => {
    expect(keccak256Native).not.toBeNull();
    expect(keccak256).toBe(keccak256Native);
  });

  it("native equals noble on random inputs of every length around the 136-byte rate", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 600 }), (data) => {
        expect(keccak256Native!(data)).toEqual(keccak256Noble(data));
      }),
      { numRuns: 300 },
    );
    for (const n of [0, 1, 135, 136, 137, 271, 272, 273]) {
      const data = new Uint8Array(n).fill(n & 0xff);
      expect(keccak256Native!(data)).toEqual(keccak256Noble(data));
    }
  });

  it("hashes computed one after another on the shared sponge stay independent", () => {
    const a = keccak256(Uint8Array.of(1));
    const aCopy = a.slice();
    const b = keccak256(new Uint8Array(300).fill(2));
    expect(a).toEqual(aCopy);
    expect(a).toEqual(keccak256Noble(Uint8Array.of(1)));
    expect(b).toEqual(keccak256Noble(new Uint8Array(300).fill(2)));
  });
});
