/**
 * What a player does once a game proves a checkpoint wrong (docs/fault-proofs.md, Outcome): slash
 * each key that signed it, with the signatures from its submission's calldata, and the sequencer
 * when this node holds its seal of the disproven block (the sealed block it refused); then take the
 * challenger's reward if it is this node's. Keys already slashed are skipped, so every player may
 * do it, and a restart does it again harmlessly.
 */
import { claimRollupReward, type DisputeGameView, type L1Clients, readRollupReward, slashForFault } from "@filverse/l1";
import { type Logger, toHex } from "@filverse/utils";
import type { Account, Address, Hex } from "viem";
import type { NodeMetrics } from "../metrics.js";
import type { DisputeChainView } from "./player.js";

/** Slash after a proven fault; false on an L1 failure (the caller retries on its next tick). */
export async function slashAfterFault(
  game: DisputeGameView,
  m: {
    rollup: Address;
    /** The L1 block the rollup was deployed at (where its submissions are looked for). */
    rollupStartBlock: bigint;
    l1: L1Clients;
    account: Account;
    chain: Pick<DisputeChainView, "refusedBlock">;
    metrics: NodeMetrics | null;
    logger: Logger;
  },
): Promise<boolean> {
  const l1 = { ...m.l1, account: m.account };
  try {
    const refused = game.immediateFault ? null : await m.chain.refusedBlock(game.blockHash);
    const done = await slashForFault(
      {
        rollup: m.rollup,
        index: game.checkpointIndex,
        digest: game.digest,
        startBlock: m.rollupStartBlock,
        block: refused && { number: game.blockNumber, hash: game.blockHash, seal: toHex(refused.signature) as Hex },
      },
      l1,
    );
    if (done.slashed.length > 0) m.metrics?.disputeMoves.inc({ kind: "slashFaultySigner" }, done.slashed.length);
    if (done.sequencer) m.metrics?.disputeMoves.inc({ kind: "slashSequencerForFaultyBlock" });
    if (done.slashed.length > 0 || done.sequencer) {
      m.logger.warn("signers of a disproven checkpoint slashed", {
        game: game.id,
        index: game.checkpointIndex,
        signers: done.slashed.length,
        sequencer: done.sequencer,
      });
    }
    if ((await readRollupReward(m.rollup, m.account.address, m.l1)) > 0n) {
      await claimRollupReward(m.rollup, l1);
      m.metrics?.disputeMoves.inc({ kind: "claimReward" });
    }
    return true;
  } catch (err) {
    m.logger.warn("slashing after a proven fault failed; retrying", { game: game.id }, err);
    return false;
  }
}
