/**
 * The verifier's part of a rewind (the chain's is chain/rewind.ts), run between two imports
 * (`BlockImporter.exclusive`, which then forgets the removed chain's buffered blocks and seals):
 * the chain goes back, the deposit source offers the removed blocks' L1 messages again, and the
 * preconfirmations held for the removed heights are dropped unjudged (they promised blocks of a
 * chain L1 removed). Sync then imports the sequencer's new blocks at those heights.
 */
import type { RewindOutcome } from "@filverse/db";
import type { Logger } from "@filverse/utils";
import type { Chain } from "../chain/chain.js";
import type { DepositSource } from "../chain/interface.js";
import { isApplied, type RewindRequest, rewindChain } from "../chain/rewind.js";
import type { NodeMetrics } from "../metrics.js";
import type { PreconfirmationWatch } from "./preconfirmations.js";

export async function rewindVerifier(
  req: RewindRequest,
  p: {
    core: Chain;
    deposits: DepositSource | null;
    preconfirmations: PreconfirmationWatch;
    logger: Logger;
    metrics: NodeMetrics | null;
  },
): Promise<RewindOutcome | null> {
  if (isApplied(await p.core.db.getRewind(), req)) return null;
  const outcome = await rewindChain(p.core, req, { logger: p.logger, metrics: p.metrics });
  if (outcome) {
    p.deposits?.restore?.(outcome.deposits);
    p.preconfirmations.rewound(req.target);
  }
  return outcome;
}
