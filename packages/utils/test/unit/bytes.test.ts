import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BytesError,
  BytesErrorCode,
  bigintToBytesBE,
  bytesToBigintBE,
  bytesToUtf8,
  compareBytes,
  fromHex,
  toHex,
  utf8ToBytes,
} from "../../src/bytes.js";

describe("bytes", () => {
  it("round-trips hex and rejects malformed or wrong-length hex with a typed code", () => {
    expect(toHex(fromHex("0x00ff10"))).toBe("0x00ff10");
    expect(fromHex("0xABCD")).toEqual(Uint8Array.of(0xab, 0xcd));
    for (const bad of ["00ff", "0x0", "0xzz", "", "0x 1"]) {
      expect(() => fromHex(bad)).toThrowError(expect.objectContaining({ code: BytesErrorCode.INVALID_HEX }));
    }
    expect(() => fromHex("0x00", 2)).toThrowError(BytesError);
  });

  it("encodes big-endian integers and refuses values that do not fit", () => {
    expect(bigintToBytesBE(258n, 2)).toEqual(Uint8Array.of(1, 2));
    expect(bytesToBigintBE(Uint8Array.of(1, 2))).toBe(258n);
    expect(() => bigintToBytesBE(65536n, 2)).toThrow(RangeError);
    expect(() => bigintToBytesBE(-1n, 2)).toThrow(RangeError);
  });

  it("decodes UTF-8 strictly and orders bytes lexicographically", () => {
    expect(() => bytesToUtf8(Uint8Array.of(0xff))).toThrow();
    expect(compareBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBeLessThan(0);
    expect(compareBytes(Uint8Array.of(1), Uint8Array.of(1, 0))).toBeLessThan(0);
  });

  it("utf8ToBytes (its ASCII loop and its TextEncoder fallback) gives TextEncoder's bytes", () => {
    const encoder = new TextEncoder();
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: "binary-ascii", maxLength: 300 }),
          fc.string({ unit: "grapheme", maxLength: 40 }),
          fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
        ),
        (s) => {
          expect(utf8ToBytes(s)).toEqual(encoder.encode(s));
        },
      ),
      { numRuns: 500 },
    );
    expect(utf8ToBytes("")).toEqual(new Uint8Array(0));
    expect(utf8ToBytes("a\u0080")).toEqual(Uint8Array.of(0x61, 0xc2, 0x80));
    expect(utf8ToBytes("\ud800")).toEqual(Uint8Array.of(0xef, 0xbf, 0xbd)); // a lone surrogate: U+FFFD, as TextEncoder
  });
});
