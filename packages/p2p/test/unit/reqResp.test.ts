/** Request/response between real libp2p nodes on 127.0.0.1: blocks_by_range, status, checkpoint_signature. */
import { privateKeyToAddress, recoverAddress } from "@filverse/crypto";
import { type CheckpointDomain, checkpointDigest, signCheckpoint } from "@filverse/l1";
import { blockHash, type Checkpoint } from "@filverse/types";
import { afterEach, describe, expect, it } from "vitest";
import { PenaltyReason, ReqRespError, ReqRespErrorCode, type ScoreChange } from "../../src/index.js";
import { buildChain, CHAIN_ID, connected, makeCheckpoint, startNode, stopAll, waitFor } from "./helpers.js";

afterEach(stopAll);

const HEAD = 10;
const chain = buildChain(HEAD);
const status = { headNumber: HEAD, headHash: blockHash(chain.blocks[HEAD]!.header) };
const VALIDATOR_KEY = new Uint8Array(32).fill(0x77);
const domain: CheckpointDomain = {
  l1ChainId: 31415926,
  rollup: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  l2ChainId: CHAIN_ID,
};

async function code(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => "resolved",
    (e) => (e instanceof ReqRespError ? e.code : `untyped: ${e}`),
  );
}

/** A serving node and a client connected to it. */
async function pair(
  serverInit: Parameters<typeof startNode>[0] = {},
  clientInit: Parameters<typeof startNode>[0] = {},
) {
  const server = await startNode(serverInit, {
    getBlockBytes: (n) => chain.bytes[n] ?? null,
    getStatus: () => status,
    signCheckpoint: (cp: Checkpoint) => {
      if (cp.index > 100) {
        throw new ReqRespError(ReqRespErrorCode.RESOURCE_UNAVAILABLE, "Not verified yet");
      }
      return signCheckpoint(cp, domain, VALIDATOR_KEY);
    },
  });
  const client = await startNode({ bootstrapPeers: server.multiaddrs, ...clientInit });
  await waitFor(() => connected(client, server), "the client to connect");
  const penalized: ScoreChange[] = [];
  server.on("peer:penalized", (c) => penalized.push(c));
  return { server, client, penalized };
}

describe("blocks_by_range", () => {
  it("returns the requested blocks, and fewer past the head", async () => {
    const { server, client } = await pair();
    const got = await client.requestBlocksByRange(server.peerId, 2, 5);
    expect(got.map((b) => b.block.header.number)).toEqual([2, 3, 4, 5, 6]);
    expect(got.map((b) => Buffer.from(b.bytes).toString("hex"))).toEqual(
      chain.bytes.slice(2, 7).map((b) => Buffer.from(b).toString("hex")),
    );
    const tail = await client.requestBlocksByRange(server.peerId, 8, 5);
    expect(tail.map((b) => b.block.header.number)).toEqual([8, 9, 10]);
    expect(await client.requestBlocksByRange(server.peerId, HEAD + 1, 3)).toEqual([]);
  });

  it("refuses a bad range with a typed error and scores the requester down", async () => {
    const { server, client, penalized } = await pair({ reqResp: { maxBlocksPerRequest: 8 } });
    expect(await code(client.requestBlocksByRange(server.peerId, 1, 0))).toBe(ReqRespErrorCode.INVALID_REQUEST);
    expect(await code(client.requestBlocksByRange(server.peerId, 1, 9))).toBe(ReqRespErrorCode.INVALID_REQUEST);
    expect(await code(client.requestBlocksByRange(server.peerId, Number.MAX_SAFE_INTEGER, 2))).toBe(
      ReqRespErrorCode.INVALID_REQUEST,
    );
    expect(penalized.map((p) => p.reason)).toEqual(Array(3).fill(PenaltyReason.INVALID_REQUEST));
    expect(server.scoreOf(client.peerId)).toBeLessThan(0);
    await expect(client.requestBlocksByRange(server.peerId, -1, 2)).rejects.toThrow(RangeError);
    // The server still answers good requests.
    expect(await client.requestBlocksByRange(server.peerId, 1, 8)).toHaveLength(8);
  });

  it("the requester rejects blocks that do not answer the request, and scores the server down", async () => {
    const liar = await startNode({}, { getBlockBytes: (n) => chain.bytes[n + 1] ?? null });
    const broken = await startNode({}, { getBlockBytes: () => new Uint8Array([1, 2, 3]) });
    const client = await startNode({ bootstrapPeers: [...liar.multiaddrs, ...broken.multiaddrs] });
    await waitFor(() => connected(client, liar) && connected(client, broken), "the client to connect");
    expect(await code(client.requestBlocksByRange(liar.peerId, 1, 3))).toBe(ReqRespErrorCode.INVALID_RESPONSE);
    expect(client.scoreOf(liar.peerId)).toBeLessThan(0);
    expect(await code(client.requestBlocksByRange(broken.peerId, 1, 3))).toBe(ReqRespErrorCode.INVALID_RESPONSE);
  });
});

describe("status and limits", () => {
  it("status returns the head", async () => {
    const { server, client } = await pair();
    const got = await client.requestStatus(server.peerId);
    expect(got.headNumber).toBe(HEAD);
    expect(Buffer.from(got.headHash).equals(Buffer.from(status.headHash))).toBe(true);
  });

  it("a peer over the rate limit gets RATE_LIMITED and loses score", async () => {
    const { server, client, penalized } = await pair({
      reqResp: { rateLimits: { status: { perSecond: 0.001, burst: 2 } } },
    });
    await client.requestStatus(server.peerId);
    await client.requestStatus(server.peerId);
    expect(await code(client.requestStatus(server.peerId))).toBe(ReqRespErrorCode.RATE_LIMITED);
    expect(penalized.map((p) => p.reason)).toEqual([PenaltyReason.RATE_LIMITED]);
  });

  it("an unanswered request times out; an unserved protocol fails to dial", async () => {
    let release = () => {};
    const slow = await startNode({}, { getStatus: () => new Promise((resolve) => (release = () => resolve(status))) });
    const client = await startNode({ bootstrapPeers: slow.multiaddrs, reqResp: { requestTimeoutMs: 300 } });
    await waitFor(() => connected(client, slow), "the client to connect");
    expect(await code(client.requestStatus(slow.peerId))).toBe(ReqRespErrorCode.TIMEOUT);
    release();
    expect(await code(client.requestBlocksByRange(slow.peerId, 0, 1))).toBe(ReqRespErrorCode.DIAL_FAILED);
  });
});

describe("checkpoint_signature", () => {
  it("round-trips a signature that recovers to the validator", async () => {
    const { server, client } = await pair();
    const cp = makeCheckpoint();
    const sig = await client.requestCheckpointSignature(server.peerId, cp);
    expect(sig).toHaveLength(65);
    expect(recoverAddress(checkpointDigest(cp, domain), sig)).toEqual(privateKeyToAddress(VALIDATOR_KEY));
  });

  it("a declined or foreign checkpoint gets a typed error", async () => {
    const { server, client } = await pair();
    expect(await code(client.requestCheckpointSignature(server.peerId, makeCheckpoint({ index: 101 })))).toBe(
      ReqRespErrorCode.RESOURCE_UNAVAILABLE,
    );
    expect(await code(client.requestCheckpointSignature(server.peerId, makeCheckpoint({ chainId: 1 })))).toBe(
      ReqRespErrorCode.INVALID_REQUEST,
    );
  });
});
