/**
 * The sequencer's part of a rewind (the chain's is chain/rewind.ts): production pauses (the block
 * being committed lands, the open block is dropped), the chain goes back, the open block's void
 * promises are forgotten, the L1 messages the removed blocks consumed are offered again, and journal
 * replay returns to the mempool what the journal holds: the removed blocks' transactions first, in
 * their original order, then the rest. What is no longer includable is dropped with its typed
 * reason by replay or by execution, as after any restart. Production then resumes on the new head.
 */
import type { RewindOutcome } from "@filverse/db";
import { type Logger, toHex } from "@filverse/utils";
import type { Chain } from "../chain/chain.js";
import type { DepositSource } from "../chain/interface.js";
import { isApplied, type RewindRequest, rewindChain } from "../chain/rewind.js";
import type { NodeMetrics } from "../metrics.js";
import type { BlockProducer } from "./blockProducer.js";
import { type JournalReplayModules, type JournalWriter, replayJournal } from "./journal.js";
import type { PreconfirmationStore } from "./preconfirmations.js";

export type SequencerRewindParts = {
  core: Chain;
  producer: BlockProducer;
  journalWriter: JournalWriter;
  preconfirmations: PreconfirmationStore;
  deposits: DepositSource | null;
  /** Journal replay's modules but the database and the state, which are the rewound chain's. */
  journal: Omit<JournalReplayModules, "db" | "state">;
  logger: Logger;
  metrics: NodeMetrics | null;
  /** Whether production may resume (not if the sequencer failed or closed meanwhile). */
  resume: () => boolean;
};

export async function rewindSequencer(req: RewindRequest, p: SequencerRewindParts): Promise<RewindOutcome | null> {
  if (isApplied(await p.core.db.getRewind(), req)) return null;
  await p.producer.pause();
  await p.journalWriter.idle();
  try {
    const outcome = await rewindChain(p.core, req, { logger: p.logger, metrics: p.metrics });
    p.preconfirmations.clear();
    if (outcome) {
      p.deposits?.restore?.(outcome.deposits);
      await replayJournal({ ...p.journal, db: p.core.db, state: p.core.state });
      p.metrics?.returnedTransactions.inc(outcome.returned.length);
      p.metrics?.mempoolTransactions.set(p.journal.mempool.size);
      for (const h of outcome.returned) p.core.events.emit("txStatus", toHex(h));
    }
    return outcome;
  } finally {
    if (p.resume()) await p.producer.start();
  }
}
