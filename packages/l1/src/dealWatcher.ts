/**
 * The deal watcher: follows a FilverseDealClient's events (DealProposalCreate, DealPublished,
 * DealActivated, DealExpired) from final L1 blocks only, in bounded eth_getLogs ranges, like the
 * deposit watcher, and keeps each proposal's latest known state. Events only say what happened on
 * chain: a proposal nobody published stays "proposed" here after its start epoch; getDealStatus
 * (deals.ts) gives the status now, and updateActivationStatus turns the market's answer into events.
 */
import { type Logger, nullLogger } from "@filverse/utils";
import { type Address, type Hex, type PublicClient, parseAbiItem } from "viem";
import { FinalLogScanner } from "./logScanner.js";

const DEAL_EVENTS = [
  parseAbiItem("event DealProposalCreate(bytes32 indexed id, uint64 size, bool indexed verified, uint256 price)"),
  parseAbiItem("event DealPublished(bytes32 indexed id, uint64 indexed dealId, bytes provider)"),
  parseAbiItem("event DealActivated(bytes32 indexed id, uint64 indexed dealId, int64 activatedEpoch)"),
  parseAbiItem("event DealExpired(bytes32 indexed id, uint64 indexed dealId)"),
] as const;

export type TrackedDealStatus = "proposed" | "published" | "active" | "expired";

export type TrackedDeal = {
  /** The proposal id (keccak256 of its CBOR DealProposal). */
  id: Hex;
  pieceSize: bigint;
  verified: boolean;
  storagePricePerEpoch: bigint;
  proposedAtBlock: bigint;
  proposedInTx: Hex;
  status: TrackedDealStatus;
  /** The market's deal id, once published. */
  dealId: bigint | null;
  /** The provider's Filecoin address bytes as the market normalised them, once published. */
  provider: Hex | null;
  activatedEpoch: bigint | null;
};

export type DealEvent = {
  kind: "proposed" | "published" | "activated" | "expired";
  id: Hex;
  blockNumber: bigint;
  txHash: Hex;
  /** The proposal's state after this event (a copy). */
  deal: TrackedDeal;
};

export type DealWatcherOpts = {
  dealClient: Address;
  /** The L1 block the deal client was deployed at: scanning starts there. */
  startBlock: bigint;
  /** Confirmations when the L1 has no `finalized` tag. */
  confirmations: number;
  /** Blocks per eth_getLogs; Filecoin's nodes refuse more than 2,880. */
  maxRange: number;
  pollIntervalMs: number;
};

export const defaultDealWatcherOpts: Omit<DealWatcherOpts, "dealClient" | "startBlock"> = {
  confirmations: 900,
  maxRange: 2_000,
  pollIntervalMs: 4_000,
};

export type DealWatcherModules = {
  publicClient: PublicClient;
  logger?: Logger | null;
  /** Called for every event, in chain order, once each (a listener that throws is logged and ignored). */
  onEvent?: ((event: DealEvent) => void) | null;
};

/** Later states never go back: an event for an earlier state than the one held is ignored. */
const RANK: Record<TrackedDealStatus, number> = { proposed: 0, published: 1, active: 2, expired: 3 };

export class DealWatcher {
  private readonly scanner: FinalLogScanner<typeof DEAL_EVENTS>;
  private readonly logger: Logger;
  private readonly onEvent: ((event: DealEvent) => void) | null;
  private readonly tracked = new Map<Hex, TrackedDeal>();

  constructor(
    opts: Partial<DealWatcherOpts> & Pick<DealWatcherOpts, "dealClient" | "startBlock">,
    modules: DealWatcherModules,
  ) {
    const o = { ...defaultDealWatcherOpts, ...opts };
    this.logger = (modules.logger ?? nullLogger).child({ module: "dealWatcher" });
    this.onEvent = modules.onEvent ?? null;
    this.scanner = new FinalLogScanner(
      { ...o, address: o.dealClient },
      {
        publicClient: modules.publicClient,
        events: DEAL_EVENTS,
        // A range is applied whole, after its logs arrived, so a failure rescans it without repeats.
        onLogs: (logs) => {
          for (const log of logs) {
            if (log.blockNumber === null || !log.transactionHash) continue;
            this.apply(log as unknown as DecodedLog);
          }
        },
        logger: this.logger,
        what: "deal",
      },
    );
  }

  /** The last final L1 block scanned. */
  get scannedBlock(): bigint {
    return this.scanner.scannedBlock;
  }

  /** Scan once, then keep polling. A failing L1 is retried with backoff; start never throws. */
  start(): Promise<void> {
    return this.scanner.start();
  }

  close(): Promise<void> {
    return this.scanner.close();
  }

  /** Scan up to the final block now (tests and callers that cannot wait for the next poll). */
  refresh(): Promise<void> {
    return this.scanner.poll();
  }

  get(id: Hex): TrackedDeal | undefined {
    const deal = this.tracked.get(id.toLowerCase() as Hex);
    return deal ? { ...deal } : undefined;
  }

  /** Every proposal seen, in the order they were made. */
  deals(): TrackedDeal[] {
    return [...this.tracked.values()].map((d) => ({ ...d }));
  }

  private apply(log: DecodedLog): void {
    const id = log.args.id?.toLowerCase() as Hex | undefined;
    if (!id) return;
    let kind: DealEvent["kind"];
    let deal = this.tracked.get(id);
    if (log.eventName === "DealProposalCreate") {
      if (deal) return;
      const { size, verified, price } = log.args;
      if (size === undefined || verified === undefined || price === undefined) return;
      deal = {
        id,
        pieceSize: size,
        verified,
        storagePricePerEpoch: price,
        proposedAtBlock: log.blockNumber,
        proposedInTx: log.transactionHash,
        status: "proposed",
        dealId: null,
        provider: null,
        activatedEpoch: null,
      };
      this.tracked.set(id, deal);
      kind = "proposed";
    } else {
      if (!deal) {
        this.logger.warn("deal event for a proposal not seen (scan started after it)", { id, event: log.eventName });
        return;
      }
      const next: TrackedDealStatus =
        log.eventName === "DealPublished" ? "published" : log.eventName === "DealActivated" ? "active" : "expired";
      if (RANK[next] <= RANK[deal.status]) return;
      deal.status = next;
      if (log.args.dealId !== undefined) deal.dealId = log.args.dealId;
      if (log.eventName === "DealPublished") deal.provider = log.args.provider ?? null;
      if (log.eventName === "DealActivated") deal.activatedEpoch = log.args.activatedEpoch ?? null;
      kind = next === "published" ? "published" : next === "active" ? "activated" : "expired";
    }
    if (!this.onEvent) return;
    try {
      this.onEvent({ kind, id, blockNumber: log.blockNumber, txHash: log.transactionHash, deal: { ...deal } });
    } catch (err) {
      this.logger.warn("deal event listener threw", { id, kind }, err);
    }
  }
}

type DecodedLog = {
  eventName: "DealProposalCreate" | "DealPublished" | "DealActivated" | "DealExpired";
  blockNumber: bigint;
  transactionHash: Hex;
  args: {
    id?: Hex;
    size?: bigint;
    verified?: boolean;
    price?: bigint;
    dealId?: bigint;
    provider?: Hex;
    activatedEpoch?: bigint;
  };
};
