/**
 * Devnet only: the storage provider's side of DevnetMarket (contracts/DevnetMarket.sol), which stands
 * in for Filecoin's market actor on the local L1. The devnet's storage-provider simulator publishes a
 * contract deal and activates it with these, as a real provider's PublishStorageDeals and sector
 * activation would.
 */

import { toHex } from "@filverse/utils";
import {
  type Account,
  type Address,
  getAddress,
  type Hex,
  type PublicClient,
  parseEventLogs,
  type WalletClient,
} from "viem";
import { loadArtifact } from "./artifacts.js";
import { type DealProposal, delegatedAddressBytes, encodeDealProposal } from "./dealCbor.js";
import { L1Error, L1ErrorCode } from "./errors.js";

type Clients = { publicClient: PublicClient; walletClient: WalletClient };

/** Boost's placeholder client signature for contract deals (a contract client ignores it). */
export const CONTRACT_DEAL_SIGNATURE: Uint8Array = Uint8Array.of(0xde, 0xad);

export type DevnetDeal = {
  client: Address;
  provider: Address;
  pieceSize: bigint;
  startEpoch: bigint;
  endEpoch: bigint;
  /** -1 until activated. */
  activatedEpoch: bigint;
  proposalHash: Hex;
  pieceCid: Hex;
};

/**
 * The proposal a provider publishes: the client's, with itself as the provider (its f410 address),
 * as Boost sets its own miner address in the proposal it publishes.
 */
export function providerProposal(proposal: DealProposal, provider: Address): DealProposal {
  return { ...proposal, provider: delegatedAddressBytes(provider) };
}

/** publishDeal: returns the market's new deal id. */
export async function publishDevnetDeal(
  { publicClient, walletClient }: Clients,
  params: { market: Address; account: Account | Address; proposal: DealProposal; signature?: Uint8Array },
): Promise<{ dealId: bigint; txHash: Hex }> {
  const { abi } = loadArtifact("DevnetMarket");
  const txHash = await walletClient.writeContract({
    address: params.market,
    abi,
    functionName: "publishDeal",
    args: [toHex(encodeDealProposal(params.proposal)), toHex(params.signature ?? CONTRACT_DEAL_SIGNATURE)],
    account: params.account,
    chain: walletClient.chain,
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash: txHash });
  const [published] = parseEventLogs({ abi, logs: receipt.logs, eventName: "DealPublished" }).filter(
    (l) => getAddress(l.address) === getAddress(params.market),
  );
  if (receipt.status !== "success" || !published) {
    throw new L1Error(L1ErrorCode.TRANSACTION_FAILED, "publishDeal failed", { details: { txHash } });
  }
  return { dealId: (published.args as { dealId: bigint }).dealId, txHash };
}

/** activateDeal: the provider has the data sealed; allowed until the deal's start epoch. */
export async function activateDevnetDeal(
  { publicClient, walletClient }: Clients,
  params: { market: Address; account: Account | Address; dealId: bigint },
): Promise<{ txHash: Hex }> {
  const txHash = await walletClient.writeContract({
    address: params.market,
    abi: loadArtifact("DevnetMarket").abi,
    functionName: "activateDeal",
    args: [params.dealId],
    account: params.account,
    chain: walletClient.chain,
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash: txHash });
  if (receipt.status !== "success") {
    throw new L1Error(L1ErrorCode.TRANSACTION_FAILED, "activateDeal failed", { details: { txHash } });
  }
  return { txHash };
}

export async function getDevnetDeal(
  publicClient: PublicClient,
  params: { market: Address; dealId: bigint },
): Promise<DevnetDeal> {
  return (await publicClient.readContract({
    address: params.market,
    abi: loadArtifact("DevnetMarket").abi,
    functionName: "getDeal",
    args: [params.dealId],
  })) as DevnetDeal;
}
