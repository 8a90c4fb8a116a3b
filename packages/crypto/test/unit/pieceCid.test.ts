/**
 * Piece CID encoding and parsing: both forms round-trip, match data-segment's encoding for any
 * height and padding, convert into each other, and malformed input is a PieceError INVALID_CID.
 */
import { Piece } from "@web3-storage/data-segment";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  encodePieceCidV1,
  encodePieceCidV2,
  MAX_PIECE_HEIGHT,
  MIN_PIECE_HEIGHT,
  PieceError,
  PieceErrorCode,
  parsePieceCid,
  parsePieceCidV1,
  parsePieceCidV2,
  pieceCidV1Bytes,
  pieceCidV1ToV2,
  pieceCidV2Bytes,
  pieceCidV2ToV1,
  unpaddedSizeOfHeight,
} from "../../src/piece/index.js";

/** A trunc254 root, a height and a padding that some payload of that height has. */
const partsArb = fc
  .record({
    root: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((r) => {
      r[31]! &= 0x3f;
      return r;
    }),
    height: fc.integer({ min: MIN_PIECE_HEIGHT, max: MAX_PIECE_HEIGHT }),
    fraction: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ root, height, fraction }) => {
    const unpadded = unpaddedSizeOfHeight(height);
    // Height 2 holds 0..127 payload bytes; a taller piece holds more than half of its capacity.
    const maxPadding = height === MIN_PIECE_HEIGHT ? unpadded : Math.ceil(unpadded / 2) - 1;
    return { root, height, padding: Math.floor(fraction * maxPadding) };
  });

function expectInvalid(fn: () => unknown, message?: RegExp): void {
  try {
    fn();
    expect.unreachable();
  } catch (e) {
    expect(e).toBeInstanceOf(PieceError);
    expect((e as PieceError).code).toBe(PieceErrorCode.INVALID_CID);
    if (message) expect((e as PieceError).shortMessage).toMatch(message);
  }
}

describe("Piece CIDs", () => {
  it("v2 round-trips and equals data-segment's link for any height and padding", () => {
    fc.assert(
      fc.property(partsArb, ({ root, height, padding }) => {
        const cid = encodePieceCidV2({ root, height, padding });
        expect(cid).toBe(Piece.toView({ root, height, padding: BigInt(padding) }).link.toString());
        expect(cid.startsWith("bafkzcib")).toBe(true);
        const parsed = parsePieceCidV2(cid);
        expect(parsed).toEqual({
          version: 2,
          root,
          height,
          padding,
          paddedSize: 32 * 2 ** height,
          payloadSize: unpaddedSizeOfHeight(height) - padding,
        });
        expect(parsePieceCid(pieceCidV2Bytes({ root, height, padding }))).toEqual(parsed);
      }),
      { numRuns: 300 },
    );
  });

  it("v1 round-trips, equals data-segment's PieceInfo link, and converts to and from v2", () => {
    fc.assert(
      fc.property(partsArb, ({ root, height, padding }) => {
        const v1 = encodePieceCidV1(root);
        const v2 = encodePieceCidV2({ root, height, padding });
        expect(v1).toBe(
          Piece.toView({ root, height, padding: BigInt(padding) })
            .toInfo()
            .link.toString(),
        );
        expect(v1.startsWith("baga6ea4seaq")).toBe(true);
        expect(parsePieceCidV1(v1)).toEqual({ version: 1, root });
        expect(parsePieceCid(pieceCidV1Bytes(root))).toEqual({ version: 1, root });
        const paddedSize = 32 * 2 ** height;
        expect(pieceCidV2ToV1(v2)).toEqual({ pieceCidV1: v1, paddedSize });
        // Without the payload size, the v2 form of a v1 CID has padding 0; with it, the original.
        expect(parsePieceCidV2(pieceCidV1ToV2(v1, paddedSize))).toMatchObject({ root, height, padding: 0 });
        expect(pieceCidV1ToV2(v1, paddedSize, unpaddedSizeOfHeight(height) - padding)).toBe(v2);
      }),
      { numRuns: 300 },
    );
  });

  it("rejects what is not a Piece CID", () => {
    const root = new Uint8Array(32).fill(1);
    const v2 = encodePieceCidV2({ root, height: 5, padding: 10 });
    const v1 = encodePieceCidV1(root);
    expectInvalid(() => parsePieceCid(""), /base32/);
    expectInvalid(() => parsePieceCid(`z${v2.slice(1)}`), /base32/);
    expectInvalid(() => parsePieceCid(`${v2.slice(0, 10)}!${v2.slice(11)}`), /outside base32/);
    expectInvalid(() => parsePieceCid(v2.slice(0, -3)), /digest length|canonical/);
    expectInvalid(() => parsePieceCid(`${v2}a`), /digest length|canonical/);
    // A plain sha2-256 raw CID: a CID, but not a Piece CID.
    expectInvalid(
      () => parsePieceCid("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"),
      /Not a Piece CID/,
    );
    expectInvalid(() => parsePieceCidV2(v1), /Expected a v2/);
    expectInvalid(() => parsePieceCidV1(v2), /Expected a v1/);
    expectInvalid(() => parsePieceCid(new Uint8Array([0x01, 0x55])), /ends inside/);
  });

  it("rejects impossible heights, paddings and roots", () => {
    const root = new Uint8Array(32).fill(1);
    expectInvalid(() => encodePieceCidV2({ root, height: 1, padding: 0 }), /height must be from 2 to 31/);
    expectInvalid(() => encodePieceCidV2({ root, height: 32, padding: 0 }), /height must be from 2 to 31/);
    expectInvalid(() => encodePieceCidV2({ root, height: 2, padding: 128 }), /padding must be from 0 to 127/);
    // 254 bytes of payload fit height 3 (254 bytes); padding 254 at height 4 would leave 254: not height 4.
    expectInvalid(() => encodePieceCidV2({ root, height: 4, padding: 254 }), /too few for height 4/);
    expectInvalid(() => encodePieceCidV2({ root: new Uint8Array(31), height: 4, padding: 0 }), /32 bytes/);
    expectInvalid(() => encodePieceCidV1(new Uint8Array(32).fill(0xff)), /top two bits/);
    // Height 32 on the wire: parse refuses it like encode does.
    const bytes = pieceCidV2Bytes({ root, height: 31, padding: 0 });
    bytes[bytes.length - 33] = 32;
    expectInvalid(() => parsePieceCid(bytes), /height must be from 2 to 31/);
    // A non-minimal varint for the padding (0 written as 0x80 0x00).
    const v2 = pieceCidV2Bytes({ root, height: 2, padding: 0 });
    const padded = Uint8Array.from([...v2.subarray(0, 4), v2[4]! + 1, 0x80, 0x00, ...v2.subarray(6)]);
    expectInvalid(() => parsePieceCid(padded), /minimally encoded/);
    expect(() => pieceCidV1ToV2(encodePieceCidV1(root), 1000)).toThrow(
      expect.objectContaining({ code: PieceErrorCode.INVALID_SIZE }),
    );
  });
});
