/**
 * A node's player in the fault-proof game (docs/fault-proofs.md, "Nodes play the game"). Every tick
 * it reads the open games from L1 and, for each game on this node's chain, traces the disputed block
 * itself and makes the moves `planGame` asks for: counter every claim its trace shows wrong (propose
 * true midpoints, dispute false ones, step with its own proof), then resolve what can be resolved
 * and claim its credit. It challenges a checkpoint on L1 that re-execution disagrees with when it
 * can prove it at once (the last-header fault). Once a game proves a checkpoint wrong, it slashes
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
  readChallengedHeader,
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
import { type BlockTrace, proveStep, type State, traceBlock } from "@filverse/state";
import { type BlockHeader, blockHash, blockHashesRoot, type SignedBlock } from "@filverse/types";
import { bytesEqual, type Logger, toHex } from "@filverse/utils";
import type { Account, Address, Hex } from "viem";
import type { NodeMetrics } from "../metrics.js";
import { answerItemRequest } from "./itemResponder.js";
import { planGame } from "./policy.js";
import { type RefusedChallengeView, refusedBlockChallenge } from "./refusedChallenge.js";
import { slashAfterFault } from "./slashing.js";

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
} & Pick<RefusedChallengeView, "refusedAt" | "remoteHeader" | "genesisHeader">;

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
  /** Games known to be over: final on L1, never read again. */
  private readonly over = new Set<number>();
  /** Traces by game id and block hash; recomputed after a restart. */
  private readonly traces = new Map<number, { key: string; trace: BlockTrace | null }>();
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
        .catch((err) => this.m.logger.warn("dispute tick failed; retrying", {}, err))
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
        this.over.add(id);
        this.games_.delete(id);
        this.traces.delete(id);
        continue;
      }
      open++;
      due += await this.play(game);
    }
    this.m.metrics?.disputeOpenGames.set(open);
    this.m.metrics?.disputeMovesDue.set(due);
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
      return answerItemRequest(this.opts.game, game, { ...this.m, checkpoints: this.params!.checkpoints }, (m) =>
        this.send(m),
      );
    }
    if (game.reveal || game.openBy !== 0) {
      const by = game.reveal ? game.revealBy : game.openBy;
      if (game.openBy !== 0 && role === "defender" && now <= by) {
        const trace = await this.traceOf(game, own);
        if (!trace) return 0;
        const end = proveStep(trace, trace.steps.length - 1);
        await this.send({
          kind: "openRoots",
          gameId: game.id,
          header: trace.block.header,
          objectsRoot: trace.states[trace.states.length - 1]!.objectsRoot,
          itemsListRoot: end.txDataRoot,
          itemCount: end.itemCount,
        });
      } else if (now > by) {
        await this.send({ kind: "resolve", gameId: game.id, node: 0 });
      }
      return 0;
    }
    const trace = await this.traceOf(game, own);
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
      else if (move.kind === "step") {
        const proof = encodeStepProof(stepInputs(proveStep(trace, move.step)));
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

  /**
   * This node's trace of game `game`'s block: its own block k when the game disputes it (it
   * defends); otherwise the challenged header with its own body when the parent is its own (it
   * challenges). Null when it cannot trace: another parent or body (kept, so it is logged once), or
   * a block it has not imported yet (asked again on the next poll).
   */
  private async traceOf(game: DisputeGameView, own: SignedBlock | null): Promise<BlockTrace | null> {
    const key = `${game.blockHash}`;
    const cached = this.traces.get(game.id);
    if (cached && cached.key === key) return cached.trace;
    let trace: BlockTrace | null = null;
    const parentBlock = await this.ownBlock(game.blockNumber - 1);
    const parentState = own && parentBlock ? await this.m.chain.stateAt(game.blockNumber - 1) : undefined;
    if (!own || !parentBlock || !parentState) {
      // Not imported yet, or beyond the chain this node holds: asked again on the next poll.
      this.m.logger.debug("dispute game waits for its block", { game: game.id, block: game.blockNumber });
      return null;
    }
    if (toHex(blockHash(parentBlock.header)).toLowerCase() !== game.parentHash.toLowerCase()) {
      this.untraceable(game, "another parent");
    } else {
      let block: SignedBlock | null = own;
      if (toHex(blockHash(own.header)).toLowerCase() !== game.blockHash.toLowerCase()) {
        // The disputed block is not this node's: the sealed block it refused, if it saw one;
        // otherwise the claimed header over this node's body, with this node's seal, so a header the
        // sequencer did not seal fails the block start, as the executor would find.
        block = await this.m.chain.refusedBlock(game.blockHash);
        if (!block) {
          const claimed = await readChallengedHeader(this.opts.game, game.id, this.m.l1, this.opts.startBlock);
          block = claimed && bytesEqual(claimed.txRoot, own.header.txRoot) ? { ...own, header: claimed } : null;
        }
        if (!block) this.untraceable(game, "another body");
      }
      if (block) {
        const { chain, sequencer } = this.m.chain;
        try {
          trace = traceBlock(parentState, parentBlock.header, block, {
            chainId: chain.chainId,
            minTxFee: chain.minTxFee,
            maxBlockTxs: chain.maxBlockTxs,
            maxBlockDeposits: chain.maxBlockDeposits,
            sequencer,
          });
        } catch (err) {
          this.m.logger.warn("dispute block does not trace", { game: game.id }, err);
        }
      }
    }
    this.traces.set(game.id, { key, trace });
    return trace;
  }

  /** Game `game` proved its checkpoint wrong: slash what it lets anyone slash (slashing.ts). */
  private async afterFault(game: DisputeGameView): Promise<boolean> {
    return slashAfterFault(game, {
      rollup: this.params!.checkpoints,
      rollupStartBlock: this.opts.rollupStartBlock,
      ...this.m,
    });
  }

  private untraceable(game: DisputeGameView, why: string): 0 {
    this.m.logger.warn("dispute game not played: this node cannot trace its block", {
      game: game.id,
      block: game.blockNumber,
      why,
    });
    return 0;
  }

  /**
   * Checkpoint `index` on L1 differs from re-execution: challenge it if it can be proven. When its
   * blockHashesRoot is this node's own headers', its last header carries other roots than the
   * checkpoint (the last-header fault, one move, no bond). Returns the move made, or null.
   */
  async challengeCheckpoint(index: number): Promise<"lastHeaderFault" | "refusedBlock" | null> {
    if (!this.opts.challenge) return null;
    const { l1 } = this.m;
    this.params ??= await readDisputeGameParams(this.opts.game, l1);
    const cp = await readDisputableCheckpoint(this.params.checkpoints, index, l1);
    if (cp.acceptedAt === 0) return null;
    // Proven already (by this node before a restart, or by anyone): the game on L1 says so.
    const count = await readGameCount(this.opts.game, l1);
    for (let id = count - 1; id >= 0; id--) {
      const g = await readDisputeGame(this.opts.game, id, l1);
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
    this.m.logger.warn("checkpoint differs from re-execution but its headers are not this node's: not challenged", {
      index,
      sameList,
    });
    return null;
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

  private async send(move: DisputeMove): Promise<void> {
    try {
      const tx = await sendDisputeMove(this.opts.game, move, { ...this.m.l1, account: this.m.account });
      this.m.metrics?.disputeMoves.inc({ kind: move.kind });
      this.m.logger.info("dispute move made", {
        move: move.kind,
        ...("gameId" in move ? { game: move.gameId } : {}),
        tx,
      });
    } catch (err) {
      // Another player may have made the same move first (DuplicateMove, AlreadyResolved): the next
      // tick reads the game again and plans from what L1 holds.
      this.m.logger.warn("dispute move refused", { move: move.kind }, err);
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
