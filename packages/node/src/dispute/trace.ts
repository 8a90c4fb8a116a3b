/**
 * Which block a player traces in a game, and its trace T[0..S] (docs/fault-proofs.md, "Nodes play
 * the game"). Its own block k over its own state of k − 1 when the game disputes it; otherwise, in
 * this order: the sealed block it refused with the game's hash, the sealed block its block source
 * serves with that hash, the challenged header over its own body with its own seal (same txRoot),
 * and last a header no seal it knows covers: that block is invalid from its block start, so every
 * commitment after T[0] is T[0] with `invalid` set (a header-only trace, which has no step proofs).
 */
import { type DisputeGameView, type L1Clients, readChallengedHeader } from "@filverse/l1";
import type { ChainConfig } from "@filverse/params";
import {
  type BlockTrace,
  initialStepState,
  type State,
  stepStateRoot,
  type TraceOptions,
  traceBlock,
} from "@filverse/state";
import { type BlockHeader, blockHash, type SignedBlock } from "@filverse/types";
import { bytesEqual, type Logger, toHex } from "@filverse/utils";
import type { Address, Hex } from "viem";

/** T[0..S] as this node computes it; `full` holds the steps when it traced a whole block (it can then prove them). */
export type GameTrace = { commitments: Uint8Array[]; full: BlockTrace | null };

/** What the tracer reads of the node. */
export type TraceView = {
  chain: ChainConfig;
  sequencer: Uint8Array;
  /** This node's block n, or null when it does not hold it. */
  ownBlock(n: number): Promise<SignedBlock | null>;
  stateAt(n: number): Promise<State | undefined>;
  refusedBlock(hash: Hex): Promise<SignedBlock | null>;
  /** Block n as the block source serves it (a verifier's sequencer), or null. */
  remoteBlock?(n: number): Promise<SignedBlock | null>;
};

export type TraceResult = { trace: GameTrace | null; why: string | null; retry: boolean };

/**
 * The trace of game `game`'s block, or why none: `retry` when the node has not imported the blocks
 * yet (asked again on the next poll), otherwise it cannot trace it (another parent).
 */
export async function traceGame(
  game: DisputeGameView,
  view: TraceView,
  m: { l1: L1Clients; gameAddress: Address; startBlock: bigint; logger: Logger },
): Promise<TraceResult> {
  const k = game.blockNumber;
  const [own, parentBlock] = [await view.ownBlock(k), await view.ownBlock(k - 1)];
  const parentState = parentBlock ? await view.stateAt(k - 1) : undefined;
  if (!parentBlock || !parentState) {
    return { trace: null, why: "waits for its block", retry: true };
  }
  if (toHex(blockHash(parentBlock.header)).toLowerCase() !== game.parentHash.toLowerCase()) {
    return { trace: null, why: "another parent", retry: false };
  }
  const is = (b: SignedBlock | null) => b && toHex(blockHash(b.header)).toLowerCase() === game.blockHash.toLowerCase();
  let block: SignedBlock | null = is(own) ? own : null;
  if (!block) {
    // Not this node's block: the sealed one it refused or its source serves, if it has one.
    block = await view.refusedBlock(game.blockHash);
    if (!block && view.remoteBlock) {
      const remote = await view.remoteBlock(k).catch(() => null);
      block = is(remote) ? remote : null;
    }
  }
  if (!block) {
    if (!own) return { trace: null, why: "waits for its block", retry: true };
    const claimed = await readChallengedHeader(m.gameAddress, game.id, m.l1, m.startBlock);
    if (!claimed) return { trace: null, why: "no challenged header on L1", retry: false };
    // The claimed header over this node's body, with this node's seal, when the bodies agree: a
    // header the sequencer did not seal fails the block start, as the executor finds.
    if (bytesEqual(claimed.txRoot, own.header.txRoot)) block = { ...own, header: claimed };
    else return headerOnly(game, parentBlock.header, parentState);
  }
  try {
    const full = traceBlock(parentState, parentBlock.header, block, traceOptions(view));
    return { trace: { commitments: full.commitments, full }, why: null, retry: false };
  } catch (err) {
    m.logger.warn("dispute block does not trace", { game: game.id }, err);
    return { trace: null, why: "does not trace", retry: false };
  }
}

/**
 * A header with a body this node never saw, sealed by no seal it knows: invalid at its block
 * start. T[0] from the parent, then T[0] with `invalid` set up to T[S] (S from the game, once its
 * roots are opened).
 */
function headerOnly(game: DisputeGameView, parent: BlockHeader, parentState: State): TraceResult {
  if (game.stepCount < 2) return { trace: null, why: "waits for the roots to be opened", retry: true };
  const t0 = initialStepState(parent, parentState.objects.root());
  const t1 = stepStateRoot({ ...t0, invalid: true });
  const commitments = [stepStateRoot(t0), ...Array.from({ length: game.stepCount }, () => t1)];
  return { trace: { commitments, full: null }, why: null, retry: false };
}

function traceOptions(view: TraceView): TraceOptions {
  const { chain, sequencer } = view;
  return {
    chainId: chain.chainId,
    minTxFee: chain.minTxFee,
    maxBlockTxs: chain.maxBlockTxs,
    maxBlockDeposits: chain.maxBlockDeposits,
    sequencer,
  };
}
