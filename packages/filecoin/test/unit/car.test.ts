import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAX_BATCH_BLOCKS, MAX_BATCH_CAR_BYTES } from "@filverse/params";
import { blockHash, encodeSignedBlock } from "@filverse/types";
import { toHex } from "@filverse/utils";
import { CarBufferWriter, CarIndexer, CarReader } from "@ipld/car";
import * as dagCbor from "@ipld/dag-cbor";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  assembleBatchCar,
  type BatchMeta,
  CAR_HEADER_BYTES,
  createBytesSource,
  encodeBatchIndex,
  encodeVarint,
  FilecoinError,
  FilecoinErrorCode,
  indexCid,
  maxIndexSectionBytes,
  openBatch,
  openFileSource,
  packBatch,
  packBatchRange,
  readBatch,
  readBlockAt,
  sectionLength,
  sectionOffsets,
} from "../../src/index.js";
import { buildTestChain, dataSegmentCommitter } from "./chain.js";

const chain = buildTestChain(12);
const packed = packBatch(chain.bytes);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof FilecoinError) return err.code;
    throw err;
  }
  throw new Error("expected a FilecoinError, nothing was thrown");
}

async function asyncCodeOf(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof FilecoinError) return err.code;
    throw err;
  }
  throw new Error("expected a FilecoinError, nothing was thrown");
}

function metaOf(from: number, to: number): BatchMeta {
  const blocks = chain.blocks.slice(from - 1, to);
  return {
    chainId: blocks[0]!.header.chainId,
    firstBlock: from,
    lastBlock: to,
    parentHash: blocks[0]!.header.parentHash,
    lastBlockHash: blockHash(blocks[blocks.length - 1]!.header),
  };
}

describe("packBatch / readBatch", () => {
  it("round-trips a real chain: every block, byte for byte, with the index describing it", () => {
    const read = readBatch(packed.car, { payloadCid: packed.payloadCid });
    expect(read.payloadCid).toBe(packed.payloadCid);
    expect(read.blockBytes).toEqual(chain.bytes);
    expect(read.blocks.map((b) => encodeSignedBlock(b))).toEqual(chain.bytes);
    expect(read.index).toMatchObject({ chainId: chain.blocks[0]!.header.chainId, firstBlock: 1, lastBlock: 12 });
    expect(read.index.parentHash).toEqual(blockHash(chain.genesis));
    expect(read.index.lastBlockHash).toEqual(blockHash(chain.blocks[11]!.header));
    expect(packed.carSize).toBe(packed.car.length);
    expect(packed.payloadCid).toMatch(/^bafyrei/);
    expect(read.index.blocks[0]!.toString()).toMatch(/^bafkrei/);
  });

  it("is deterministic: the same blocks give the same bytes, payload CID and Piece CID (pinned)", async () => {
    const again = packBatch(chain.bytes.map((b) => b.slice()));
    expect(toHex(again.car)).toBe(toHex(packed.car));
    const { pieceCid } = await dataSegmentCommitter.commP(packed.car);
    // Pinned: a change here changes every batch's CIDs, a protocol change (docs/storage.md).
    expect({ payloadCid: packed.payloadCid, pieceCid, carSize: packed.carSize }).toMatchInlineSnapshot(`
      {
        "carSize": 7018,
        "payloadCid": "bafyreiahvt76ifmsut6uznzliaywg6bohdo2qkb5dq5lu2xgidv4z6izvm",
        "pieceCid": "bafkzcibd2year3t7xu5efmxly5ounugp6e5qfn7hp6jcxcjrojhdnrsacjseb7yx",
      }
    `);
  });

  it("is a CARv1 that @ipld/car reads: one root, the index first, the offsets the index records", async () => {
    const reader = await CarReader.fromBytes(packed.car);
    expect((await reader.getRoots()).map(String)).toEqual([packed.payloadCid]);
    const entries = [];
    for await (const e of (await CarIndexer.fromBytes(packed.car)) as AsyncIterable<{
      cid: { toString(): string };
      offset: number;
      blockLength: number;
    }>)
      entries.push(e);
    expect(entries.map((e) => e.cid.toString())).toEqual([
      packed.payloadCid,
      ...packed.index.blocks.map((c) => c.toString()),
    ]);
    expect(entries[0]!.offset).toBe(CAR_HEADER_BYTES);
    expect(CarBufferWriter.headerLength({ roots: [indexCid(encodeBatchIndex(packed.index))] })).toBe(CAR_HEADER_BYTES);
    const dataStart = entries[1]!.offset;
    expect(entries.slice(1).map((e) => e.offset - dataStart)).toEqual(packed.index.offsets);
    expect(entries.slice(1).map((e) => e.blockLength)).toEqual(packed.index.lengths);
  });

  it("packs any contiguous range of the chain, and reads it back (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }).chain((a) => fc.tuple(fc.constant(a), fc.integer({ min: a, max: 12 }))),
        ([a, b]) => {
          const p = packBatch(chain.bytes.slice(a - 1, b));
          const read = readBatch(p.car);
          expect(read.index.firstBlock).toBe(a);
          expect(read.blockBytes).toEqual(chain.bytes.slice(a - 1, b));
        },
      ),
      { numRuns: 20 },
    );
  });

  it("packBatchRange reads the range from a ChainDb-like source; a missing block is BLOCK_MISSING", async () => {
    const source = { getBlockBytes: async (n: number) => chain.bytes[n - 1] ?? null };
    expect((await packBatchRange(source, 1, 12)).payloadCid).toBe(packed.payloadCid);
    expect(await asyncCodeOf(() => packBatchRange(source, 10, 13))).toBe(FilecoinErrorCode.BLOCK_MISSING);
    expect(await asyncCodeOf(() => packBatchRange(source, 1, 12, { maxBlocks: 4 }))).toBe(
      FilecoinErrorCode.BATCH_TOO_MANY_BLOCKS,
    );
  });

  it("refuses to pack what is not one chain, or too much", () => {
    const b = chain.bytes;
    expect(codeOf(() => packBatch([]))).toBe(FilecoinErrorCode.BATCH_EMPTY);
    expect(codeOf(() => packBatch([b[0]!, b[2]!]))).toBe(FilecoinErrorCode.BLOCK_NOT_CONTIGUOUS);
    expect(codeOf(() => packBatch([b[1]!, b[0]!]))).toBe(FilecoinErrorCode.BLOCK_NOT_CONTIGUOUS);
    const forked = encodeSignedBlock({
      ...chain.blocks[1]!,
      header: { ...chain.blocks[1]!.header, parentHash: new Uint8Array(32).fill(7) },
    });
    expect(codeOf(() => packBatch([b[0]!, forked, b[2]!]))).toBe(FilecoinErrorCode.PARENT_MISMATCH);
    expect(codeOf(() => packBatch([b[0]!, new Uint8Array(40)]))).toBe(FilecoinErrorCode.BLOCK_DECODE);
    expect(codeOf(() => packBatch(b, { maxBlocks: 11 }))).toBe(FilecoinErrorCode.BATCH_TOO_MANY_BLOCKS);
    expect(codeOf(() => packBatch(b, { maxCarBytes: packed.carSize - 1 }))).toBe(FilecoinErrorCode.CAR_TOO_LARGE);
    expect(packBatch(b, { maxCarBytes: packed.carSize }).carSize).toBe(packed.carSize);
  });
});

describe("malformed CARs: each a typed error", () => {
  const car = packed.car;
  const dataStart = car.length - packed.index.offsets[11]! - sectionLength(packed.index.lengths[11]!);
  const blockAt = (i: number) => dataStart + packed.index.offsets[i]!;

  it("truncated anywhere: CAR_TRUNCATED", () => {
    for (const cut of [
      0,
      1,
      10,
      CAR_HEADER_BYTES,
      CAR_HEADER_BYTES + 3,
      dataStart - 1,
      blockAt(5) + 3,
      car.length - 1,
    ]) {
      expect(
        codeOf(() => readBatch(car.subarray(0, cut))),
        `cut at ${cut}`,
      ).toBe(FilecoinErrorCode.CAR_TRUNCATED);
    }
  });

  it("bytes after the last block: CAR_MALFORMED", () => {
    const longer = new Uint8Array(car.length + 1);
    longer.set(car);
    expect(codeOf(() => readBatch(longer))).toBe(FilecoinErrorCode.CAR_MALFORMED);
  });

  it("a block's bytes changed: CID_MISMATCH; its CID changed: INDEX_MISMATCH", () => {
    const data = car.slice();
    data[blockAt(3) + 2 + 36 + 10]! ^= 1;
    expect(codeOf(() => readBatch(data))).toBe(FilecoinErrorCode.CID_MISMATCH);
    const cid = car.slice();
    cid[blockAt(3) + 2 + 20]! ^= 1;
    expect(codeOf(() => readBatch(cid))).toBe(FilecoinErrorCode.INDEX_MISMATCH);
  });

  it("two block sections swapped in the CAR: INDEX_MISMATCH", () => {
    const [s3, s4] = [3, 4].map((i) => car.subarray(blockAt(i), blockAt(i + 1)));
    const swapped = new Uint8Array(car.length);
    swapped.set(car.subarray(0, blockAt(3)));
    swapped.set(s4!, blockAt(3));
    swapped.set(s3!, blockAt(3) + s4!.length);
    swapped.set(car.subarray(blockAt(5)), blockAt(5));
    expect(codeOf(() => readBatch(swapped))).toBe(FilecoinErrorCode.INDEX_MISMATCH);
  });

  it("a well-framed CAR of blocks out of order: BLOCK_NOT_CONTIGUOUS", () => {
    const b = chain.bytes;
    const out = assembleBatchCar([b[0]!, b[2]!, b[1]!], metaOf(1, 3));
    expect(codeOf(() => readBatch(out.car))).toBe(FilecoinErrorCode.BLOCK_NOT_CONTIGUOUS);
    const wrongChain = assembleBatchCar(b.slice(0, 3), { ...metaOf(1, 3), chainId: 1 });
    expect(codeOf(() => readBatch(wrongChain.car))).toBe(FilecoinErrorCode.BLOCK_NOT_CONTIGUOUS);
  });

  it("a broken parentHash chain, or an index whose parent / last hash lie: PARENT_MISMATCH", () => {
    const b = chain.bytes;
    const forked = encodeSignedBlock({
      ...chain.blocks[1]!,
      header: { ...chain.blocks[1]!.header, parentHash: new Uint8Array(32).fill(7) },
    });
    const broken = assembleBatchCar([b[0]!, forked, b[2]!], metaOf(1, 3));
    expect(codeOf(() => readBatch(broken.car))).toBe(FilecoinErrorCode.PARENT_MISMATCH);
    expect(() => readBatch(broken.car)).toThrowErrorMatchingInlineSnapshot(`
      [FilecoinError: Block 2: its parentHash is not the previous block's hash
      Details: {"block":2,"got":"0x0707070707070707070707070707070707070707070707070707070707070707","expected":"0x3a53414b7ba5effc426b5e3314b6395245a786d3a6197c2fd104759a726c4e73"}]
    `);
    const badParent = assembleBatchCar(b.slice(0, 3), { ...metaOf(1, 3), parentHash: new Uint8Array(32) });
    expect(codeOf(() => readBatch(badParent.car))).toBe(FilecoinErrorCode.PARENT_MISMATCH);
    const badLast = assembleBatchCar(b.slice(0, 3), { ...metaOf(1, 3), lastBlockHash: new Uint8Array(32) });
    expect(codeOf(() => readBatch(badLast.car))).toBe(FilecoinErrorCode.PARENT_MISMATCH);
  });

  it("a block that is not SSZ: BLOCK_DECODE", () => {
    const out = assembleBatchCar([chain.bytes[0]!, new Uint8Array(300).fill(0xff)], metaOf(1, 2));
    expect(codeOf(() => readBatch(out.car))).toBe(FilecoinErrorCode.BLOCK_DECODE);
  });

  it("oversized: CAR_TOO_LARGE before parsing; too many blocks for the reader: INDEX_MALFORMED", () => {
    expect(codeOf(() => readBatch(car, { maxCarBytes: car.length - 1 }))).toBe(FilecoinErrorCode.CAR_TOO_LARGE);
    expect(codeOf(() => readBatch(car, { maxBlocks: 11 }))).toBe(FilecoinErrorCode.INDEX_MALFORMED);
    expect(codeOf(() => assembleBatchCar(chain.bytes, metaOf(1, 12), 1000))).toBe(FilecoinErrorCode.CAR_TOO_LARGE);
  });

  it("another root than the checkpoint's payload CID: PAYLOAD_CID_MISMATCH", () => {
    const other = packBatch(chain.bytes.slice(0, 2)).payloadCid;
    expect(codeOf(() => readBatch(car, { payloadCid: other }))).toBe(FilecoinErrorCode.PAYLOAD_CID_MISMATCH);
  });

  it("an index node that is not the layout's (extra key, wrong version, wrong root): typed errors", () => {
    const withIndex = (node: unknown, root?: ReturnType<typeof indexCid>) => {
      const bytes = dagCbor.encode(node);
      const cid = root ?? indexCid(bytes);
      const w = CarBufferWriter.createWriter(new ArrayBuffer(CAR_HEADER_BYTES + sectionLength(bytes.length)), {
        roots: [cid],
      });
      w.write({ cid: indexCid(bytes), bytes });
      return w.close();
    };
    const base = dagCbor.decode(encodeBatchIndex(packed.index)) as Record<string, unknown>;
    expect(codeOf(() => readBatch(withIndex({ ...base, extra: 1 })))).toBe(FilecoinErrorCode.INDEX_MALFORMED);
    expect(codeOf(() => readBatch(withIndex({ ...base, version: 2 })))).toBe(FilecoinErrorCode.INDEX_MALFORMED);
    expect(codeOf(() => readBatch(withIndex({ ...base, offsets: [1, ...(base.offsets as number[]).slice(1)] })))).toBe(
      FilecoinErrorCode.INDEX_MALFORMED,
    );
    expect(codeOf(() => readBatch(withIndex("not a map")))).toBe(FilecoinErrorCode.INDEX_MALFORMED);
    expect(codeOf(() => readBatch(withIndex(base, indexCid(new Uint8Array([1])))))).toBe(
      FilecoinErrorCode.INDEX_MISMATCH,
    );
  });

  it("any single changed byte is caught, as a FilecoinError (property)", () => {
    fc.assert(
      fc.property(fc.nat({ max: car.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, x) => {
        const bad = car.slice();
        bad[at]! ^= x;
        expect(() => readBatch(bad)).toThrow(FilecoinError);
      }),
      { numRuns: 300 },
    );
  });

  it("arbitrary bytes, and arbitrary prefixes, never escape as anything but a FilecoinError (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.nat({ max: car.length }), (junk, cut) => {
        expect(() => readBatch(junk)).toThrow(FilecoinError);
        const spliced = new Uint8Array(cut + junk.length);
        spliced.set(car.subarray(0, cut));
        spliced.set(junk, cut);
        if (cut < car.length || junk.length > 0) expect(() => readBatch(spliced)).toThrow(FilecoinError);
      }),
      { numRuns: 200 },
    );
  });
});

describe("ranged reads: block N without the whole CAR", () => {
  function countingSource(bytes: Uint8Array) {
    const inner = createBytesSource(bytes);
    const reads: [number, number][] = [];
    return {
      reads,
      source: {
        size: inner.size,
        read: (o: number, l: number) => {
          reads.push([o, l]);
          return inner.read(o, l);
        },
      },
    };
  }

  it("one read for header and index, then one read per block, each checked", async () => {
    const { reads, source } = countingSource(packed.car);
    const reader = await openBatch(source, { payloadCid: packed.payloadCid });
    expect(reads).toHaveLength(1);
    for (const n of [7, 1, 12]) {
      const { block, bytes } = await readBlockAt(reader, n);
      expect(block.header.number).toBe(n);
      expect(bytes).toEqual(chain.bytes[n - 1]);
    }
    expect(reads).toHaveLength(4);
    // Each block read is exactly its section.
    expect(reads[1]![1]).toBe(sectionLength(chain.bytes[6]!.length));
    expect(await asyncCodeOf(() => readBlockAt(reader, 13))).toBe(FilecoinErrorCode.BLOCK_OUT_OF_RANGE);
    expect(await asyncCodeOf(() => readBlockAt(reader, 0))).toBe(FilecoinErrorCode.BLOCK_OUT_OF_RANGE);
  });

  it("an index larger than the first read costs one more read", async () => {
    const { reads, source } = countingSource(packed.car);
    const reader = await openBatch(source, { prefetchBytes: 100 });
    expect(reads).toHaveLength(2);
    expect((await readBlockAt(reader, 3)).block.header.number).toBe(3);
  });

  it("a lying index length is refused after the first read, before fetching it", async () => {
    const lying = packed.car.slice();
    lying.set(encodeVarint(100_000_000), CAR_HEADER_BYTES);
    const { reads, source } = countingSource(lying);
    expect(await asyncCodeOf(() => openBatch(source))).toBe(FilecoinErrorCode.INDEX_MALFORMED);
    expect(reads).toHaveLength(1);
    expect(codeOf(() => readBatch(lying))).toBe(FilecoinErrorCode.INDEX_MALFORMED);
  });

  it("the index bound holds for a full batch of MAX_BATCH_BLOCKS blocks at the largest sizes", () => {
    const n = MAX_BATCH_BLOCKS;
    const lengths = Array.from({ length: n }, () => Math.floor(MAX_BATCH_CAR_BYTES / n));
    const index = {
      ...packed.index,
      lastBlock: n,
      blocks: Array(n).fill(packed.index.blocks[0]!),
      lengths,
      offsets: sectionOffsets(lengths),
    };
    expect(sectionLength(encodeBatchIndex(index).length)).toBeLessThanOrEqual(maxIndexSectionBytes(n));
  });

  it("reads from a file the same way", async () => {
    const dir = await mkdtemp(join(tmpdir(), "filverse-car-"));
    try {
      await writeFile(join(dir, "batch.car"), packed.car);
      const source = await openFileSource(join(dir, "batch.car"));
      try {
        const reader = await openBatch(source, { payloadCid: packed.payloadCid });
        expect((await readBlockAt(reader, 9)).bytes).toEqual(chain.bytes[8]);
      } finally {
        await source.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a corrupted block fails alone; the others still read", async () => {
    const bad = packed.car.slice();
    bad[bad.length - 5]! ^= 0xff; // inside block 12
    const reader = await openBatch(createBytesSource(bad));
    expect(await asyncCodeOf(() => readBlockAt(reader, 12))).toBe(FilecoinErrorCode.CID_MISMATCH);
    expect((await readBlockAt(reader, 11)).block.header.number).toBe(11);
  });

  it("a wrong payload CID, a truncated source, or a lying index end: typed errors", async () => {
    const other = packBatch(chain.bytes.slice(0, 2)).payloadCid;
    expect(await asyncCodeOf(() => openBatch(createBytesSource(packed.car), { payloadCid: other }))).toBe(
      FilecoinErrorCode.PAYLOAD_CID_MISMATCH,
    );
    expect(await asyncCodeOf(() => openBatch(createBytesSource(packed.car.subarray(0, packed.carSize - 1))))).toBe(
      FilecoinErrorCode.CAR_TRUNCATED,
    );
    const badLast = assembleBatchCar(chain.bytes.slice(0, 3), { ...metaOf(1, 3), lastBlockHash: new Uint8Array(32) });
    const reader = await openBatch(createBytesSource(badLast.car));
    expect((await readBlockAt(reader, 2)).block.header.number).toBe(2);
    expect(await asyncCodeOf(() => readBlockAt(reader, 3))).toBe(FilecoinErrorCode.PARENT_MISMATCH);
  });
});
