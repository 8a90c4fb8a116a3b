/**
 * Child process of the rss_mb_1m bench: builds a State of N accounts and N assets, hashes it once,
 * collects garbage and prints its memory as one JSON line. Run as `node --expose-gc rssChild.mjs N`.
 */
import { randomFillSync } from "node:crypto";
import { State } from "@filverse/state";
import { Namespace } from "@filverse/types";

const perNamespace = Number(process.argv[2]);
if (!Number.isSafeInteger(perNamespace) || perNamespace < 1) {
  throw new RangeError(`rssChild: expected a positive object count per namespace, got ${process.argv[2]}`);
}
if (typeof globalThis.gc !== "function") throw new Error("rssChild: run with node --expose-gc");

/** Assets spread over this many collections, as many tokens per collection is the common shape. */
const COLLECTIONS = 1000;
const MB = 1024 * 1024;

/**
 * Random bytes in fresh arrays of their own, as a decoder reading objects from the database would
 * give them (a shared backing buffer would understate the memory).
 */
const pool = new Uint8Array(64 * 1024);
let poolOffset = pool.length;
function freshRandom(n) {
  if (poolOffset + n > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = pool.slice(poolOffset, poolOffset + n);
  poolOffset += n;
  return out;
}

function* stateEntries() {
  for (let i = 0; i < perNamespace; i++) {
    yield {
      ns: Namespace.Account,
      id: freshRandom(20),
      value: { balance: BigInt(i + 1) * 1_000_000_000_000_000n, nonce: i % 1000 },
    };
  }
  const collections = Array.from({ length: COLLECTIONS }, () => freshRandom(32));
  for (let i = 0; i < perNamespace; i++) {
    const collectionId = collections[i % COLLECTIONS];
    const tokenId = Math.floor(i / COLLECTIONS) + 1;
    const id = new Uint8Array(40);
    id.set(collectionId, 0);
    new DataView(id.buffer).setBigUint64(32, BigInt(tokenId));
    yield {
      ns: Namespace.Asset,
      id,
      value: {
        collectionId,
        tokenId,
        owner: freshRandom(20),
        approved: new Uint8Array(20),
        // A distinct CIDv1-length string per asset (59 characters, like a raw-leaves bafkrei… CID).
        contentCid: `bafkrei${i.toString(32).padStart(52, "a")}`,
        burned: false,
      },
    };
  }
}

function round1(x) {
  return Math.round(x * 10) / 10;
}

gc();
const baseRss = process.memoryUsage().rss;
const t0 = performance.now();
const state = State.fromEntries(stateEntries(), []);
const buildMs = performance.now() - t0;
const t1 = performance.now();
state.roots();
const rootsMs = performance.now() - t1;
gc();
gc();
const mem = process.memoryUsage();
if (state.objects.size !== perNamespace * 2) {
  throw new Error(`rssChild: state holds ${state.objects.size} objects, expected ${perNamespace * 2}`);
}
process.stdout.write(
  `${JSON.stringify({
    rssMb: round1(mem.rss / MB),
    baseRssMb: round1(baseRss / MB),
    heapUsedMb: round1(mem.heapUsed / MB),
    externalMb: round1(mem.external / MB),
    arrayBuffersMb: round1(mem.arrayBuffers / MB),
    bytesPerObject: Math.round((mem.rss - baseRss) / (perNamespace * 2)),
    buildMs: Math.round(buildMs),
    rootsMs: Math.round(rootsMs),
  })}\n`,
);
