import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createPieceServer,
  createPieceStore,
  FilecoinError,
  FilecoinErrorCode,
  type PieceServer,
  type PieceStore,
  packBatch,
  parseRange,
  pieceCidInfo,
  pieceCidV1,
  pieceCidV2,
} from "../../src/index.js";
import { buildTestChain, dataSegmentCommitter, dataSegmentV1 } from "./chain.js";

function expectCode(fn: () => unknown, code: FilecoinErrorCode): void {
  expect(fn).toThrow(expect.objectContaining({ code }) as unknown as Error);
}

describe("Piece CIDs", () => {
  it("parse and rebuild what data-segment computes, v2 and v1 (property)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 65, maxLength: 3000 }), async (payload) => {
        const { pieceCid, paddedSize } = await dataSegmentCommitter.commP(payload);
        const info = pieceCidInfo(pieceCid);
        expect(info).toMatchObject({ v2: pieceCid, paddedSize, payloadSize: payload.length });
        expect(info.v1).toBe(dataSegmentV1(payload));
        expect(pieceCidV2(info.root, paddedSize, payload.length)).toBe(pieceCid);
        expect(pieceCidInfo(info.v1)).toMatchObject({ v2: null, v1: info.v1, paddedSize: null, root: info.root });
      }),
      { numRuns: 25 },
    );
  });

  it("anything else is PIECE_CID_INVALID", () => {
    const root = new Uint8Array(32).fill(1);
    const notTrunc = new Uint8Array(32).fill(0xff);
    for (const s of [
      "",
      "hello",
      "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", // raw sha2-256, not a piece
      "QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG", // CIDv0
      // A v1 CID over a root that is not a trunc254 hash (built by hand: pieceCidV1 refuses it).
      CID.createV1(0xf101, Digest.create(0x1012, notTrunc)).toString(),
      `b${"a".repeat(200)}`,
    ]) {
      expectCode(() => pieceCidInfo(s), FilecoinErrorCode.PIECE_CID_INVALID);
    }
    expect(pieceCidInfo(pieceCidV1(root)).v1).toBe(pieceCidV1(root));
    expect(() => pieceCidV2(root, 100, 10)).toThrow(RangeError);
    expect(() => pieceCidV2(root, 128, 128)).toThrow(RangeError);
  });
});

describe("parseRange (RFC 9110 single ranges)", () => {
  it("serves a-b, a- and -n; 416 for what cannot be satisfied; ignores several ranges", () => {
    expect(parseRange(undefined, 100)).toEqual({ kind: "full" });
    expect(parseRange("bytes=0-9", 100)).toEqual({ kind: "range", start: 0, end: 9 });
    expect(parseRange("bytes=90-200", 100)).toEqual({ kind: "range", start: 90, end: 99 });
    expect(parseRange("bytes=95-", 100)).toEqual({ kind: "range", start: 95, end: 99 });
    expect(parseRange("bytes=-10", 100)).toEqual({ kind: "range", start: 90, end: 99 });
    expect(parseRange("bytes=-1000", 100)).toEqual({ kind: "range", start: 0, end: 99 });
    for (const h of [
      "bytes=100-",
      "bytes=100-200",
      "bytes=5-2",
      "bytes=-0",
      "bytes=-",
      "bytes=a-b",
      "items=0-1",
      "0-1",
    ]) {
      expect(parseRange(h, 100), h).toEqual({ kind: "unsatisfiable" });
    }
    expect(parseRange("bytes=0-1,5-6", 100)).toEqual({ kind: "full" });
  });

  it("a satisfiable range always lies inside the piece (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.option(fc.nat({ max: 2e6 })),
        fc.option(fc.nat({ max: 2e6 })),
        (size, a, b) => {
          const r = parseRange(`bytes=${a ?? ""}-${b ?? ""}`, size);
          if (r.kind === "range") {
            expect(0 <= r.start && r.start <= r.end && r.end < size).toBe(true);
            if (a !== null) expect(r.start).toBe(a);
          }
        },
      ),
    );
  });
});

type Res = { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer };

function get(url: string, headers: Record<string, string> = {}, method = "GET"): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("piece store and GET /piece/{cid} on 127.0.0.1", () => {
  const car = packBatch(buildTestChain(4).bytes).car;
  let dir: string;
  let store: PieceStore;
  let server: PieceServer;
  let base: string;
  let v2: string;
  let v1: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "filverse-pieces-"));
    await writeFile(join(dir, ".tmp-leftover"), "half a piece");
    store = await createPieceStore({ dir });
    v2 = (await dataSegmentCommitter.commP(car)).pieceCid;
    v1 = pieceCidInfo(v2).v1;
    const stored = await store.put(v2, car);
    expect(stored).toMatchObject({ pieceCid: v2, size: car.length });
    server = createPieceServer({ port: 0 }, { store });
    base = (await server.start()).url;
  });

  afterAll(async () => {
    await server?.close();
    await server?.close(); // idempotent
    await rm(dir, { recursive: true, force: true });
  });

  it("stores atomically: leftovers removed, only the piece file, found again on reopen by v2 and v1", async () => {
    expect(await readdir(dir)).toEqual([v2]);
    const reopened = await createPieceStore({ dir });
    expect(reopened.list()).toEqual([v2]);
    expect(reopened.resolve(v1)).toBe(v2);
    expect(Buffer.from((await reopened.get(v1))!)).toEqual(Buffer.from(car));
    expect((await reopened.put(v2, car)).pieceCid).toBe(v2); // idempotent
  });

  it("refuses bytes of another size than the CID says, and v1 keys", async () => {
    await expect(store.put(v2, car.subarray(1))).rejects.toMatchObject({ code: FilecoinErrorCode.PIECE_SIZE_INVALID });
    await expect(store.put(v1, car)).rejects.toMatchObject({ code: FilecoinErrorCode.PIECE_SIZE_INVALID });
    await expect(store.put("nope", car)).rejects.toBeInstanceOf(FilecoinError);
  });

  it("GET serves the whole piece as Boost and Curio do, by v2 and by v1", async () => {
    for (const cid of [v2, v1]) {
      const res = await get(`${base}/piece/${cid}`);
      expect(res.status).toBe(200);
      expect(res.headers["content-type"]).toBe("application/octet-stream");
      expect(res.headers["accept-ranges"]).toBe("bytes");
      expect(res.headers["content-length"]).toBe(String(car.length));
      expect(res.headers.etag).toBe(`"${v2}"`);
      expect(res.body).toEqual(Buffer.from(car));
    }
  });

  it("HEAD gives the headers and no body", async () => {
    const res = await get(`${base}/piece/${v2}`, {}, "HEAD");
    expect(res.status).toBe(200);
    expect(res.headers["content-length"]).toBe(String(car.length));
    expect(res.body.length).toBe(0);
    const ranged = await get(`${base}/piece/${v2}`, { range: "bytes=0-9" }, "HEAD");
    expect([ranged.status, ranged.headers["content-length"], ranged.body.length]).toEqual([206, "10", 0]);
  });

  it("single ranges: 206 with Content-Range and exactly those bytes", async () => {
    const n = car.length;
    const cases: [string, number, number][] = [
      ["bytes=0-99", 0, 99],
      ["bytes=100-", 100, n - 1],
      ["bytes=-64", n - 64, n - 1],
      [`bytes=${n - 10}-${n + 1000}`, n - 10, n - 1],
      [`bytes=-${n + 5}`, 0, n - 1],
    ];
    for (const [range, start, end] of cases) {
      const res = await get(`${base}/piece/${v2}`, { range });
      expect(res.status, range).toBe(206);
      expect(res.headers["content-range"]).toBe(`bytes ${start}-${end}/${n}`);
      expect(res.headers["content-length"]).toBe(String(end - start + 1));
      expect(res.body).toEqual(Buffer.from(car.subarray(start, end + 1)));
    }
  });

  it("416 for an unsatisfiable range, with the size; several ranges or a stale If-Range get all of it", async () => {
    for (const range of [`bytes=${car.length}-`, "bytes=50-10", "bytes=-0", "bytes=x-y"]) {
      const res = await get(`${base}/piece/${v2}`, { range });
      expect(res.status, range).toBe(416);
      expect(res.headers["content-range"]).toBe(`bytes */${car.length}`);
      expect(res.body.length).toBe(0);
    }
    const multi = await get(`${base}/piece/${v2}`, { range: "bytes=0-1,4-5" });
    expect([multi.status, multi.body.length]).toEqual([200, car.length]);
    const stale = await get(`${base}/piece/${v2}`, { range: "bytes=0-1", "if-range": '"other"' });
    expect([stale.status, stale.body.length]).toEqual([200, car.length]);
    const fresh = await get(`${base}/piece/${v2}`, { range: "bytes=0-1", "if-range": `"${v2}"` });
    expect([fresh.status, fresh.body.length]).toEqual([206, 2]);
  });

  it("404 for an unknown piece, 400 for what is no Piece CID, 405 for other methods", async () => {
    const unknown = (await dataSegmentCommitter.commP(new Uint8Array(500).fill(9))).pieceCid;
    expect((await get(`${base}/piece/${unknown}`)).status).toBe(404);
    expect((await get(`${base}/piece/${pieceCidInfo(unknown).v1}`)).status).toBe(404);
    expect((await get(`${base}/piece/not-a-cid`)).status).toBe(400);
    expect((await get(`${base}/piece/`)).status).toBe(400);
    expect((await get(`${base}/piece/bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku`)).status).toBe(400);
    expect((await get(`${base}/elsewhere`)).status).toBe(404);
    const post = await get(`${base}/piece/${v2}`, {}, "POST");
    expect([post.status, post.headers.allow]).toEqual([405, "GET, HEAD"]);
  });

  it("a client that hangs up mid-piece does not disturb the server", async () => {
    await new Promise<void>((resolve) => {
      const req = request(`${base}/piece/${v2}`, (res) => {
        res.once("data", () => {
          req.destroy();
          resolve();
        });
      });
      req.on("error", () => resolve());
      req.end();
    });
    expect((await get(`${base}/piece/${v2}`)).body.length).toBe(car.length);
  });
});
