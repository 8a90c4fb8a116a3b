/**
 * The DealClient backend: storage deals proposed through the FilverseDealClient contract, as Boost's
 * contract-deal flow expects. `store` sends `makeDealProposal` (the piece's v1 CID and padded size,
 * the payload CID as label, `location_ref` = the node's `/piece/` URL, the CAR size); a provider
 * watching `DealProposalCreate` fetches the piece, publishes the deal on the market (which calls the
 * client's `handle_filecoin_method`), and activates it. `refresh` reads `getDealStatus`, which
 * follows the market's activation. On the devnet the market is DevnetMarket; on Filecoin, f05.
 */
import { type DealStatusName, getDealStatus, type L1Clients, proposeDeal } from "@filverse/l1";
import type { Account, Address } from "viem";
import { FilecoinError, FilecoinErrorCode } from "../errors.js";
import type { BatchPiece, DealRecord, DealState, StorageBackend } from "./types.js";

export type DealClientBackendOpts = {
  dealClient: Address;
  /** Epochs between the proposal and the deal's start: the provider's time to fetch and seal. */
  startOffsetEpochs: number;
  /** The deal's length in epochs (Filecoin: at least 180 days = 518,400 epochs). */
  durationEpochs: number;
  storagePricePerEpoch: bigint;
  providerCollateral: bigint;
  clientCollateral: bigint;
  verifiedDeal: boolean;
  skipIpniAnnounce: boolean;
  removeUnsealedCopy: boolean;
};

export const defaultDealClientBackendOpts: Omit<DealClientBackendOpts, "dealClient"> = {
  // An hour of 30 s epochs on Filecoin; on the hardhat devnet an epoch is a mined block.
  startOffsetEpochs: 120,
  durationEpochs: 518_400,
  storagePricePerEpoch: 0n,
  providerCollateral: 0n,
  clientCollateral: 0n,
  verifiedDeal: false,
  skipIpniAnnounce: true,
  removeUnsealedCopy: false,
};

const STATE: Record<DealStatusName, DealState> = {
  none: "failed",
  proposed: "proposed",
  published: "published",
  active: "active",
  expired: "expired",
};
const RANK: Record<DealState, number> = { proposed: 0, published: 1, active: 2, failed: 3, expired: 3 };

export function createDealClientBackend(
  opts: Partial<DealClientBackendOpts> & Pick<DealClientBackendOpts, "dealClient">,
  modules: { clients: Pick<L1Clients, "publicClient" | "walletClient">; account: Account },
): StorageBackend {
  const o = { ...defaultDealClientBackendOpts, ...opts };
  const { clients, account } = modules;
  return {
    name: "dealclient",
    async store(piece: BatchPiece): Promise<DealRecord> {
      const head = await clients.publicClient.getBlockNumber({ cacheTime: 0 });
      const startEpoch = head + BigInt(o.startOffsetEpochs);
      let id: `0x${string}`;
      try {
        ({ id } = await proposeDeal(clients, {
          dealClient: o.dealClient,
          account,
          request: {
            pieceCid: piece.pieceCid,
            pieceSize: BigInt(piece.paddedSize),
            verifiedDeal: o.verifiedDeal,
            label: piece.payloadCid,
            startEpoch,
            endEpoch: startEpoch + BigInt(o.durationEpochs),
            storagePricePerEpoch: o.storagePricePerEpoch,
            providerCollateral: o.providerCollateral,
            clientCollateral: o.clientCollateral,
            extraParams: {
              locationRef: piece.locationRef,
              carSize: BigInt(piece.carSize),
              skipIpniAnnounce: o.skipIpniAnnounce,
              removeUnsealedCopy: o.removeUnsealedCopy,
            },
          },
        }));
      } catch (cause) {
        throw new FilecoinError(FilecoinErrorCode.BACKEND_FAILED, "makeDealProposal failed", {
          cause,
          details: { pieceCid: piece.pieceCid, dealClient: o.dealClient },
        });
      }
      return {
        backend: "dealclient",
        pieceCid: piece.pieceCid,
        ref: id,
        provider: null,
        state: "proposed",
        dealId: null,
        reason: null,
        updatedAt: Date.now(),
      };
    },
    async refresh(record: DealRecord): Promise<DealRecord> {
      const status = await getDealStatus(clients.publicClient, {
        dealClient: o.dealClient,
        id: record.ref as `0x${string}`,
      });
      const state = STATE[status.status];
      if (RANK[state] < RANK[record.state] || state === record.state) {
        return record.dealId === null && status.dealId !== null ? { ...record, dealId: String(status.dealId) } : record;
      }
      return {
        ...record,
        state,
        dealId: status.dealId === null ? record.dealId : String(status.dealId),
        reason: state === "failed" ? "the client contract does not know the proposal" : record.reason,
        updatedAt: Date.now(),
      };
    },
    async close(): Promise<void> {},
  };
}
