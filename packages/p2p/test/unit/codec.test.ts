/** Wire encodings, framing, rate limits and the local score, without a network. */
import { signTransaction } from "@filverse/crypto";
import { CodecError, encodeSignedBlock, TxKind } from "@filverse/types";
import { describe, expect, it } from "vitest";
import {
  CheckpointSignature,
  decodeGossip,
  defaultScoringOpts,
  EvidenceEnvelope,
  EvidenceKind,
  encodeGossip,
  GOSSIP_TOPICS,
  gossipTopic,
  PeerScoreStore,
  PenaltyReason,
  parseBootstrapPeers,
  parseGossipTopic,
  RateLimiter,
  reqRespProtocolId,
} from "../../src/index.js";
import { encodeChunk, encodeFrame, type FrameError, FrameErrorKind, readFrames } from "../../src/reqresp/frames.js";
import { buildChain, CHAIN_ID, makeCheckpoint, SEQUENCER_KEY } from "./helpers.js";

async function frames(chunks: Uint8Array[], max: number): Promise<Uint8Array[]> {
  async function* source() {
    for (const c of chunks) yield c;
  }
  const out: Uint8Array[] = [];
  for await (const f of readFrames(source(), max)) out.push(f);
  return out;
}

describe("names", () => {
  it("topics and protocols are namespaced by chain id", () => {
    expect(gossipTopic(314, "blocks")).toBe("/filverse/314/blocks/ssz");
    expect(GOSSIP_TOPICS.map((t) => gossipTopic(7, t))).toEqual([
      "/filverse/7/blocks/ssz",
      "/filverse/7/txs/ssz",
      "/filverse/7/checkpoint-signatures/ssz",
      "/filverse/7/evidence/ssz",
    ]);
    expect(reqRespProtocolId(7, "blocks_by_range")).toBe("/filverse/7/req/blocks_by_range/1");
    expect(parseGossipTopic(7, "/filverse/7/txs/ssz")).toBe("txs");
    expect(parseGossipTopic(7, "/filverse/8/txs/ssz")).toBeNull();
  });

  it("bootstrap peers need a /p2p/ part", () => {
    const id = "12D3KooWKnDdG3iXw9eTFijk3EWSunZcFi54Zka4wmtqtt6rPxc8";
    expect(parseBootstrapPeers([`/ip4/127.0.0.1/tcp/4001/p2p/${id}`])[0]!.peerId).toBe(id);
    expect(() => parseBootstrapPeers(["/ip4/127.0.0.1/tcp/4001"])).toThrow(/no \/p2p\/<peerId>/);
    expect(() => parseBootstrapPeers(["not an address"])).toThrow(/not a multiaddr/);
  });
});

describe("gossip encodings", () => {
  const { blocks } = buildChain(2);
  const tx = signTransaction(
    CHAIN_ID,
    { kind: TxKind.Transfer, message: { to: new Uint8Array(20).fill(1), amount: 5n, nonce: 0, fee: 1n } } as never,
    SEQUENCER_KEY,
  );
  const cs: CheckpointSignature = {
    checkpoint: makeCheckpoint(),
    signer: new Uint8Array(20).fill(2),
    signature: new Uint8Array(65).fill(3),
  };
  const headers = blocks.slice(1, 3).map((b) => ({ header: b.header, signature: b.signature }));

  it("round-trips every topic", () => {
    expect(decodeGossip("blocks", encodeGossip("blocks", blocks[1]!), CHAIN_ID)).toEqual(blocks[1]);
    expect(encodeGossip("blocks", blocks[1]!)).toEqual(encodeSignedBlock(blocks[1]!));
    expect(decodeGossip("txs", encodeGossip("txs", tx), CHAIN_ID)).toEqual(tx);
    expect(decodeGossip("checkpoint-signatures", encodeGossip("checkpoint-signatures", cs), CHAIN_ID)).toEqual(cs);
    for (const ev of [
      { kind: EvidenceKind.BLOCK_EQUIVOCATION, a: headers[0]!, b: headers[1]! } as const,
      {
        kind: EvidenceKind.CHECKPOINT_EQUIVOCATION,
        a: cs,
        b: { ...cs, checkpoint: makeCheckpoint({ lastBlock: 97 }) },
      } as const,
    ]) {
      expect(decodeGossip("evidence", encodeGossip("evidence", ev), CHAIN_ID)).toEqual(ev);
    }
  });

  it("rejects garbage, trailing bytes, another chain and unknown evidence", () => {
    const block = encodeGossip("blocks", blocks[1]!);
    expect(() => decodeGossip("blocks", new Uint8Array([1, 2, 3]), CHAIN_ID)).toThrow(CodecError);
    expect(() => decodeGossip("blocks", Uint8Array.from([...block, 0]), CHAIN_ID)).toThrow(CodecError);
    expect(() => decodeGossip("blocks", block, CHAIN_ID + 1)).toThrow(/is for chain/);
    expect(() => decodeGossip("txs", encodeGossip("txs", tx), CHAIN_ID + 1)).toThrow(/is for chain/);
    const other = { ...cs, checkpoint: makeCheckpoint({ chainId: CHAIN_ID + 1 }) };
    expect(() => decodeGossip("checkpoint-signatures", CheckpointSignature.serialize(other), CHAIN_ID)).toThrow(
      /is for chain/,
    );
    const unknown = EvidenceEnvelope.serialize({ kind: 9, a: new Uint8Array(0), b: new Uint8Array(0) });
    expect(() => decodeGossip("evidence", unknown, CHAIN_ID)).toThrow(/Unknown evidence kind 9/);
    const mismatched = EvidenceEnvelope.serialize({
      kind: EvidenceKind.BLOCK_EQUIVOCATION,
      a: CheckpointSignature.serialize(cs),
      b: CheckpointSignature.serialize(cs),
    });
    expect(() => decodeGossip("evidence", mismatched, CHAIN_ID)).toThrow(CodecError);
  });
});

describe("frames", () => {
  it("reassembles frames split anywhere and ends on a boundary", async () => {
    const payloads = [new Uint8Array(0), new Uint8Array(300).fill(1), Uint8Array.from([9])];
    const wire = Uint8Array.from(payloads.flatMap((p) => [...encodeFrame(p)]));
    for (const step of [1, 2, 7, wire.length]) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < wire.length; i += step) chunks.push(wire.subarray(i, i + step));
      expect(await frames(chunks, 300)).toEqual(payloads);
    }
    expect(encodeChunk(3, Uint8Array.from([7]))).toEqual(Uint8Array.from([2, 3, 7]));
  });

  it("refuses an oversized, overlong or truncated frame", async () => {
    const kind = (p: Promise<unknown>) =>
      p.then(
        () => "ok",
        (e: FrameError) => e.kind,
      );
    expect(await kind(frames([encodeFrame(new Uint8Array(301))], 300))).toBe(FrameErrorKind.TOO_LARGE);
    expect(await kind(frames([Uint8Array.from([0x80, 0x80, 0x80, 0x80, 0x80, 1])], 300))).toBe(
      FrameErrorKind.BAD_LENGTH,
    );
    expect(await kind(frames([Uint8Array.from([0x80, 0])], 300))).toBe(FrameErrorKind.BAD_LENGTH);
    expect(await kind(frames([encodeFrame(new Uint8Array(10)).subarray(0, 5)], 300))).toBe(FrameErrorKind.TRUNCATED);
  });
});

describe("rate limiter", () => {
  it("allows the burst, then the refill rate", () => {
    let now = 0;
    const rl = new RateLimiter({ perSecond: 2, burst: 3 }, () => now);
    expect([1, 2, 3, 4].map(() => rl.take("a"))).toEqual([true, true, true, false]);
    expect(rl.take("b", 3)).toBe(true);
    now = 500;
    expect([rl.take("a"), rl.take("a")]).toEqual([true, false]);
    expect(() => new RateLimiter({ perSecond: 0, burst: 1 })).toThrow(RangeError);
  });
});

describe("peer score", () => {
  it("penalizes, bans under the threshold, decays and lifts the ban", () => {
    let now = 0;
    const bans: string[] = [];
    const store = new PeerScoreStore(defaultScoringOpts, { onBan: (b) => bans.push(b.peerId) }, () => now);
    expect(store.score("p")).toBe(0);
    expect(store.penalize("p", PenaltyReason.VALIDATION_REJECTED)).toBe(-10);
    now = defaultScoringOpts.halfLifeMs;
    expect(store.score("p")).toBeCloseTo(-5);
    for (let i = 0; i < 3; i++) store.penalize("p", PenaltyReason.OVERSIZED);
    expect(store.isBanned("p")).toBe(true);
    expect(bans).toEqual(["p"]);
    expect(store.bannedUntil("p")).toBe(now + defaultScoringOpts.banDurationMs);
    store.penalize("p", PenaltyReason.DECODE_FAILED);
    expect(bans).toEqual(["p"]); // one ban at a time
    expect(store.score("p")).toBeGreaterThanOrEqual(defaultScoringOpts.minScore);
    now += defaultScoringOpts.banDurationMs;
    expect(store.isBanned("p")).toBe(false);
    expect(store.score("p")).toBe(defaultScoringOpts.banThreshold / 2);
  });
});
