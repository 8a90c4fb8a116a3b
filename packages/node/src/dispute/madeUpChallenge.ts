/**
 * The challenge of a checkpoint whose list of block hashes names headers this node does not hold
 * (made-up blocks; docs/fault-proofs.md, "Nodes play the game"). Driven again on every tick of the
 * player until it is done, and stateless: what it knows of the checkpoint's list is what header
 * reveals put on L1 (madeUp.ts). Each pass asks for the next header it needs (`requestHeader`,
 * with the challenge bond), waits while a request is open, and once the first made-up header is
 * revealed challenges that block by bisection: this node's header before it and the made-up one,
 * both proven in the list, with the objects root behind its own parent's state root; the made-up
 * header's roots are left for the defenders to open. A request nobody answers is a fault on its own
 * (the player resolves it once its time is out).
 */
import {
  type ChallengeArgs,
  type DisputeGameParams,
  type DisputeMove,
  GameOutcome,
  type L1Clients,
  readChallengeableUntil,
  readDisputableCheckpoint,
  readDisputeGame,
  readGameCount,
  readRevealedHeader,
} from "@filverse/l1";
import type { State } from "@filverse/state";
import { blockHash } from "@filverse/types";
import { fromHex, type Logger, toHex } from "@filverse/utils";
import type { Address } from "viem";
import { type EntryReveal, searchMadeUp } from "./madeUp.js";
import { type OwnListView, ownList } from "./ownList.js";

export type MadeUpDeps = {
  l1: L1Clients;
  game: Address;
  startBlock: bigint;
  params: DisputeGameParams;
  view: OwnListView & { stateAt(n: number): Promise<State | undefined> };
  send(move: DisputeMove): Promise<boolean>;
  logger: Logger;
  /**
   * What earlier passes learned of the games, kept by the caller between passes (one per checkpoint
   * index). Without it each pass reads every game again.
   */
  memo?: MadeUpMemo;
};

/** A finished game on the checkpoint, as the search uses it (a finished game never changes again). */
type Settled = { blockNumber: number; reveal: EntryReveal["revealed"] | null };

/**
 * The games a pass has read and need not read again: those below `next` are classified, of which
 * `open` are this checkpoint's and still open (read again each pass), and `settled` its answered
 * header requests. Games on other checkpoints, item requests and finished challenges are not kept:
 * a pass reads only the games created since the last one and those still open, not all of them.
 */
export type MadeUpMemo = { digest: string; next: number; open: number[]; settled: Settled[] };

export function newMadeUpMemo(): MadeUpMemo {
  return { digest: "", next: 0, open: [], settled: [] };
}

/**
 * One pass over checkpoint `index`: "done" once it is challenged, proven, its list is this node's,
 * it cannot be proven this way, or it can no longer be challenged (its window closed and no answered
 * reveal keeps it challengeable, FilverseDisputeGame.challengeableUntil, nor is a request open);
 * "waiting" while a header is awaited.
 */
export async function pursueMadeUp(index: number, d: MadeUpDeps): Promise<"done" | "waiting"> {
  const cp = await readDisputableCheckpoint(d.params.checkpoints, index, d.l1);
  if (cp.acceptedAt === 0) return "done";
  const now = Number((await d.l1.publicClient.getBlock({ blockTag: "latest" })).timestamp);
  const list = await ownList(d.view, cp.firstBlock, cp.lastBlock);
  if (!list) return "waiting"; // not imported yet
  const reveals: EntryReveal[] = [];
  /** Blocks with an open header request: its answer is awaited. */
  const pending = new Set<number>();
  /** Blocks whose header request was answered: asking again would only pay the answering side another bond. */
  const answered = new Set<number>();
  /** Open challenges by bisection on this checkpoint, "block:hash": the player plays them. */
  const challenged = new Set<string>();
  const digest = cp.digest.toLowerCase();
  const memo = d.memo ?? newMadeUpMemo();
  // The checkpoint was submitted again (another digest): what was learned is of another list.
  if (memo.digest !== digest) Object.assign(memo, { digest, next: 0, open: [], settled: [] });
  const count = await readGameCount(d.game, d.l1);
  const ids = [...memo.open];
  for (let id = memo.next; id < count; id++) ids.push(id);
  const open: number[] = [];
  const settled: Settled[] = [];
  for (const id of ids) {
    const g = await readDisputeGame(d.game, id, d.l1);
    if (g.checkpointIndex !== index || g.digest.toLowerCase() !== digest) continue;
    if (g.outcome === GameOutcome.ChallengerWins) return "done"; // proven already
    // An item request shows no entry of the list: nothing to wait for or to read.
    if (g.itemRequest) continue;
    if (g.outcome === GameOutcome.Open) {
      open.push(id);
      if (g.reveal) pending.add(g.blockNumber);
      else challenged.add(`${g.blockNumber}:${g.blockHash.toLowerCase()}`);
    } else if (g.reveal) {
      const revealed = await readRevealedHeader(d.game, id, d.l1, d.startBlock);
      settled.push({ blockNumber: g.blockNumber, reveal: revealed });
    }
  }
  // Kept only once every game is read: a pass cut short by an L1 error reads them all again.
  Object.assign(memo, { next: count, open, settled: [...memo.settled, ...settled] });
  // Past its window, an answered reveal keeps the checkpoint challengeable for one more clock, so a
  // search whose defenders answer late goes on; past that too, only an open request is left to watch.
  // Read after the games, so an answer that lands meanwhile is either seen pending or counted here.
  const closed = now >= cp.acceptedAt + cp.challengeWindow && now > (await readChallengeableUntil(d.game, index, d.l1));
  if (closed && pending.size === 0) {
    d.logger.warn("a checkpoint with made-up headers left its window unchallenged", { index });
    return "done";
  }
  for (const s of memo.settled) {
    answered.add(s.blockNumber);
    if (s.reveal) reveals.push({ entry: s.blockNumber - (cp.firstBlock - 1), revealed: s.reveal });
  }
  const search = searchMadeUp(list.hashes, fromHex(cp.blockHashesRoot, 32), reveals);
  switch (search.kind) {
    case "same":
      return "done";
    case "unprovable":
      d.logger.warn("checkpoint names headers this node does not hold, but it cannot be challenged by a block", {
        index,
        why: search.why,
      });
      return "done";
    case "request": {
      const blockNumber = cp.firstBlock - 1 + search.entry;
      if (pending.has(blockNumber)) return "waiting";
      if (answered.has(blockNumber)) {
        // Answered, but not in a form this node reads (sent through another contract, whose calldata
        // is not the game's): every new request would be answered the same way, for another bond.
        d.logger.warn("checkpoint names headers this node does not hold, but a header's answer cannot be read", {
          index,
          blockNumber,
        });
        return "done";
      }
      if (await d.send({ kind: "requestHeader", checkpointIndex: index, blockNumber, bond: d.params.challengeBond })) {
        d.logger.warn("checkpoint names headers this node does not hold: header requested", { index, blockNumber });
      }
      return "waiting";
    }
    case "found": {
      const k = cp.firstBlock - 1 + search.entry;
      const parentState = await d.view.stateAt(k - 1);
      if (!parentState) return "waiting";
      const { revealed } = search.reveal;
      // Challenged already (by this node before a restart, or by anyone): the player plays that game.
      if (challenged.has(`${k}:${toHex(blockHash(revealed.header)).toLowerCase()}`)) return "done";
      const zero = new Uint8Array(32);
      const args: ChallengeArgs = {
        checkpointIndex: index,
        blockNumber: k,
        parent: list.headers[search.entry - 1]!,
        parentProof: revealed.parentProof,
        header: revealed.header,
        headerProof: revealed.headerProof,
        parentObjectsRoot: parentState.objects.root(),
        objectsRoot: zero,
        itemsListRoot: zero,
        itemCount: 0,
      };
      if (!(await d.send({ kind: "challenge", args, bond: d.params.challengeBond }))) return "waiting";
      d.logger.warn("checkpoint challenged: its block is not this node's (a made-up header)", { index, block: k });
      return "done";
    }
  }
}
