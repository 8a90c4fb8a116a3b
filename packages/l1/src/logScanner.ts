/**
 * The final-log scanner behind the deposit and deal watchers: reads a contract's events from final
 * L1 blocks only (the `finalized` tag where the L1 has it, else head − confirmations), in bounded
 * `eth_getLogs` ranges (Filecoin's nodes cap a range at 2,880 epochs), and hands each range's logs
 * over whole, in chain order. A range is marked scanned only after its handler ran, so a failure
 * rescans it; handlers must therefore ignore a log they have already applied. A failing L1 is retried
 * with backoff (1×, 2×, 4× … the poll interval, at most 30 s); `start` and the polls never throw.
 */
import { type Logger, nullLogger } from "@filverse/utils";
import type { AbiEvent, Address, GetLogsReturnType, PublicClient } from "viem";

export type FinalLogScannerOpts = {
  address: Address;
  /** The L1 block the contract was deployed at: scanning starts there. */
  startBlock: bigint;
  /** Confirmations when the L1 has no `finalized` tag. */
  confirmations: number;
  /** Blocks per eth_getLogs; Filecoin's nodes refuse more than 2,880. */
  maxRange: number;
  pollIntervalMs: number;
};

/** What a scanner last saw of the L1 (see FinalLogScanner.status). */
export type L1ScanStatus = { head: bigint | null; scanned: bigint; errors: number };

export type FinalLogScannerModules<E extends readonly AbiEvent[]> = {
  publicClient: PublicClient;
  events: E;
  /** Applies one range's logs (in chain order); `toBlock` is the range's last block. */
  onLogs: (logs: GetLogsReturnType<undefined, E>, toBlock: bigint) => void;
  logger?: Logger | null;
  /** What the log lines call the scan ("deposit", "deal"). */
  what: string;
  /** The node's signal: aborting it stops the polling as close() does (a poll in flight still finishes). */
  signal?: AbortSignal | null;
};

export class FinalLogScanner<E extends readonly AbiEvent[]> {
  private readonly opts: FinalLogScannerOpts;
  private readonly m: FinalLogScannerModules<E>;
  private readonly logger: Logger;
  /** The last L1 block whose logs are all applied. */
  private scannedTo: bigint;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private failures = 0;
  /** Failed scans since start (an L1 that errs or times out), for the node's metrics. */
  private errors = 0;
  /** The L1 head as last read, or null before a read. */
  private head: bigint | null = null;
  private closed = false;

  constructor(opts: FinalLogScannerOpts, modules: FinalLogScannerModules<E>) {
    this.opts = opts;
    this.m = modules;
    this.logger = modules.logger ?? nullLogger;
    this.scannedTo = opts.startBlock - 1n;
    modules.signal?.addEventListener("abort", () => this.stop(), { once: true });
    if (modules.signal?.aborted) this.stop();
  }

  /** The last final L1 block scanned. */
  get scannedBlock(): bigint {
    return this.scannedTo;
  }

  /** The L1 as this scanner last saw it: its head, the last final block scanned, failed scans since start. */
  get status(): L1ScanStatus {
    return { head: this.head, scanned: this.scannedTo, errors: this.errors };
  }

  /** Scan once, then keep polling. */
  async start(): Promise<void> {
    await this.poll();
    this.schedule();
  }

  close(): Promise<void> {
    this.stop();
    return this.polling ?? Promise.resolve();
  }

  private stop(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Scan up to the final block now (one scan at a time: a call during a scan joins it). */
  poll(): Promise<void> {
    this.polling ??= this.scan()
      .then(() => {
        this.failures = 0;
      })
      .catch((err) => {
        this.failures++;
        this.errors++;
        this.logger.warn(`L1 ${this.m.what} scan failed; retrying`, { failures: this.failures }, err);
      })
      .finally(() => {
        this.polling = null;
      });
    return this.polling;
  }

  private schedule(): void {
    if (this.closed) return;
    const delay = Math.min(this.opts.pollIntervalMs * 2 ** Math.min(this.failures, 5), 30_000);
    this.timer = setTimeout(() => {
      void this.poll().finally(() => this.schedule());
    }, delay);
  }

  /** The newest block that cannot be reorganised away. */
  private async finalBlock(): Promise<bigint> {
    const head = await this.m.publicClient.getBlockNumber({ cacheTime: 0 });
    this.head = head;
    try {
      const b = await this.m.publicClient.getBlock({ blockTag: "finalized" });
      if (b.number !== null) return b.number;
    } catch {
      // No finalized tag on this L1: fall back to confirmations.
    }
    return head - BigInt(this.opts.confirmations);
  }

  private async scan(): Promise<void> {
    const final = await this.finalBlock();
    const range = BigInt(this.opts.maxRange);
    while (!this.closed && this.scannedTo < final) {
      const from = this.scannedTo + 1n;
      const to = from + range - 1n < final ? from + range - 1n : final;
      const logs = (await this.m.publicClient.getLogs({
        address: this.opts.address,
        events: this.m.events,
        fromBlock: from,
        toBlock: to,
      } as never)) as GetLogsReturnType<undefined, E>;
      this.m.onLogs(logs, to);
      this.scannedTo = to;
      if (logs.length > 0)
        this.logger.info(`L1 ${this.m.what} events seen`, { count: logs.length, toBlock: Number(to) });
    }
  }
}
