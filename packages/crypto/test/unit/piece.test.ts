/**
 * CommP and Piece CIDs against @web3-storage/data-segment (the oracle) and the FRC-0069 vectors: Fr32
 * padding against a bit-by-bit reference, payloads of many sizes (quad and batch boundaries, powers of
 * two, odd sizes, one 64 MiB case), streaming in arbitrary slices, the size limits and typed errors.
 */
import { readFileSync } from "node:fs";
import { Piece } from "@web3-storage/data-segment";
import { describe, expect, it } from "vitest";
import { getHasher } from "../../src/hasher.js";
import {
  CommPHasher,
  commP,
  commPStream,
  encodePieceCidV1,
  fr32Pad,
  MAX_PIECE_PAYLOAD_BYTES,
  MIN_PIECE_PAYLOAD_BYTES,
  PieceError,
  PieceErrorCode,
  PieceTreeStack,
  parsePieceCid,
  pieceCidV1ToV2,
  pieceCidV2ToV1,
  pieceSizeOf,
  pieceSubtreeRoot,
  ZERO_COMMITMENTS,
} from "../../src/piece/index.js";

/** xorshift32: a seeded generator, so a failure replays exactly. */
function rng(seed: number): (n: number) => Uint8Array {
  let x = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    const words = new Uint32Array(out.buffer, 0, n >>> 2);
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x;
    }
    for (let i = words.length * 4; i < n; i++) out[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    return out;
  };
}

/** The oracle: data-segment's v2 link, its v1 (PieceInfo) link, height and padding. */
function oracle(payload: Uint8Array) {
  const piece = Piece.fromPayload(payload);
  return {
    pieceCid: piece.link.toString(),
    pieceCidV1: piece.toInfo().link.toString(),
    height: piece.height,
    padding: Number(piece.padding),
  };
}

/** Fr32 as the spec states it: payload bit k goes to bit k + 2·floor(k / 254) of the output. */
function fr32Reference(input: Uint8Array): Uint8Array {
  const out = new Uint8Array((input.length / 127) * 128);
  for (let k = 0; k < input.length * 8; k++) {
    if ((input[k >> 3]! >> (k & 7)) & 1) {
      const o = k + 2 * Math.floor(k / 254);
      out[o >> 3]! |= 1 << (o & 7);
    }
  }
  return out;
}

describe("fr32Pad", () => {
  const random = rng(7);

  it("matches the bit-by-bit definition, word-wise (aligned) and byte-wise (unaligned)", () => {
    for (const quads of [1, 2, 3, 4, 5, 7, 8, 9, 12, 17]) {
      const input = random(quads * 127);
      const expected = fr32Reference(input);
      const aligned = new Uint8Array(quads * 128);
      fr32Pad(input, aligned);
      expect(Buffer.from(aligned).equals(Buffer.from(expected)), `${quads} quads aligned`).toBe(true);
      const shifted = new Uint8Array(input.length + 1).subarray(1);
      shifted.set(input);
      const unaligned = new Uint8Array(quads * 128 + 3).subarray(3);
      fr32Pad(shifted, unaligned);
      expect(Buffer.from(unaligned).equals(Buffer.from(expected)), `${quads} quads unaligned`).toBe(true);
    }
  });

  it("keeps the top two bits of every node zero, even for all-ones input", () => {
    const out = new Uint8Array(8 * 128);
    fr32Pad(new Uint8Array(8 * 127).fill(0xff), out);
    for (let i = 0; i < out.length; i++) expect(out[i]).toBe(i % 32 === 31 ? 0x3f : 0xff);
  });

  it("rejects lengths that are not whole quads", () => {
    expect(() => fr32Pad(new Uint8Array(128), new Uint8Array(128))).toThrow(RangeError);
    expect(() => fr32Pad(new Uint8Array(127), new Uint8Array(127))).toThrow(/output length must be 128/);
  });
});

describe("commP against @web3-storage/data-segment", () => {
  const random = rng(42);
  // Quad (127), node and batch (127·2^11 = 260,096) boundaries, powers of two, odd sizes, and every
  // size from 65 to 300 once through the loop below.
  const sizes = [
    127,
    128,
    129,
    253,
    254,
    255,
    256,
    381,
    507,
    508,
    509,
    1016,
    1017,
    2031,
    2032,
    2033,
    4096,
    65_535,
    65_536,
    127 * 2 ** 10,
    127 * 2 ** 11 - 1,
    127 * 2 ** 11,
    127 * 2 ** 11 + 1,
    127 * 2 ** 12 + 5,
    2 ** 20,
    2 ** 20 + 1,
    3_000_001,
    127 * 2 ** 15,
    8 * 2 ** 20 + 7,
  ];

  it("every payload size from 65 to 300 bytes", () => {
    for (let n = MIN_PIECE_PAYLOAD_BYTES; n <= 300; n++) {
      const payload = random(n);
      const ours = commP(payload);
      const expected = oracle(payload);
      expect({ pieceCid: ours.pieceCid, pieceCidV1: ours.pieceCidV1 }, `${n} bytes`).toEqual({
        pieceCid: expected.pieceCid,
        pieceCidV1: expected.pieceCidV1,
      });
    }
  });

  it.each(sizes)("%i bytes", (n) => {
    const payload = random(n);
    const ours = commP(payload);
    const expected = oracle(payload);
    expect(ours).toMatchObject({ ...expected, payloadSize: n, paddedSize: 32 * 2 ** expected.height });
    expect(ours.pieceCid.startsWith("bafkzcib")).toBe(true);
    expect(ours.pieceCidV1.startsWith("baga6ea4seaq")).toBe(true);
    expect(encodePieceCidV1(ours.root)).toBe(ours.pieceCidV1);
  });

  it("a 64 MiB payload (2^26 bytes: a 128 MiB piece, mostly zero padding)", { timeout: 180_000 }, () => {
    const payload = random(64 * 2 ** 20);
    const ours = commP(payload);
    expect(ours).toMatchObject({ ...oracle(payload), payloadSize: payload.length, paddedSize: 128 * 2 ** 20 });
  });

  it("payloads that are zeros, or zeros after data, use the precomputed zero subtrees correctly", () => {
    for (const n of [65, 127 * 64, 127 * 2 ** 11 + 127, 600_000]) {
      const zeros = new Uint8Array(n);
      expect(commP(zeros).pieceCid).toBe(oracle(zeros).pieceCid);
      const tail = new Uint8Array(n);
      tail.set(random(Math.min(n, 70)));
      expect(commP(tail).pieceCid).toBe(oracle(tail).pieceCid);
    }
  });
});

describe("known vectors", () => {
  type PayloadVector = {
    name: string;
    payload: [number, number][];
    pieceCid?: string;
    pieceCidV1?: string;
    pieceCidBase16?: string;
    padding: number;
    height: number;
  };
  const vectors = JSON.parse(readFileSync(new URL("../vectors/pieceCid.json", import.meta.url), "utf8")) as {
    payloads: PayloadVector[];
    conversions: { name: string; pieceCidV1: string; pieceCid: string; paddedSize: number; zeroHeight: number }[];
    parseOnly: { name: string; pieceCid: string; padding: number; height: number; payloadSize: number }[];
  };

  const build = (runs: [number, number][]) => {
    const bytes: number[] = [];
    for (const [value, count] of runs) for (let i = 0; i < count; i++) bytes.push(value);
    return Uint8Array.from(bytes);
  };

  it.each(vectors.payloads.map((v) => [v.name, v] as const))("%s", (_name, v) => {
    const ours = commP(build(v.payload));
    expect(ours.padding).toBe(v.padding);
    expect(ours.height).toBe(v.height);
    if (v.pieceCid !== undefined) expect(ours.pieceCid).toBe(v.pieceCid);
    if (v.pieceCidV1 !== undefined) expect(ours.pieceCidV1).toBe(v.pieceCidV1);
    if (v.pieceCidBase16 !== undefined) {
      const bytes = Buffer.from(v.pieceCidBase16.slice(1), "hex");
      expect(parsePieceCid(bytes)).toEqual(parsePieceCid(ours.pieceCid));
    }
  });

  it.each(vectors.conversions.map((v) => [v.name, v] as const))("%s: v1 ↔ v2 and the zero commitment", (_n, v) => {
    expect(pieceCidV1ToV2(v.pieceCidV1, v.paddedSize)).toBe(v.pieceCid);
    expect(pieceCidV2ToV1(v.pieceCid)).toEqual({ pieceCidV1: v.pieceCidV1, paddedSize: v.paddedSize });
    expect(encodePieceCidV1(ZERO_COMMITMENTS[v.zeroHeight]!)).toBe(v.pieceCidV1);
  });

  it.each(vectors.parseOnly.map((v) => [v.name, v] as const))("%s", (_name, v) => {
    expect(parsePieceCid(v.pieceCid)).toMatchObject({
      version: 2,
      padding: v.padding,
      height: v.height,
      payloadSize: v.payloadSize,
    });
  });
});

describe("streaming", () => {
  const random = rng(99);

  it("CommPHasher and commPStream equal commP for any slicing, aligned or not", async () => {
    for (const n of [65, 1000, 127 * 2 ** 11 + 3, 1_234_567]) {
      const payload = random(n);
      const expected = commP(payload).pieceCid;
      for (const slice of [1, 13, 4096, 127 * 2 ** 11, 300_001]) {
        if (slice === 1 && n > 1000) continue;
        const hasher = new CommPHasher();
        for (let i = 0; i < n; i += slice) hasher.update(payload.subarray(i, i + slice));
        expect(hasher.payloadSize).toBe(n);
        expect(hasher.digest().pieceCid, `${n} in slices of ${slice}`).toBe(expected);
      }
      const irregular = async function* () {
        for (let i = 0, step = 1; i < n; i += step, step = (step * 7 + 3) % 200_003)
          yield payload.subarray(i, i + step);
      };
      expect((await commPStream(irregular())).pieceCid).toBe(expected);
    }
  });

  it("digest() does not end the hash: more updates continue it", () => {
    const payload = random(300_000);
    const hasher = new CommPHasher().update(payload.subarray(0, 100_000));
    expect(hasher.digest().pieceCid).toBe(commP(payload.subarray(0, 100_000)).pieceCid);
    hasher.update(payload.subarray(100_000));
    expect(hasher.digest().pieceCid).toBe(commP(payload).pieceCid);
  });
});

describe("sizes, limits and errors", () => {
  it("pieceSizeOf follows FRC-0069: 127·2^(h-2) payload bytes per height", () => {
    expect(pieceSizeOf(65)).toEqual({ paddedSize: 128, height: 2, padding: 62, payloadSize: 65 });
    expect(pieceSizeOf(127)).toEqual({ paddedSize: 128, height: 2, padding: 0, payloadSize: 127 });
    expect(pieceSizeOf(128)).toEqual({ paddedSize: 256, height: 3, padding: 126, payloadSize: 128 });
    expect(pieceSizeOf(MAX_PIECE_PAYLOAD_BYTES)).toEqual({
      paddedSize: 64 * 2 ** 30,
      height: 31,
      padding: 0,
      payloadSize: 68_182_605_824,
    });
  });

  it("below 65 bytes: PieceError PAYLOAD_TOO_SMALL from every entry point", async () => {
    const small = new Uint8Array(64);
    const expectSmall = (fn: () => unknown) => {
      try {
        fn();
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(PieceError);
        expect((e as PieceError).code).toBe(PieceErrorCode.PAYLOAD_TOO_SMALL);
        expect((e as PieceError).shortMessage).toBe("Piece payload must be at least 65 bytes, got 64");
      }
    };
    expectSmall(() => commP(small));
    expectSmall(() => new CommPHasher().update(small).digest());
    expect(() => commP(new Uint8Array(0))).toThrow(expect.objectContaining({ code: PieceErrorCode.PAYLOAD_TOO_SMALL }));
    await expect(commPStream([small])).rejects.toMatchObject({ code: PieceErrorCode.PAYLOAD_TOO_SMALL });
  });

  it("above 64 GiB padded: PieceError PAYLOAD_TOO_LARGE", () => {
    expect(() => pieceSizeOf(MAX_PIECE_PAYLOAD_BYTES + 1)).toThrow(
      expect.objectContaining({ code: PieceErrorCode.PAYLOAD_TOO_LARGE }),
    );
  });

  it("bad arguments are TypeError or RangeError", () => {
    expect(() => commP("abc" as never)).toThrow(TypeError);
    expect(() => new CommPHasher().update([1, 2] as never)).toThrow(TypeError);
    expect(() => pieceSubtreeRoot(new Uint8Array(128), 2)).toThrow(RangeError);
    const stack = new PieceTreeStack(getHasher());
    stack.push(new Uint8Array(32), 3);
    expect(() => stack.push(new Uint8Array(32), 4)).toThrow(/cannot follow/);
  });

  it("zero commitments are trunc254(sha256(z ‖ z)) of the level below", () => {
    expect(ZERO_COMMITMENTS[0]).toEqual(new Uint8Array(32));
    for (let h = 1; h <= 40; h++) {
      const node = getHasher().digest64(ZERO_COMMITMENTS[h - 1]!, ZERO_COMMITMENTS[h - 1]!);
      node[31]! &= 0x3f;
      expect(ZERO_COMMITMENTS[h]).toEqual(node);
    }
  });
});
