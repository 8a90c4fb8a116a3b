import { type DisputeNodeView, NodeKind } from "@filverse/l1";
import type { Hex } from "viem";
import { describe, expect, it } from "vitest";
import { planGame, planResolves } from "../../src/dispute/policy.js";

const h = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hex;
/** The true trace of 9 steps: T[j] = h(100 + j). */
const T = Array.from({ length: 10 }, (_, j) => h(100 + j));

function node(p: Partial<DisputeNodeView> & Pick<DisputeNodeView, "index" | "kind" | "lo" | "hi">): DisputeNodeView {
  return {
    parent: -1,
    resolved: false,
    stepped: false,
    countered: false,
    children: 0,
    resolvedChildren: 0,
    createdAt: 0,
    claimant: "0x0000000000000000000000000000000000000001",
    bond: 1n,
    pre: h(0),
    post: h(0),
    deadline: 1_000,
    ...p,
  };
}

describe("planGame", () => {
  it("defends: a dispute of a segment that runs is answered with the true midpoint, once", () => {
    const root = node({ index: 0, kind: NodeKind.Dispute, lo: 0, hi: 9, pre: T[0]!, post: T[9]! });
    expect(planGame([root], T, 10).moves).toEqual([{ kind: "propose", node: 0, state: T[4] }]);
    const answered = [
      { ...root, children: 1 },
      node({ index: 1, parent: 0, kind: NodeKind.Proposal, lo: 0, hi: 9, post: T[4]! }),
    ];
    expect(planGame(answered, T, 10).moves).toEqual([]);
  });

  it("challenges: a false midpoint is disputed on the left, a true one under a false post on the right", () => {
    const root = node({ index: 0, kind: NodeKind.Dispute, lo: 0, hi: 9, pre: T[0]!, post: h(1), children: 1 });
    const falseMid = node({ index: 1, parent: 0, kind: NodeKind.Proposal, lo: 0, hi: 9, post: h(2) });
    expect(planGame([root, falseMid], T, 10).moves).toEqual([{ kind: "dispute", node: 1, left: true }]);
    const trueMid = { ...falseMid, post: T[4]! };
    expect(planGame([root, trueMid], T, 10).moves).toEqual([{ kind: "dispute", node: 1, left: false }]);
    // A true proposal under a true dispute is left alone, and so is a dispute this node agrees with.
    const honest = { ...root, post: T[9]! };
    expect(planGame([honest, trueMid], T, 10).moves).toEqual([]);
  });

  it("steps a one-step dispute of a step that runs, within the clock only", () => {
    const leaf = node({ index: 0, kind: NodeKind.Dispute, lo: 3, hi: 4, pre: T[3]!, post: T[4]! });
    expect(planGame([leaf], T, 10).moves).toEqual([{ kind: "step", node: 0, step: 3 }]);
    expect(planGame([leaf], T, 1_001).moves).toEqual([]);
    expect(planGame([{ ...leaf, stepped: true }], T, 10).moves).toEqual([]);
  });

  it("leaves claims on a pre it does not hold to others", () => {
    const d = node({ index: 0, kind: NodeKind.Dispute, lo: 0, hi: 9, pre: h(5), post: T[9]! });
    expect(planGame([d], T, 10).moves).toEqual([]);
  });
});

describe("planResolves", () => {
  it("resolves children first, cascading to the root once every clock ran out", () => {
    const nodes = [
      node({ index: 0, kind: NodeKind.Dispute, lo: 0, hi: 9, children: 1, deadline: 50 }),
      node({ index: 1, parent: 0, kind: NodeKind.Proposal, lo: 0, hi: 9, deadline: 60 }),
    ];
    expect(planResolves(nodes, 55)).toEqual([]);
    expect(planResolves(nodes, 61)).toEqual([
      { kind: "resolve", node: 1 },
      { kind: "resolve", node: 0 },
    ]);
    // A stepped leaf resolves at once; its parent waits for its own clock.
    const stepped = [
      { ...nodes[0]!, deadline: 100 },
      { ...nodes[1]!, kind: NodeKind.Dispute, stepped: true, deadline: 100 },
    ];
    expect(planResolves(stepped, 10)).toEqual([{ kind: "resolve", node: 1 }]);
  });
});
