/**
 * CommP through the crypto pool: CryptoPool, SingleThreadCrypto and the calling-thread functions give
 * the same Piece CIDs for in-memory payloads and streams of any slicing; jobs really run on the
 * workers; a stream keeps a bounded number of chunks; close() rejects what is queued.
 * The workers run the built lib/ (worker threads cannot load TypeScript), so build before testing.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commP, commPStream, PieceError, PieceErrorCode, unpaddedSizeOfHeight } from "../../src/piece/index.js";
import { CryptoPool, PoolError, SingleThreadCrypto } from "../../src/pool/index.js";

/** xorshift32 over 32-bit words: a seeded generator, fast enough for megabytes. */
function rng(seed: number): (n: number) => Uint8Array {
  let x = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(Math.ceil(n / 4) * 4);
    const words = new Uint32Array(out.buffer);
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x;
    }
    return out.subarray(0, n);
  };
}

/** Cuts `payload` into slices whose lengths cycle through `lengths`. */
function* sliced(payload: Uint8Array, lengths: number[]): Generator<Uint8Array> {
  for (let off = 0, i = 0; off < payload.length; i++) {
    const n = lengths[i % lengths.length]!;
    yield payload.subarray(off, off + n);
    off += n;
  }
}

const random = rng(0xc0ffee);
const single = new SingleThreadCrypto();
let pool: CryptoPool;

beforeAll(() => {
  // 64 KiB padded chunks (65,024 payload bytes): many chunk boundaries in a few megabytes.
  pool = new CryptoPool({ threads: 2, commpChunkBytes: 64 * 1024 });
});

afterAll(async () => {
  await pool.close();
  await single.close();
});

describe("CommP on the pool", () => {
  it("pool == single thread == calling thread, in memory and streamed, for random sizes and slicings", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 65, max: 3 * 2 ** 20 }),
        fc.array(fc.integer({ min: 1, max: 300_000 }), { minLength: 1, maxLength: 5 }),
        async (size, lengths) => {
          const payload = random(size);
          const expected = commP(payload);
          expect(await pool.commP(payload)).toEqual(expected);
          expect(await single.commP(payload)).toEqual(expected);
          expect(await pool.commPStream(sliced(payload, lengths))).toEqual(expected);
          expect(await single.commPStream(sliced(payload, lengths))).toEqual(expected);
          expect(await commPStream(sliced(payload, lengths))).toEqual(expected);
        },
      ),
      { numRuns: 25, seed: 7 },
    );
  });

  it.each([
    ["exactly one chunk", unpaddedSizeOfHeight(11)],
    ["exactly 2^5 chunks", 32 * unpaddedSizeOfHeight(11)],
    ["one byte over 2^5 chunks", 32 * unpaddedSizeOfHeight(11) + 1],
    ["a power of two", 2 ** 22],
  ])("%s (%i bytes)", async (_name, size) => {
    const payload = random(size);
    const expected = commP(payload);
    expect(await pool.commP(payload)).toEqual(expected);
    expect(await pool.commPStream(sliced(payload, [2 ** 20 + 1]))).toEqual(expected);
  });

  it("runs chunks on the workers, and leaves the caller's payload intact", async () => {
    const payload = random(2 * 2 ** 20 + 5);
    const copy = payload.slice();
    const before = pool.completedJobs;
    await pool.commP(payload);
    // 2 MiB + 5 in 65,024-byte chunks: 32 full chunks on the workers, the tail inline.
    expect(pool.completedJobs - before).toBe(32);
    expect(Buffer.from(payload).equals(copy)).toBe(true);
  });

  it("with the default options: a 20 MiB payload splits over the workers, a 1 MiB stream tail runs on one", async () => {
    const p = new CryptoPool({ threads: 2 });
    try {
      const payload = random(20 * 2 ** 20);
      expect(await p.commP(payload)).toEqual(commP(payload));
      // Ten chunks of 2 MiB padded (2,080,768 payload bytes); the 160 KiB tail is hashed inline.
      expect(p.completedJobs).toBe(10);
      // One chunk and a 1,064,963-byte tail, above the 1 MiB-padded threshold: two jobs.
      const stream = payload.subarray(0, 3 * 2 ** 20 + 3);
      expect(await p.commPStream(sliced(stream, [100_000]))).toEqual(commP(stream));
      expect(p.completedJobs).toBe(12);
    } finally {
      await p.close();
    }
  });

  it("keeps at most commpInFlight chunks of a stream in flight", async () => {
    const p = new CryptoPool({ threads: 1, commpChunkBytes: 64 * 1024, commpInFlight: 2 });
    try {
      const payload = random(40 * unpaddedSizeOfHeight(11));
      let maxAhead = 0;
      let consumed = 0;
      const source = async function* () {
        for (const slice of sliced(payload, [unpaddedSizeOfHeight(11)])) {
          // Chunks read but not yet finished by a worker: read so far minus the jobs completed.
          consumed++;
          maxAhead = Math.max(maxAhead, consumed - p.completedJobs);
          yield slice;
        }
      };
      expect(await p.commPStream(source())).toEqual(commP(payload));
      expect(maxAhead).toBeLessThanOrEqual(3); // two in flight and the one being read
    } finally {
      await p.close();
    }
  });

  it("rejects payloads below 65 bytes with PieceError in every backend", async () => {
    for (const backend of [pool, single]) {
      await expect(backend.commP(new Uint8Array(64))).rejects.toBeInstanceOf(PieceError);
      await expect(backend.commPStream([new Uint8Array(10), new Uint8Array(54)])).rejects.toMatchObject({
        code: PieceErrorCode.PAYLOAD_TOO_SMALL,
      });
    }
  });

  it("passes on a stream's own error", async () => {
    const failing = async function* () {
      yield random(300_000);
      throw new Error("disk gone");
    };
    await expect(pool.commPStream(failing())).rejects.toThrow("disk gone");
  });

  it("rejects bad options with RangeError", () => {
    expect(() => new CryptoPool({ commpChunkBytes: 3 * 2 ** 20 })).toThrow(/power of two/);
    expect(() => new CryptoPool({ commpChunkBytes: 64 })).toThrow(/power of two of at least 128/);
    expect(() => new CryptoPool({ commpInFlight: 0 })).toThrow(RangeError);
  });
});

describe("close during a stream", () => {
  it("rejects the stream with POOL_CLOSED and stops every worker", async () => {
    const p = new CryptoPool({ threads: 1, commpChunkBytes: 64 * 1024, commpInFlight: 8 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const source = async function* () {
      // Eight chunks queue behind one worker, then the stream waits while the pool closes.
      yield random(8 * unpaddedSizeOfHeight(11));
      await gate;
      yield random(unpaddedSizeOfHeight(11));
    };
    const result = p.commPStream(source()).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await p.close();
    release();
    const error = await result;
    expect(error).toBeInstanceOf(PoolError);
    expect((error as PoolError).code).toBe("POOL_CLOSED");
    expect(p.workers).toBe(0);
    await expect(p.commP(random(100))).rejects.toMatchObject({ code: "POOL_CLOSED" });
    await expect(p.commPStream([random(100)])).rejects.toMatchObject({ code: "POOL_CLOSED" });
  });

  it("closes the single-thread backend too", async () => {
    const s = new SingleThreadCrypto();
    await s.close();
    await expect(s.commP(random(100))).rejects.toMatchObject({ code: "POOL_CLOSED" });
  });
});
