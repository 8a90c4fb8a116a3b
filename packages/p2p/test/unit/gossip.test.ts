/** Gossip between real libp2p nodes on 127.0.0.1: delivery, validation, rate limits, size limits, bans. */
import { MAX_TX_BYTES } from "@filverse/params";
import type { SignedBlock } from "@filverse/types";
import { afterEach, describe, expect, it } from "vitest";
import {
  type FilverseP2P,
  GossipValidationResult,
  gossipTopic,
  MAX_GOSSIP_BLOCK_BYTES,
  P2PErrorCode,
  PenaltyReason,
  type ScoreChange,
} from "../../src/index.js";
import {
  buildChain,
  CHAIN_ID,
  connected,
  createNode,
  paddedBlock,
  sealedBySequencer,
  startNode,
  stopAll,
  waitFor,
} from "./helpers.js";

afterEach(stopAll);

const chain = buildChain(40);
const forged = buildChain(3, new Uint8Array(32).fill(0x66)); // sealed by someone else

/** Subscribe to blocks with the verifier's seal check; records what the validator saw and what was delivered. */
function watchBlocks(node: FilverseP2P) {
  const validated: number[] = [];
  const delivered: number[] = [];
  node.subscribe("blocks", {
    validate: async (msg) => {
      validated.push(msg.value.header.number);
      return sealedBySequencer(msg.value) ? GossipValidationResult.Accept : GossipValidationResult.Reject;
    },
    onMessage: (msg) => delivered.push(msg.value.header.number),
  });
  return { validated, delivered };
}

function penalties(node: FilverseP2P): ScoreChange[] {
  const out: ScoreChange[] = [];
  node.on("peer:penalized", (c) => out.push(c));
  return out;
}

const subscribedTo = (from: FilverseP2P, to: FilverseP2P) => from.topicPeers("blocks").includes(to.peerId);

describe("gossip", () => {
  it("a block published by one node reaches the others through the bootstrap node, validated on the way", async () => {
    const a = await startNode();
    const b = await startNode({ bootstrapPeers: a.multiaddrs });
    const c = await createNode({ bootstrapPeers: a.multiaddrs });
    const [wa, wb, wc] = [watchBlocks(a), watchBlocks(b), watchBlocks(c)]; // c subscribes before it starts
    await c.start();
    await waitFor(() => connected(a, b) && connected(a, c), "b and c to connect to a");
    await waitFor(() => subscribedTo(c, a) && subscribedTo(a, b), "topic subscriptions to propagate");

    expect(await c.publishBlock(chain.blocks[1]!)).toBeGreaterThan(0);
    await waitFor(() => wa.delivered.includes(1) && wb.delivered.includes(1), "block 1 to reach a and b");
    expect(wa.validated).toEqual([1]); // a validated it before forwarding it to b
    expect(wb.validated).toEqual([1]);
    expect(wc.delivered).toEqual([]); // no echo to the publisher
    expect(connected(b, c)).toBe(false); // b got it from a, not from c
  });

  it("a rejected message scores its sender down and is not delivered", async () => {
    const a = await startNode();
    const b = await startNode({ bootstrapPeers: a.multiaddrs });
    const wa = watchBlocks(a);
    watchBlocks(b);
    const seen = penalties(a);
    await waitFor(() => subscribedTo(b, a), "b to see a's subscription");

    await b.publishBlock(forged.blocks[1]!);
    await waitFor(() => seen.length === 1, "a to penalize b");
    expect(seen[0]).toMatchObject({ peerId: b.peerId, reason: PenaltyReason.VALIDATION_REJECTED, delta: -10 });
    expect(a.scoreOf(b.peerId)).toBeCloseTo(-10, 0);
    expect(a.peers().find((p) => p.peerId === b.peerId)?.score).toBeLessThan(0);
    expect(wa.delivered).toEqual([]);

    // Undecodable bytes are rejected before any validator runs.
    await b.publish("blocks", new Uint8Array([1, 2, 3]));
    await waitFor(() => seen.length === 2, "a to penalize the undecodable block");
    expect(seen[1]).toMatchObject({ reason: PenaltyReason.DECODE_FAILED });
    expect(wa.validated).toEqual([1]);

    await b.publishBlock(chain.blocks[2]!);
    await waitFor(() => wa.delivered.includes(2), "a valid block to still get through");
  });

  it("a flood over the rate limit bans the sender; the receiver keeps working", async () => {
    const a = await startNode({ gossip: { rateLimits: { blocks: { perSecond: 1, burst: 5 } } } });
    const flooder = await startNode({ bootstrapPeers: a.multiaddrs });
    const honest = await startNode({ bootstrapPeers: a.multiaddrs });
    const wa = watchBlocks(a);
    watchBlocks(flooder);
    watchBlocks(honest);
    const bans: string[] = [];
    a.on("peer:banned", (b) => bans.push(b.peerId));
    await waitFor(() => subscribedTo(flooder, a) && subscribedTo(honest, a), "subscriptions");

    // 5 pass, then each costs 5 points: the 11th over the limit crosses -50.
    for (const block of chain.blocks.slice(1, 21)) await flooder.publishBlock(block);
    await waitFor(() => bans.includes(flooder.peerId), "a to ban the flooder");
    await waitFor(() => !connected(a, flooder), "a to disconnect the flooder");
    expect(a.isBanned(flooder.peerId)).toBe(true);
    expect(a.scoreOf(flooder.peerId)).toBeLessThan(a.opts.scoring.banThreshold);
    await waitFor(() => wa.delivered.length >= 5, "the blocks within the burst to be delivered");
    expect(wa.delivered.length).toBeLessThan(20);

    // The ban holds against a redial (a's gater refuses the upgraded connection; the dialler may see
    // its dial resolve before a closes it), and the honest peer is still served.
    await flooder.libp2p.dial(a.libp2p.getMultiaddrs()[0]!).catch(() => null);
    await waitFor(() => !connected(flooder, a), "the redial to be dropped");
    expect(connected(a, flooder)).toBe(false);
    await honest.publishBlock(chain.blocks[30]!);
    await waitFor(() => wa.delivered.includes(30), "the honest peer's block");
    expect(a.scoreOf(honest.peerId)).toBe(0);
  });

  it("oversized messages are rejected and scored down; publish refuses them locally", async () => {
    const a = await startNode();
    const b = await startNode({ bootstrapPeers: a.multiaddrs });
    const received: unknown[] = [];
    a.subscribe("txs", { onMessage: (m) => received.push(m) });
    b.subscribe("txs", { onMessage: () => {} });
    const seen = penalties(a);
    const bans: string[] = [];
    a.on("peer:banned", (x) => bans.push(x.peerId));
    await waitFor(() => b.topicPeers("txs").includes(a.peerId), "b to see a's subscription");

    const big = (fill: number) => new Uint8Array(MAX_TX_BYTES + 1).fill(fill);
    await expect(b.publishTransaction(big(1))).rejects.toMatchObject({ code: P2PErrorCode.MESSAGE_TOO_LARGE });
    // Around the helper, straight into gossipsub, as a hostile node would.
    const raw = b.libp2p.services.pubsub;
    for (const fill of [1, 2, 3]) await raw.publish(gossipTopic(CHAIN_ID, "txs"), big(fill));
    await waitFor(() => bans.includes(b.peerId), "a to ban b");
    expect(seen.map((s) => s.reason)).toEqual([
      PenaltyReason.OVERSIZED,
      PenaltyReason.OVERSIZED,
      PenaltyReason.OVERSIZED,
    ]);
    expect(received).toEqual([]);
  });

  it("a block up to the gossip limit is gossiped; a larger one only travels by blocks_by_range", async () => {
    const fits = paddedBlock(chain.blocks[1]!, MAX_GOSSIP_BLOCK_BYTES);
    const large = paddedBlock(chain.blocks[2]!, 2 * MAX_GOSSIP_BLOCK_BYTES);
    expect(fits.length).toBeGreaterThan(MAX_GOSSIP_BLOCK_BYTES - 50_000);
    const a = await startNode({}, { getBlockBytes: (n) => (n === 2 ? large : (chain.bytes[n] ?? null)) });
    const b = await startNode({ bootstrapPeers: a.multiaddrs });
    watchBlocks(a);
    const wb = watchBlocks(b);
    await waitFor(() => subscribedTo(a, b), "subscription");
    await a.publishBlock(fits);
    await waitFor(() => wb.delivered.includes(1), "the large block over gossip");
    await expect(a.publishBlock(large)).rejects.toMatchObject({ code: P2PErrorCode.MESSAGE_TOO_LARGE });
    const [got] = await b.requestBlocksByRange(a.peerId, 2, 1);
    expect(got!.bytes.length).toBe(large.length);
  });

  it("a validator that throws drops the message without penalty", async () => {
    const a = await startNode();
    const b = await startNode({ bootstrapPeers: a.multiaddrs });
    const got: SignedBlock[] = [];
    let calls = 0;
    a.subscribe("blocks", {
      validate: () => {
        calls++;
        throw new Error("db closed");
      },
      onMessage: (m) => got.push(m.value),
    });
    watchBlocks(b);
    await waitFor(() => subscribedTo(b, a), "subscription");
    await b.publishBlock(chain.blocks[5]!);
    await waitFor(() => calls === 1, "the validator to run");
    expect(got).toEqual([]);
    expect(a.scoreOf(b.peerId)).toBe(0);
  });
});
