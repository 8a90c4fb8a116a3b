/**
 * Both node kinds watch the rollup for a lost fault-proof game: a `CheckpointsInvalidated(i, …)`
 * log emitted in the same L1 transaction as `FaultProven(i, …)` (the game proved checkpoint `i`
 * wrong; an equivocation halt also invalidates checkpoints, but proves no block wrong, so it does
 * not rewind). The logs are read from final L1 blocks only, through the final-log scanner the
 * deposit watcher uses (reorg-safe the same way). Each one becomes a rewind to the last block of
 * checkpoint `i − 1`, as L1 holds it (its `lastBlock` and `lastBlockHash`; the genesis for i = 0),
 * when the disproven checkpoint describes this node's chain (`implicated`): its `stateRoot` and
 * `withdrawalsRoot` (from the `CheckpointSubmitted` log it was accepted with) are this node's at its
 * last block, or (a verifier) this node refused a sealed block in its range. A checkpoint whose roots
 * this node's chain never had (a bought quorum's, over the true headers) proves nothing against the
 * chain: it stays, and only the checkpoint is signed again.
 *
 * Every poll also reads the rollup's state now (`halted`, `lastFaultAt`, `nextCheckpointIndex`), so
 * a verifier knows at once which heights a proven fault put back in play, before the log is final
 * (`onUnsettled`): a second seal there is not equivocation evidence.
 */
import { defaultDepositWatcherOpts, FinalLogScanner, type L1Clients, readStoredCheckpoint } from "@filverse/l1";
import { bytesEqual, fromHex, type Logger } from "@filverse/utils";
import { type Address, parseAbi, parseAbiItem } from "viem";
import type { RewindRequest } from "../chain/rewind.js";

const EVENTS = [
  parseAbiItem(
    "event CheckpointSubmitted(uint64 indexed index, bytes32 stateRoot, bytes32 withdrawalsRoot, uint64 lastBlock, string pieceCid)",
  ),
  parseAbiItem("event FaultProven(uint64 indexed index, bytes32 digest, uint64 blockNumber, address challenger)"),
  parseAbiItem("event CheckpointsInvalidated(uint64 fromIndex, uint64 toIndex)"),
] as const;

const rollupStateAbi = parseAbi([
  "function halted() view returns (bool)",
  "function lastFaultAt() view returns (uint64)",
  "function nextCheckpointIndex() view returns (uint64)",
]);

/** A checkpoint L1 removed after a proven fault, and where the log is. */
export type InvalidatedCheckpoints = { checkpoint: number; l1Block: bigint; l1LogIndex: number };

/** What the rollup accepted as a checkpoint (its CheckpointSubmitted log). */
export type SubmittedCheckpoint = { stateRoot: Uint8Array; withdrawalsRoot: Uint8Array; lastBlock: number };

export type RewindWatcherOpts = {
  rollup: Address;
  startBlock: bigint;
  confirmations: number;
  maxRange: number;
  pollIntervalMs: number;
};

export type RewindWatcherModules = {
  l1: L1Clients;
  /** The node's rewind (Sequencer.rewind, Verifier.rewind); it skips a log it has applied. */
  rewind: (req: RewindRequest) => Promise<unknown>;
  /**
   * Whether the disproven checkpoint describes this node's chain (above `target`): its roots are
   * this node's at its last block, or this node refused a sealed block in its range.
   */
  implicated: (disproven: SubmittedCheckpoint, target: number) => Promise<boolean>;
  /** Called instead of `rewind` when the fault is not in this node's chain. */
  notImplicated?: ((req: RewindRequest) => void) | null;
  /** The genesis hash: the target of a rewind that removes checkpoint 0. */
  genesisHash: () => Promise<Uint8Array>;
  /** The last block L1 still vouches for while the rollup is halted by a proven fault, else null. */
  onUnsettled?: ((above: number | null) => void) | null;
  logger: Logger;
  signal: AbortSignal;
};

export class RewindWatcher {
  private readonly scanner: FinalLogScanner<typeof EVENTS>;
  private readonly opts: RewindWatcherOpts;
  private readonly m: RewindWatcherModules;
  /** Removals seen in final logs and not yet applied, in L1 order, with the checkpoint each removed. */
  private readonly queue: (InvalidatedCheckpoints & { disproven: SubmittedCheckpoint | null })[] = [];
  /** The last checkpoint accepted at each index, as the logs so far say. */
  private readonly submitted = new Map<number, SubmittedCheckpoint>();
  private draining: Promise<void> | null = null;

  constructor(opts: RewindWatcherOpts, modules: RewindWatcherModules) {
    this.opts = opts;
    this.m = modules;
    this.scanner = new FinalLogScanner(
      { ...opts, address: opts.rollup },
      {
        publicClient: modules.l1.publicClient,
        events: EVENTS,
        onLogs: (logs) => {
          const removals = faultRemovals(logs);
          // In chain order: each removal takes the checkpoint accepted at its index before it.
          for (const log of logs) {
            const removal = removals.find((r) => r.l1Block === log.blockNumber && r.l1LogIndex === log.logIndex);
            if (removal) this.queue.push({ ...removal, disproven: this.submitted.get(removal.checkpoint) ?? null });
            else if (log.eventName === "CheckpointSubmitted" && log.args.index !== undefined) {
              const a = log.args as { stateRoot: `0x${string}`; withdrawalsRoot: `0x${string}`; lastBlock: bigint };
              this.submitted.set(Number(log.args.index), {
                stateRoot: fromHex(a.stateRoot),
                withdrawalsRoot: fromHex(a.withdrawalsRoot),
                lastBlock: Number(a.lastBlock),
              });
            }
          }
          void this.drain();
          void this.readUnsettled();
        },
        logger: modules.logger,
        what: "rollup fault",
        signal: modules.signal,
      },
    );
  }

  /** The first scan (so a restart applies what it missed before the node imports or seals), then polling. */
  async start(): Promise<void> {
    await this.scanner.start();
    await this.drain();
  }

  async close(): Promise<void> {
    await this.scanner.close();
    await this.draining?.catch(() => {});
  }

  /** Apply the queued removals in order; a failed one stays first in the queue for the next poll. */
  drain(): Promise<void> {
    this.draining ??= (async () => {
      while (this.queue.length > 0 && !this.m.signal.aborted) {
        const removal = this.queue[0]!;
        try {
          const req = await this.request(removal);
          // A removal whose checkpoint the logs did not show (scanned from after it) rewinds.
          const mine = req && (!removal.disproven || (await this.m.implicated(removal.disproven, req.target)));
          if (req && mine) await this.m.rewind(req);
          else if (req) {
            this.m.logger.info("a checkpoint was proven wrong, but it is not this node's chain: no rewind", {
              checkpoint: removal.checkpoint,
            });
            this.m.notImplicated?.(req);
          } else
            this.m.logger.info("a later fault removed more: this removal is passed over", {
              checkpoint: removal.checkpoint,
            });
          this.queue.shift();
        } catch (err) {
          this.m.logger.error("rewind failed; retrying at the next poll", { checkpoint: removal.checkpoint }, err);
          return;
        }
      }
    })().finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  /**
   * The target of a removal: checkpoint i − 1's last block as L1 holds it, or the genesis. Null when
   * checkpoint i − 1 is itself gone now: a later fault removed it too, and its own log (read after
   * this one) goes back further.
   */
  private async request(r: InvalidatedCheckpoints): Promise<RewindRequest | null> {
    const base = { checkpoint: r.checkpoint, l1Block: r.l1Block, l1LogIndex: r.l1LogIndex };
    if (r.checkpoint === 0) return { ...base, target: 0, targetHash: await this.m.genesisHash() };
    const next = await this.m.l1.publicClient.readContract({
      address: this.opts.rollup,
      abi: rollupStateAbi,
      functionName: "nextCheckpointIndex",
    });
    if (BigInt(r.checkpoint - 1) >= next) return null;
    const previous = await readStoredCheckpoint(this.opts.rollup, r.checkpoint - 1, this.m.l1);
    return { ...base, target: previous.lastBlock, targetHash: previous.lastBlockHash };
  }

  /** The rollup's state now: halted by a proven fault → the heights past the last valid checkpoint. */
  private async readUnsettled(): Promise<void> {
    const report = this.m.onUnsettled;
    if (!report) return;
    try {
      const read = (functionName: "halted" | "lastFaultAt" | "nextCheckpointIndex") =>
        this.m.l1.publicClient.readContract({ address: this.opts.rollup, abi: rollupStateAbi, functionName });
      const [halted, lastFaultAt, next] = await Promise.all([
        read("halted"),
        read("lastFaultAt"),
        read("nextCheckpointIndex"),
      ]);
      if (!halted || lastFaultAt === 0n) return report(null);
      const i = Number(next);
      report(i === 0 ? 0 : (await readStoredCheckpoint(this.opts.rollup, i - 1, this.m.l1)).lastBlock);
    } catch (err) {
      this.m.logger.debug("rollup state read failed", { err: String(err) });
    }
  }
}

/**
 * The removals a lost game made: each CheckpointsInvalidated log whose transaction also emitted
 * FaultProven for its first index.
 */
export function faultRemovals(
  logs: readonly {
    eventName: string;
    args: { index?: bigint; fromIndex?: bigint };
    transactionHash: string | null;
    blockNumber: bigint | null;
    logIndex: number | null;
  }[],
): InvalidatedCheckpoints[] {
  const proven = new Set<string>();
  for (const log of logs) {
    if (log.eventName === "FaultProven" && log.args.index !== undefined && log.transactionHash) {
      proven.add(`${log.transactionHash}:${log.args.index}`);
    }
  }
  const out: InvalidatedCheckpoints[] = [];
  for (const log of logs) {
    if (log.eventName !== "CheckpointsInvalidated" || log.args.fromIndex === undefined) continue;
    if (!log.transactionHash || log.blockNumber === null || log.logIndex === null) continue;
    if (!proven.has(`${log.transactionHash}:${log.args.fromIndex}`)) continue;
    out.push({ checkpoint: Number(log.args.fromIndex), l1Block: log.blockNumber, l1LogIndex: log.logIndex });
  }
  return out;
}

/** A node's rewind watcher from its config's `l1` section (the rollup and the scan settings), or null without one. */
export function createRewindWatcher(
  l1:
    | {
        rollup?: string | undefined;
        startBlock: number;
        confirmations?: number | undefined;
        pollIntervalMs?: number | undefined;
      }
    | null
    | undefined,
  modules: Omit<RewindWatcherModules, "l1"> & { l1: L1Clients | null },
): RewindWatcher | null {
  if (!l1?.rollup || !modules.l1) return null;
  return new RewindWatcher(
    {
      rollup: l1.rollup as Address,
      startBlock: BigInt(l1.startBlock),
      confirmations: l1.confirmations ?? defaultDepositWatcherOpts.confirmations,
      maxRange: defaultDepositWatcherOpts.maxRange,
      pollIntervalMs: l1.pollIntervalMs ?? defaultDepositWatcherOpts.pollIntervalMs,
    },
    { ...modules, l1: modules.l1 },
  );
}

/** Whether a header carries the roots a checkpoint was accepted with. */
export function sameRoots(
  header: { stateRoot: Uint8Array; withdrawalsRoot: Uint8Array },
  cp: Pick<SubmittedCheckpoint, "stateRoot" | "withdrawalsRoot">,
): boolean {
  return bytesEqual(header.stateRoot, cp.stateRoot) && bytesEqual(header.withdrawalsRoot, cp.withdrawalsRoot);
}
