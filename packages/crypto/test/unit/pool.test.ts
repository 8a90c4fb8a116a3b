/**
 * Tests for the crypto pool: CryptoPool must answer exactly as SingleThreadCrypto does, keep order
 * across chunk boundaries, and on close reject what has not started and leave no worker behind.
 * The workers run the built lib/ (worker threads cannot load TypeScript), so build before testing.
 */
import { availableParallelism } from "node:os";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getHasher } from "../../src/hasher.js";
import {
  CryptoPool,
  createCryptoPool,
  defaultCryptoPoolOpts,
  PoolError,
  SingleThreadCrypto,
} from "../../src/pool/index.js";
import { privateKeyToAddress, signDigest } from "../../src/signature.js";

const CURVE_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** xorshift32: a seeded generator, so a failure replays exactly. */
function rng(seed: number): (n: number) => Uint8Array {
  let x = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = x & 0xff;
    }
    return out;
  };
}

function bytesToBigInt(b: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(b).toString("hex") || "0"}`);
}

function bigIntTo32(v: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(v.toString(16).padStart(64, "0"), "hex"));
}

type Case = { kind: string; digest: Uint8Array; signature: Uint8Array; expected: Uint8Array | null | "any" };

/** Valid signatures from random keys, and each kind of invalid one derived from a valid one. */
function makeCases(count: number, seed: number): Case[] {
  const random = rng(seed);
  const cases: Case[] = [];
  for (let i = 0; i < count; i++) {
    let key = random(32);
    while (bytesToBigInt(key) === 0n || bytesToBigInt(key) >= CURVE_ORDER) key = random(32);
    const digest = random(32);
    const signature = signDigest(digest, key);
    cases.push({ kind: "valid", digest, signature, expected: privateKeyToAddress(key) });

    const highS = signature.slice();
    highS.set(bigIntTo32(CURVE_ORDER - bytesToBigInt(signature.subarray(32, 64))), 32);
    highS[64] = signature[64] === 27 ? 28 : 27; // the same point, so only the EIP-2 rule rejects it
    cases.push({ kind: "high-s", digest, signature: highS, expected: null });

    const badV = signature.slice();
    badV[64] = [0, 1, 29, 255][i % 4]!;
    cases.push({ kind: "bad-v", digest, signature: badV, expected: null });

    const zeroR = signature.slice();
    zeroR.fill(0, 0, 32);
    cases.push({ kind: "zero-r", digest, signature: zeroR, expected: null });

    const badLength = i % 2 === 0 ? signature.slice(0, 64) : Uint8Array.of(...signature, 0);
    cases.push({ kind: "bad-length", digest, signature: badLength, expected: null });

    // Garbage with a legal v may still recover to some random address; only agreement is required.
    const garbage = random(65);
    garbage[64] = 27 + (i % 2);
    cases.push({ kind: "garbage", digest, signature: garbage, expected: "any" });
  }
  return cases;
}

const cases = makeCases(24, 0x5eed);
const single = new SingleThreadCrypto();
let pool: CryptoPool;

beforeAll(() => {
  // Chunks of 5 put many chunk boundaries inside every batch.
  pool = new CryptoPool({ threads: 2, recoverChunk: 5, hashChunkBytes: 16 * 64 });
});

afterAll(async () => {
  await pool.close();
  await single.close();
});

describe("recoverBatch", () => {
  it("recovers valid signatures and maps every invalid kind to null, in both backends", async () => {
    const digests = cases.map((c) => c.digest);
    const signatures = cases.map((c) => c.signature);
    const fromPool = await pool.recoverBatch(digests, signatures);
    const fromSingle = await single.recoverBatch(digests, signatures);
    expect(fromPool).toEqual(fromSingle);
    cases.forEach((c, i) => {
      if (c.expected !== "any")
        expect({ kind: c.kind, address: fromPool[i] }).toEqual({ kind: c.kind, address: c.expected });
    });
    expect(fromPool.filter((a) => a !== null).length).toBeGreaterThanOrEqual(24);
  });

  it("agrees with the single-thread backend on random batches, in order", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(cases.length - 1), { maxLength: 120 }), async (picks) => {
        const digests = picks.map((i) => cases[i]!.digest);
        const signatures = picks.map((i) => cases[i]!.signature);
        const fromPool = await pool.recoverBatch(digests, signatures);
        expect(fromPool).toHaveLength(picks.length);
        expect(fromPool).toEqual(await single.recoverBatch(digests, signatures));
      }),
      { numRuns: 40, seed: 42 },
    );
  });

  it("returns an empty array for an empty batch", async () => {
    expect(await pool.recoverBatch([], [])).toEqual([]);
    expect(await single.recoverBatch([], [])).toEqual([]);
  });

  it("keeps order when many batches are in flight at once", async () => {
    const batches = [0, 1, 2, 3].map((k) => cases.filter((_, i) => i % 4 === k));
    const results = await Promise.all(
      batches.map((b) =>
        pool.recoverBatch(
          b.map((c) => c.digest),
          b.map((c) => c.signature),
        ),
      ),
    );
    for (let k = 0; k < 4; k++) {
      const b = batches[k]!;
      expect(results[k]).toEqual(
        await single.recoverBatch(
          b.map((c) => c.digest),
          b.map((c) => c.signature),
        ),
      );
    }
  });

  it("rejects malformed batches with RangeError in both backends", async () => {
    const { digest, signature } = cases[0]!;
    for (const backend of [pool, single]) {
      await expect(backend.recoverBatch([digest, digest], [signature])).rejects.toThrow(RangeError);
      await expect(backend.recoverBatch([digest.subarray(0, 31)], [signature])).rejects.toThrow(
        "digest 0 must be 32 bytes, got 31 bytes",
      );
    }
  });
});

describe("hashLevel", () => {
  const random = rng(7);
  const hashDirect = (input: Uint8Array): Uint8Array => {
    const out = new Uint8Array(input.length / 2);
    getHasher().hashInto(input, out);
    return out;
  };

  // The test pool's chunk is 16 blocks: below it runs inline, above it splits, 3×16+5 leaves a remainder.
  it.each([0, 1, 5, 15, 16, 48, 53, 1000])("matches Hasher.hashInto for %i blocks", async (blocks) => {
    const input = random(blocks * 64);
    const expected = hashDirect(input);
    expect(await pool.hashLevel(input)).toEqual(expected);
    expect(await single.hashLevel(input)).toEqual(expected);
  });

  it("hashes small levels on the calling thread and large ones on the workers", async () => {
    const completed = () => pool.completedJobs;
    const before = completed();
    await pool.hashLevel(random(15 * 64));
    expect(completed()).toBe(before);
    await pool.hashLevel(random(48 * 64));
    expect(completed()).toBe(before + 3);
  });

  it("matches Hasher.hashInto with the default chunk size on a 3 MiB level", async () => {
    const big = createCryptoPool({ threads: 2 });
    try {
      const input = random(3 * 1024 * 1024 + 64 * 7);
      // Buffer.equals: vitest's element-by-element toEqual takes seconds on 1.5 MiB.
      expect(Buffer.from(await big.hashLevel(input)).equals(hashDirect(input))).toBe(true);
    } finally {
      await big.close();
    }
  });

  it("leaves the caller's input intact", async () => {
    const input = random(48 * 64);
    const copy = input.slice();
    await pool.hashLevel(input);
    expect(input).toEqual(copy);
    expect(input.buffer.byteLength).toBeGreaterThan(0);
  });

  it("rejects a length that is not a multiple of 64 with RangeError", async () => {
    for (const backend of [pool, single]) {
      await expect(backend.hashLevel(new Uint8Array(65))).rejects.toThrow(RangeError);
      await expect(backend.hashLevel(new Uint8Array(64 * 40 + 32))).rejects.toThrow(
        "hashLevel: input length must be a multiple of 64, got 2592",
      );
    }
  });
});

describe("CryptoPool options", () => {
  it("runs one thread per available core by default", async () => {
    expect(defaultCryptoPoolOpts.threads).toBe(availableParallelism());
    const p = createCryptoPool();
    try {
      expect(p.threads).toBe(availableParallelism());
      expect(p.workers).toBe(availableParallelism());
    } finally {
      await p.close();
    }
  });

  it("spreads a small batch over every thread, and caps jobs at recoverChunk", async () => {
    const p = new CryptoPool({ threads: 2, recoverChunk: 40 });
    try {
      const some = cases.slice(0, 32);
      const run = async (batch: Case[]) => {
        const before = p.completedJobs;
        const out = await p.recoverBatch(
          batch.map((c) => c.digest),
          batch.map((c) => c.signature),
        );
        expect(out).toEqual(
          await single.recoverBatch(
            batch.map((c) => c.digest),
            batch.map((c) => c.signature),
          ),
        );
        return p.completedJobs - before;
      };
      expect(await run(some)).toBe(2); // 2 × 16, not 1 × 32
      expect(await run(some.slice(0, 20))).toBe(1); // 2 × 10 would be below the 16-signature minimum
      expect(await run(cases.slice(0, 130))).toBe(4); // ⌈130 / 40⌉
    } finally {
      await p.close();
    }
  });

  it("rejects bad options with RangeError", () => {
    expect(() => new CryptoPool({ hashChunkBytes: 100 })).toThrow("hashChunkBytes must be a multiple of 64, got 100");
    expect(() => new CryptoPool({ threads: 0 })).toThrow(RangeError);
    expect(() => new CryptoPool({ recoverChunk: 1.5 })).toThrow(RangeError);
  });

  it("rejects a batch that would overflow maxQueue with POOL_QUEUE_FULL", async () => {
    const p = new CryptoPool({ threads: 1, recoverChunk: 1, maxQueue: 4 });
    try {
      const some = cases.slice(0, 6);
      const error = await p
        .recoverBatch(
          some.map((c) => c.digest),
          some.map((c) => c.signature),
        )
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PoolError);
      expect((error as PoolError).code).toBe("POOL_QUEUE_FULL");
      // A batch that fits still runs.
      expect(await p.recoverBatch([cases[0]!.digest], [cases[0]!.signature])).toEqual([cases[0]!.expected]);
    } finally {
      await p.close();
    }
  });
});

describe("close", () => {
  it("rejects queued jobs with POOL_CLOSED, finishes running ones, and stops every worker", async () => {
    const p = new CryptoPool({ threads: 1, recoverChunk: 1 });
    const first = cases[0]!;
    const running = p.recoverBatch([first.digest], [first.signature]);
    const queued = p
      .recoverBatch(
        cases.map((c) => c.digest),
        cases.map((c) => c.signature),
      )
      .catch((e: unknown) => e);
    const queuedHash = p.hashLevel(new Uint8Array(4 * 1024 * 1024)).catch((e: unknown) => e);
    expect(p.queuedJobs).toBeGreaterThan(0);

    const closing = p.close();
    expect(p.close()).toBe(closing);
    await closing;

    expect(await running).toEqual([first.expected]);
    for (const error of [await queued, await queuedHash]) {
      expect(error).toBeInstanceOf(PoolError);
      expect((error as PoolError).code).toBe("POOL_CLOSED");
    }
    expect(p.queuedJobs).toBe(0);
    expect(p.workers).toBe(0);
    await p.close(); // idempotent after completion too
    await expect(p.recoverBatch([], [])).rejects.toMatchObject({ code: "POOL_CLOSED" });
    await expect(p.hashLevel(new Uint8Array(64))).rejects.toMatchObject({ code: "POOL_CLOSED" });
  });

  it("closes the single-thread backend too", async () => {
    const s = new SingleThreadCrypto();
    await s.close();
    await s.close();
    await expect(s.recoverBatch([], [])).rejects.toMatchObject({ code: "POOL_CLOSED" });
  });
});
