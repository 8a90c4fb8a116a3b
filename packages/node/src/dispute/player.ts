/**
 * A node's player in the fault-proof game (docs/fault-proofs.md, "Nodes play the game"). Every tick
 * it reads the open games from L1 and, for each game on this node's chain, traces the disputed block
 * itself and makes the moves `planGame` asks for: counter every claim its trace shows wrong (propose
 * true midpoints, dispute false ones, step with its own proof), then resolve what can be resolved
 * and claim its credit; it answers a header request on a checkpoint whose list is its own. It
 * challenges a checkpoint on L1 that re-execution disagrees with: at once (the last-header fault), by
 * a block it refused, or by the first made-up header of its list (madeUpChallenge.ts). Once a game proves a checkpoint wrong, it slashes
 * the checkpoint's signers (and the sequencer, given its seal of the disproven block) and takes its
 * challenger's reward. It keeps nothing it needs across ticks: the game's progress is read again
 * from L1, so a restart loses nothing.
 */
import {
  type DisputeGameParams,
  type DisputeGameView,
  type DisputeMove,
  encodeStepProof,
  GameOutcome,
  type L1Clients,
  listEntryProof,
  readCredit,
  readDisputableCheckpoint,
  readDisputeGame,
  readDisputeGameParams,
  readDisputeNodes,
  readGameCount,
  sendDisputeMove,
  stepInputs,
} from "@filverse/l1";
import type { ChainConfig } from "@filverse/params";
import { proveStep, type State } from "@filverse/state";
import { type BlockHeader, blockHash, blockHashesRoot, type SignedBlock } from "@filverse/types";
import { type Logger, toHex } from "@filverse/utils";
import type { Account, Address, Hex } from "viem";
import type { NodeMetrics } from "../metrics.js";
import { answerItemRequest } from "./itemResponder.js";
import { type MadeUpMemo, newMadeUpMemo, pursueMadeUp } from "./madeUpChallenge.js";
import { revealAnswer } from "./ownList.js";
import { planGame } from "./policy.js";
import { type RefusedChallengeView, refusedBlockChallenge } from "./refusedChallenge.js";
import { slashAfterFault } from "./slashing.js";
import { type GameTrace, type TraceView, traceGame } from "./trace.js";

export type DisputePlayerOpts = {
  /** The FilverseDisputeGame contract. */
  game: Address;
  /** Challenge checkpoints that re-execution disagrees with (default true). */
  challenge: boolean;
  /** How often the games are read (default 2 s). */
  pollIntervalMs: number;
  /** The L1 block the game was deployed at (where its logs start). */
  startBlock: bigint;
  /** The most this node posts as one bond (attoFIL); a game asking more is watched, not played. Null: no cap. */
  maxBond: bigint | null;
  /** The L1 block the rollup was deployed at: where the submissions of a disproven checkpoint are looked for. */
  rollupStartBlock: bigint;
};

export const defaultDisputePlayerOpts: Omit<DisputePlayerOpts, "game"> = {
  challenge: true,
  pollIntervalMs: 2_000,
  startBlock: 0n,
  maxBond: null,
  rollupStartBlock: 0n,
};

/** What the player reads of this node's chain. */
export type DisputeChainView = {
  chain: ChainConfig;
  sequencer: Uint8Array;
  headNumber(): number;
  block(n: number): Promise<SignedBlock | null>;
  /** The state after block n (from the recent state history, or replayed), or undefined if not held. */
  stateAt(n: number): Promise<State | undefined>;
  /** A block this node saw sealed and refused (its invalid-block evidence), by hash, or null. */
  refusedBlock(hash: Hex): Promise<SignedBlock | null>;
} & Pick<RefusedChallengeView, "refusedAt" | "remoteHeader" | "genesisHeader"> &
  Pick<TraceView, "remoteBlock">;

export type DisputePlayerModules = {
  l1: L1Clients;
  /** The L1 key that posts bonds and pays gas. Never logged. */
  account: Account;
  chain: DisputeChainView;
  metrics: NodeMetrics | null;
  logger: Logger;
  signal: AbortSignal;
};

/** A game's state as the player last saw it (for RPC and the CLI). */
export type PlayedGame = DisputeGameView & { role: "defender" | "challenger" | "none"; movesDue: number };

export class DisputePlayer {
  readonly opts: DisputePlayerOpts;
  private readonly m: DisputePlayerModules;
  private params: DisputeGameParams | null = null;
  /** Games known to be over, with their final view: final on L1, never read again. */
  private readonly over = new Map<number, DisputeGameView>();
  /** Traces by game id and block hash; recomputed after a restart. */
  private readonly traces = new Map<number, { key: string; trace: GameTrace | null }>();
  /** Header and item requests this node cannot answer (the checkpoint's list is not its own). */
  private readonly unanswerable = new Set<number>();
  /** Checkpoints with made-up headers this node is challenging (madeUpChallenge.ts), driven every tick. */
  private readonly madeUp = new Set<number>();
  /** What the made-up search has read of the games, per checkpoint it pursues (madeUpChallenge.ts). */
  private readonly madeUpMemos = new Map<number, MadeUpMemo>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private readonly games_ = new Map<number, PlayedGame>();

  constructor(opts: DisputePlayerOpts, modules: DisputePlayerModules) {
    this.opts = opts;
    this.m = modules;
    modules.signal.addEventListener("abort", () => this.timer && clearTimeout(this.timer), { once: true });
  }

  get address(): Address {
    return this.m.account.address;
  }

  /** Open games on this node's chain as last read (the RPC and metrics read them). */
  games(): PlayedGame[] {
    return [...this.games_.values()];
  }

  start(): void {
    this.schedule(0);
  }

  async idle(): Promise<void> {
    await this.ticking?.catch(() => {});
  }

  private schedule(ms: number): void {
    if (this.m.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick()
        .catch((err) => {
          // A tick cut short by shutdown (the L1 may stop first) is not a fault to report.
          if (!this.m.signal.aborted) this.m.logger.warn("dispute tick failed; retrying", {}, err);
        })
        .finally(() => {
          this.ticking = null;
          this.schedule(this.opts.pollIntervalMs);
        });
    }, ms);
  }

  /** One pass over the open games: moves, resolutions, credit. Exposed for tests. */
  async tick(): Promise<void> {
    const { l1 } = this.m;
    this.params ??= await readDisputeGameParams(this.opts.game, l1);
    const { maxBond } = this.opts;
    if (maxBond !== null && (this.params.moveBond > maxBond || this.params.challengeBond > maxBond)) {
      this.m.logger.warn("the game's bonds exceed dispute.maxBond: not playing", {
        moveBond: String(this.params.moveBond),
        challengeBond: String(this.params.challengeBond),
        maxBond: String(maxBond),
      });
      return;
    }
    const count = await readGameCount(this.opts.game, l1);
    let due = 0;
    let open = 0;
    for (let id = 0; id < count && !this.m.signal.aborted; id++) {
      if (this.over.has(id)) continue;
      const game = await readDisputeGame(this.opts.game, id, l1);
      if (game.outcome !== GameOutcome.Open) {
        // A proven fault is slashed before the game is put aside; a failure is retried next tick.
        if (game.outcome === GameOutcome.ChallengerWins && !(await this.afterFault(game))) continue;
        this.over.set(id, game);
        this.games_.delete(id);
        this.traces.delete(id);
        continue;
      }
      open++;
      try {
        due += await this.play(game);
      } catch (err) {
        // One game that fails to play (an L1 read, a block this node cannot read) must not keep
        // the games after it from being played, on this tick or any other.
        if (this.m.signal.aborted) throw err;
        this.m.logger.warn("dispute game not played this tick", { game: id }, err);
      }
    }
    this.m.metrics?.disputeOpenGames.set(open);
    this.m.metrics?.disputeMovesDue.set(due);
    for (const index of [...this.madeUp]) {
      if (this.m.signal.aborted) break;
      await this.pursueMadeUp(index);
    }
    const credit = await readCredit(this.opts.game, this.address, l1);
    if (credit > 0n) await this.send({ kind: "claimCredit" });
  }

  /** Play one open game; returns the moves still due after this pass. */
  private async play(game: DisputeGameView): Promise<number> {
    const now = await this.now();
    const own = await this.ownBlock(game.blockNumber);
    const ownHash = own ? (toHex(blockHash(own.header)) as Hex) : null;
    const role = game.reveal ? "none" : ownHash === game.blockHash.toLowerCase() ? "defender" : "challenger";
    const played: PlayedGame = { ...game, role, movesDue: 0 };
    this.games_.set(game.id, played);
    if (game.itemRequest && now <= game.revealBy) {
      // An item request (a withheld body): answered when the node holds the checkpoint's blocks.
      if (this.unanswerable.has(game.id)) return 0;
      return answerItemRequest(
        this.opts.game,
        game,
        { ...this.m, checkpoints: this.params!.checkpoints, unanswerable: this.unanswerable },
        async (m) => {
          await this.send(m);
        },
      );
    }
    if (game.reveal) {
      // A header request: answered when the checkpoint's list is this node's, resolved once unanswered.
      if (now > game.revealBy) await this.send({ kind: "resolve", gameId: game.id, node: 0 });
      else if (!this.unanswerable.has(game.id)) {
        const cp = await readDisputableCheckpoint(this.params!.checkpoints, game.checkpointIndex, this.m.l1);
        const answer =
          cp.digest.toLowerCase() === game.digest.toLowerCase()
            ? await revealAnswer(this.m.chain, game.id, game.blockNumber, cp)
            : null;
        if (answer) {
          played.role = "defender";
          played.movesDue = 1;
          await this.send(answer);
        } else if (cp.lastBlock <= this.m.chain.headNumber()) this.unanswerable.add(game.id);
      }
      return played.movesDue;
    }
    if (game.openBy !== 0) {
      if (role === "defender" && now <= game.openBy) {
        const full = (await this.traceOf(game))?.full;
        if (!full) return 0;
        const end = proveStep(full, full.steps.length - 1);
        await this.send({
          kind: "openRoots",
          gameId: game.id,
          header: full.block.header,
          objectsRoot: full.states[full.states.length - 1]!.objectsRoot,
          itemsListRoot: end.txDataRoot,
          itemCount: end.itemCount,
        });
      } else if (now > game.openBy) {
        await this.send({ kind: "resolve", gameId: game.id, node: 0 });
      }
      return 0;
    }
    const trace = await this.traceOf(game);
    if (!trace) {
      played.role = "none";
      return 0;
    }
    const T = trace.commitments.map((c) => toHex(c).toLowerCase() as Hex);
    const nodes = await readDisputeNodes(this.opts.game, game.id, this.m.l1);
    const plan = planGame(nodes, T, now);
    played.movesDue = plan.moves.length;
    const bond = this.params!.moveBond;
    for (const move of plan.moves) {
      if (this.m.signal.aborted) break;
      if (move.kind === "propose")
        await this.send({ kind: "propose", gameId: game.id, node: move.node, state: move.state, bond });
      else if (move.kind === "dispute")
        await this.send({ kind: "dispute", gameId: game.id, node: move.node, left: move.left, bond });
      else if (move.kind === "step" && trace.full) {
        const proof = encodeStepProof(stepInputs(proveStep(trace.full, move.step)));
        await this.send({ kind: "step", gameId: game.id, node: move.node, proof });
      }
    }
    // Moves just made change what can be resolved: resolutions are planned on the next tick's read,
    // except those that need no fresh read (nodes whose clocks already ran out).
    if (plan.moves.length === 0) {
      for (const r of plan.resolves) await this.send({ kind: "resolve", gameId: game.id, node: r.node });
    }
    return plan.moves.length;
  }

  /** This node's trace of game `game`'s block (trace.ts), cached per game, block and step count. */
  private async traceOf(game: DisputeGameView): Promise<GameTrace | null> {
    const key = `${game.blockHash}:${game.stepCount}`;
    const cached = this.traces.get(game.id);
    if (cached && cached.key === key) return cached.trace;
    const { chain } = this.m;
    const r = await traceGame(
      game,
      { ...chain, ownBlock: (n) => this.ownBlock(n) },
      { l1: this.m.l1, gameAddress: this.opts.game, startBlock: this.opts.startBlock, logger: this.m.logger },
    );
    if (r.retry) {
      this.m.logger.debug("dispute game waits", { game: game.id, block: game.blockNumber, why: r.why });
      return null;
    }
    if (!r.trace) {
      this.m.logger.warn("dispute game not played: this node cannot trace its block", {
        game: game.id,
        block: game.blockNumber,
        why: r.why,
      });
    }
    this.traces.set(game.id, { key, trace: r.trace });
    return r.trace;
  }

  /** Game `game` proved its checkpoint wrong: slash what it lets anyone slash (slashing.ts). */
  private async afterFault(game: DisputeGameView): Promise<boolean> {
    return slashAfterFault(game, {
      rollup: this.params!.checkpoints,
      rollupStartBlock: this.opts.rollupStartBlock,
      ...this.m,
    });
  }

  /**
   * Checkpoint `index` on L1 differs from re-execution: challenge it if it can be proven. When its
   * blockHashesRoot is this node's own headers', its last header carries other roots than the
   * checkpoint (the last-header fault, one move, no bond). Returns the move made, or null.
   */
  async challengeCheckpoint(index: number): Promise<"lastHeaderFault" | "refusedBlock" | "madeUp" | null> {
    if (!this.opts.challenge) return null;
    const { l1 } = this.m;
    this.params ??= await readDisputeGameParams(this.opts.game, l1);
    const cp = await readDisputableCheckpoint(this.params.checkpoints, index, l1);
    if (cp.acceptedAt === 0) return null;
    // Proven already (by this node before a restart, or by anyone): the game on L1 says so.
    const count = await readGameCount(this.opts.game, l1);
    for (let id = count - 1; id >= 0; id--) {
      const g = await this.gameView(id);
      if (g.checkpointIndex === index && g.digest.toLowerCase() === cp.digest.toLowerCase() && g.immediateFault) {
        return null;
      }
    }
    const headers: BlockHeader[] = [];
    for (let n = cp.firstBlock; n <= cp.lastBlock; n++) {
      const b = await this.ownBlock(n);
      if (!b) return this.challengeRefused(index, cp);
      headers.push(b.header);
    }
    const last = headers[headers.length - 1]!;
    const sameList = toHex(blockHashesRoot(headers)).toLowerCase() === cp.blockHashesRoot.toLowerCase();
    const sameRoots =
      toHex(last.stateRoot).toLowerCase() === cp.stateRoot.toLowerCase() &&
      toHex(last.withdrawalsRoot).toLowerCase() === cp.withdrawalsRoot.toLowerCase();
    if (sameList && !sameRoots) {
      const hashes = [...headers.map((h) => h.parentHash), blockHash(last)];
      await this.send({
        kind: "proveLastHeaderFault",
        checkpointIndex: index,
        header: last,
        proof: listEntryProof(hashes, hashes.length - 1),
      });
      this.m.logger.warn("checkpoint challenged: its last header carries other roots", { index });
      return "lastHeaderFault";
    }
    if (sameList) return null;
    // Its list names headers this node does not hold: found and challenged over the next ticks.
    this.madeUp.add(index);
    await this.pursueMadeUp(index);
    return "madeUp";
  }

  /** One pass of the challenge of checkpoint `index`'s made-up headers (madeUpChallenge.ts). */
  private async pursueMadeUp(index: number): Promise<void> {
    const done = await pursueMadeUp(index, {
      l1: this.m.l1,
      game: this.opts.game,
      startBlock: this.opts.startBlock,
      params: this.params!,
      view: this.m.chain,
      send: (move) => this.send(move),
      logger: this.m.logger,
      memo: this.madeUpMemoOf(index),
    });
    if (done === "done") {
      this.madeUp.delete(index);
      this.madeUpMemos.delete(index);
    }
  }

  private madeUpMemoOf(index: number): MadeUpMemo {
    let memo = this.madeUpMemos.get(index);
    if (!memo) this.madeUpMemos.set(index, (memo = newMadeUpMemo()));
    return memo;
  }

  /**
   * A checkpoint naming a block this node refused (refusedChallenge.ts): challenged by bisection,
   * once (a game on it already open, by anyone, is played instead).
   */
  private async challengeRefused(
    index: number,
    cp: { firstBlock: number; lastBlock: number; blockHashesRoot: string; digest: string },
  ): Promise<"refusedBlock" | null> {
    const args = await refusedBlockChallenge(this.m.chain, { index, ...cp });
    if (!args) return null;
    const count = await readGameCount(this.opts.game, this.m.l1);
    for (let id = count - 1; id >= 0; id--) {
      if (this.over.has(id)) continue;
      const g = await readDisputeGame(this.opts.game, id, this.m.l1);
      const same = g.checkpointIndex === index && g.digest.toLowerCase() === cp.digest.toLowerCase();
      if (same && g.outcome === GameOutcome.Open) return null;
    }
    await this.send({ kind: "challenge", args, bond: this.params!.challengeBond });
    this.m.logger.warn("checkpoint challenged: it names a block this node refused", {
      index,
      block: args.blockNumber,
    });
    return "refusedBlock";
  }

  /** A game's view: the final one kept for a game over, else read from L1. */
  private async gameView(id: number): Promise<DisputeGameView> {
    return this.over.get(id) ?? readDisputeGame(this.opts.game, id, this.m.l1);
  }

  /** Sends `move`; false when L1 refused it (logged). */
  private async send(move: DisputeMove): Promise<boolean> {
    try {
      const tx = await sendDisputeMove(this.opts.game, move, { ...this.m.l1, account: this.m.account });
      this.m.metrics?.disputeMoves.inc({ kind: move.kind });
      this.m.logger.info("dispute move made", {
        move: move.kind,
        ...("gameId" in move ? { game: move.gameId } : {}),
        tx,
      });
      return true;
    } catch (err) {
      // Another player may have made the same move first (DuplicateMove, AlreadyResolved): the next
      // tick reads the game again and plans from what L1 holds.
      this.m.logger.warn("dispute move refused", { move: move.kind }, err);
      return false;
    }
  }

  private async ownBlock(n: number): Promise<SignedBlock | null> {
    if (n < 0 || n > this.m.chain.headNumber()) return null;
    return this.m.chain.block(n);
  }

  private async now(): Promise<number> {
    const b = await this.m.l1.publicClient.getBlock({ blockTag: "latest" });
    return Number(b.timestamp);
  }
}
