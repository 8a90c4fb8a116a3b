/** `filverse bridge checkpoint` for a person: the status with the time left or the dispute, the L1 transaction, one line per deal. */
import type { CheckpointJson } from "@filverse/types";
import { describe, expect, it } from "vitest";
import { formatCheckpoint } from "../../src/commands/bridge.js";

const base: CheckpointJson = {
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
  status: "pending",
  challengeWindowEnds: "1795488060",
  secondsLeft: 42,
  l1Head: "70",
  l1Time: "1795488018",
  openDisputes: 0,
  lowestDisputed: null,
  storage: null,
};

describe("formatCheckpoint", () => {
  it("a pending checkpoint: the seconds left and when its window ends; the L1 transaction; no deal tracking", () => {
    const text = formatCheckpoint(base);
    expect(text).toMatch(/^checkpoint {3}3 of 5 on L1$/m);
    expect(text).toMatch(/^status {7}in its challenge window: 42 s left \(ends 2026-11-24T02:41:00\.000Z\)$/m);
    expect(text).toMatch(/^blocks {7}97 to 128, last 0x1111/m);
    expect(text).toMatch(new RegExp(`^L1 tx {8}0x${"44".repeat(32)} in L1 block 61$`, "m"));
    expect(text).toMatch(/^deals {8}not tracked by this node/m);
  });

  it("disputed on itself or held by an earlier game; an unknown transaction; deals one a line", () => {
    expect(formatCheckpoint({ ...base, status: "disputed", openDisputes: 2, lowestDisputed: "3" })).toMatch(
      /^status {7}disputed: 2 open fault-proof games on it \(challenge window: 42 s left\)$/m,
    );
    const held = formatCheckpoint({ ...base, status: "disputed", secondsLeft: 0, lowestDisputed: "1", l1TxHash: null });
    expect(held).toMatch(/^status {7}disputed: its window is over, but an open game on checkpoint 1 holds it back$/m);
    expect(held).toMatch(/^L1 tx {8}not found by the node$/m);
    const stored = formatCheckpoint({
      ...base,
      status: "final",
      secondsLeft: 0,
      storage: {
        batch: {
          pieceCid: "bafkzcibdpiece",
          pieceCidV1: "baga6ea4seaqpiece",
          payloadCid: "bafy",
          pieceSize: 2048,
          carSize: 1529,
        },
        deals: [
          {
            backend: "dealclient",
            ref: "3",
            provider: "f01000",
            state: "active",
            dealId: "1",
            reason: null,
            updatedAt: "1",
          },
          {
            backend: "dealclient",
            ref: "2",
            provider: null,
            state: "failed",
            dealId: null,
            reason: "refused",
            updatedAt: "1",
          },
        ],
        stored: true,
      },
    });
    expect(stored).toMatch(/^status {7}final$/m);
    expect(stored).toMatch(/^batch {8}baga6ea4seaqpiece, 2048 bytes padded, CAR 1529 bytes$/m);
    expect(stored).toMatch(/^deals {8}active \(deal 1, dealclient 3, provider f01000\)$/m);
    expect(stored).toMatch(/^ {13}failed \(dealclient 2, refused\)$/m);
    const none = formatCheckpoint({ ...base, storage: { batch: null, deals: [], stored: false } });
    expect(none).toMatch(/^deals {8}none yet \(the batch is not built yet\)$/m);
  });
});
