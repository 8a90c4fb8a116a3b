/**
 * Liveness, as a property: whatever admission accepts, execution and encoding accept. Transactions of
 * every user kind, with field values at and around every bound (ids, supplies, counts, string and
 * list lengths, amounts near 2^256−1, nonces near 2^53−1), go through a real Sequencer's submitJson;
 * whatever is admitted must be included or dropped with a reason, never an execution fault and
 * never a halt; a verifier re-executing every block agrees. FILVERSE_FUZZ_RUNS sets the run count.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  collectionIdOf,
  dataAssetIdOf,
  hashTypedData,
  identityIdOf,
  signDigest,
  signTransaction,
  tokenIdOf,
} from "@filverse/crypto";
import {
  getChainConfig,
  HANDLE_MAX_LENGTH,
  MAX_BATCH_MINT,
  MAX_COLLECTION_SUPPLY,
  MAX_ROYALTY_BPS,
  MAX_TOKEN_DECIMALS,
  MAX_TX_NONCE,
  MAX_UINT64_SAFE,
  MAX_UINT256,
} from "@filverse/params";
import { applyBlock, assertBlockRoots, createGenesis } from "@filverse/state";
import { CHAIN_ID, cidOf, type Key, makeKey, pieceCidV1, sequencer as sequencerKey } from "@filverse/test-utils";
import {
  type FieldType,
  Order,
  type OrderMessage,
  type StructType,
  signedTxToJson,
  TxKind,
  txStructs,
  USER_TX_KINDS,
  type UserTxKind,
} from "@filverse/types";
import { bytesEqual, fromHex, type Logger, toHex } from "@filverse/utils";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SubmitError } from "../../src/errors.js";
import { DevFaucet } from "../../src/sequencer/devFaucet.js";
import { defaultSequencerOpts, Sequencer } from "../../src/sequencer/sequencer.js";

const RUNS = Number(process.env.FILVERSE_FUZZ_RUNS ?? 40);
const GENESIS_TIME = 1_700_000_000;

const alice = makeKey(1101, "alice");
const bob = makeKey(1102, "bob");
const carol = makeKey(1103, "carol");
const KEYS = [alice, bob, carol];
/** Large balances, so amounts near 2^254 can succeed; their sum stays below 2^256. */
const FUNDS = 1n << 254n;

const ZERO_ID = new Uint8Array(32);
const ZERO_ADDRESS = new Uint8Array(20);
const MAX_ADDRESS = new Uint8Array(20).fill(0xff);

type LogLine = { level: string; msg: string };
const lines: LogLine[] = [];
const logger: Logger = {
  error: (msg) => void lines.push({ level: "error", msg }),
  warn: (msg) => void lines.push({ level: "warn", msg }),
  info: () => {},
  debug: () => {},
  child: () => logger,
};

let dir: string;
let seq: Sequencer;
/** Ids made by the setup, so generated transactions act on objects that exist. */
const ids: Record<"collection" | "fullCollection" | "token" | "identity" | "dataAsset", Uint8Array> = {
  collection: ZERO_ID,
  fullCollection: ZERO_ID,
  token: ZERO_ID,
  identity: ZERO_ID,
  dataAsset: ZERO_ID,
};

async function submit(from: Key, kind: UserTxKind, message: Record<string, unknown>): Promise<string> {
  const tx = signTransaction(CHAIN_ID, { kind, message } as never, from.priv);
  return seq.submitJson(signedTxToJson(tx));
}

/** Let pump() execute what was admitted (a nonce gap may keep some waiting), then seal. */
async function settleAndSeal(hashes: string[] = []): Promise<void> {
  const end = Date.now() + 500;
  const waiting = () => (hashes.length > 0 ? hashes.some((h) => seq.mempool.get(h)) : seq.mempool.size > 0);
  while (waiting() && Date.now() < end) await new Promise((r) => setTimeout(r, 2));
  await seq.seal();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "filverse-admission-"));
  seq = new Sequencer(
    {
      ...defaultSequencerOpts,
      chain: getChainConfig("devnet", { chainId: CHAIN_ID, blockTimeMs: 1_000_000 }),
      genesis: { chainId: CHAIN_ID, timestamp: GENESIS_TIME },
      dataDir: join(dir, "chaindb"),
    },
    {
      key: sequencerKey.priv,
      deposits: new DevFaucet(KEYS.map((k) => ({ address: k.address, amount: FUNDS }))),
      recoverer: null,
      logger,
    },
  );
  await seq.start();
  await seq.seal();
  // alice: a collection with the largest supply, a full one, a token with the largest cap, an
  // identity, a data asset, and assets near both ends of the token-id range.
  const n = seq.pendingNonce(alice.address);
  const fee = { fee: 0n };
  const base = { onBehalfOf: ZERO_ID, ...fee };
  await submit(alice, TxKind.CollectionCreate, {
    name: "Edge",
    symbol: "EDGE",
    royaltyBps: MAX_ROYALTY_BPS,
    maxSupply: MAX_COLLECTION_SUPPLY,
    metadataMutable: true,
    nonce: n,
    ...fee,
  });
  await submit(alice, TxKind.CollectionCreate, {
    name: "One",
    symbol: "ONE",
    royaltyBps: 0,
    maxSupply: 1,
    metadataMutable: false,
    nonce: n + 1,
    ...fee,
  });
  await submit(alice, TxKind.TokenCreate, {
    name: "Max",
    symbol: "MAX",
    decimals: MAX_TOKEN_DECIMALS,
    cap: MAX_UINT256,
    nonce: n + 2,
    ...fee,
  });
  await submit(alice, TxKind.IdentityCreate, { handle: "alice", profileCid: cidOf("alice"), nonce: n + 3, ...fee });
  await submit(alice, TxKind.DataAssetRegister, {
    contentCid: cidOf("data"),
    pieceCid: pieceCidV1(7),
    size: MAX_UINT64_SAFE,
    license: "MIT",
    nonce: n + 4,
    ...base,
  });
  ids.collection = collectionIdOf(alice.address, n);
  ids.fullCollection = collectionIdOf(alice.address, n + 1);
  ids.token = tokenIdOf(alice.address, n + 2);
  ids.identity = identityIdOf(alice.address, n + 3);
  ids.dataAsset = dataAssetIdOf(alice.address, n + 4);
  await submit(alice, TxKind.AssetBatchMint, {
    collectionId: ids.collection,
    firstTokenId: MAX_UINT64_SAFE - 3,
    to: alice.address,
    contentCids: [cidOf("max-3"), cidOf("max-2")],
    nonce: n + 5,
    ...base,
  });
  await submit(alice, TxKind.AssetMint, {
    collectionId: ids.collection,
    tokenId: 0,
    to: bob.address,
    contentCid: cidOf("zero"),
    nonce: n + 6,
    ...base,
  });
  await submit(alice, TxKind.TokenMint, {
    tokenId: ids.token,
    to: alice.address,
    amount: MAX_UINT256 - 1n,
    nonce: n + 7,
    ...base,
  });
  await settleAndSeal();
  expect(seq.pendingNonce(alice.address)).toBe(n + 8);
  expect(lines.filter((l) => l.level === "error")).toEqual([]);
});

afterAll(async () => {
  await seq?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// --- values at and around every bound ---

const now = () => Math.floor(Date.now() / 1000);

const UINT64_EDGES = [
  0,
  1,
  2,
  2 ** 32 - 1,
  2 ** 32,
  MAX_COLLECTION_SUPPLY - 1,
  MAX_COLLECTION_SUPPLY,
  MAX_COLLECTION_SUPPLY + 1,
  MAX_UINT64_SAFE - MAX_BATCH_MINT,
  MAX_UINT64_SAFE - MAX_BATCH_MINT + 1,
  MAX_UINT64_SAFE - 2,
  MAX_TX_NONCE,
  MAX_UINT64_SAFE,
];
const uint64 = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...UINT64_EDGES) },
  { weight: 1, arbitrary: fc.constantFrom(-1, 0, 1, 1_000_000).map((d) => now() + d) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: MAX_UINT64_SAFE }) },
);
const uint256 = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(0n, 1n, 2n, 1n << 128n, FUNDS - 1n, FUNDS, MAX_UINT256 - 1n, MAX_UINT256) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: MAX_UINT256 }) },
);
const address = fc.constantFrom(alice.address, bob.address, carol.address, ZERO_ADDRESS, MAX_ADDRESS);
const random32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
/** An id field: mostly the object the setup made for it, sometimes another kind's, zero or random. */
function idOf(name: string): fc.Arbitrary<Uint8Array> {
  const mine: Record<string, () => Uint8Array[]> = {
    onBehalfOf: () => [ZERO_ID, ZERO_ID, ZERO_ID, ids.identity],
    collectionId: () => [ids.collection, ids.collection, ids.fullCollection],
    tokenId: () => [ids.token],
    identityId: () => [ids.identity],
    dataAssetId: () => [ids.dataAsset],
  };
  const own = mine[name] ?? (() => [ZERO_ID]);
  return fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: 0, max: 3 }).map((i) => own()[i % own().length]!) },
    { weight: 1, arbitrary: fc.constantFrom(0, 1).map((i) => (i === 0 ? ZERO_ID : ids.collection)) },
    { weight: 1, arbitrary: random32 },
  );
}

/** Strings of 0, 1, max−1, max and max+1 UTF-8 bytes, ASCII and multi-byte, and valid CIDs. */
function boundedString(maxBytes: number, name: string): fc.Arbitrary<string> {
  const twoByte = "é".repeat(Math.floor(maxBytes / 2));
  const edges = [
    "",
    "a",
    "a".repeat(maxBytes - 1),
    "a".repeat(maxBytes),
    "a".repeat(maxBytes + 1),
    twoByte,
    `${twoByte}é`,
    `${"a".repeat(maxBytes - 1)}é`,
    cidOf(name),
  ];
  const special: Record<string, string[]> = {
    handle: ["abc", "a".repeat(HANDLE_MAX_LENGTH), "a".repeat(HANDLE_MAX_LENGTH + 1), "ab", "Alice", "alice"],
    key: ["a", "a".repeat(64), "game.level", "A"],
    pieceCid: [pieceCidV1(1), pieceCidV1(2)],
    contentCid: [cidOf("c1"), cidOf("c2")],
    profileCid: [cidOf("p1")],
  };
  return fc.constantFrom(...edges, ...(special[name] ?? []));
}

const contentCids = fc
  .constantFrom(0, 1, 2, 3, MAX_BATCH_MINT - 1, MAX_BATCH_MINT, MAX_BATCH_MINT + 1)
  .chain((n) =>
    fc
      .constantFrom("distinct", "long")
      .map((how) =>
        Array.from({ length: n }, (_, i) => (how === "long" && i === 0 ? "a".repeat(129) : cidOf(`cid-${n}-${i}`))),
      ),
  );

// biome-ignore lint/suspicious/noExplicitAny: a field of any value type
function fieldArbitrary(name: string, field: FieldType<any>): fc.Arbitrary<unknown> {
  const enc = field.encoding;
  switch (enc.kind) {
    case "address":
      return address;
    case "bytes32":
      return idOf(name);
    case "bytes":
      return fc.constant(new Uint8Array(65)); // makerSignature: replaced by a real one below
    case "bool":
      return fc.boolean();
    case "uint8":
      return fc.constantFrom(0, 1, 2, 3, 4, MAX_TOKEN_DECIMALS, MAX_TOKEN_DECIMALS + 1, 255);
    case "uint16":
      return fc.constantFrom(0, 1, MAX_ROYALTY_BPS - 1, MAX_ROYALTY_BPS, MAX_ROYALTY_BPS + 1, 65535);
    case "uint64":
      return uint64;
    case "uint256":
      return uint256;
    case "string":
      return boundedString(field.bounds?.maxBytes ?? 0, name);
    case "array":
      if (enc.item === "string") return contentCids;
      // SessionGrant lists: 0 to 5 items (5 is past the bound), each edge-valued.
      return fc.array(enc.item === "uint256" ? uint256 : enc.item === "address" ? address : idOf(name), {
        maxLength: (field.bounds?.maxLength ?? 0) + 1,
      });
    case "struct":
      return messageArbitrary(enc.struct);
  }
}

function messageArbitrary(struct: StructType<unknown>): fc.Arbitrary<Record<string, unknown>> {
  const shape: Record<string, fc.Arbitrary<unknown>> = {};
  for (const name of struct.fieldNames) shape[name] = fieldArbitrary(name, struct.fields[name]!);
  return fc.record(shape) as fc.Arbitrary<Record<string, unknown>>;
}

type Spec = {
  sender: Key;
  kind: UserTxKind;
  message: Record<string, unknown>;
  /** "next": the sender's pending nonce at submission; a number: that nonce. */
  nonce: "next" | number;
  fee: bigint;
};

const spec: fc.Arbitrary<Spec> = fc.constantFrom(...USER_TX_KINDS).chain((kind) =>
  fc.record({
    sender: fc.constantFrom(...KEYS),
    kind: fc.constant(kind),
    message: messageArbitrary(txStructs[kind] as StructType<unknown>),
    nonce: fc.oneof(
      { weight: 8, arbitrary: fc.constant("next" as const) },
      fc.constantFrom(MAX_TX_NONCE, MAX_UINT64_SAFE),
    ),
    fee: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(0n, 1n) }, fc.constantFrom(FUNDS, MAX_UINT256)),
  }),
);

/** The issue's transaction: a batch of 2 from 2^53−1 in alice's collection. */
const issue12: Spec = {
  sender: alice,
  kind: TxKind.AssetBatchMint,
  message: {
    firstTokenId: MAX_UINT64_SAFE,
    to: alice.address,
    contentCids: [cidOf("x"), cidOf("y")],
    onBehalfOf: ZERO_ID,
  },
  nonce: "next",
  fee: 0n,
};

function build(s: Spec): Record<string, unknown> {
  const message = { ...s.message };
  if (s.kind === TxKind.AssetBatchMint && message.collectionId === undefined) message.collectionId = ids.collection;
  message.nonce = s.nonce === "next" ? seq.pendingNonce(s.sender.address) : s.nonce;
  message.fee = s.fee;
  if (s.kind === TxKind.TradeFill) {
    const order = message.order as OrderMessage;
    const maker = KEYS.find((k) => bytesEqual(k.address, order.maker)) ?? s.sender;
    message.makerSignature = signDigest(hashTypedData(CHAIN_ID, Order, order), maker.priv);
  }
  return message;
}

describe("admission and block production agree", () => {
  it(`whatever admission accepts is included or dropped with a reason, never a fault or a halt (${RUNS} runs)`, async () => {
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(spec, { minLength: 1, maxLength: 6 }), async (specs) => {
        const accepted: string[] = [];
        for (const s of specs) {
          try {
            accepted.push(await submit(s.sender, s.kind, build(s)));
            outcomes.set("accepted", (outcomes.get("accepted") ?? 0) + 1);
          } catch (err) {
            if (!(err instanceof SubmitError)) throw err;
            outcomes.set(String(err.code), (outcomes.get(String(err.code)) ?? 0) + 1);
          }
        }
        await settleAndSeal(accepted);
        expect(lines.filter((l) => l.level === "error").map((l) => l.msg)).toEqual([]);
        for (const hash of accepted) {
          const included = (await seq.db.getTxLocation(fromHex(hash))) !== null;
          const dropped = seq.dropInfo(hash);
          const pending = seq.pendingTx(hash) !== undefined;
          expect(included || dropped !== undefined || pending, hash).toBe(true);
          expect(dropped?.reason).not.toBe("execution_fault");
        }
      }),
      { numRuns: RUNS, examples: [[[issue12]]], endOnFailure: true },
    );
    // Most of it gets in: the generator is not just noise the codec refuses.
    expect(outcomes.get("accepted") ?? 0).toBeGreaterThan(RUNS / 2);
    // And the chain still makes blocks: a fresh sender's transfer is included.
    const head = seq.head.number;
    const last = await submit(makeKey(1199), TxKind.Transfer, { to: alice.address, amount: 0n, nonce: 0, fee: 0n });
    await settleAndSeal([last]);
    expect(seq.head.number).toBe(head + 1);
    expect(await seq.db.getTxLocation(fromHex(last))).not.toBeNull();
  }, 120_000);

  it("a verifier re-executing every block gets the sequencer's roots", async () => {
    const genesis = createGenesis({ chainId: CHAIN_ID }, { timestamp: GENESIS_TIME, proposer: sequencerKey.address });
    let state = genesis.state;
    for (let n = 1; n <= seq.head.number; n++) {
      const block = (await seq.db.getBlockByNumber(n))!;
      const result = applyBlock(state, block, { chainId: CHAIN_ID, minTxFee: 0n });
      assertBlockRoots(block.header, result);
      state = result.state;
    }
    expect(toHex(state.roots().stateRoot)).toBe(toHex(seq.state.roots().stateRoot));
  });
});
