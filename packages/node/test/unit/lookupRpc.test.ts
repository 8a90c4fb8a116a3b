/**
 * The JSON-RPC lists the database's lookup indexes serve (collections by creator, assets of a
 * collection, identities by owner, grantees of a data asset, tokens by holder), over HTTP against a
 * real RpcServer and Sequencer: content, paging, and typed errors for bad pages.
 */
import { collectionIdOf, dataAssetIdOf, identityIdOf, tokenIdOf } from "@filverse/crypto";
import { RpcServer } from "@filverse/rpc";
import { cidOf, pieceCidV1 } from "@filverse/test-utils";
import { RpcErrorCode, TxKind } from "@filverse/types";
import { toHex } from "@filverse/utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRpcHandlers } from "../../src/api/index.js";
import { key, SequencerFixture, tempDirs } from "./chainFixture.js";

const alice = key(961, "alice");
const bob = key(962, "bob");
const tmp = tempDirs();
let fixture: SequencerFixture;
let server: RpcServer;
let url: string;
let nextId = 1;
const collection = collectionIdOf(alice.address, 0);
const identity = identityIdOf(alice.address, 3);
const data = dataAssetIdOf(alice.address, 4);
const token = tokenIdOf(bob.address, 0);

beforeAll(async () => {
  fixture = await SequencerFixture.start(tmp.make("lookuprpc"), [alice, bob]);
  server = new RpcServer({ host: "127.0.0.1", port: 0, rateLimit: null }, { methods: createRpcHandlers(fixture.seq) });
  ({ url } = await server.start());
  await fixture.block(); // the faucet's deposits
  const f = fixture;
  await f.block([
    f.sign(alice, TxKind.CollectionCreate, {
      name: "Avatars",
      symbol: "AVA",
      royaltyBps: 250,
      maxSupply: 10,
      metadataMutable: false,
    }),
    ...[7, 2].map((tokenId) =>
      f.sign(alice, TxKind.AssetMint, {
        collectionId: collection,
        tokenId,
        to: alice.address,
        contentCid: cidOf("x"),
        onBehalfOf: new Uint8Array(32),
      }),
    ),
    f.sign(alice, TxKind.IdentityCreate, { handle: "alice_lookup", profileCid: cidOf("p") }),
    f.sign(alice, TxKind.DataAssetRegister, {
      contentCid: cidOf("d"),
      pieceCid: pieceCidV1(7),
      size: 2048,
      license: "CC0",
      onBehalfOf: new Uint8Array(32),
    }),
    f.sign(alice, TxKind.AccessGrant, {
      dataAssetId: data,
      grantee: bob.address,
      expiresAt: 4_000_000_000,
      onBehalfOf: new Uint8Array(32),
    }),
    f.sign(bob, TxKind.TokenCreate, { name: "Bob Coin", symbol: "BOB", decimals: 3, cap: 1_000_000n }),
    f.sign(bob, TxKind.TokenMint, { tokenId: token, to: bob.address, amount: 1234n, onBehalfOf: new Uint8Array(32) }),
  ]);
  await f.block([
    f.sign(alice, TxKind.DelegateAdd, {
      identityId: identity,
      delegate: bob.address,
      scope: 3,
      expiresAt: 4_000_000_000,
    }),
    f.sign(alice, TxKind.AttributeSet, { identityId: identity, key: "site", value: "https://a.example", expiresAt: 0 }),
  ]);
});

afterAll(async () => {
  await server?.close();
  await fixture?.seq.close();
  tmp.cleanup();
});

// biome-ignore lint/suspicious/noExplicitAny: the tests read into the JSON they compare.
type Json = any;

async function call(method: string, params: unknown[]): Promise<{ error?: { code: number }; result?: Json }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }),
  });
  return (await res.json()) as { error?: { code: number }; result?: unknown };
}

describe("index-backed lists", () => {
  it("collections by creator and a collection's assets, in pages", async () => {
    const cols = (await call("filverse_getCollectionsByCreator", [toHex(alice.address)])).result;
    expect(cols.collections.map((c: { id: string; royaltyBps: number }) => [c.id, c.royaltyBps])).toEqual([
      [toHex(collection), 250],
    ]);
    const first = (await call("filverse_getAssetsByCollection", [toHex(collection), { limit: 1 }])).result;
    expect(first.assets.map((a: { tokenId: unknown }) => String(a.tokenId))).toEqual(["2"]);
    expect(first.nextCursor).toBe("0x0000000000000002");
    const second = (await call("filverse_getAssetsByCollection", [toHex(collection), { cursor: first.nextCursor }]))
      .result;
    expect(second.assets.map((a: { tokenId: unknown }) => String(a.tokenId))).toEqual(["7"]);
    expect(second.nextCursor).toBeNull();
  });

  it("identities by owner, grantees of a data asset, tokens by holder", async () => {
    const ids = (await call("filverse_getIdentitiesByOwner", [toHex(alice.address)])).result;
    expect(ids.identities.map((i: { id: string; handle: string }) => [i.id, i.handle])).toEqual([
      [toHex(identity), "alice_lookup"],
    ]);
    const grantees = (await call("filverse_getDataAssetGrantees", [toHex(data)])).result;
    expect(grantees.grantees).toEqual([{ grantee: toHex(bob.address), expiresAt: "4000000000", active: true }]);
    const tokens = (await call("filverse_getTokensByHolder", [toHex(bob.address), { limit: 10 }])).result;
    expect(tokens).toEqual({
      holder: toHex(bob.address),
      tokens: [{ tokenId: toHex(token), balance: "1234", name: "Bob Coin", symbol: "BOB", decimals: 3 }],
      nextCursor: null,
    });
    expect((await call("filverse_getTokensByHolder", [toHex(alice.address)])).result.tokens).toEqual([]);
  });

  it("an identity with its delegates and attributes, and its DID document, from the database's indexes", async () => {
    const got = (await call("filverse_getIdentity", ["alice_lookup"])).result;
    expect(got).toMatchObject({ id: toHex(identity), handle: "alice_lookup" });
    expect(got.delegates).toEqual([
      { address: toHex(bob.address), scope: 3, expiresAt: "4000000000", ownerEpoch: "0", active: true },
    ]);
    expect(got.attributes).toEqual([{ key: "site", value: "https://a.example", expiresAt: "0", active: true }]);
    expect(got.truncated).toBeUndefined();
    const doc = (await call("filverse_resolveDid", [`did:filverse:${fixture.chain.chainId}:alice_lookup`])).result;
    expect(doc.verificationMethod).toHaveLength(2);
    expect(doc.service.map((s: { type: string }) => s.type)).toEqual(["FilverseProfile", "FilverseAttribute"]);
  });

  it.each([
    ["filverse_getTokensByHolder", ["0x1234"]],
    ["filverse_getTokensByHolder", [`0x${"11".repeat(20)}`, { limit: 0 }]],
    ["filverse_getTokensByHolder", [`0x${"11".repeat(20)}`, { limit: 501 }]],
    ["filverse_getTokensByHolder", [`0x${"11".repeat(20)}`, { cursor: "0x12" }]],
    ["filverse_getTokensByHolder", [`0x${"11".repeat(20)}`, { cursor: 5 }]],
    ["filverse_getTokensByHolder", [`0x${"11".repeat(20)}`, {}, 3]],
    ["filverse_getIdentitiesByOwner", [`0x${"11".repeat(20)}`, { cursor: `0x${"11".repeat(20)}` }]],
  ] as const)("%s %j is -32602", async (method, params) => {
    expect((await call(method, params as unknown as unknown[])).error?.code).toBe(RpcErrorCode.INVALID_PARAMS);
  });
});
