/**
 * The rewind after a lost fault-proof game: L1 removed checkpoint `i` and every later one, so the
 * chain goes back to the last block of checkpoint `i − 1` (the target) and continues from there.
 *
 * The steps, each crash-safe:
 * 1. `ChainDb.beginRewind`: the decision, synced (a pending record with the target and the L1 log).
 * 2. The target state: from the state history if it still holds it, else replayed from genesis over
 *    the stored blocks (they were checked when committed, so they are only executed).
 * 3. `ChainDb.rewind`: one synced batch (blocks, indexes, state, journal, head, record done).
 * 4. The chain in memory follows (`Chain.resetTo`). The sequencer and the verifier then reset their
 *    own parts (mempool, open block; import buffer, seals).
 * A kill -9 before step 3 leaves the pending record: `Chain.open` finishes it at the next start
 * (`finishPendingRewind`). After step 3 the record is done, and the same L1 log is never applied
 * again (`isApplied`), which makes the rewind idempotent.
 */
import type { ChainDb, RewindOutcome, RewindRecord } from "@filverse/db";
import { applyBlock, createGenesis, type State } from "@filverse/state";
import { blockHash } from "@filverse/types";
import { type Logger, nullLogger, toHex } from "@filverse/utils";
import { NodeError, NodeErrorCode } from "../errors.js";
import type { NodeMetrics } from "../metrics.js";
import type { Chain, ChainOpts } from "./chain.js";
import type { HeadInfo } from "./interface.js";

/** What L1 said: go back to `target` (hash `targetHash`), checkpoint `checkpoint` and later removed. */
export type RewindRequest = {
  target: number;
  targetHash: Uint8Array;
  checkpoint: number;
  /** The L1 log that removed them (its block and index): applied once. */
  l1Block: bigint;
  l1LogIndex: number;
};

/** Whether this node has already applied (or decided) the rewind of this L1 log, or a later one. */
export function isApplied(last: RewindRecord | null, req: Pick<RewindRequest, "l1Block" | "l1LogIndex">): boolean {
  if (!last) return false;
  return last.l1Block > req.l1Block || (last.l1Block === req.l1Block && last.l1LogIndex >= req.l1LogIndex);
}

/**
 * The state after block `n`, replayed from genesis over the stored blocks: for a rewind past the
 * state history, and for a dispute on an old block. Undefined when a block is missing.
 */
export async function replayState(db: ChainDb, opts: ChainOpts, n: number): Promise<State | undefined> {
  const { chain, genesis, proposer } = opts;
  let state = createGenesis({ chainId: genesis.chainId }, { timestamp: genesis.timestamp, proposer }).state;
  for (let i = 1; i <= n; i++) {
    const block = await db.getBlockByNumber(i);
    if (!block) return undefined;
    state = applyBlock(state, block, {
      chainId: chain.chainId,
      minTxFee: chain.minTxFee,
      maxBlockTxs: chain.maxBlockTxs,
      maxBlockDeposits: chain.maxBlockDeposits,
    }).state;
  }
  return state;
}

/**
 * Rewind `core` as L1 asks (steps 1–4 above). Returns null when there was nothing to do: the log was
 * already applied. Throws NodeError STATE_MISMATCH when this node's block at the target is not the
 * one L1 holds (the node is on another chain: it must be rebuilt, not rewound).
 */
export async function rewindChain(
  core: Chain,
  req: RewindRequest,
  modules: { logger?: Logger | null; metrics?: NodeMetrics | null } = {},
): Promise<RewindOutcome | null> {
  const logger = modules.logger ?? nullLogger;
  const { db } = core;
  if (isApplied(await db.getRewind(), req)) return null;
  const record: RewindRecord = { ...req, status: "pending", fromHead: core.head.number, returned: [] };
  await db.beginRewind(record);
  logger.warn("rewind: L1 removed checkpoints proven wrong; going back to the last valid one", {
    checkpoint: req.checkpoint,
    target: req.target,
    head: core.head.number,
  });
  const outcome = await runRewind(db, core.opts, record, core.state, core.stateAt(req.target));
  if (outcome) {
    core.resetTo(outcome.head, outcome.state);
    report(outcome.outcome, logger, modules.metrics ?? null);
    return outcome.outcome;
  }
  return null;
}

/**
 * At start, before the head state is used: a rewind left pending by a crash is done now. Returns
 * the new head and state, or null when no rewind was pending.
 */
export async function finishPendingRewind(
  db: ChainDb,
  opts: ChainOpts,
  headState: State,
  metrics: NodeMetrics | null,
  logger: Logger = nullLogger,
): Promise<{ head: HeadInfo; state: State } | null> {
  const record = await db.getRewind();
  if (record?.status !== "pending") return null;
  const done = await runRewind(db, opts, record, headState, undefined);
  if (!done) return null;
  report(done.outcome, logger, metrics);
  return { head: done.head, state: done.state };
}

async function runRewind(
  db: ChainDb,
  opts: ChainOpts,
  record: RewindRecord,
  current: State,
  kept: State | undefined,
): Promise<{ outcome: RewindOutcome; head: HeadInfo; state: State } | null> {
  const head = await db.getHead();
  if (!head) throw new NodeError(NodeErrorCode.STATE_MISMATCH, "The database has a genesis but no head");
  if (head.number <= record.target) {
    // Nothing above the target (a verifier that refused the wrong block early): only mark it done.
    const outcome = await db.rewind({ record, current, targetState: current, returnTransactions: false });
    return { outcome, head, state: current };
  }
  const targetState = kept ?? (await replayState(db, opts, record.target));
  if (!targetState) {
    throw new NodeError(NodeErrorCode.STATE_MISMATCH, `Rewind: block ${record.target} is not stored`, {
      details: { target: record.target },
    });
  }
  const header = record.target === 0 ? await db.getGenesisHeader() : (await db.getBlockByNumber(record.target))?.header;
  if (!header) {
    throw new NodeError(NodeErrorCode.STATE_MISMATCH, `Rewind: block ${record.target} is not stored`);
  }
  const hash = blockHash(header);
  if (toHex(hash) !== toHex(record.targetHash)) {
    throw new NodeError(
      NodeErrorCode.STATE_MISMATCH,
      `Rewind: this node's block ${record.target} is not the one L1 holds as the last valid checkpoint's`,
      { details: { target: record.target, ours: toHex(hash), l1: toHex(record.targetHash) } },
    );
  }
  const outcome = await db.rewind({
    record,
    current,
    targetState,
    returnTransactions: opts.returnRewoundTransactions === true,
  });
  return { outcome, head: { number: record.target, hash, header }, state: targetState };
}

function report(outcome: RewindOutcome, logger: Logger, metrics: NodeMetrics | null): void {
  const { record } = outcome;
  metrics?.rewinds.inc();
  metrics?.rewoundBlocks.inc(outcome.removedBlocks);
  logger.warn("rewind done", {
    checkpoint: record.checkpoint,
    from: record.fromHead,
    to: record.target,
    removedBlocks: outcome.removedBlocks,
    returnedTransactions: outcome.returned.length,
    l1Block: Number(record.l1Block),
  });
}
