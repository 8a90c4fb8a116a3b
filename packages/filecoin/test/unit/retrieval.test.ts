import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeSignedBlock } from "@filverse/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createHttpByteSource,
  createPieceServer,
  createPieceStore,
  FilecoinError,
  FilecoinErrorCode,
  openBatch,
  type PieceServer,
  type PieceStore,
  packBatch,
  pieceCidInfo,
  readBatch,
  readBlockAt,
  retrievePiece,
  retrievePieceFromAny,
  unpaddedSize,
} from "../../src/index.js";
import { buildTestChain, dataSegmentCommitter } from "./chain.js";

const chain = buildTestChain(6);
const packed = packBatch(chain.bytes);
const modules = { committer: dataSegmentCommitter };

/** A throwaway HTTP server on 127.0.0.1 with a hand-written handler (a misbehaving storage provider). */
async function rogue(handler: RequestListener): Promise<{ url: string; server: Server }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof FilecoinError) return err.code;
    throw err;
  }
  throw new Error("expected a FilecoinError, nothing was thrown");
}

describe("retrieval from a piece server on 127.0.0.1", () => {
  let dir: string;
  let store: PieceStore;
  let server: PieceServer;
  let base: string;
  let pieceCid: string;
  let paddedSize: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "filverse-retrieval-"));
    store = await createPieceStore({ dir });
    ({ pieceCid, paddedSize } = await dataSegmentCommitter.commP(packed.car));
    await store.put(pieceCid, packed.car);
    server = createPieceServer({}, { store });
    base = (await server.start()).url;
  });

  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("packs, stores, serves, retrieves and verifies, then reads the same blocks back", async () => {
    const got = await retrievePiece({ baseUrl: base, pieceCid }, modules);
    expect(got.pieceCid).toBe(pieceCid);
    expect(got.url).toBe(`${base}/piece/${pieceCid}`);
    const read = readBatch(got.bytes, { payloadCid: packed.payloadCid });
    expect(read.blocks.map((b) => encodeSignedBlock(b))).toEqual(chain.bytes);
  });

  it("by v1 CID with the checkpoint's sizes; without the padded size it is refused before any request", async () => {
    const { v1 } = pieceCidInfo(pieceCid);
    const got = await retrievePiece({ baseUrl: base, pieceCid: v1, paddedSize, payloadSize: packed.carSize }, modules);
    expect(got.pieceCid).toBe(pieceCid);
    expect(await codeOf(retrievePiece({ baseUrl: base, pieceCid: v1 }, modules))).toBe(
      FilecoinErrorCode.PIECE_SIZE_INVALID,
    );
    expect(await codeOf(retrievePiece({ baseUrl: base, pieceCid, paddedSize: paddedSize * 2 }, modules))).toBe(
      FilecoinErrorCode.PIECE_SIZE_INVALID,
    );
    expect(await codeOf(retrievePiece({ baseUrl: base, pieceCid: "bafy-nope" }, modules))).toBe(
      FilecoinErrorCode.PIECE_CID_INVALID,
    );
  });

  it("reads block N over HTTP ranges, checked against the payload CID", async () => {
    const source = await createHttpByteSource(`${base}/piece/${pieceCid}`);
    expect(source.size).toBe(packed.carSize);
    const reader = await openBatch(source, { payloadCid: packed.payloadCid });
    const { block } = await readBlockAt(reader, 4);
    expect(encodeSignedBlock(block)).toEqual(chain.bytes[3]);
  });

  it("a corrupted piece on the server is rejected: PIECE_CORRUPTED, and no bytes are returned", async () => {
    const bad = packed.car.slice();
    bad[100]! ^= 1;
    const rogueDir = await mkdtemp(join(tmpdir(), "filverse-rogue-"));
    await writeFile(join(rogueDir, pieceCid), bad); // same name and size, other bytes
    const rogueStore = await createPieceStore({ dir: rogueDir });
    const rogueServer = createPieceServer({}, { store: rogueStore });
    const { url } = await rogueServer.start();
    try {
      const err = await retrievePiece({ baseUrl: url, pieceCid }, modules).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(FilecoinError);
      expect(err).toMatchObject({ code: FilecoinErrorCode.PIECE_CORRUPTED, details: { expected: pieceCid } });
      // With a good server second in line, the piece still arrives.
      const got = await retrievePieceFromAny({ baseUrls: [url, base], pieceCid }, modules);
      expect(got.url.startsWith(base)).toBe(true);
      const all = await retrievePieceFromAny({ baseUrls: [url, `${url}/nothing-here`], pieceCid }, modules).catch(
        (e: unknown) => e,
      );
      expect(all).toMatchObject({
        code: FilecoinErrorCode.RETRIEVAL_FAILED,
        details: {
          attempts: [
            { url, code: FilecoinErrorCode.PIECE_CORRUPTED },
            { url: `${url}/nothing-here`, code: FilecoinErrorCode.PIECE_NOT_FOUND },
          ],
        },
      });
    } finally {
      await rogueServer.close();
      await rm(rogueDir, { recursive: true, force: true });
    }
  });

  it("an unknown piece is PIECE_NOT_FOUND", async () => {
    const other = (await dataSegmentCommitter.commP(new Uint8Array(300).fill(1))).pieceCid;
    expect(await codeOf(retrievePiece({ baseUrl: base, pieceCid: other }, modules))).toBe(
      FilecoinErrorCode.PIECE_NOT_FOUND,
    );
  });
});

describe("retrieval from misbehaving servers", () => {
  let pieceCid: string;
  let paddedSize: number;
  const servers: Server[] = [];

  beforeAll(async () => {
    ({ pieceCid, paddedSize } = await dataSegmentCommitter.commP(packed.car));
  });

  afterAll(async () => {
    await Promise.all(servers.map(stop));
  });

  async function serve(handler: RequestListener): Promise<string> {
    const { url, server } = await rogue(handler);
    servers.push(server);
    return url;
  }

  it("the payload followed by the piece's zero padding (a sealed-sector read) verifies and is cut", async () => {
    const padded = new Uint8Array(unpaddedSize(paddedSize));
    padded.set(packed.car);
    const url = await serve((_req, res) => res.writeHead(200).end(padded));
    const got = await retrievePiece({ baseUrl: url, pieceCid }, modules);
    expect(got.bytes).toEqual(packed.car);
    const { v1 } = pieceCidInfo(pieceCid);
    const byV1 = await retrievePiece({ baseUrl: url, pieceCid: v1, paddedSize }, modules);
    expect(byV1.bytes.length).toBe(padded.length); // no payload size given: served length kept
  });

  it("more bytes than the piece can hold: PIECE_TOO_LARGE, by Content-Length or while streaming", async () => {
    const big = new Uint8Array(unpaddedSize(paddedSize) + 1);
    const declared = await serve((_req, res) => res.writeHead(200, { "content-length": big.length }).end(big));
    expect(await codeOf(retrievePiece({ baseUrl: declared, pieceCid }, modules))).toBe(
      FilecoinErrorCode.PIECE_TOO_LARGE,
    );
    const chunked = await serve((_req, res) => {
      res.writeHead(200);
      res.write(big.subarray(0, 1000));
      res.end(big.subarray(1000));
    });
    expect(await codeOf(retrievePiece({ baseUrl: chunked, pieceCid }, modules))).toBe(
      FilecoinErrorCode.PIECE_TOO_LARGE,
    );
  });

  it("a short or empty body is PIECE_CORRUPTED; another status is RETRIEVAL_FAILED", async () => {
    const short = await serve((_req, res) => res.writeHead(200).end(packed.car.subarray(0, 100)));
    expect(await codeOf(retrievePiece({ baseUrl: short, pieceCid }, modules))).toBe(FilecoinErrorCode.PIECE_CORRUPTED);
    const empty = await serve((_req, res) => res.writeHead(200).end());
    expect(await codeOf(retrievePiece({ baseUrl: empty, pieceCid }, modules))).toBe(FilecoinErrorCode.PIECE_CORRUPTED);
    const busy = await serve((_req, res) => res.writeHead(503).end("busy"));
    expect(await retrievePiece({ baseUrl: busy, pieceCid }, modules).catch((e: unknown) => e)).toMatchObject({
      code: FilecoinErrorCode.RETRIEVAL_FAILED,
      details: { status: 503 },
    });
  });

  it("a server that stalls mid-body is RETRIEVAL_TIMEOUT; a refused connection is RETRIEVAL_FAILED", async () => {
    const stall = await serve((_req, res) => {
      res.writeHead(200, { "content-length": packed.carSize });
      res.write(packed.car.subarray(0, 10)); // then nothing
    });
    expect(await codeOf(retrievePiece({ baseUrl: stall, pieceCid, idleTimeoutMs: 100 }, modules))).toBe(
      FilecoinErrorCode.RETRIEVAL_TIMEOUT,
    );
    const { url, server } = await rogue(() => {});
    await stop(server);
    expect(await codeOf(retrievePiece({ baseUrl: url, pieceCid }, modules))).toBe(FilecoinErrorCode.RETRIEVAL_FAILED);
  });

  it("the caller's AbortSignal ends a download: RETRIEVAL_FAILED", async () => {
    const hang = await serve(() => {});
    const ctl = new AbortController();
    const p = retrievePiece({ baseUrl: hang, pieceCid, signal: ctl.signal }, modules);
    ctl.abort();
    expect(await p.catch((e: unknown) => e)).toMatchObject({
      code: FilecoinErrorCode.RETRIEVAL_FAILED,
      shortMessage: "The download was aborted",
    });
  });

  it("a range server that ignores Range is refused by the HTTP byte source", async () => {
    const url = await serve((_req, res) => res.writeHead(200, { "content-length": packed.carSize }).end(packed.car));
    const source = await createHttpByteSource(`${url}/piece/${pieceCid}`);
    expect(await codeOf(openBatch(source))).toBe(FilecoinErrorCode.RETRIEVAL_FAILED);
  });
});
