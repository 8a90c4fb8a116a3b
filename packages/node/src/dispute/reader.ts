/** The dispute game read for the RPC: games and claim trees from L1, with this node's side from its player. */
import {
  type DisputeGameView,
  type DisputeNodeView,
  GameOutcome,
  type L1Clients,
  NodeKind,
  readDisputeGame,
  readDisputeNodes,
  readGameCount,
  readNodeCount,
} from "@filverse/l1";
import type { DisputeJson, DisputeNodeJson } from "@filverse/types";
import type { Address } from "viem";
import type { DisputeReader } from "../api/types.js";
import type { DisputePlayer } from "./player.js";

const OUTCOMES: Record<GameOutcome, DisputeJson["outcome"]> = {
  [GameOutcome.None]: "open",
  [GameOutcome.Open]: "open",
  [GameOutcome.DefenderWins]: "defenderWins",
  [GameOutcome.ChallengerWins]: "challengerWins",
};

export function disputeJson(g: DisputeGameView, player: DisputePlayer | null): DisputeJson {
  const played = player?.games().find((p) => p.id === g.id) ?? null;
  return {
    id: String(g.id),
    checkpointIndex: String(g.checkpointIndex),
    blockNumber: String(g.blockNumber),
    stepCount: String(g.stepCount),
    outcome: OUTCOMES[g.outcome],
    immediateFault: g.immediateFault,
    revealBy: String(g.reveal ? g.revealBy : 0),
    openBy: String(g.openBy),
    challenger: g.challenger.toLowerCase() as `0x${string}`,
    digest: g.digest,
    blockHash: g.blockHash,
    role: played?.role ?? null,
    movesDue: played?.movesDue ?? null,
  };
}

export function disputeNodeJson(n: DisputeNodeView): DisputeNodeJson {
  return {
    index: n.index,
    parent: n.parent,
    kind: n.kind === NodeKind.Dispute ? "dispute" : "proposal",
    lo: String(n.lo),
    hi: String(n.hi),
    pre: n.pre,
    post: n.post,
    claimant: n.claimant.toLowerCase() as `0x${string}`,
    bond: String(n.bond),
    resolved: n.resolved,
    stepped: n.stepped,
    countered: n.countered,
    deadline: String(n.deadline),
  };
}

export function createDisputeReader(game: Address, l1: L1Clients, player: DisputePlayer | null): DisputeReader {
  return {
    async list(fromId, limit) {
      const count = await readGameCount(game, l1);
      const games: DisputeJson[] = [];
      for (let id = fromId; id < Math.min(count, fromId + limit); id++) {
        games.push(disputeJson(await readDisputeGame(game, id, l1), player));
      }
      return { games, count };
    },
    async get(id, maxNodes) {
      if (id >= (await readGameCount(game, l1))) return null;
      const [g, count, nodes] = await Promise.all([
        readDisputeGame(game, id, l1),
        readNodeCount(game, id, l1),
        readDisputeNodes(game, id, l1, maxNodes),
      ]);
      return { ...disputeJson(g, player), nodes: nodes.map(disputeNodeJson), nodesTruncated: count > nodes.length };
    },
  };
}
