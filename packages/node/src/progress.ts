/**
 * A one-line progress display for long jobs (rebuilding from L1): blocks, transactions, rate and ETA.
 * On a TTY the line is redrawn in place (at most 10 times a second); elsewhere (a log file, a pipe)
 * one line is written every `plainIntervalMs`, so logs stay readable.
 */
import type { RebuildProgress } from "./verifier/rebuild.js";

export type ProgressLineOpts = {
  label: string;
  /** Redraws per second at most, on a TTY. */
  ttyIntervalMs: number;
  /** A line every this often when the stream is not a TTY. */
  plainIntervalMs: number;
};

export const defaultProgressLineOpts: ProgressLineOpts = {
  label: "rebuild",
  ttyIntervalMs: 100,
  plainIntervalMs: 5_000,
};

type Stream = { write(s: string): unknown; isTTY?: boolean };

export class ProgressLine {
  private readonly opts: ProgressLineOpts;
  private last = Number.NEGATIVE_INFINITY;
  private drawn = false;

  constructor(
    private readonly stream: Stream,
    opts: Partial<ProgressLineOpts> = {},
  ) {
    this.opts = { ...defaultProgressLineOpts, ...opts };
  }

  update(p: RebuildProgress, force = false): void {
    const now = performance.now();
    const every = this.stream.isTTY ? this.opts.ttyIntervalMs : this.opts.plainIntervalMs;
    if (!force && now - this.last < every) return;
    this.last = now;
    const line = formatProgress(this.opts.label, p, now);
    if (this.stream.isTTY) {
      this.stream.write(`\r\x1b[2K${line}`);
      this.drawn = true;
    } else {
      this.stream.write(`${line}\n`);
    }
  }

  /** The final state, and the cursor on a new line. */
  done(p: RebuildProgress): void {
    this.update(p, true);
    if (this.drawn) this.stream.write("\n");
  }
}

export function formatProgress(label: string, p: RebuildProgress, now = performance.now()): string {
  const seconds = Math.max((now - p.startedAt) / 1000, 1e-3);
  const done = p.block - p.startBlock;
  const total = Math.max(p.lastBlock - p.startBlock, 0);
  const rate = done / seconds;
  const left = Math.max(p.lastBlock - p.block, 0);
  const eta = rate > 0 ? left / rate : Number.POSITIVE_INFINITY;
  const pct = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 100;
  const width = 20;
  const filled = Math.round((pct / 100) * width);
  const bar = `${"#".repeat(filled)}${"-".repeat(width - filled)}`;
  return (
    `${label} [${bar}] ${pct}%  block ${p.block.toLocaleString("en")}/${p.lastBlock.toLocaleString("en")}` +
    `  checkpoint ${p.checkpoint}/${p.checkpoints}  ${p.transactions.toLocaleString("en")} txs` +
    `  ${Math.round(rate).toLocaleString("en")} blocks/s  ETA ${formatDuration(eta)}`
  );
}

function formatDuration(s: number): string {
  if (!Number.isFinite(s)) return "--";
  if (s < 60) return `${Math.ceil(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
