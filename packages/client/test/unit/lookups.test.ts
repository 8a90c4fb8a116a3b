/**
 * The paged lookups and the checkpoint reads over real HTTP round trips to a tiny JSON-RPC node:
 * the params each sends, bad input refused before anything is sent (ClientError INVALID_INPUT naming
 * the field), the node's own errors typed, and checkpoints normalised (signers always present).
 */
import type { CheckpointJson } from "@filverse/types";
import { RpcErrorCode } from "@filverse/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFilverseClient } from "../../src/createFilverseClient.js";
import { ClientErrorCode, InvalidParamsRpcError, UnavailableError } from "../../src/errors.js";
import { BOB, COLLECTION_ID } from "./fixtures.js";
import { TestNode } from "./testNode.js";

let node: TestNode;
beforeEach(async () => {
  node = await new TestNode().start();
});
afterEach(async () => {
  await node.stop();
});

const TOKEN = `0x${"ab".repeat(32)}` as const;
const SIGNER_A = `0x${"2D".repeat(20)}` as const;
const SIGNER_B = `0x${"3e".repeat(20)}` as const;

const checkpoint: CheckpointJson = {
  index: "3",
  count: "5",
  firstBlock: "97",
  lastBlock: "128",
  lastBlockHash: `0x${"11".repeat(32)}`,
  stateRoot: `0x${"22".repeat(32)}`,
  withdrawalsRoot: `0x${"33".repeat(32)}`,
  depositCursor: "8",
  pieceCid: "bafkzcibdpiece",
  acceptedAt: "1795488000",
  l1TxHash: `0x${"44".repeat(32)}`,
  l1BlockNumber: "61",
  signers: [
    { address: SIGNER_A, weight: "600" },
    { address: SIGNER_B, weight: "300" },
  ],
  signedWeight: "900",
  totalWeight: "1000",
  status: "pending",
  challengeWindowEnds: "1795488060",
  secondsLeft: 42,
  l1Head: "70",
  l1Time: "1795488018",
  openDisputes: 0,
  lowestDisputed: null,
  storage: null,
};

/** A node that predates the signer fields: the same checkpoint without them. */
const { signers: _s, signedWeight: _w, totalWeight: _t, ...oldCheckpoint } = checkpoint;

describe("paged lookups", () => {
  it("getTokensByHolder sends [holder] or [holder, page] and returns the page as the node answers it", async () => {
    const page = {
      holder: BOB.toLowerCase(),
      tokens: [{ tokenId: TOKEN, balance: "5000", name: "Demo Coin", symbol: "DMC", decimals: 2 }],
      nextCursor: TOKEN,
    };
    node.overrides.set("filverse_getTokensByHolder", () => page);
    const client = createFilverseClient({ url: node.url });
    expect(await client.getTokensByHolder({ holder: BOB })).toEqual(page);
    expect(node.calls.at(-1)).toEqual({ method: "filverse_getTokensByHolder", params: [BOB.toLowerCase()] });
    await client.getTokensByHolder({ holder: BOB, limit: 1, cursor: TOKEN.toUpperCase().replace("0X", "0x") });
    expect(node.calls.at(-1)?.params).toEqual([BOB.toLowerCase(), { limit: 1, cursor: TOKEN }]);
    await client.getTokensByHolder({ holder: BOB, cursor: null });
    expect(node.calls.at(-1)?.params).toEqual([BOB.toLowerCase()]);
  });

  it("every paged lookup sends its key and page the same way", async () => {
    const client = createFilverseClient({ url: node.url });
    const cases: [string, () => Promise<unknown>, unknown[]][] = [
      [
        "filverse_getCollectionsByCreator",
        () => client.getCollectionsByCreator({ creator: BOB, limit: 2 }),
        [BOB.toLowerCase(), { limit: 2 }],
      ],
      [
        "filverse_getIdentitiesByOwner",
        () => client.getIdentitiesByOwner({ owner: BOB, cursor: "0x0a" }),
        [BOB.toLowerCase(), { cursor: "0x0a" }],
      ],
      [
        "filverse_getTransactionsByAddress",
        () => client.getTransactionsByAddress({ address: BOB, limit: 500 }),
        [BOB.toLowerCase(), { limit: 500 }],
      ],
      [
        "filverse_getAssetsByCollection",
        () => client.getAssetsByCollection({ collectionId: COLLECTION_ID }),
        [COLLECTION_ID],
      ],
      [
        "filverse_getDataAssetGrantees",
        () => client.getDataAssetGrantees({ dataAssetId: TOKEN, limit: 1 }),
        [TOKEN, { limit: 1 }],
      ],
    ];
    for (const [method, call, params] of cases) {
      node.overrides.set(method, (p) => ({ echoed: p }));
      expect(await call()).toEqual({ echoed: params });
    }
  });

  it("a bad holder, limit or cursor is ClientError INVALID_INPUT naming it, and nothing is sent", async () => {
    const client = createFilverseClient({ url: node.url });
    const before = node.calls.length;
    const bad: [() => Promise<unknown>, string][] = [
      [() => client.getTokensByHolder({ holder: "0x1234" as `0x${string}` }), "holder"],
      [() => client.getTokensByHolder({ holder: BOB, limit: 0 }), "limit"],
      [() => client.getTokensByHolder({ holder: BOB, limit: 501 }), "limit"],
      [() => client.getTokensByHolder({ holder: BOB, limit: 1.5 }), "limit"],
      [() => client.getTokensByHolder({ holder: BOB, limit: "5" as unknown as number }), "limit"],
      [() => client.getTokensByHolder({ holder: BOB, cursor: "next" }), "cursor"],
      [() => client.getCollectionsByCreator({ creator: BOB, limit: -1 }), "limit"],
      [() => client.getTransactionsByAddress({ address: BOB, cursor: "0xzz" }), "cursor"],
      [() => client.getCheckpoints({ limit: 51 }), "limit"],
      [() => client.getCheckpoints({ before: -1 }), "before"],
      [() => client.getCheckpoints({ before: "1e3" }), "before"],
      [() => client.getCheckpoint({ index: "latest" }), "index"],
    ];
    for (const [call, name] of bad) {
      await expect(call()).rejects.toMatchObject({ code: ClientErrorCode.INVALID_INPUT, details: { name } });
    }
    expect(node.calls.length).toBe(before);
  });

  it("the node's -32602 for a cursor it did not issue is InvalidParamsRpcError with its data", async () => {
    node.overrides.set("filverse_getTokensByHolder", () => {
      throw {
        code: RpcErrorCode.INVALID_PARAMS,
        message: "page.cursor must be a cursor returned by a previous page",
        data: { param: "page.cursor", index: 1 },
      };
    });
    const client = createFilverseClient({ url: node.url });
    const err = await client.getTokensByHolder({ holder: BOB, cursor: "0x01" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParamsRpcError);
    expect(err).toMatchObject({ code: RpcErrorCode.INVALID_PARAMS, data: { param: "page.cursor" } });
  });
});

describe("checkpoints", () => {
  it("getCheckpoint types the signers and their weights, lower-cases the addresses, and fills in null for an older node", async () => {
    let answer: unknown = checkpoint;
    node.overrides.set("filverse_getCheckpoint", () => answer);
    const client = createFilverseClient({ url: node.url });
    const cp = await client.getCheckpoint({ index: 3n });
    expect(node.calls.at(-1)).toEqual({ method: "filverse_getCheckpoint", params: ["3"] });
    expect(cp?.signers).toEqual([
      { address: SIGNER_A.toLowerCase(), weight: "600" },
      { address: SIGNER_B, weight: "300" },
    ]);
    expect([cp?.signedWeight, cp?.totalWeight]).toEqual(["900", "1000"]);
    answer = oldCheckpoint;
    const old = await client.getCheckpoint();
    expect(node.calls.at(-1)?.params).toEqual([]);
    expect(old).toMatchObject({ index: "3", signers: null, signedWeight: null, totalWeight: null });
    answer = null;
    expect(await client.getCheckpoint({ index: 9 })).toBeNull();
  });

  it("getCheckpoints sends [limit, before], returns the page with each checkpoint normalised, and follows `next`", async () => {
    const all = [0, 1, 2].map((i) => ({ ...checkpoint, index: String(i), count: "3", final: i < 2, stored: null }));
    node.overrides.set("filverse_getCheckpoints", (params) => {
      const limit = Number(params[0] ?? 10);
      const before = params[1] === undefined ? 3 : Number(params[1]);
      const page = all
        .filter((c) => Number(c.index) < before)
        .reverse()
        .slice(0, limit);
      const last = page.at(-1);
      return { checkpoints: page, count: "3", next: last && last.index !== "0" ? last.index : null };
    });
    const client = createFilverseClient({ url: node.url });
    const first = await client.getCheckpoints({ limit: 2 });
    expect(node.calls.at(-1)?.params).toEqual([2]);
    expect(first.checkpoints.map((c) => [c.index, c.final])).toEqual([
      ["2", false],
      ["1", true],
    ]);
    expect(first.checkpoints[0]?.signers?.[0]?.address).toBe(SIGNER_A.toLowerCase());
    expect(first.next).toBe("1");
    const second = await client.getCheckpoints({ limit: 2, before: first.next });
    expect(node.calls.at(-1)?.params).toEqual([2, "1"]);
    expect(second).toMatchObject({ count: "3", next: null, checkpoints: [{ index: "0", final: true, stored: null }] });
    await client.getCheckpoints({ before: 2n });
    expect(node.calls.at(-1)?.params).toEqual([10, "2"]);
    await client.getCheckpoints();
    expect(node.calls.at(-1)?.params).toEqual([]);
  });

  it("a node without an L1 rollup answers UNAVAILABLE: UnavailableError", async () => {
    node.overrides.set("filverse_getCheckpoints", () => {
      throw { code: RpcErrorCode.UNAVAILABLE, message: "no L1 rollup configured" };
    });
    const client = createFilverseClient({ url: node.url });
    await expect(client.getCheckpoints()).rejects.toBeInstanceOf(UnavailableError);
  });
});

describe("node and dispute reads", () => {
  it("getDisputes sends [fromId, limit] as decimal strings; getDispute [id]; bad input is INVALID_INPUT", async () => {
    node.overrides.set("filverse_getDisputes", (params) => ({ disputes: [], next: null, params }));
    node.overrides.set("filverse_getDispute", () => null);
    const client = createFilverseClient({ url: node.url });
    expect(await client.getDisputes()).toMatchObject({ params: [] });
    expect(await client.getDisputes({ fromId: 20n, limit: 5 })).toMatchObject({ params: ["20", "5"] });
    expect(await client.getDisputes({ limit: 100 })).toMatchObject({ params: ["0", "100"] });
    expect(await client.getDisputes({ fromId: "7" })).toMatchObject({ params: ["7"] });
    expect(await client.getDispute({ id: 3 })).toBeNull();
    expect(node.calls.at(-1)).toEqual({ method: "filverse_getDispute", params: ["3"] });
    const before = node.calls.length;
    for (const [call, name] of [
      [() => client.getDisputes({ limit: 101 }), "limit"],
      [() => client.getDisputes({ fromId: -1 }), "fromId"],
      [() => client.getDispute({ id: "x" }), "id"],
      [() => client.getEvidence({ kind: "doubleSpend" as never }), "kind"],
    ] as const) {
      await expect(call()).rejects.toMatchObject({ code: ClientErrorCode.INVALID_INPUT, details: { name } });
    }
    expect(node.calls.length).toBe(before);
  });

  it("getGenesis, getEvidence, getNodeIdentity and getPeers send their method with the params it takes", async () => {
    for (const m of ["filverse_getGenesis", "filverse_getEvidence", "filverse_nodeIdentity", "filverse_peers"]) {
      node.overrides.set(m, (params) => ({ method: m, params }));
    }
    const client = createFilverseClient({ url: node.url });
    expect(await client.getGenesis()).toEqual({ method: "filverse_getGenesis", params: [] });
    expect(await client.getEvidence()).toEqual({ method: "filverse_getEvidence", params: [] });
    expect(await client.getEvidence({ kind: "invalidBlock" })).toEqual({
      method: "filverse_getEvidence",
      params: ["invalidBlock"],
    });
    expect(await client.getNodeIdentity()).toEqual({ method: "filverse_nodeIdentity", params: [] });
    expect(await client.getPeers()).toEqual({ method: "filverse_peers", params: [] });
  });
});
