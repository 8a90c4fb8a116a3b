/**
 * What an honest player does in one game, decided from the game as L1 holds it and from this
 * node's own trace of the disputed block (T[0..S], docs/fault-proofs.md). Pure: the player reads the
 * game afresh on every tick and asks again, so nothing it depends on lives only in memory.
 *
 * The rule is one for both teams: counter every claim this node's trace shows wrong, and nothing
 * else. A dispute whose pre and post are both true is wrong (the segment runs): answer it with the
 * true midpoint, or with the step's proof at one step. A proposal whose midpoint is false is wrong
 * on its left half; one whose midpoint is true under a dispute with a false post is wrong on its
 * right half. Claims resting on a pre this node does not hold are left to others.
 */
import { type DisputeNodeView, NodeKind } from "@filverse/l1";
import type { Hex } from "viem";

export type PlannedMove =
  | { kind: "propose"; node: number; state: Hex }
  | { kind: "dispute"; node: number; left: boolean }
  | { kind: "step"; node: number; step: number }
  | { kind: "resolve"; node: number };

export type GamePlan = {
  /** Counter-moves this node's trace calls for, within their clocks. */
  moves: PlannedMove[];
  /** Nodes that can be resolved now, children before parents (resolve them in this order). */
  resolves: PlannedMove[];
};

/**
 * `trace[j]` is T[j] as this node computes it (lower-case 0x hex), `now` the L1's latest block
 * timestamp. A move is planned only while the clock of the team that must make it still runs.
 */
export function planGame(nodes: DisputeNodeView[], trace: readonly Hex[], now: number): GamePlan {
  const moves: PlannedMove[] = [];
  const T = (j: number) => trace[j]?.toLowerCase();
  const childrenOf = new Map<number, DisputeNodeView[]>();
  for (const n of nodes) {
    if (n.parent >= 0) childrenOf.set(n.parent, [...(childrenOf.get(n.parent) ?? []), n]);
  }
  for (const n of nodes) {
    if (n.resolved || now > n.deadline) continue;
    const kids = childrenOf.get(n.index) ?? [];
    if (n.kind === NodeKind.Dispute) {
      if (n.stepped) continue;
      if (n.pre.toLowerCase() !== T(n.lo) || n.post.toLowerCase() !== T(n.hi)) continue; // not shown wrong here
      if (n.hi - n.lo === 1) {
        moves.push({ kind: "step", node: n.index, step: n.lo });
        continue;
      }
      const mid = Math.floor((n.lo + n.hi) / 2);
      const state = T(mid) as Hex;
      if (!kids.some((k) => k.post.toLowerCase() === state)) moves.push({ kind: "propose", node: n.index, state });
      continue;
    }
    const d = nodes[n.parent];
    if (!d || d.pre.toLowerCase() !== T(n.lo)) continue;
    const mid = Math.floor((n.lo + n.hi) / 2);
    let left: boolean;
    if (n.post.toLowerCase() !== T(mid)) left = true;
    else if (d.post.toLowerCase() !== T(n.hi)) left = false;
    else continue; // the proposal is true
    const taken = kids.some((k) => (k.lo === n.lo) === left);
    if (!taken) moves.push({ kind: "dispute", node: n.index, left });
  }
  return { moves, resolves: planResolves(nodes, now) };
}

/**
 * The nodes `resolve` accepts now, and those it will accept once they are resolved in order:
 * children first (a child's index is always above its parent's), each once its children are
 * resolved and no one can counter it any more (a step settled it, or its deadline passed).
 */
export function planResolves(nodes: DisputeNodeView[], now: number): PlannedMove[] {
  const resolvedChildren = nodes.map((n) => n.resolvedChildren);
  const out: PlannedMove[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const n = nodes[i]!;
    if (n.resolved || resolvedChildren[i] !== n.children) continue;
    if (!n.stepped && now <= n.deadline) continue;
    out.push({ kind: "resolve", node: i });
    if (n.parent >= 0) resolvedChildren[n.parent]! += 1;
  }
  return out;
}
