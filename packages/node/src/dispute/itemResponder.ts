/**
 * Answers item requests (`requestItem`, docs/fault-proofs.md, Data): someone asks the defender team
 * of a checkpoint for item `j` of block `k`, and a node that holds the checkpoint's blocks answers
 * with the item proven in header k's txRoot (`revealItem`), or with txRoot's length when the block
 * has no item `j` (`revealItemAbsent`). It answers only when the checkpoint's blockHashesRoot is
 * this node's own headers', so the header proof it sends is its own. It keeps nothing across
 * calls but the requests it will never answer (the caller's `unanswerable`, so that a request held
 * open does not cost a read of the checkpoint's blocks every poll): each call reads the request and
 * the checkpoint from L1 again, and an answer another node
 * made first is refused by the game (GameOver) without cost, the move being estimated first.
 */
import {
  type DisputeGameView,
  type DisputeMove,
  itemAnswerOf,
  type L1Clients,
  listEntryProof,
  readDisputableCheckpoint,
} from "@filverse/l1";
import { type BlockTrace, traceBlock } from "@filverse/state";
import { type BlockHeader, blockHash, blockHashesRoot, type SignedBlock } from "@filverse/types";
import { type Logger, toHex } from "@filverse/utils";
import type { Address } from "viem";
import type { DisputeChainView } from "./player.js";

export type ItemResponderModules = {
  l1: Pick<L1Clients, "publicClient">;
  chain: DisputeChainView;
  logger: Logger;
  /** The rollup the game reads its checkpoints from (the game's `checkpoints`). */
  checkpoints: Address;
  /**
   * Requests this node will never answer (another checkpoint now, another list, a block that does
   * not trace), by game id: filled here, and the caller does not call again for them, so a request
   * held open costs one read of the checkpoint's blocks, not one every poll.
   */
  unanswerable?: Set<number>;
};

/**
 * Requests already logged as not answerable by this node (game address and id), so each is logged
 * once. Bounded: past NOT_ANSWERABLE_MAX entries the oldest is forgotten (and may be logged again).
 */
const notAnswerable = new Set<string>();
const NOT_ANSWERABLE_MAX = 4096;

/**
 * Answer item request `request` (an open game with `itemRequest` set, within its time) if this node
 * holds the checkpoint's blocks. Returns the number of moves sent (0 or 1).
 */
export async function answerItemRequest(
  game: Address,
  request: DisputeGameView,
  m: ItemResponderModules,
  send: (move: DisputeMove) => Promise<void>,
): Promise<number> {
  const cp = await readDisputableCheckpoint(m.checkpoints, request.checkpointIndex, m.l1);
  // The checkpoint was removed meanwhile: the request will end with it.
  if (cp.acceptedAt === 0 || cp.digest.toLowerCase() !== request.digest.toLowerCase()) {
    m.unanswerable?.add(request.id);
    return 0;
  }
  const blocks: SignedBlock[] = [];
  for (let n = cp.firstBlock; n <= cp.lastBlock; n++) {
    const b = n <= m.chain.headNumber() ? await m.chain.block(n) : null;
    if (!b) return cannot(game, request, m, "this node does not hold the checkpoint's blocks");
    blocks.push(b);
  }
  const headers = blocks.map((b) => b.header);
  if (toHex(blockHashesRoot(headers)) !== cp.blockHashesRoot.toLowerCase()) {
    m.unanswerable?.add(request.id);
    return cannot(game, request, m, "the checkpoint names other headers than this node's");
  }
  const k = request.blockNumber;
  const block = blocks[k - cp.firstBlock]!;
  const parentHeader = k === cp.firstBlock ? await parentOf(m.chain, k) : headers[k - 1 - cp.firstBlock]!;
  const parentState = await m.chain.stateAt(k - 1);
  if (!parentHeader || !parentState)
    return cannot(game, request, m, "this node does not hold the state before the block");
  const { chain, sequencer } = m.chain;
  let trace: BlockTrace;
  try {
    trace = traceBlock(parentState, parentHeader, block, {
      chainId: chain.chainId,
      minTxFee: chain.minTxFee,
      maxBlockTxs: chain.maxBlockTxs,
      maxBlockDeposits: chain.maxBlockDeposits,
      sequencer,
    });
  } catch (err) {
    m.logger.warn("item request: the block does not trace", { game: request.id }, err);
    m.unanswerable?.add(request.id);
    return cannot(game, request, m, "the block does not trace");
  }
  const entries = [headers[0]!.parentHash, ...headers.map((h) => blockHash(h))];
  const where = {
    gameId: request.id,
    header: block.header,
    headerProof: listEntryProof(entries, k - cp.firstBlock + 1),
  };
  const answer = itemAnswerOf(trace, request.item);
  await send(
    answer.kind === "item"
      ? { ...answer, ...where, kind: "revealItem" }
      : { ...answer, ...where, kind: "revealItemAbsent" },
  );
  return 1;
}

/** The header of block k − 1 when it is before the checkpoint's range (the previous checkpoint's last, or genesis). */
async function parentOf(view: DisputeChainView, k: number): Promise<BlockHeader | null> {
  const parent = await view.block(k - 1);
  if (parent) return parent.header;
  return k === 1 ? ((await view.genesisHeader?.()) ?? null) : null;
}

function cannot(game: Address, request: DisputeGameView, m: ItemResponderModules, why: string): 0 {
  const key = `${game.toLowerCase()}:${request.id}`;
  if (!notAnswerable.has(key)) {
    notAnswerable.add(key);
    if (notAnswerable.size > NOT_ANSWERABLE_MAX) notAnswerable.delete(notAnswerable.values().next().value!);
    m.logger.warn("item request not answered: this node cannot answer it", {
      game: request.id,
      checkpoint: request.checkpointIndex,
      block: request.blockNumber,
      item: request.item,
      why,
    });
  }
  return 0;
}
