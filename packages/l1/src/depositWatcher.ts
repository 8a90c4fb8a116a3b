/**
 * The deposit watcher: reads the bridge's L1 messages, `Deposited` and `TransactionForced` logs
 * (one nonce sequence), from final L1 blocks only (the
 * `finalized` tag where the L1 has it, else head − confirmations), in bounded ranges (Filecoin's
 * nodes cap eth_getLogs at 2,880 epochs), and serves them to the sequencer in nonce order. It is the
 * node's DepositSource: the L2 state's deposit cursor says what was credited, so restarts, RPC
 * errors and reorgs (it never reads non-final blocks) neither skip nor repeat a deposit.
 */
import type { Deposit } from "@filverse/types";
import { fromHex, type Logger, nullLogger } from "@filverse/utils";
import { type Address, type PublicClient, parseAbiItem } from "viem";

const DEPOSITED = parseAbiItem(
  "event Deposited(uint64 indexed nonce, address indexed from, address indexed l2Recipient, uint256 amount)",
);
const FORCED = parseAbiItem(
  "event TransactionForced(uint64 indexed nonce, address indexed from, uint64 deadline, bytes signedTx)",
);
const EMPTY = new Uint8Array(0);
const ZERO_ADDRESS = new Uint8Array(20);

export type DepositWatcherOpts = {
  bridge: Address;
  /** The L1 block the bridge was deployed at: scanning starts there. */
  startBlock: bigint;
  /** Confirmations when the L1 has no `finalized` tag. */
  confirmations: number;
  /** Blocks per eth_getLogs; Filecoin's nodes refuse more than 2,880. */
  maxRange: number;
  pollIntervalMs: number;
};

export const defaultDepositWatcherOpts: Omit<DepositWatcherOpts, "bridge" | "startBlock"> = {
  confirmations: 900,
  maxRange: 2_000,
  pollIntervalMs: 4_000,
};

export class DepositWatcher {
  private readonly opts: DepositWatcherOpts;
  private readonly client: PublicClient;
  private readonly logger: Logger;
  /** Final deposits not yet known to be credited, by nonce. */
  private readonly deposits = new Map<number, Deposit>();
  /** The last L1 block whose logs are all in `deposits`. */
  private scannedTo: bigint;
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private failures = 0;
  private closed = false;

  constructor(
    opts: Partial<DepositWatcherOpts> & Pick<DepositWatcherOpts, "bridge" | "startBlock">,
    modules: { publicClient: PublicClient; logger?: Logger | null },
  ) {
    this.opts = { ...defaultDepositWatcherOpts, ...opts };
    this.client = modules.publicClient;
    this.logger = (modules.logger ?? nullLogger).child({ module: "depositWatcher" });
    this.scannedTo = this.opts.startBlock - 1n;
  }

  /** The last final L1 block scanned (for status and tests). */
  get scannedBlock(): bigint {
    return this.scannedTo;
  }

  /** Scan once, then keep polling. A failing L1 is retried with backoff; start never throws. */
  async start(): Promise<void> {
    await this.poll();
    this.schedule();
  }

  close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    return this.polling ?? Promise.resolve();
  }

  /** DepositSource: the contiguous final deposits after `afterNonce`, at most `max`. Never throws. */
  async pending(afterNonce: number, max: number): Promise<Deposit[]> {
    // Everything up to afterNonce is credited on L2: forget it.
    for (const nonce of this.deposits.keys()) if (nonce <= afterNonce) this.deposits.delete(nonce);
    const out: Deposit[] = [];
    for (let n = afterNonce + 1; out.length < max; n++) {
      const d = this.deposits.get(n);
      if (!d) break;
      out.push(d);
    }
    return out;
  }

  private schedule(): void {
    if (this.closed) return;
    // Back off on consecutive failures: 1×, 2×, 4× … the poll interval, at most 30 s.
    const delay = Math.min(this.opts.pollIntervalMs * 2 ** Math.min(this.failures, 5), 30_000);
    this.timer = setTimeout(() => {
      void this.poll().finally(() => this.schedule());
    }, delay);
  }

  private poll(): Promise<void> {
    this.polling ??= this.scan()
      .then(() => {
        this.failures = 0;
      })
      .catch((err) => {
        this.failures++;
        this.logger.warn("L1 deposit scan failed; retrying", { failures: this.failures }, err);
      })
      .finally(() => {
        this.polling = null;
      });
    return this.polling;
  }

  /** The newest block that cannot be reorganised away. */
  private async finalBlock(): Promise<bigint> {
    try {
      const b = await this.client.getBlock({ blockTag: "finalized" });
      if (b.number !== null) return b.number;
    } catch {
      // No finalized tag on this L1: fall back to confirmations.
    }
    const head = await this.client.getBlockNumber();
    return head - BigInt(this.opts.confirmations);
  }

  private async scan(): Promise<void> {
    const final = await this.finalBlock();
    while (!this.closed && this.scannedTo < final) {
      const from = this.scannedTo + 1n;
      const to = from + BigInt(this.opts.maxRange) - 1n < final ? from + BigInt(this.opts.maxRange) - 1n : final;
      const logs = await this.client.getLogs({
        address: this.opts.bridge,
        events: [DEPOSITED, FORCED],
        fromBlock: from,
        toBlock: to,
      });
      for (const log of logs) {
        if (log.blockNumber === null || !log.transactionHash || log.args.nonce === undefined || !log.args.from)
          continue;
        const n = Number(log.args.nonce);
        if (this.deposits.has(n)) continue; // seen already (a rescan after a failure)
        const base = {
          l1Nonce: n,
          l1BlockNumber: Number(log.blockNumber),
          l1TxHash: fromHex(log.transactionHash),
          from: fromHex(log.args.from),
        };
        if (log.eventName === "Deposited") {
          const { l2Recipient, amount } = log.args;
          if (!l2Recipient || amount === undefined) continue;
          this.deposits.set(n, { ...base, to: fromHex(l2Recipient), amount, forcedTx: EMPTY });
        } else {
          const { signedTx } = log.args;
          if (!signedTx) continue;
          // The L2 decodes and validates the bytes; here they are only carried.
          this.deposits.set(n, { ...base, to: ZERO_ADDRESS, amount: 0n, forcedTx: fromHex(signedTx) });
        }
      }
      // Only advance once the whole range is stored: a failure rescans it.
      this.scannedTo = to;
      if (logs.length > 0) this.logger.info("L1 messages seen", { count: logs.length, toBlock: Number(to) });
    }
  }
}
