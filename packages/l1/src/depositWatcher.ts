/**
 * The deposit watcher: reads the bridge's L1 messages, `Deposited` and `TransactionForced` logs
 * (one nonce sequence), from final L1 blocks only (the
 * `finalized` tag where the L1 has it, else head − confirmations), in bounded ranges (Filecoin's
 * nodes cap eth_getLogs at 2,880 epochs), and serves them to the sequencer in nonce order. It is the
 * node's DepositSource: the L2 state's deposit cursor says what was credited, so restarts, RPC
 * errors and reorgs (it never reads non-final blocks) neither skip nor repeat a deposit.
 */
import type { Deposit } from "@filverse/types";
import { fromHex, type Logger, nullLogger, toHex } from "@filverse/utils";
import {
  type Address,
  encodeAbiParameters,
  type GetLogsReturnType,
  type Hex,
  keccak256,
  type PublicClient,
  parseAbiItem,
} from "viem";
import { FinalLogScanner, type L1ScanStatus } from "./logScanner.js";

const MESSAGE_EVENTS = [
  parseAbiItem(
    "event Deposited(uint64 indexed nonce, address indexed from, address indexed l2Recipient, uint256 amount)",
  ),
  parseAbiItem("event TransactionForced(uint64 indexed nonce, address indexed from, uint64 deadline, bytes signedTx)"),
] as const;
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
  private readonly scanner: FinalLogScanner<typeof MESSAGE_EVENTS>;
  /** Final L1 messages not yet known to be consumed, by nonce. */
  private readonly deposits = new Map<number, Deposit>();

  constructor(
    opts: Partial<DepositWatcherOpts> & Pick<DepositWatcherOpts, "bridge" | "startBlock">,
    modules: { publicClient: PublicClient; logger?: Logger | null; signal?: AbortSignal | null },
  ) {
    const o = { ...defaultDepositWatcherOpts, ...opts };
    this.scanner = new FinalLogScanner(
      { ...o, address: o.bridge },
      {
        publicClient: modules.publicClient,
        events: MESSAGE_EVENTS,
        onLogs: (logs) => this.apply(logs),
        logger: (modules.logger ?? nullLogger).child({ module: "depositWatcher" }),
        what: "message",
        signal: modules.signal ?? null,
      },
    );
  }

  /** The last final L1 block scanned (for status and tests). */
  get scannedBlock(): bigint {
    return this.scanner.scannedBlock;
  }

  /** The L1 head, the last final block scanned and the failed scans, for the node's metrics. */
  get l1Status(): L1ScanStatus {
    return this.scanner.status;
  }

  /** Scan once, then keep polling. A failing L1 is retried with backoff; start never throws. */
  start(): Promise<void> {
    return this.scanner.start();
  }

  close(): Promise<void> {
    return this.scanner.close();
  }

  /** DepositSource: the contiguous final messages after `afterNonce`, at most `max`. Never throws. */
  async pending(afterNonce: number, max: number): Promise<Deposit[]> {
    // Everything up to afterNonce is consumed on L2: forget it.
    for (const nonce of this.deposits.keys()) if (nonce <= afterNonce) this.deposits.delete(nonce);
    const out: Deposit[] = [];
    for (let n = afterNonce + 1; out.length < max; n++) {
      const d = this.deposits.get(n);
      if (!d) break;
      out.push(d);
    }
    return out;
  }

  /**
   * A rewind removed blocks that had consumed these messages: offer them again (pending forgets what
   * a block consumed, and the final logs are not read twice while the node runs).
   */
  restore(deposits: readonly Deposit[]): void {
    for (const d of deposits) if (!this.deposits.has(d.l1Nonce)) this.deposits.set(d.l1Nonce, d);
  }

  private apply(logs: GetLogsReturnType<undefined, typeof MESSAGE_EVENTS>): void {
    for (const log of logs) {
      if (log.blockNumber === null || !log.transactionHash || log.args.nonce === undefined || !log.args.from) continue;
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
  }
}

/**
 * FilverseBridge's record of an L1 message (`messageRecord(nonce)`, `l1MessageRecord` on chain):
 * keccak256(abi.encode(nonce, from, to, amount, keccak256(forcedTx))). The one-step executor checks
 * every L1 message a block consumes against it.
 */
export function l1MessageRecord(d: Deposit): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: "uint64" }, { type: "address" }, { type: "address" }, { type: "uint256" }, { type: "bytes32" }],
      [BigInt(d.l1Nonce), toHex(d.from), toHex(d.to), d.amount, keccak256(toHex(d.forcedTx))],
    ),
  );
}
