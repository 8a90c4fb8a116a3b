/**
 * ForcedTxDecoder (contracts/ForcedTxDecoder.sol) against the TypeScript decoder
 * (@filverse/state parseTransactionBytes): on the hardhat L1, for a transaction of each of the 30
 * kinds (the golden vectors), random transactions of every kind, plain and in a Via envelope, every SSZ rule broken on purpose, and random
 * mutations of valid bytes, the code (0, MALFORMED or TOO_LARGE) is the TypeScript's, and a
 * transaction that decodes gives the TypeScript's chain id, kind, message (as its Eip712Tx ABI
 * struct) and signature. FILVERSE_FUZZ_RUNS sets the run count.
 */
import { readFileSync } from "node:fs";
import { signTransaction } from "@filverse/crypto";
import { MAX_TX_BYTES } from "@filverse/params";
import { parseTransactionBytes, TxValidationError, TxValidationErrorCode } from "@filverse/state";
import { arbitraryMessage } from "@filverse/test-utils";
import {
  encodeSignedTx,
  type SignedTransaction,
  signedTxFromJson,
  TxKind,
  USER_TX_KINDS,
  type UserTxKind,
  VIA_KIND_FLAG,
} from "@filverse/types";
import { toHex } from "@filverse/utils";
import fc from "fast-check";
import {
  type Abi,
  type Address,
  createPublicClient,
  createWalletClient,
  encodeFunctionData,
  type Hex,
  http,
} from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadArtifact } from "../../src/artifacts.js";
import { createL1Clients, type L1Clients } from "../../src/clients.js";
import { type LocalL1, startLocalL1 } from "../../src/devL1.js";
import { txMessageToAbi } from "./oneStepProof.js";

const RUNS = Number(process.env.FILVERSE_FUZZ_RUNS ?? 20);

let l1: LocalL1;
let clients: L1Clients;
let decoder: Address;
const abi: Abi = loadArtifact("ForcedTxDecoder").abi;

beforeAll(async () => {
  l1 = await startLocalL1();
  clients = createL1Clients({ url: l1.url, chainId: l1.chainId, pollingIntervalMs: 25, retryCount: 0 });
  const [deployer] = await clients.walletClient.getAddresses();
  const { bytecode } = loadArtifact("ForcedTxDecoder");
  const hash = await clients.walletClient.deployContract({
    abi,
    bytecode: bytecode as Hex,
    account: deployer!,
    chain: clients.walletClient.chain,
  });
  decoder = (await clients.publicClient.waitForTransactionReceipt({ hash })).contractAddress!;
}, 60_000);
afterAll(async () => {
  await l1?.stop();
});

type Decoded = { code: number; chainId: bigint; kind: number; message: Hex; signature: Hex };

async function decode(bytes: Uint8Array): Promise<Decoded> {
  // A long timeout: a loaded box runs a 34 KB decode for many seconds on the hardhat L1.
  const reader = createPublicClient({
    chain: clients.publicClient.chain,
    transport: http(l1.url, { timeout: 300_000 }),
  });
  return (await reader.readContract({
    address: decoder,
    abi,
    functionName: "decode",
    args: [toHex(bytes)],
  } as never)) as Decoded;
}

/** What the TypeScript makes of the bytes: a code (0: it decodes) and the transaction. */
function tsDecode(bytes: Uint8Array): { code: number; tx?: SignedTransaction } {
  try {
    return { code: 0, tx: parseTransactionBytes(bytes) };
  } catch (err) {
    if (err instanceof TxValidationError) return { code: err.code };
    throw err;
  }
}

const seen = new Map<number, number>();

async function expectSame(bytes: Uint8Array): Promise<void> {
  const want = tsDecode(bytes);
  const got = await decode(bytes);
  seen.set(want.code, (seen.get(want.code) ?? 0) + 1);
  expect(got.code, toHex(bytes).slice(0, 200)).toBe(want.code);
  if (!want.tx) return;
  const tx = want.tx;
  expect(got.chainId).toBe(BigInt(tx.chainId));
  expect(got.kind).toBe(tx.via ? VIA_KIND_FLAG | tx.kind : tx.kind);
  expect(got.message).toBe(txMessageToAbi(tx));
  expect(got.signature).toBe(toHex(tx.signature));
}

type VectorFile = { blocks: { transactions: { json: unknown }[] }[] };
const vectors = JSON.parse(
  readFileSync(new URL("../../../../test/vectors/protocol-v1.json", import.meta.url), "utf8"),
) as VectorFile;
const vectorTxs = vectors.blocks.flatMap((b) => b.transactions.map((t) => signedTxFromJson(t.json)));

const le = (v: bigint, n: number) => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return out;
};
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};
/** An envelope around any body: chainId, kind, the body's offset (78), the signature, the body. */
const envelope = (chainId: bigint, kind: number, body: Uint8Array, sig: Uint8Array = new Uint8Array(65).fill(7)) =>
  concat(le(chainId, 8), Uint8Array.of(kind), le(78n, 4), sig, body);
const bodyOf = (bytes: Uint8Array) => bytes.subarray(78);
const with_ = (bytes: Uint8Array, at: number, patch: Uint8Array) => {
  const out = bytes.slice();
  out.set(patch, at);
  return out;
};

describe("ForcedTxDecoder against parseTransactionBytes", () => {
  it("decodes a transaction of every kind (the golden vectors) as the TypeScript does", async () => {
    const kinds = new Set<number>();
    for (const tx of vectorTxs) {
      const bytes = encodeSignedTx(tx);
      expect(tsDecode(bytes).code).toBe(0);
      await expectSame(bytes);
      kinds.add(tx.kind);
    }
    expect([...kinds].sort((a, b) => a - b)).toEqual([...USER_TX_KINDS].sort((a, b) => a - b));
  });

  it("gives MALFORMED and TOO_LARGE exactly where the TypeScript does", async () => {
    const transfer = vectorTxs.find((t) => t.kind === TxKind.Transfer)!;
    const bytes = encodeSignedTx(transfer);
    const batch = vectorTxs.find((t) => t.kind === TxKind.AssetBatchMint)!;
    const batchBytes = encodeSignedTx(batch);
    const token = vectorTxs.find((t) => t.kind === TxKind.TokenCreate)!;
    const tokenBytes = encodeSignedTx(token);
    const collection = vectorTxs.find((t) => t.kind === TxKind.CollectionCreate)!;
    const collectionBytes = encodeSignedTx(collection);
    const fill = vectorTxs.find((t) => t.kind === TxKind.TradeFill)!;
    const fillBytes = encodeSignedTx(fill);
    const cases: [string, Uint8Array, number][] = [
      ["empty", new Uint8Array(0), TxValidationErrorCode.MALFORMED],
      ["a byte short of the envelope", bytes.subarray(0, 77), TxValidationErrorCode.MALFORMED],
      ["a body one byte short", bytes.subarray(0, bytes.length - 1), TxValidationErrorCode.MALFORMED],
      ["a body one byte long", concat(bytes, Uint8Array.of(0)), TxValidationErrorCode.MALFORMED],
      ["the body's offset 79", with_(bytes, 9, le(79n, 4)), TxValidationErrorCode.MALFORMED],
      ["the body's offset 77", with_(bytes, 9, le(77n, 4)), TxValidationErrorCode.MALFORMED],
      ["chain id 2^53 − 1", with_(bytes, 0, le(2n ** 53n - 1n, 8)), 0],
      ["chain id 2^53", with_(bytes, 0, le(2n ** 53n, 8)), TxValidationErrorCode.MALFORMED],
      ["chain id 2^64 − 1", with_(bytes, 0, le(2n ** 64n - 1n, 8)), TxValidationErrorCode.MALFORMED],
      ["kind 0 (a deposit is never signed)", with_(bytes, 8, Uint8Array.of(0)), TxValidationErrorCode.MALFORMED],
      ["kind 99", with_(bytes, 8, Uint8Array.of(99)), TxValidationErrorCode.MALFORMED],
      // Transfer body: to (20), amount (32), nonce (8) at 52, fee (32).
      ["a nonce of 2^53 − 1 (decodes; INVALID_FIELD later)", with_(bytes, 78 + 52, le(2n ** 53n - 1n, 8)), 0],
      ["a nonce of 2^53", with_(bytes, 78 + 52, le(2n ** 53n, 8)), TxValidationErrorCode.MALFORMED],
      // CollectionCreate: name offset, symbol offset, royaltyBps (2), maxSupply (8), metadataMutable at 18.
      ["a bool of 2", with_(collectionBytes, 78 + 18, Uint8Array.of(2)), TxValidationErrorCode.MALFORMED],
      ["a bool of 1", with_(collectionBytes, 78 + 18, Uint8Array.of(1)), 0],
      ["a maxSupply of 2^53", with_(collectionBytes, 78 + 10, le(2n ** 53n, 8)), TxValidationErrorCode.MALFORMED],
      // TokenCreate: name offset 0, symbol offset 4; the fixed part is 4 + 4 + 1 + 32 + 8 + 32 = 81.
      ["a first offset past the fixed part", with_(tokenBytes, 78, le(82n, 4)), TxValidationErrorCode.MALFORMED],
      ["offsets decreasing", with_(tokenBytes, 78 + 4, le(80n, 4)), TxValidationErrorCode.MALFORMED],
      ["an offset past the end", with_(tokenBytes, 78 + 4, le(10_000n, 4)), TxValidationErrorCode.MALFORMED],
      ["an empty name (decodes)", with_(tokenBytes, 78 + 4, le(81n, 4)), 0],
      ["a name that is not UTF-8", with_(tokenBytes, 78 + 81, Uint8Array.of(0xff)), TxValidationErrorCode.MALFORMED],
      [
        "an overlong UTF-8 form",
        with_(tokenBytes, 78 + 81, Uint8Array.of(0xc0, 0x80)),
        TxValidationErrorCode.MALFORMED,
      ],
      ["a surrogate", with_(tokenBytes, 78 + 81, Uint8Array.of(0xed, 0xa0, 0x80)), TxValidationErrorCode.MALFORMED],
      ["a byte-order mark (a character)", with_(tokenBytes, 78 + 81, Uint8Array.of(0xef, 0xbb, 0xbf)), 0],
      // TradeFill: the order (153: tokenId at 53, expiresAt at 113), the signature (65), nonce, fee.
      ["an order tokenId of 2^53", with_(fillBytes, 78 + 53, le(2n ** 53n, 8)), TxValidationErrorCode.MALFORMED],
      ["an order expiresAt of 2^53", with_(fillBytes, 78 + 113, le(2n ** 53n, 8)), TxValidationErrorCode.MALFORMED],
      ["an order side of 7 (decodes; INVALID_FIELD later)", with_(fillBytes, 78 + 20, Uint8Array.of(7)), 0],
    ];
    // AssetBatchMint: collectionId (32), firstTokenId (8), to (20), contentCids' offset at 60, onBehalfOf,
    // nonce, fee: fixed part 32 + 8 + 20 + 4 + 32 + 8 + 32 = 136; the list's first offset at 136.
    const body = bodyOf(batchBytes);
    const batchEnv = (list: Uint8Array) =>
      envelope(BigInt(batch.chainId), batch.kind, concat(body.subarray(0, 136), list), batch.signature);
    const cid = new TextEncoder().encode("bafkqaaa");
    const listOf = (items: Uint8Array[]) => {
      const offsets = [];
      let o = 4 * items.length;
      for (const it of items) {
        offsets.push(le(BigInt(o), 4));
        o += it.length;
      }
      return concat(...offsets, ...items);
    };
    cases.push(
      ["an empty CID list (decodes; INVALID_FIELD later)", batchEnv(new Uint8Array(0)), 0],
      ["a list of 256 CIDs", batchEnv(listOf(Array.from({ length: 256 }, () => cid))), 0],
      ["a list of 257 CIDs", batchEnv(listOf(Array.from({ length: 257 }, () => cid))), TxValidationErrorCode.MALFORMED],
      ["a list's first offset 0", batchEnv(concat(le(0n, 4), cid)), TxValidationErrorCode.MALFORMED],
      ["a list's first offset not a multiple of 4", batchEnv(concat(le(5n, 4), cid)), TxValidationErrorCode.MALFORMED],
      ["a list's first offset past its end", batchEnv(concat(le(400n, 4), cid)), TxValidationErrorCode.MALFORMED],
      ["a list of 3 bytes", batchEnv(Uint8Array.of(4, 0, 0)), TxValidationErrorCode.MALFORMED],
      ["a list with empty CIDs", batchEnv(listOf([new Uint8Array(0), new Uint8Array(0)])), 0],
      ["a CID of 128 bytes", batchEnv(listOf([new Uint8Array(128).fill(0x61)])), 0],
      ["a CID of 129 bytes", batchEnv(listOf([new Uint8Array(129).fill(0x61)])), TxValidationErrorCode.MALFORMED],
      [
        "a list's offsets decreasing",
        batchEnv(concat(le(8n, 4), le(7n, 4), cid, cid)),
        TxValidationErrorCode.MALFORMED,
      ],
      ["a CID that is not UTF-8", batchEnv(listOf([cid, Uint8Array.of(0x80)])), TxValidationErrorCode.MALFORMED],
    );
    // The largest forced transaction the bridge takes (MAX_TX_BYTES), one byte more, and a body past its bound.
    // The largest that decodes: 256 CIDs of 128 bytes (34,006 bytes; past that the list or a CID is too long).
    const padded = batchEnv(listOf(Array.from({ length: 256 }, () => new Uint8Array(128).fill(0x62))));
    expect(padded.length).toBeLessThanOrEqual(MAX_TX_BYTES);
    cases.push(
      ["the largest batch mint: 256 CIDs of 128 bytes", padded, 0],
      ["MAX_TX_BYTES + 1 bytes", new Uint8Array(MAX_TX_BYTES + 1), TxValidationErrorCode.TOO_LARGE],
      ["MAX_TX_BYTES of zeros", new Uint8Array(MAX_TX_BYTES), TxValidationErrorCode.MALFORMED],
      [
        "a body past MAX_TX_BODY_BYTES",
        envelope(1n, TxKind.Transfer, new Uint8Array(MAX_TX_BYTES - 78)),
        TxValidationErrorCode.MALFORMED,
      ],
    );
    for (const [what, b, code] of cases) {
      expect(tsDecode(b).code, what).toBe(code);
      await expectSame(b);
    }
    // Gas as a transaction uses it (eth_estimateGas's search runs the 34 KB decode too many times here).
    // A client that waits: a loaded box runs this decode for many seconds on the hardhat L1.
    const chain = clients.walletClient.chain;
    const slow = {
      wallet: createWalletClient({ chain, transport: http(l1.url, { timeout: 300_000 }) }),
      public: createPublicClient({ chain, transport: http(l1.url, { timeout: 300_000 }), pollingInterval: 50 }),
    };
    const [from] = await slow.wallet.getAddresses();
    const hash = await slow.wallet.sendTransaction({
      account: from!,
      to: decoder,
      data: encodeFunctionData({ abi, functionName: "decode", args: [toHex(padded)] }),
      gas: 16_000_000n,
      chain,
    });
    const { gasUsed, status } = await slow.public.waitForTransactionReceipt({ hash, timeout: 300_000 });
    expect(status).toBe("success");
    console.log(`ForcedTxDecoder.decode gas, a ${padded.length}-byte AssetBatchMint (gasUsed):`, gasUsed);
  }, 120_000);

  it("agrees on random transactions and random mutations of their bytes", async () => {
    const key = new Uint8Array(32).fill(0x33);
    const mutation = fc.oneof(
      fc.record({ op: fc.constant("byte" as const), at: fc.nat(), v: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
      fc.record({ op: fc.constant("append" as const), bytes: fc.uint8Array({ maxLength: 8 }) }),
      fc.record({ op: fc.constant("u32" as const), at: fc.nat(), v: fc.nat({ max: 400 }) }),
      fc.record({
        op: fc.constant("u64" as const),
        at: fc.nat(),
        v: fc.constantFrom(2n ** 53n - 1n, 2n ** 53n, 2n ** 64n - 1n, 0n),
      }),
      fc.record({ op: fc.constant("utf8" as const), at: fc.nat(), v: fc.constantFrom(0x80, 0xc0, 0xed, 0xf4, 0xf5) }),
    );
    const baseArb = fc.oneof(
      fc.constantFrom(...vectorTxs),
      fc
        .record({
          name: fc.string({ maxLength: 20 }),
          symbol: fc.string({ minLength: 1, maxLength: 4 }),
          cap: fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
          nonce: fc.nat({ max: 2 ** 40 }),
        })
        .filter((r) => new TextEncoder().encode(r.name).length <= 64 && new TextEncoder().encode(r.symbol).length <= 16)
        .map((r) =>
          signTransaction(
            3_141_592_601,
            {
              kind: TxKind.TokenCreate,
              message: { name: r.name, symbol: r.symbol, decimals: 6, cap: r.cap, nonce: r.nonce, fee: 1n },
            },
            key,
          ),
        ),
    );
    await fc.assert(
      fc.asyncProperty(baseArb, fc.array(mutation, { maxLength: 3 }), async (tx, muts) => {
        let b = encodeSignedTx(tx);
        for (const m of muts) {
          if (m.op === "byte" && b.length > 0) b = with_(b, m.at % b.length, Uint8Array.of(m.v));
          else if (m.op === "truncate") b = b.subarray(0, m.at % (b.length + 1));
          else if (m.op === "append") b = concat(b, m.bytes);
          else if (m.op === "u32" && b.length >= 4) b = with_(b, m.at % (b.length - 3), le(BigInt(m.v), 4));
          else if (m.op === "u64" && b.length >= 8) b = with_(b, m.at % (b.length - 7), le(m.v, 8));
          else if (m.op === "utf8" && b.length > 78) b = with_(b, 78 + (m.at % (b.length - 78)), Uint8Array.of(m.v));
        }
        await expectSame(b);
      }),
      { numRuns: RUNS * 10 },
    );
    console.log("codes met (code: count):", Object.fromEntries(seen));
  }, 600_000);

  it("agrees on random transactions of every kind, plain and in a Via envelope, and mutations of them", async () => {
    const key = new Uint8Array(32).fill(0x35);
    const addr = fc.oneof(fc.constant(new Uint8Array(20)), fc.uint8Array({ minLength: 20, maxLength: 20 }));
    const txArb = fc
      .constantFrom(...USER_TX_KINDS)
      .chain((kind) =>
        fc.tuple(
          fc.constant(kind),
          arbitraryMessage(kind as UserTxKind),
          fc.option(fc.tuple(addr, addr), { nil: undefined }),
        ),
      )
      .map(([kind, message, via]) =>
        signTransaction(3_141_592_601, { kind, message } as never, key, via && { sponsor: via[0], account: via[1] }),
      );
    const mutation = fc.oneof(
      fc.record({ op: fc.constant("none" as const) }),
      fc.record({ op: fc.constant("byte" as const), at: fc.nat(), v: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
      fc.record({ op: fc.constant("append" as const), bytes: fc.uint8Array({ maxLength: 33 }) }),
      fc.record({ op: fc.constant("u32" as const), at: fc.nat(), v: fc.nat({ max: 700 }) }),
      fc.record({ op: fc.constant("kind" as const), v: fc.integer({ min: 0, max: 255 }) }),
    );
    await fc.assert(
      fc.asyncProperty(txArb, mutation, async (tx, m) => {
        let b = encodeSignedTx(tx);
        if (m.op === "byte") b = with_(b, m.at % b.length, Uint8Array.of(m.v));
        else if (m.op === "truncate") b = b.subarray(0, m.at % (b.length + 1));
        else if (m.op === "append") b = concat(b, m.bytes);
        else if (m.op === "u32") b = with_(b, 78 + (m.at % Math.max(1, b.length - 81)), le(BigInt(m.v), 4));
        else if (m.op === "kind") b = with_(b, 8, Uint8Array.of(m.v));
        await expectSame(b);
      }),
      { numRuns: RUNS * 10 },
    );
    // A SessionGrant's lists: counterparties (its last list, at the body's end) of 4 items, then 5
    // (MALFORMED) and 4 and a part (MALFORMED); a Via body of 39 bytes (MALFORMED) and of 40.
    const [sample] = fc.sample(arbitraryMessage(TxKind.SessionGrant), { numRuns: 1, seed: 7 }) as Record<
      string,
      unknown
    >[];
    const four = Array.from({ length: 4 }, (_, i) => new Uint8Array(20).fill(i + 1));
    const grant = encodeSignedTx(
      signTransaction(
        3_141_592_601,
        { kind: TxKind.SessionGrant, message: { ...sample, counterparties: four } } as never,
        key,
      ),
    );
    await expectSame(grant);
    expect(tsDecode(grant).code).toBe(0);
    for (const extra of [20, 7]) {
      const b = concat(grant, new Uint8Array(extra).fill(9));
      expect(tsDecode(b).code).toBe(TxValidationErrorCode.MALFORMED);
      await expectSame(b);
    }
    const via = signTransaction(
      3_141_592_601,
      { kind: TxKind.Transfer, message: { to: new Uint8Array(20).fill(1), amount: 1n, nonce: 0, fee: 1n } },
      key,
      {
        sponsor: new Uint8Array(20).fill(2),
        account: new Uint8Array(20),
      },
    );
    const vb = encodeSignedTx(via);
    await expectSame(vb);
    await expectSame(vb.subarray(0, 78 + 39));
    await expectSame(vb.subarray(0, 78 + 40));
  }, 600_000);
});
