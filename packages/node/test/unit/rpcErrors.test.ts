/**
 * The error codes a node's JSON-RPC methods give for hostile and out-of-bound input, over HTTP
 * against a real RpcServer and Sequencer: the codes docs/rpc.md promises, never -32603, and
 * echoed values clipped.
 */
import { RpcServer } from "@filverse/rpc";
import { cidOf } from "@filverse/test-utils";
import { MAX_JSON_DEPTH, RpcErrorCode, signedTxToJson, TxKind } from "@filverse/types";
import { toHex } from "@filverse/utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRpcHandlers } from "../../src/api/index.js";
import { key, SequencerFixture, tempDirs } from "./chainFixture.js";

const alice = key(951, "alice");
const tmp = tempDirs();
let fixture: SequencerFixture;
let server: RpcServer;
let url: string;
let nextId = 1;

beforeAll(async () => {
  fixture = await SequencerFixture.start(tmp.make("rpcerrors"), [alice]);
  server = new RpcServer({ host: "127.0.0.1", port: 0, rateLimit: null }, { methods: createRpcHandlers(fixture.seq) });
  ({ url } = await server.start());
});

afterAll(async () => {
  await server?.close();
  await fixture?.seq.close();
  tmp.cleanup();
});

type RpcErrorJson = { code: number; message: string; data?: Record<string, unknown> };

/** A value that serializes as `levels` arrays around `leaf` (JSON.stringify itself overflows on those). */
class Nested {
  static readonly all: Nested[] = [];
  readonly mark: string;
  constructor(
    readonly levels: number,
    readonly leaf: unknown,
  ) {
    this.mark = `__nested_${Nested.all.push(this) - 1}__`;
  }
  toJSON(): string {
    return this.mark;
  }
  text(): string {
    return `${"[".repeat(this.levels)}${JSON.stringify(this.leaf)}${"]".repeat(this.levels)}`;
  }
}
const nested = (levels: number, leaf: unknown = 5): unknown => new Nested(levels, leaf);

/** POST one request; returns the raw text too, so a test can bound what is echoed. */
async function call(
  method: string,
  params: unknown[],
): Promise<{ text: string; error?: RpcErrorJson; result?: unknown }> {
  let body = JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params });
  for (const n of Nested.all) body = body.replace(`"${n.mark}"`, () => n.text());
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  const text = await res.text();
  const json = JSON.parse(text) as { error?: RpcErrorJson; result?: unknown };
  return { text, ...json };
}

const send = (tx: unknown) => call("filverse_sendTransaction", [tx]);

/** A signed transaction's JSON with some message fields replaced (the signature no longer matters: decoding fails first). */
function txJson(kind: TxKind, message: Record<string, unknown>, patch: Record<string, unknown> = {}) {
  const json = signedTxToJson(fixture.sign(alice, kind as never, message as never));
  return { ...json, message: { ...json.message, ...patch } };
}

const ZERO32 = toHex(new Uint8Array(32));

describe("a field past a documented bound is -32011 with data.field", () => {
  it.each([
    ["a 33-character handle", TxKind.IdentityCreate, { handle: "a".repeat(33) }, "handle"],
    ["a 2-character handle", TxKind.IdentityCreate, { handle: "ab" }, "handle"],
    ["a name over 64 bytes", TxKind.CollectionCreate, { name: "é".repeat(33) }, "name"],
    ["a batch of 257 CIDs", TxKind.AssetBatchMint, { contentCids: Array(257).fill(cidOf("x")) }, "contentCids"],
    ["an attribute value over 1024 bytes", TxKind.AttributeSet, { value: "v".repeat(1025) }, "value"],
    ["a uint64 above 2^53-1", TxKind.IdentityCreate, { nonce: "9007199254740992" }, "nonce"],
  ])("%s", async (_name, kind, patch, field) => {
    const base: Record<TxKind, Record<string, unknown>> = {
      [TxKind.IdentityCreate]: { handle: "alice", profileCid: cidOf("p") },
      [TxKind.CollectionCreate]: { name: "n", symbol: "s", royaltyBps: 0, maxSupply: 10, metadataMutable: false },
      [TxKind.AssetBatchMint]: {
        collectionId: new Uint8Array(32),
        firstTokenId: 1,
        to: alice.address,
        contentCids: [cidOf("a")],
        onBehalfOf: new Uint8Array(32),
      },
      [TxKind.AttributeSet]: { identityId: new Uint8Array(32), key: "k", value: "v", expiresAt: 0 },
    } as never;
    const { error } = await send(txJson(kind, base[kind]!, patch));
    expect(error?.code).toBe(RpcErrorCode.INVALID_FIELD);
    expect(error?.data?.field).toBe(field);
  });
});

describe("a signature of the wrong length", () => {
  it.each([64, 66, 0])("of %i bytes is -32004 BAD_SIGNATURE", async (bytes) => {
    const tx = txJson(TxKind.Transfer, { to: alice.address, amount: 1n });
    const { error } = await send({ ...tx, signature: `0x${"11".repeat(bytes)}` });
    expect(error?.code).toBe(RpcErrorCode.BAD_SIGNATURE);
  });

  it("a maker signature of the wrong length is -32013 BAD_ORDER_SIGNATURE", async () => {
    const tx = {
      chainId: String(fixture.chain.chainId),
      primaryType: "TradeFill",
      message: {
        order: {
          maker: toHex(alice.address),
          side: 0,
          collectionId: ZERO32,
          tokenId: "1",
          price: "1",
          taker: toHex(new Uint8Array(20)),
          expiresAt: "0",
          salt: "1",
        },
        makerSignature: `0x${"11".repeat(64)}`,
        nonce: "0",
        fee: "1",
      },
      signature: `0x${"11".repeat(65)}`,
    };
    expect((await send(tx)).error?.code).toBe(RpcErrorCode.BAD_ORDER_SIGNATURE);
  });
});

describe("echoed values are clipped", () => {
  it("a 1.8 MB array in a field comes back clipped", async () => {
    const tx = txJson(TxKind.Transfer, { to: alice.address, amount: 1n }, { to: Array(250_000).fill(123456) });
    const { text, error } = await send(tx);
    expect(error?.code).toBe(RpcErrorCode.MALFORMED_TRANSACTION);
    expect(text.length).toBeLessThan(4_000);
  });

  it("a long string in a field comes back clipped", async () => {
    const tx = txJson(
      TxKind.IdentityCreate,
      { handle: "alice", profileCid: cidOf("p") },
      { handle: "h".repeat(100_000) },
    );
    const { text, error } = await send(tx);
    expect(error?.code).toBe(RpcErrorCode.INVALID_FIELD);
    expect(text.length).toBeLessThan(4_000);
  });

  it("a long string quoted in a message comes back clipped", async () => {
    for (const [method, params] of [
      ["filverse_getProof", ["N".repeat(100_000), ZERO32]],
      ["filverse_getEvidence", ["k".repeat(100_000)]],
      [`filverse_${"m".repeat(100_000)}`, []],
    ] as const) {
      const { text, error } = await call(method, params as unknown as unknown[]);
      expect(error?.code).toBeLessThan(0);
      expect(text.length, method.slice(0, 30)).toBeLessThan(4_000);
    }
  });
});

describe("filverse_getAssetsByOwner's page takes only what the docs say", () => {
  const owner = () => toHex(alice.address);

  it.each([
    ["limit true", { limit: true }],
    ['limit "5"', { limit: "5" }],
    ["limit [[5]]", { limit: [[5]] }],
    ["limit null", { limit: null }],
    ["limit 0", { limit: 0 }],
    ["limit 501", { limit: 501 }],
    ["limit 1.5", { limit: 1.5 }],
    ["cursor 5", { cursor: 5 }],
    ["cursor [[]]", { cursor: [[]] }],
    ["an unknown key", { size: 5 }],
  ])("%s is -32602", async (_name, page) => {
    const { error } = await call("filverse_getAssetsByOwner", [owner(), page]);
    expect(error?.code).toBe(RpcErrorCode.INVALID_PARAMS);
  });

  it("limit 5, a null cursor and no page at all are served", async () => {
    for (const params of [[owner(), { limit: 5 }], [owner(), { cursor: null, limit: 500 }], [owner(), {}], [owner()]]) {
      expect((await call("filverse_getAssetsByOwner", params)).result).toEqual({ assets: [], nextCursor: null });
    }
  });
});

describe("filverse_getIdentitiesByOwner and filverse_getDataAssetGrantees: typed errors, empty pages", () => {
  const owner = () => toHex(alice.address);
  const unknownAsset = `0x${"ab".repeat(32)}`;

  it.each([
    ["filverse_getIdentitiesByOwner", ["0x1234"]],
    ["filverse_getIdentitiesByOwner", [owner(), { limit: 0 }]],
    ["filverse_getIdentitiesByOwner", [owner(), { cursor: "0x12" }]],
    ["filverse_getIdentitiesByOwner", [owner(), { size: 1 }]],
    ["filverse_getIdentitiesByOwner", []],
    ["filverse_getDataAssetGrantees", [owner()]],
    ["filverse_getDataAssetGrantees", [unknownAsset, { limit: "5" }]],
    ["filverse_getDataAssetGrantees", [unknownAsset, {}, 3]],
    ["filverse_getCollectionsByCreator", ["0x1234"]],
    ["filverse_getCollectionsByCreator", [owner(), { limit: 501 }]],
    ["filverse_getCollectionsByCreator", [owner(), { cursor: "0x12" }]],
    ["filverse_getAssetsByCollection", ["0x1234"]],
    ["filverse_getAssetsByCollection", [unknownAsset, { limit: 501 }]],
    ["filverse_getAssetsByCollection", [unknownAsset, { cursor: 5 }]],
    ["filverse_getAssetsByCollection", [unknownAsset, { from: 5 }]],
    ["filverse_getAssetsByCollection", [unknownAsset, {}, 3]],
    ["filverse_getCheckpoints", [0]],
    ["filverse_getCheckpoints", [51]],
    ["filverse_getCheckpoints", [5, -1]],
    ["filverse_getTransactionsByAddress", ["0x1234"]],
    ["filverse_getTransactionsByAddress", [owner(), { limit: 0 }]],
    ["filverse_getTransactionsByAddress", [owner(), { cursor: "0x12" }]],
    ["filverse_getTransactionsByAddress", [owner(), { cursor: 5 }]],
  ] as const)("%s %j is -32602", async (method, params) => {
    const { error } = await call(method, params as unknown as unknown[]);
    expect(error?.code).toBe(RpcErrorCode.INVALID_PARAMS);
  });

  it("serve an empty list for an owner with no identity, and null for an unknown data asset", async () => {
    expect((await call("filverse_getIdentitiesByOwner", [owner(), { limit: 5 }])).result).toEqual({
      identities: [],
      nextCursor: null,
    });
    expect((await call("filverse_getDataAssetGrantees", [unknownAsset])).result).toBeNull();
    expect((await call("filverse_getAssetsByCollection", [unknownAsset, { limit: 5 }])).result).toBeNull();
    // A node with no L1 rollup has no checkpoints to list: -32017, not an empty page that would hide it.
    expect((await call("filverse_getCheckpoints", [])).error?.code).toBe(RpcErrorCode.UNAVAILABLE);
    expect((await call("filverse_getTransactionsByAddress", [`0x${"77".repeat(20)}`])).result).toEqual({
      transactions: [],
      nextCursor: null,
    });
    expect((await call("filverse_getCollectionsByCreator", [owner()])).result).toEqual({
      collections: [],
      nextCursor: null,
    });
  });
});

describe("deep nesting is the sender's error, never -32603", () => {
  const LEVELS = 5_000;

  it("in a transaction's message field or primaryType: -32012", async () => {
    const transfer = txJson(TxKind.Transfer, { to: alice.address, amount: 1n });
    for (const tx of [
      { ...transfer, message: { ...transfer.message, to: nested(LEVELS) } },
      { ...transfer, primaryType: nested(LEVELS, "Transfer") },
      nested(LEVELS, transfer),
    ]) {
      const { error } = await send(tx);
      expect(error?.code).toBe(RpcErrorCode.MALFORMED_TRANSACTION);
    }
  });

  it("in page parameters and any other param: -32602 with the limit", async () => {
    for (const [method, params] of [
      ["filverse_getAssetsByOwner", [toHex(alice.address), { limit: nested(LEVELS) }]],
      ["filverse_getAssetsByOwner", [toHex(alice.address), { cursor: nested(LEVELS, "0x") }]],
      ["filverse_getAccount", [nested(LEVELS, toHex(alice.address))]],
      ["filverse_estimateFee", [nested(LEVELS)]],
    ] as const) {
      const { error } = await call(method, params as unknown as unknown[]);
      expect(error?.code, method).toBe(RpcErrorCode.INVALID_PARAMS);
      expect(error?.data?.maxDepth).toBe(MAX_JSON_DEPTH);
    }
  });

  it("exactly at the limit is not refused for its depth", async () => {
    const { error } = await call("filverse_estimateFee", [nested(MAX_JSON_DEPTH)]);
    expect(error).toBeUndefined();
  });
});
