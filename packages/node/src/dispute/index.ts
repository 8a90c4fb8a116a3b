/**
 * The dispute player of either node kind, built the same way from the config's `dispute` section:
 * off unless it names a game and the node has an L1 key.
 */
import type { L1Clients } from "@filverse/l1";
import { decodeSignedBlock, type SignedBlock } from "@filverse/types";
import { fromHex, type Logger } from "@filverse/utils";
import type { Account, Hex } from "viem";
import type { Chain } from "../chain/chain.js";
import type { NodeConfigFile } from "../config.js";
import { ConfigError, ConfigErrorCode } from "../errors.js";
import type { NodeMetrics } from "../metrics.js";
import { type DisputeChainView, DisputePlayer, defaultDisputePlayerOpts } from "./player.js";

export { type DisputeChainView, DisputePlayer, defaultDisputePlayerOpts, type PlayedGame } from "./player.js";
export { type GamePlan, type PlannedMove, planGame, planResolves } from "./policy.js";

/** The chain as the player reads it: blocks and recent states of `core`, refused blocks from `refused`. */
export function disputeChainView(core: Chain, refused: (hash: Hex) => Hex | null = () => null): DisputeChainView {
  return {
    chain: core.chain,
    sequencer: core.opts.proposer,
    headNumber: () => core.headIfOpen?.number ?? -1,
    block: (n) => core.db.getBlockByNumber(n),
    stateAt: (n) => core.stateAt(n),
    refusedBlock: async (hash): Promise<SignedBlock | null> => {
      const ssz = refused(hash);
      return ssz ? decodeSignedBlock(fromHex(ssz)) : null;
    },
  };
}

/**
 * The player for `config.dispute`, or null when the section is absent or `enabled` is false. Throws
 * ConfigError when it is enabled without an L1 (`config.l1`) or an L1 key.
 */
export function createDisputePlayer(
  config: NodeConfigFile,
  modules: {
    l1: L1Clients | null;
    account: Account | null;
    chain: DisputeChainView;
    metrics: NodeMetrics | null;
    logger: Logger;
    signal: AbortSignal;
  },
): DisputePlayer | null {
  const d = config.dispute;
  if (!d || d.enabled === false) return null;
  if (!modules.l1 || !modules.account) {
    throw new ConfigError(ConfigErrorCode.INVALID, "`dispute` needs `l1` and an L1 key to post bonds", {
      metaMessages: [
        "Set `verifier.l1KeyFile` (a verifier) or `l1` (the sequencer pays with its key), or disable `dispute`.",
      ],
    });
  }
  return new DisputePlayer(
    {
      game: d.game,
      challenge: d.challenge ?? defaultDisputePlayerOpts.challenge,
      pollIntervalMs: d.pollIntervalMs ?? defaultDisputePlayerOpts.pollIntervalMs,
      startBlock: BigInt(d.startBlock ?? 0),
      maxBond: d.maxBond === undefined ? null : BigInt(d.maxBond),
    },
    {
      l1: modules.l1,
      account: modules.account,
      chain: modules.chain,
      metrics: modules.metrics,
      logger: modules.logger.child({ module: "dispute" }),
      signal: modules.signal,
    },
  );
}
