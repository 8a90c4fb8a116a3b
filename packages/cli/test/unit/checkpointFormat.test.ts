/**
 * `filverse bridge checkpoint` for a person: the status with the time left or the dispute, the L1
 * transaction, who signed with their share of the weight, one line per deal; `bridge checkpoints`
 * one checkpoint a line.
 */
import type { CheckpointJson } from "@filverse/types";
import { describe, expect, it } from "vitest";
import { formatShare, formatUnits } from "../../src/amount.js";
import { checkpointsParams, formatCheckpoint, formatCheckpointList } from "../../src/commands/bridge.js";

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

const A = `0x${"2d".repeat(20)}` as const;
const B = `0x${"3e".repeat(20)}` as const;
const FIL = 10n ** 18n;
const signed: CheckpointJson = {
  ...base,
  signers: [
    { address: A, weight: String(600n * FIL) },
    { address: B, weight: String(150n * FIL + FIL / 2n) },
  ],
  signedWeight: String(750n * FIL + FIL / 2n),
  totalWeight: String(1000n * FIL),
};

describe("signers", () => {
  it("the signed weight against the total with the quorum, then each signer's weight in FIL and share", () => {
    const text = formatCheckpoint(signed);
    expect(text).toMatch(/^signed {7}750\.5 FIL of 1000 FIL \(75\.05%; quorum 2\/3\) by 2 validators$/m);
    expect(text).toMatch(new RegExp(`^signers {6}${A} 600 FIL \\(60%\\)$`, "m"));
    expect(text).toMatch(new RegExp(`^ {13}${B} 150\\.5 FIL \\(15\\.05%\\)$`, "m"));
    // After the L1 transaction, before the piece.
    expect(text.indexOf("L1 tx")).toBeLessThan(text.indexOf("signed "));
    expect(text.indexOf("signers")).toBeLessThan(text.indexOf("piece "));
  });

  it("a node that could not read them, or predates them, says so", () => {
    expect(formatCheckpoint(base)).toMatch(/^signed {7}not known to the node$/m);
    expect(formatCheckpoint({ ...signed, signers: null, signedWeight: null, totalWeight: null })).toMatch(
      /^signed {7}not known to the node$/m,
    );
  });

  it("formatShare rounds to two decimals and trims; formatUnits puts the point by the decimals", () => {
    expect(formatShare(2n, 3n)).toBe("66.67%");
    expect(formatShare("1", "1")).toBe("100%");
    expect(formatShare(0n, 5n)).toBe("0%");
    expect(formatShare(1n, 0n)).toBe("-");
    expect(formatShare(1n, 100_000n)).toBe("0%");
    expect(formatUnits("150", 2)).toBe("1.5");
    expect(formatUnits("5", 2)).toBe("0.05");
    expect(formatUnits("5000", 0)).toBe("5000");
    expect(formatUnits(10n ** 18n, 18)).toBe("1");
  });
});

describe("bridge checkpoints", () => {
  it("one line each, newest first, with status, signed share, storage and L1 transaction; `more` names --before", () => {
    const page = {
      count: "5",
      next: "3",
      checkpoints: [
        { ...signed, index: "4", final: false, stored: null },
        { ...base, index: "3", status: "final" as const, secondsLeft: 0, final: true, stored: true, l1TxHash: null },
      ],
    };
    const lines = formatCheckpointList(page).split("\n");
    expect(lines[0]).toBe("5 checkpoints on L1");
    expect(lines[1]).toBe(
      `#4  blocks 97–128  pending (42 s left)  signed 75.05% by 2  deals untracked  L1 tx 0x${"44".repeat(32)}`,
    );
    expect(lines[2]).toBe("#3  blocks 97–128  final  signers unknown  stored  L1 tx -");
    expect(lines[3]).toBe("more: --before 3");
    expect(formatCheckpointList({ count: "0", next: null, checkpoints: [] })).toBe("no checkpoint on L1 yet");
  });

  it("--limit 1–50 and --before a whole number become [limit, before]; anything else is a usage error", () => {
    expect(checkpointsParams({})).toEqual([]);
    expect(checkpointsParams({ limit: "5" })).toEqual([5]);
    expect(checkpointsParams({ before: "7" })).toEqual([10, "7"]);
    expect(checkpointsParams({ limit: "2", before: "7" })).toEqual([2, "7"]);
    for (const limit of ["0", "51", "1.5", "x", "-1"])
      expect(() => checkpointsParams({ limit })).toThrow(/--limit is 1 to 50/);
    for (const before of ["-1", "0x3", "one"])
      expect(() => checkpointsParams({ before })).toThrow(/--before is a checkpoint index/);
  });
});
