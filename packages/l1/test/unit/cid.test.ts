/**
 * contracts/Cid.sol against the TypeScript it re-implements, on the hardhat L1: Cid.isCid against
 * @filverse/state's checkCid (multiformats' CID.parse) and Cid.isPieceCid against checkPieceCid
 * (@filverse/crypto's parsePieceCid), on valid CIDs of every base, version, codec, hash code and
 * digest length, on near misses (mutated, inserted and deleted characters, truncations, padding,
 * other prefixes, uppercase, non-ASCII characters, non-minimal varints, wrong lengths) and on fixed
 * examples. Strings stay within MAX_CID_BYTES (128 UTF-8 bytes), the SSZ bound of every CID field.
 * FILVERSE_FUZZ_RUNS sets the run count of each property; the gas of the rules is printed.
 */

import { encodePieceCidV1, encodePieceCidV2 } from "@filverse/crypto";
import { MAX_CID_BYTES } from "@filverse/params";
import { checkCid, checkPieceCid } from "@filverse/state";
import { toHex, utf8ToBytes } from "@filverse/utils";
import fc from "fast-check";
import { type Abi, type Address, encodeFunctionData } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createL1Clients, type L1Clients } from "../../src/clients.js";
import { type LocalL1, startLocalL1 } from "../../src/devL1.js";
import { compileTestHarness } from "./harness.js";

const RUNS = Number(process.env.FILVERSE_FUZZ_RUNS ?? 25);
/** Each run is one call of a batch of strings; the box may be loaded. */
const TIMEOUT = 60_000 + RUNS * 1_000;

let l1: LocalL1;
let clients: L1Clients;
let harness: Address;
let abi: Abi;

beforeAll(async () => {
  const [artifact, node] = await Promise.all([
    compileTestHarness("CidHarness", ["Cid.sol", "Utf8.sol"]),
    startLocalL1(),
  ]);
  l1 = node;
  abi = artifact.abi;
  clients = createL1Clients({ url: l1.url, chainId: l1.chainId, pollingIntervalMs: 25, retryCount: 0 });
  const [deployer] = await clients.walletClient.getAddresses();
  const hash = await clients.walletClient.deployContract({
    abi,
    bytecode: artifact.bytecode,
    account: deployer!,
    chain: clients.walletClient.chain,
  });
  harness = (await clients.publicClient.waitForTransactionReceipt({ hash })).contractAddress!;
}, 90_000);
afterAll(async () => {
  await l1?.stop();
});

// --- the TypeScript rules -----------------------------------------------------------------------

const tsIsCid = (s: string): boolean => {
  try {
    checkCid(s, "cid");
    return true;
  } catch {
    return false;
  }
};
const tsIsPieceCid = (s: string): boolean => {
  try {
    checkPieceCid(s, "pieceCid");
    return true;
  } catch {
    return false;
  }
};

/** Both rules in Solidity, for many strings in one call. */
async function solidity(strings: string[]): Promise<{ cid: boolean[]; piece: boolean[] }> {
  const [cid, piece] = (await clients.publicClient.readContract({
    address: harness,
    abi,
    functionName: "check",
    args: [strings.map((s) => toHex(utf8ToBytes(s)))],
  } as never)) as [boolean[], boolean[]];
  return { cid, piece };
}

/** Compares both rules on every string; returns how many each side accepted. */
async function compare(strings: string[]): Promise<{ cids: number; pieces: number }> {
  const sol = await solidity(strings);
  strings.forEach((s, i) => {
    expect({ s, cid: sol.cid[i] }).toEqual({ s, cid: tsIsCid(s) });
    expect({ s, piece: sol.piece[i] }).toEqual({ s, piece: tsIsPieceCid(s) });
  });
  return { cids: sol.cid.filter(Boolean).length, pieces: sol.piece.filter(Boolean).length };
}

// --- encoders (independent of multiformats, so they can write what it would not) ----------------

/** LEB128; `extra` more groups of zero (a non-minimal form multiformats still reads). */
function varint(value: bigint, extra = 0): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  for (let i = 0; i < extra; i++) {
    out[out.length - 1]! |= 0x80;
    out.push(0);
  }
  return out;
}

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
const BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz";

function base32(bytes: Uint8Array | number[]): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const b of bytes) {
    buffer = ((buffer << 8) | b) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32[(buffer >>> bits) & 31];
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

function baseX(bytes: Uint8Array | number[], alphabet: string): string {
  const base = BigInt(alphabet.length);
  let zeroes = 0;
  while (zeroes < bytes.length && bytes[zeroes] === 0) zeroes++;
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  let digits = "";
  while (n > 0n) {
    digits = alphabet[Number(n % base)]! + digits;
    n /= base;
  }
  return alphabet[0]!.repeat(zeroes) + digits;
}

function bigFromBytes(bytes: number[]): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

function bytesFromBig(n: bigint, length: number): number[] {
  const out = new Array<number>(length).fill(0);
  let v = n;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

type Base = "b" | "z" | "k";
function encode(base: Base, bytes: number[]): string {
  if (base === "b") return `b${base32(bytes)}`;
  if (base === "z") return `z${baseX(bytes, BASE58)}`;
  return `k${baseX(bytes, BASE36)}`;
}

const fits = (s: string) => Buffer.byteLength(s, "utf8") <= MAX_CID_BYTES;

// --- generators -----------------------------------------------------------------------------------

const arbCode = fc.oneof(
  fc.constantFrom(0n, 0x12n, 0x55n, 0x70n, 0x71n, 0x0129n, 0xb220n, 0x1012n, 0xf101n, 0x1011n),
  fc.bigInt({ min: 0n, max: 0x7fn }),
  fc.bigInt({ min: 0n, max: (1n << 21n) - 1n }),
  fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }),
);
const arbExtra = fc.oneof(
  { arbitrary: fc.constant(0), weight: 4 },
  { arbitrary: fc.integer({ min: 1, max: 3 }), weight: 1 },
);

/** The bytes of a CIDv1 (or v0-with-version-byte), with optional non-minimal varints and a length error. */
const arbCidBytes = fc
  .record({
    version: fc.oneof(
      { arbitrary: fc.constant(1n), weight: 8 },
      { arbitrary: fc.constantFrom(0n, 2n, 3n, 18n, 0x81n), weight: 1 },
    ),
    codec: arbCode,
    hash: arbCode,
    digest: fc.uint8Array({ minLength: 0, maxLength: 64 }),
    extras: fc.tuple(arbExtra, arbExtra, arbExtra, arbExtra),
    lengthError: fc.oneof(
      { arbitrary: fc.constant(0), weight: 6 },
      { arbitrary: fc.integer({ min: -2, max: 2 }), weight: 1 },
    ),
  })
  .map(({ version, codec, hash, digest, extras, lengthError }) => [
    ...varint(version, extras[0]),
    ...varint(codec, extras[1]),
    ...varint(hash, extras[2]),
    ...varint(BigInt(Math.max(0, digest.length + lengthError)), extras[3]),
    ...digest,
  ]);

/** CIDv0 bytes: a multihash of code 18 (usually sha2-256, 32 bytes), with the same perturbations. */
const arbV0Bytes = fc
  .record({
    digest: fc.oneof(
      { arbitrary: fc.uint8Array({ minLength: 32, maxLength: 32 }), weight: 4 },
      { arbitrary: fc.uint8Array({ minLength: 0, maxLength: 64 }), weight: 1 },
    ),
    extras: fc.tuple(arbExtra, arbExtra),
    lengthError: fc.oneof(
      { arbitrary: fc.constant(0), weight: 6 },
      { arbitrary: fc.integer({ min: -2, max: 2 }), weight: 1 },
    ),
  })
  .map(({ digest, extras, lengthError }) => [
    ...varint(18n, extras[0]),
    ...varint(BigInt(Math.max(0, digest.length + lengthError)), extras[1]),
    ...digest,
  ]);

/** A CID string: v1 bytes in each base, v0 bytes bare (`Q…`) or with a prefix. */
const arbCidString = fc.oneof(
  fc.tuple(fc.constantFrom<Base>("b", "z", "k"), arbCidBytes).map(([base, bytes]) => encode(base, bytes)),
  fc
    .tuple(fc.constantFrom("Q", "z", "b", "k"), arbV0Bytes)
    .map(([base, bytes]) => (base === "Q" ? baseX(bytes, BASE58) : encode(base as Base, bytes))),
);

/** Piece CIDs, valid and nearly so: v1 and v2 with random roots, heights and paddings. */
const arbPieceString = fc.oneof(
  fc.uint8Array({ minLength: 32, maxLength: 32 }).map((root) => {
    const r = root.slice();
    r[31]! &= 0x3f;
    return encodePieceCidV1(r);
  }),
  fc
    .tuple(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.integer({ min: 2, max: 31 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
    )
    .map(([root, height, f]) => {
      const r = root.slice();
      r[31]! &= 0x3f;
      const unpadded = 127 * 2 ** (height - 2);
      const maxPadding = height === 2 ? unpadded : Math.ceil(unpadded / 2) - 1;
      return encodePieceCidV2({ root: r, height, padding: Math.floor(f * maxPadding) });
    }),
  // Raw piece bytes with every field free: codec, hash, varints, heights, paddings, top bits.
  fc
    .record({
      v2: fc.boolean(),
      root: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      height: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 255 })),
      padding: fc.oneof(fc.bigInt({ min: 0n, max: 200n }), fc.bigInt({ min: 0n, max: 1n << 40n })),
      clearTop: fc.boolean(),
      extras: fc.tuple(arbExtra, arbExtra, arbExtra, arbExtra, arbExtra),
      lengthError: fc.oneof(
        { arbitrary: fc.constant(0), weight: 6 },
        { arbitrary: fc.integer({ min: -1, max: 1 }), weight: 1 },
      ),
      base: fc.constantFrom<Base>("b", "b", "b", "z", "k"),
    })
    .map(({ v2, root, height, padding, clearTop, extras, lengthError, base }) => {
      const r = [...root];
      if (clearTop) r[31]! &= 0x3f;
      const digest = v2 ? [...varint(padding, extras[4]), height, ...r] : r;
      return encode(base, [
        ...varint(1n, extras[0]),
        ...varint(v2 ? 0x55n : 0xf101n, extras[1]),
        ...varint(v2 ? 0x1011n : 0x1012n, extras[2]),
        ...varint(BigInt(Math.max(0, digest.length + lengthError)), extras[3]),
        ...digest,
      ]);
    }),
);

/**
 * Valid CIDs that go through base-x's undefined digit: a base58 or base36 string ending in a
 * character above U+00FF decodes to base·(N − N mod 256) for the number N of the characters before.
 * Built from CID bytes whose number is a multiple of base·256.
 */
const arbWeirdCid = fc
  .tuple(arbCidBytes, fc.constantFrom<Base>("z", "k"), fc.constantFrom("Ā", "€", "ｚ", "😀"))
  .map(([bytes, base, ch]) => {
    const b = base === "z" ? 58n : 36n;
    const units = ch.length; // UTF-16 units, each an undefined digit
    const m = (b * 256n) ** BigInt(units);
    let n = bigFromBytes(bytes);
    n -= n % m;
    const length = bytes.length;
    const fixed = bytesFromBig(n, length);
    // Each undefined digit divides back: x → base·x with x a multiple of 256.
    let x = n;
    for (let i = 0; i < units; i++) x /= b;
    const alphabet = base === "z" ? BASE58 : BASE36;
    const leading = fixed.findIndex((v) => v !== 0);
    const zeroes = leading < 0 ? length : leading;
    let digits = "";
    while (x > 0n) {
      digits = alphabet[Number(x % b)]! + digits;
      x /= b;
    }
    return `${base}${alphabet[0]!.repeat(zeroes)}${digits}${ch}`;
  });

const POOL = [
  ..."abcdefghijklmnopqrstuvwxyz234567ABCDEFGHIJKLMNOPQRSTUVWXYZ0189=QzbkBKZfmu ",
  "\u0000",
  "\u007f",
  "é",
  "\u00ff",
  "Ā",
  "€",
  "😀",
  "\ufeff",
];
const arbChar = fc.constantFrom(...POOL);

/** A near miss of `s`: characters replaced, inserted or deleted, truncated, padded, re-prefixed, uppercased. */
const arbMutation = (arb: fc.Arbitrary<string>) =>
  fc
    .tuple(
      arb,
      fc.array(
        fc.record({
          op: fc.constantFrom("replace", "insert", "delete", "truncate", "pad", "prefix", "upper", "append"),
          at: fc.nat(),
          ch: arbChar,
          count: fc.integer({ min: 1, max: 4 }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    )
    .map(([s, ops]) => {
      let chars = [...s];
      for (const { op, at, ch, count } of ops) {
        const i = chars.length === 0 ? 0 : at % chars.length;
        switch (op) {
          case "replace":
            if (chars.length > 0) chars[i] = ch;
            break;
          case "insert":
            chars.splice(i, 0, ch);
            break;
          case "delete":
            chars.splice(i, 1);
            break;
          case "truncate":
            chars = chars.slice(0, i);
            break;
          case "pad":
            chars.push(..."=".repeat(count));
            break;
          case "prefix":
            chars[0] = ch;
            break;
          case "upper":
            chars = [...chars.join("").toUpperCase()];
            break;
          case "append":
            chars.push(ch);
            break;
        }
      }
      return chars.join("");
    });

const batch = (arb: fc.Arbitrary<string>) => fc.array(arb.filter(fits), { minLength: 8, maxLength: 24 });

describe("Cid.sol against @filverse/state's CID rules", () => {
  it("fixed examples", async () => {
    const examples: [string, boolean, boolean][] = [
      // [string, isCid, isPieceCid]
      ["QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG", true, false],
      ["bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", true, false],
      ["bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi==", true, false],
      ["BAFYBEIGDYRZT5SFP7UDM7HU76UH7Y26NF3EFUYLQABF3OCLGTQY55FBZDI", false, false],
      ["bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdj", false, false],
      ["zdj7WWeQ43G6JJvLWQWZpyHuAMq6uYWRjkBXFad11vE2LHhQ7", true, false],
      ["zQmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG", false, false],
      ["k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v8", true, false],
      ["baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq", true, true],
      ["baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq=", true, false],
      // Q… strings whose bytes are not a sha2-256 multihash: version 0 written 0x80 0x00 (read as
      // CIDv0, its codec ignored) and version 1 written 0x81 0x80 0x00.
      ["QS8hrKN5EvAJ2mHrLB1kSKbgvM", true, false],
      ["Qi3ggowaC5RtFpyw6gXKD7V3gm", true, false],
      ["", false, false],
      ["b", false, false],
      ["Q", false, false],
      ["z", false, false],
      ["k", false, false],
      ["mAXASIBdsCr8Wo0lcHwKbJRkMkOfvj+2B5ccV/9CB/SqeMHs", false, false],
      // base-x reads a character above U+00FF as a digit that zeroes the lowest byte: still 34 bytes.
      ["QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdĀ", true, false],
      ["QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbd\u00e9", false, false],
      ["QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbd😀", false, false],
    ];
    const sol = await solidity(examples.map(([s]) => s));
    examples.forEach(([s, cid, piece], i) => {
      expect({ s, ts: tsIsCid(s), sol: sol.cid[i] }).toEqual({ s, ts: cid, sol: cid });
      expect({ s, ts: tsIsPieceCid(s), sol: sol.piece[i] }).toEqual({ s, ts: piece, sol: piece });
    });
  });

  it("bytes that are not UTF-8 (which no string field can hold) are refused", async () => {
    const utf8 = (x: string) => [...utf8ToBytes(x)];
    const notUtf8 = [
      [0xc0, 0xaf], // overlong "/"
      [0xed, 0xa0, 0x80], // a surrogate, U+D800
      [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
      [0xe2, 0x82], // truncated
      [0x80], // a lone continuation byte
      [0xff],
    ];
    const inputs = notUtf8.flatMap((bad) => [
      [...utf8("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbd"), ...bad],
      [...utf8("zdj7WWeQ43G6JJvLWQWZpyHuAMq6uYWRjkBXFad11vE2LHhQ"), ...bad],
      [...utf8("k51qzi5uqu5dlvj2baxnqndepeb86cbk3ng7n3i46uzyxzyqj2xjonzllnv0v"), ...bad],
      [...utf8("bafkqaa"), ...bad],
      [...utf8("z"), ...bad, ...utf8("dj7WWeQ43G6JJvLWQWZpyHuAMq6uYWRjkBXFad11vE2LHhQ7")],
      bad,
    ]);
    const [cid, piece] = (await clients.publicClient.readContract({
      address: harness,
      abi,
      functionName: "check",
      args: [inputs.map((b) => toHex(Uint8Array.from(b)))],
    } as never)) as [boolean[], boolean[]];
    expect(cid.every((x) => !x)).toBe(true);
    expect(piece.every((x) => !x)).toBe(true);
  });

  it(
    "valid and perturbed CIDs of every base",
    async () => {
      let accepted = 0;
      let total = 0;
      await fc.assert(
        fc.asyncProperty(batch(arbCidString), async (strings) => {
          accepted += (await compare(strings)).cids;
          total += strings.length;
        }),
        { numRuns: RUNS },
      );
      // The generator must reach both answers.
      expect(accepted).toBeGreaterThan(0);
      expect(accepted).toBeLessThan(total);
    },
    TIMEOUT,
  );

  it(
    "Piece CIDs, valid and perturbed",
    async () => {
      let accepted = 0;
      let total = 0;
      await fc.assert(
        fc.asyncProperty(batch(arbPieceString), async (strings) => {
          accepted += (await compare(strings)).pieces;
          total += strings.length;
        }),
        { numRuns: RUNS },
      );
      expect(accepted).toBeGreaterThan(0);
      expect(accepted).toBeLessThan(total);
    },
    TIMEOUT,
  );

  it(
    "CIDs through base-x's undefined digit (characters above U+00FF)",
    async () => {
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(batch(arbWeirdCid), async (strings) => {
          accepted += (await compare(strings)).cids;
        }),
        { numRuns: RUNS },
      );
      expect(accepted).toBeGreaterThan(0);
    },
    TIMEOUT,
  );

  it(
    "near misses: mutated, truncated, padded, re-prefixed, uppercased, non-ASCII",
    async () => {
      await fc.assert(
        fc.asyncProperty(batch(arbMutation(fc.oneof(arbCidString, arbPieceString, arbWeirdCid))), async (strings) => {
          await compare(strings);
        }),
        { numRuns: RUNS * 2 },
      );
    },
    TIMEOUT,
  );

  it(
    "random strings over the alphabets",
    async () => {
      await fc.assert(
        fc.asyncProperty(
          batch(
            fc
              .tuple(fc.constantFrom("Q", "z", "b", "k", "B", "f", ""), fc.array(arbChar, { maxLength: 60 }))
              .map(([p, cs]) => p + cs.join("")),
          ),
          async (strings) => {
            await compare(strings);
          },
        ),
        { numRuns: RUNS },
      );
    },
    TIMEOUT,
  );

  it("gas", async () => {
    const gasOf = (s: string) =>
      clients.publicClient.estimateGas({
        to: harness,
        data: encodeFunctionData({ abi, functionName: "isCid", args: [toHex(utf8ToBytes(s))] } as never),
      });
    const gasOfPiece = (s: string) =>
      clients.publicClient.estimateGas({
        to: harness,
        data: encodeFunctionData({ abi, functionName: "isPieceCid", args: [toHex(utf8ToBytes(s))] } as never),
      });
    const longest = (base: Base) => {
      // The longest string of 128 bytes in the base: a v1 CID with a digest that fills it.
      let best = "";
      for (let len = 0; len < 128; len++) {
        const s = encode(base, [1, 0x55, 0, len, ...new Array<number>(len).fill(0xff)]);
        if (fits(s) && tsIsCid(s)) best = s;
      }
      return best;
    };
    const report: Record<string, bigint> = {
      "isCid Qm… (46 chars)": await gasOf("QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG"),
      "isCid bafy… (59 chars)": await gasOf("bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi"),
    };
    for (const base of ["b", "z", "k"] as const) {
      const s = longest(base);
      report[`isCid ${base}… (${s.length} chars)`] = await gasOf(s);
    }
    report["isPieceCid v1 (64 chars)"] = await gasOfPiece(
      "baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq",
    );
    console.log("Cid gas (eth_estimateGas, with the 21,000 base and calldata):", report);
    for (const g of Object.values(report)) expect(g).toBeLessThan(200_000n);
  });
});
