/**
 * Storage deals through the FVM: the node's typed DealRequest, its checks and ABI form, the piece
 * CID conversion the market needs (v2 → v1), and the viem actions on FilverseDealClient
 * (propose, read what Boost reads, status). Contracts: contracts/FilverseDealClient.sol.
 */
import { parsePieceCid, pieceCidV1Bytes } from "@filverse/crypto";
import { fromHex, toHex, utf8ToBytes } from "@filverse/utils";
import { CID } from "multiformats/cid";
import {
  type Account,
  type Address,
  getAddress,
  type Hex,
  keccak256,
  type PublicClient,
  parseEventLogs,
  type WalletClient,
} from "viem";
import { loadArtifact } from "./artifacts.js";
import {
  ANY_PROVIDER_ADDRESS,
  type DealProposal,
  decodeDealProposal,
  decodeExtraParamsV1,
  delegatedAddressBytes,
  type ExtraParamsV1,
  encodeDealProposal,
} from "./dealCbor.js";
import { L1Error, L1ErrorCode } from "./errors.js";

/** The smallest padded piece: one 128-byte quad. */
export const MIN_PIECE_SIZE = 128n;
/** The market actor refuses longer labels (builtin-actors DEAL_MAX_LABEL_SIZE). */
export const MAX_DEAL_LABEL_BYTES = 256;
/** The market actor (f05) as the EVM sees it; the only caller of handle_filecoin_method on Filecoin. */
export const FILECOIN_MARKET_ACTOR_ADDRESS: Address = "0xff00000000000000000000000000000000000005";

/** A deal the node asks for. Amounts in attoFIL; epochs are L1 block numbers. */
export type DealRequest = {
  /** The batch's piece CID, v1 (baga…) or v2 (bafkzcib…); the proposal always carries v1. */
  pieceCid: string;
  /** Padded piece size: a power of two ≥ 128. For a v2 CID it must equal the size the CID encodes. */
  pieceSize: bigint;
  verifiedDeal: boolean;
  /** The payload (CAR root) CID: Boost parses the label as the deal's data root. */
  label: string;
  startEpoch: bigint;
  endEpoch: bigint;
  storagePricePerEpoch: bigint;
  providerCollateral: bigint;
  clientCollateral: bigint;
  extraParams: ExtraParamsV1;
};

/** The contract's DealRequest tuple, as viem takes and returns it. */
export type DealRequestAbi = {
  piece_cid: Hex;
  piece_size: bigint;
  verified_deal: boolean;
  label: string;
  start_epoch: bigint;
  end_epoch: bigint;
  storage_price_per_epoch: bigint;
  provider_collateral: bigint;
  client_collateral: bigint;
  extra_params_version: bigint;
  extra_params: { location_ref: string; car_size: bigint; skip_ipni_announce: boolean; remove_unsealed_copy: boolean };
};

export type DealStatusName = "none" | "proposed" | "published" | "active" | "expired";
/** FilverseDealClient.DealStatus, by its enum index. */
export const DEAL_STATUS_NAMES: readonly DealStatusName[] = ["none", "proposed", "published", "active", "expired"];

function invalidRequest(shortMessage: string, details: Record<string, unknown>): L1Error {
  return new L1Error(L1ErrorCode.INVALID_DEAL_REQUEST, shortMessage, { details });
}

// ---------------------------------------------------------------- piece CIDs

export type PieceCidV1 = {
  /** The v1 piece CID (baga…). */
  cid: CID;
  /** Its binary form, what FilverseDealClient's piece_cid holds. */
  bytes: Uint8Array;
  /** The padded piece size a v2 CID encodes (32 · 2^height); null for a v1 CID, which has none. */
  pieceSize: bigint | null;
};

/**
 * The v1 form of a piece CID. The market actor accepts only v1 (codec 0xf101, multihash 0x1012) and
 * Boost reads the DealProposal's CID as such, so a v2 CID (FRC-0069: raw codec, multihash 0x1011
 * whose digest is uvarint(padding) ‖ height ‖ root) is reduced to its 32-byte root:
 * v1 = CIDv1(0xf101, multihash(0x1012, root)).
 */
export function toPieceCidV1(pieceCid: string): PieceCidV1 {
  let parsed: ReturnType<typeof parsePieceCid>;
  try {
    parsed = parsePieceCid(pieceCid);
  } catch (cause) {
    throw new L1Error(L1ErrorCode.INVALID_PIECE_CID, `Not a piece CID (v1 or v2): ${pieceCid}`, { cause });
  }
  const bytes = pieceCidV1Bytes(parsed.root);
  return { cid: CID.decode(bytes), bytes, pieceSize: parsed.version === 2 ? BigInt(parsed.paddedSize) : null };
}

// ---------------------------------------------------------------- requests

/**
 * The contract's tuple for `request`, after the checks the contract makes (so the node gets a typed
 * error instead of a revert), plus two the contract cannot make: a v2 CID's size must equal
 * pieceSize, and the label must parse as a CID (Boost refuses the deal otherwise).
 * `currentEpoch`, when given, must be before the start epoch.
 */
export function dealRequestToAbi(request: DealRequest, currentEpoch?: bigint): DealRequestAbi {
  const piece = toPieceCidV1(request.pieceCid);
  const size = request.pieceSize;
  if (size < MIN_PIECE_SIZE || (size & (size - 1n)) !== 0n || size >= 1n << 64n) {
    throw invalidRequest("Piece size must be a power of two of at least 128 bytes", { pieceSize: size });
  }
  if (piece.pieceSize !== null && piece.pieceSize !== size) {
    throw invalidRequest("Piece size differs from the size the v2 piece CID encodes", {
      pieceSize: size,
      pieceCidSize: piece.pieceSize,
    });
  }
  if (request.endEpoch <= request.startEpoch) {
    throw invalidRequest("End epoch must be after the start epoch", {
      startEpoch: request.startEpoch,
      endEpoch: request.endEpoch,
    });
  }
  if (currentEpoch !== undefined && request.startEpoch <= currentEpoch) {
    throw invalidRequest("Start epoch has passed", { startEpoch: request.startEpoch, currentEpoch });
  }
  const labelBytes = utf8ToBytes(request.label).length;
  if (labelBytes === 0 || labelBytes > MAX_DEAL_LABEL_BYTES) {
    throw invalidRequest(`Label must be 1 to ${MAX_DEAL_LABEL_BYTES} bytes`, { labelBytes });
  }
  try {
    CID.parse(request.label);
  } catch {
    throw invalidRequest("Label must be the payload CID", { label: request.label });
  }
  const x = request.extraParams;
  if (x.locationRef.length === 0) throw invalidRequest("Extra params need a location_ref", {});
  if (x.carSize <= 0n || x.carSize > size - size / 128n) {
    throw invalidRequest("CAR size must be positive and fit the piece (127/128 of it)", {
      carSize: x.carSize,
      pieceSize: size,
    });
  }
  for (const [name, v] of [
    ["storagePricePerEpoch", request.storagePricePerEpoch],
    ["providerCollateral", request.providerCollateral],
    ["clientCollateral", request.clientCollateral],
  ] as const) {
    if (v < 0n || v >= 1n << 256n) throw invalidRequest(`${name} out of uint256 range`, { [name]: v });
  }
  return {
    piece_cid: toHex(piece.bytes),
    piece_size: size,
    verified_deal: request.verifiedDeal,
    label: request.label,
    start_epoch: request.startEpoch,
    end_epoch: request.endEpoch,
    storage_price_per_epoch: request.storagePricePerEpoch,
    provider_collateral: request.providerCollateral,
    client_collateral: request.clientCollateral,
    extra_params_version: 1n,
    extra_params: {
      location_ref: x.locationRef,
      car_size: x.carSize,
      skip_ipni_announce: x.skipIpniAnnounce,
      remove_unsealed_copy: x.removeUnsealedCopy,
    },
  };
}

/** The DealProposal FilverseDealClient at `dealClient` serves for `request` (provider f00). */
export function dealProposalOf(request: DealRequest, dealClient: Address): DealProposal {
  return {
    pieceCid: toPieceCidV1(request.pieceCid).cid,
    pieceSize: request.pieceSize,
    verifiedDeal: request.verifiedDeal,
    client: delegatedAddressBytes(dealClient),
    provider: ANY_PROVIDER_ADDRESS,
    label: request.label,
    startEpoch: request.startEpoch,
    endEpoch: request.endEpoch,
    storagePricePerEpoch: request.storagePricePerEpoch,
    providerCollateral: request.providerCollateral,
    clientCollateral: request.clientCollateral,
  };
}

/** A proposal's id: keccak256 of the CBOR DealProposal getDealProposal returns for it. */
export function dealProposalId(request: DealRequest, dealClient: Address): Hex {
  return keccak256(encodeDealProposal(dealProposalOf(request, dealClient)));
}

// ---------------------------------------------------------------- actions

export type ProposeDealParameters = {
  dealClient: Address;
  /** The owner or an authorised proposer (the node's L1 key). */
  account: Account | Address;
  request: DealRequest;
};

export type ProposeDealReturnType = { id: Hex; txHash: Hex; blockNumber: bigint };

/** makeDealProposal: checks the request, sends it (gas from eth_estimateGas), returns the event's id. */
export async function proposeDeal(
  clients: { publicClient: PublicClient; walletClient: WalletClient },
  { dealClient, account, request }: ProposeDealParameters,
): Promise<ProposeDealReturnType> {
  const { publicClient, walletClient } = clients;
  const deal = dealRequestToAbi(request, await publicClient.getBlockNumber({ cacheTime: 0 }));
  const { abi } = loadArtifact("FilverseDealClient");
  const txHash = await walletClient.writeContract({
    address: dealClient,
    abi,
    functionName: "makeDealProposal",
    args: [deal],
    account,
    chain: walletClient.chain,
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash: txHash });
  const [created] = parseEventLogs({ abi, logs: receipt.logs, eventName: "DealProposalCreate" }).filter(
    (l) => getAddress(l.address) === getAddress(dealClient),
  );
  if (receipt.status !== "success" || !created) {
    throw new L1Error(L1ErrorCode.TRANSACTION_FAILED, "makeDealProposal failed", {
      details: { txHash, status: receipt.status },
    });
  }
  return { id: (created.args as { id: Hex }).id, txHash, blockNumber: receipt.blockNumber };
}

/** What Boost reads: getDealProposal's CBOR, raw and decoded. */
export async function getDealProposal(
  publicClient: PublicClient,
  { dealClient, id }: { dealClient: Address; id: Hex },
): Promise<{ bytes: Uint8Array; proposal: DealProposal }> {
  const hex = (await publicClient.readContract({
    address: dealClient,
    abi: loadArtifact("FilverseDealClient").abi,
    functionName: "getDealProposal",
    args: [id],
  })) as Hex;
  const bytes = fromHex(hex);
  return { bytes, proposal: decodeDealProposal(bytes) };
}

/** What Boost reads: getExtraParams's CBOR ExtraParamsV1, decoded. */
export async function getExtraParams(
  publicClient: PublicClient,
  { dealClient, id }: { dealClient: Address; id: Hex },
): Promise<ExtraParamsV1> {
  const hex = (await publicClient.readContract({
    address: dealClient,
    abi: loadArtifact("FilverseDealClient").abi,
    functionName: "getExtraParams",
    args: [id],
  })) as Hex;
  return decodeExtraParamsV1(fromHex(hex));
}

export type DealStatus = {
  status: DealStatusName;
  /** The market's deal id once published, else null. */
  dealId: bigint | null;
  /** The epoch the deal was activated at, else null. */
  activatedEpoch: bigint | null;
};

/** getDealStatus: the status now (the epoch and the market's activation taken into account). */
export async function getDealStatus(
  publicClient: PublicClient,
  { dealClient, id }: { dealClient: Address; id: Hex },
): Promise<DealStatus> {
  const [status, published, dealId, activatedEpoch] = (await publicClient.readContract({
    address: dealClient,
    abi: loadArtifact("FilverseDealClient").abi,
    functionName: "getDealStatus",
    args: [id],
  })) as [number, boolean, bigint, bigint];
  return {
    status: DEAL_STATUS_NAMES[status] ?? "none",
    dealId: published ? dealId : null,
    activatedEpoch: activatedEpoch >= 0n ? activatedEpoch : null,
  };
}

/** The proposal ids made for a piece (v1 or v2 CID), oldest first. */
export async function getProposalIdsByPiece(
  publicClient: PublicClient,
  { dealClient, pieceCid }: { dealClient: Address; pieceCid: string },
): Promise<Hex[]> {
  return (await publicClient.readContract({
    address: dealClient,
    abi: loadArtifact("FilverseDealClient").abi,
    functionName: "getProposalIdsByPiece",
    args: [toHex(toPieceCidV1(pieceCid).bytes)],
  })) as Hex[];
}

/** updateActivationStatus: record (and announce by event) what the market says of a published deal. */
export async function updateActivationStatus(
  clients: { publicClient: PublicClient; walletClient: WalletClient },
  { dealClient, account, id }: { dealClient: Address; account: Account | Address; id: Hex },
): Promise<{ txHash: Hex }> {
  const { publicClient, walletClient } = clients;
  const txHash = await walletClient.writeContract({
    address: dealClient,
    abi: loadArtifact("FilverseDealClient").abi,
    functionName: "updateActivationStatus",
    args: [id],
    account,
    chain: walletClient.chain,
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash: txHash });
  if (receipt.status !== "success") {
    throw new L1Error(L1ErrorCode.TRANSACTION_FAILED, "updateActivationStatus failed", { details: { txHash } });
  }
  return { txHash };
}
