/**
 * A verifier's side of settlement on L1, wired once at construction: its player in the fault-proof
 * game, the rollup watcher (every checkpoint compared with re-execution; a mismatch is challenged),
 * the rewind after a lost game, and the operations metrics that read them.
 */
import type { L1Clients } from "@filverse/l1";
import { decodeSignedBlock, type SignedBlock } from "@filverse/types";
import { fromHex, type Logger, toHex } from "@filverse/utils";
import type { Address, Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { type NodeConfigFile, readKeyFile } from "../config.js";
import { createDisputePlayer, type DisputePlayer, disputeChainView } from "../dispute/index.js";
import type { NodeMetrics } from "../metrics.js";
import type { BlockSource } from "../sync/blockSource.js";
import { RollupWatcher } from "../verifier/rollupWatcher.js";
import type { Verifier } from "../verifier/verifier.js";
import { registerOperationsMetrics } from "./operationsMetrics.js";
import { createRewindWatcher, type RewindWatcher, sameRoots } from "./rewindWatcher.js";

export function wireVerifierSettlement(p: {
  config: NodeConfigFile;
  l1: L1Clients | null;
  rollup: Address | null;
  l1KeyFile: string | null;
  verifier: Verifier;
  source: BlockSource | null;
  metrics: NodeMetrics;
  logger: Logger;
  signal: AbortSignal;
}): { disputePlayer: DisputePlayer | null; rollupWatcher: RollupWatcher | null; rewindWatcher: RewindWatcher | null } {
  const verifier = p.verifier;
  const disputePlayer = createDisputePlayer(p.config, {
    l1: p.l1,
    account: p.config.dispute && p.l1KeyFile ? privateKeyToAccount(toHex(readKeyFile(p.l1KeyFile)) as Hex) : null,
    chain: disputeChainView(verifier.core, (hash) => refusedBlockSsz(verifier, hash), {
      refusedAt: async (n) => refusedBlockAt(verifier, n),
      remoteHeader: async (n) => (await p.source?.blocksByRange(n, 1).catch(() => []))?.[0]?.header ?? null,
      remoteBlock: async (n) => (await p.source?.blocksByRange(n, 1).catch(() => []))?.[0] ?? null,
    }),
    metrics: p.metrics,
    logger: p.logger,
    signal: p.signal,
  });
  const player = disputePlayer;
  const rollupWatcher =
    p.rollup && p.l1
      ? new RollupWatcher(p.rollup, {
          l1: p.l1,
          verifier: verifier,
          logger: p.logger,
          signal: p.signal,
          onMismatch: player
            ? (index) =>
                void player
                  .challengeCheckpoint(index)
                  .catch((err) => p.logger.error("challenging a checkpoint failed", { index }, err))
            : null,
        })
      : null;
  // A lost fault-proof game on L1: the verifier rewinds to the last valid checkpoint and syncs again.
  const rewindWatcher = createRewindWatcher(p.config.l1, {
    l1: p.l1,
    rewind: (req) => verifier.rewind(req),
    implicated: async (cp, target) => {
      const own = await verifier.db.getBlockByNumber(cp.lastBlock);
      if (own && sameRoots(own.header, cp)) return true;
      // The sequencer sealed a block this node refused in the removed range: its chain goes.
      return verifier
        .evidence("invalidBlock")
        .some((e) => e.kind === "invalidBlock" && e.number > target && e.number <= cp.lastBlock);
    },
    genesisHash: async () => (await verifier.db.getGenesisHash())!,
    onUnsettled: (above) => verifier.setUnsettledAbove(above),
    logger: p.logger,
    signal: p.signal,
  });
  return { disputePlayer, rollupWatcher, rewindWatcher };
}

/** The operations metrics of a verifier: checkpoints from its rollup watcher, the L1 scan, the bridge. */
export function registerVerifierMetrics(
  metrics: NodeMetrics,
  verifier: Verifier,
  rollupWatcher: RollupWatcher | null,
  depositWatcher: { l1Status: ReturnType<NonNullable<Parameters<typeof registerOperationsMetrics>[1]["l1"]>> } | null,
): void {
  const core = verifier.core;
  registerOperationsMetrics(metrics, {
    checkpoints: () => {
      const st = rollupWatcher?.stats;
      return st ? { ...st, signatures: null, failures: st.errors } : null;
    },
    finalizedBlock: () => rollupWatcher?.finalizedBlock() ?? null,
    deals: () => null,
    l1: () => depositWatcher?.l1Status ?? null,
    head: () => ({ state: core.state, stateAt: (n) => core.stateAt(n) }),
  });
}

/** The SSZ of a sealed block this verifier refused (its invalid-block evidence) with hash `hash`. */
/** The sealed block this verifier refused at height n (the first such evidence), decoded, or null. */
function refusedBlockAt(verifier: Verifier, n: number): SignedBlock | null {
  for (const e of verifier.evidence("invalidBlock")) {
    if (e.kind !== "invalidBlock" || e.number !== n || e.block === "0x") continue;
    try {
      return decodeSignedBlock(fromHex(e.block));
    } catch {
      // A record without a decodable block: not one to challenge with.
    }
  }
  return null;
}

function refusedBlockSsz(verifier: Verifier, hash: Hex): Hex | null {
  for (const e of verifier.evidence("invalidBlock")) {
    if (e.kind === "invalidBlock" && e.hash.toLowerCase() === hash.toLowerCase()) return e.block;
  }
  return null;
}
