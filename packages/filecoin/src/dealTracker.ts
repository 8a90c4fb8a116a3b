/**
 * The deal tracker: makes every checkpointed batch stored on Filecoin and knows when it is. For each
 * checkpoint the L1 rollup accepted it keeps `replication` live replicas (proposed, published or
 * active) through the storage backend, refreshes their states, and stores again when one fails or
 * expires. A batch is *stored* once one replica is active; `storedBlock()` is the last L2 block of
 * the longest run of stored checkpoints from index 0, which moves transaction statuses to `stored`.
 *
 * State (batches and deal records) is one JSON file written atomically (tmp, fsync, rename), so a
 * crash neither loses a proposal nor makes the node propose twice for one it already made.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { open, rename } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type Logger, nullLogger } from "@filverse/utils";
import type { BatchPiece, DealRecord, DealState, StorageBackend } from "./backends/types.js";
import type { BatchBuilder, BuiltBatch } from "./batchBuilder.js";
import { FilecoinError, FilecoinErrorCode } from "./errors.js";
import type { PieceStore } from "./piece/pieceStore.js";
import { pieceUrl } from "./retrieval/retrievePiece.js";

export type DealTrackerOpts = {
  /** The JSON state file. */
  stateFile: string;
  /** Live replicas wanted per batch. */
  replication: number;
  /** The checkpoint interval: checkpoint i covers blocks [i·interval + 1, (i+1)·interval]. */
  interval: number;
  /** The public base URL of this node's `/piece/` route (the deals' location_ref). */
  pieceBaseUrl: string;
  pollIntervalMs: number;
};

export const defaultDealTrackerOpts = { replication: 1, pollIntervalMs: 2_000 };

export type DealTrackerModules = {
  backend: StorageBackend;
  /** Where the batch builder keeps the pieces. */
  store: PieceStore;
  /** Builds (or rebuilds, deterministically) a checkpoint's batch and keeps its piece in the store. */
  batches: BatchBuilder;
  /** The last L2 block covered by a checkpoint the L1 rollup accepted (0 before any). */
  checkpointedBlock: () => number;
  logger?: Logger | null;
  /** The node's signal: aborting it stops the polling as close() does (a pass in flight still finishes). */
  signal?: AbortSignal | null;
};

type TrackerState = { version: 1; batches: Record<string, BuiltBatch>; deals: DealRecord[] };

const LIVE = new Set(["proposed", "published", "active"]);

export class DealTracker {
  private readonly opts: DealTrackerOpts;
  private readonly m: DealTrackerModules;
  private readonly logger: Logger;
  private state: TrackerState;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private failures = 0;
  private closed = false;
  private stored = 0;

  constructor(
    opts: Partial<DealTrackerOpts> & Pick<DealTrackerOpts, "stateFile" | "interval" | "pieceBaseUrl">,
    modules: DealTrackerModules,
  ) {
    this.opts = { ...defaultDealTrackerOpts, ...opts };
    if (!Number.isInteger(this.opts.replication) || this.opts.replication < 1) {
      throw new RangeError(`replication must be a positive integer, got ${this.opts.replication}`);
    }
    this.m = modules;
    this.logger = (modules.logger ?? nullLogger).child({ module: "dealTracker" });
    this.state = this.load();
    this.stored = this.computeStored();
    modules.signal?.addEventListener("abort", () => this.stop(), { once: true });
    if (modules.signal?.aborted) this.stop();
  }

  /** The last L2 block whose checkpoint batch, and every earlier one, has an active deal (0 if none). */
  storedBlock(): number {
    return this.stored;
  }

  /** Every deal record of checkpoint `index`'s batch (a copy). */
  deals(index: number): DealRecord[] {
    const batch = this.state.batches[String(index)];
    return batch ? this.state.deals.filter((d) => d.pieceCid === batch.pieceCid).map((d) => ({ ...d })) : [];
  }

  /** How many replicas are in each state, over every batch (for the node's metrics). */
  dealCounts(): Record<DealState, number> {
    const counts: Record<DealState, number> = { proposed: 0, published: 0, active: 0, failed: 0, expired: 0 };
    for (const d of this.state.deals) counts[d.state]++;
    return counts;
  }

  batch(index: number): BuiltBatch | null {
    return this.state.batches[String(index)] ?? null;
  }

  async start(): Promise<void> {
    await this.tick();
    this.schedule();
  }

  close(): Promise<void> {
    this.stop();
    return (this.running ?? Promise.resolve()).then(() => this.m.backend.close());
  }

  private stop(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** One pass: new batches, missing replicas, state refreshes. Never throws. */
  tick(): Promise<void> {
    this.running ??= this.pass()
      .then(() => {
        this.failures = 0;
      })
      .catch((err) => {
        this.failures++;
        this.logger.warn("deal tracking failed; retrying", { failures: this.failures }, err);
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private schedule(): void {
    if (this.closed) return;
    const delay = Math.min(this.opts.pollIntervalMs * 2 ** Math.min(this.failures, 5), 60_000);
    this.timer = setTimeout(() => {
      void this.tick().finally(() => this.schedule());
    }, delay);
  }

  private async pass(): Promise<void> {
    const { interval } = this.opts;
    const checkpoints = Math.floor(this.m.checkpointedBlock() / interval);
    for (let index = 0; index < checkpoints && !this.closed; index++) {
      let batch = this.state.batches[String(index)];
      if (!batch) {
        batch = await this.m.batches(index, index * interval + 1, (index + 1) * interval);
        this.state.batches[String(index)] = batch;
        await this.save();
      }
      const records = this.state.deals.filter((d) => d.pieceCid === batch.pieceCid);
      for (const record of records) {
        if (!LIVE.has(record.state) || this.closed) continue;
        const next = await this.m.backend.refresh(record);
        if (next !== record && (next.state !== record.state || next.dealId !== record.dealId)) {
          Object.assign(record, next);
          await this.save();
          this.logger.info("deal state", { index, pieceCid: batch.pieceCid, ref: record.ref, state: record.state });
        }
      }
      const live = records.filter((d) => LIVE.has(d.state)).length;
      for (let i = live; i < this.opts.replication && !this.closed; i++) {
        const record = await this.m.backend.store(this.pieceOf(batch), () => this.readPiece(batch.pieceCid));
        this.state.deals.push(record);
        await this.save();
        this.logger.info("deal proposed", {
          index,
          pieceCid: batch.pieceCid,
          ref: record.ref,
          backend: record.backend,
        });
      }
    }
    this.stored = this.computeStored();
  }

  private pieceOf(batch: BuiltBatch): BatchPiece {
    return {
      checkpointIndex: batch.index,
      pieceCid: batch.pieceCid,
      pieceCidV1: batch.pieceCidV1,
      paddedSize: batch.pieceSize,
      payloadCid: batch.payloadCid,
      carSize: batch.carSize,
      locationRef: pieceUrl(this.opts.pieceBaseUrl, batch.pieceCid),
    };
  }

  private async readPiece(pieceCid: string): Promise<Uint8Array> {
    const stored = await this.m.store.get(pieceCid);
    if (stored) return stored;
    // The builder put the piece in the store; rebuilding the batch (deterministic) puts it back.
    const batch = Object.values(this.state.batches).find((b) => b.pieceCid === pieceCid)!;
    const rebuilt = await this.m.batches(batch.index, batch.firstBlock, batch.lastBlock);
    const bytes = rebuilt.pieceCid === pieceCid ? await this.m.store.get(pieceCid) : null;
    if (!bytes) {
      throw new FilecoinError(FilecoinErrorCode.PIECE_CORRUPTED, "A rebuilt batch has another Piece CID", {
        details: { index: batch.index, expected: pieceCid, got: rebuilt.pieceCid },
      });
    }
    return bytes;
  }

  private computeStored(): number {
    let index = 0;
    for (;;) {
      const batch = this.state.batches[String(index)];
      if (!batch || !this.state.deals.some((d) => d.pieceCid === batch.pieceCid && d.state === "active")) break;
      index++;
    }
    return index * this.opts.interval;
  }

  private load(): TrackerState {
    let text: string;
    try {
      text = readFileSync(this.opts.stateFile, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, batches: {}, deals: [] };
      throw new FilecoinError(FilecoinErrorCode.DEAL_STATE_CORRUPT, "Cannot read the deal state file", {
        cause: err,
        details: { file: this.opts.stateFile },
      });
    }
    const corrupt = (cause?: unknown) =>
      new FilecoinError(FilecoinErrorCode.DEAL_STATE_CORRUPT, "The deal state file is not valid", {
        ...(cause === undefined ? {} : { cause }),
        details: { file: this.opts.stateFile },
        metaMessages: ["It is rebuilt from the chain if removed: batches are deterministic."],
      });
    let state: TrackerState | null;
    try {
      state = JSON.parse(text) as TrackerState | null;
    } catch (cause) {
      throw corrupt(cause);
    }
    if (state?.version !== 1 || typeof state.batches !== "object" || !Array.isArray(state.deals)) throw corrupt();
    return state;
  }

  private async save(): Promise<void> {
    const file = this.opts.stateFile;
    mkdirSync(dirname(file), { recursive: true });
    const tmp = join(dirname(file), `.tmp-${randomBytes(6).toString("hex")}`);
    const handle = await open(tmp, "w", 0o644);
    try {
      await handle.writeFile(JSON.stringify(this.state));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  }
}
