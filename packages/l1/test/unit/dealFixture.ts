/** Deal test data: a real piece (CommP from data-segment), a valid request, and the harness build. */
import { Piece } from "@web3-storage/data-segment";
import type { Abi } from "viem";
import type { Artifact } from "../../src/compile.js";
import { type DealRequest, type DealRequestAbi, dealRequestToAbi } from "../../src/deals.js";
import { compileTestHarness } from "./harness.js";

export const PAYLOAD_CID = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

/** A piece made by data-segment (the CommP oracle) from `carSize` bytes of `fill`. */
export function makePiece(carSize = 1_500, fill = 7) {
  const piece = Piece.fromPayload(new Uint8Array(carSize).fill(fill));
  return {
    v2: piece.link.toString(),
    v1: Piece.toInfo(piece).link.toString(),
    pieceSize: BigInt(piece.size),
    carSize: BigInt(carSize),
  };
}

/** A valid request for a piece, starting `startIn` epochs after `currentEpoch`. */
export function makeRequest(currentEpoch: bigint, overrides: Partial<DealRequest> = {}, startIn = 100n): DealRequest {
  const piece = makePiece();
  return {
    pieceCid: piece.v1,
    pieceSize: piece.pieceSize,
    verifiedDeal: false,
    label: PAYLOAD_CID,
    startEpoch: currentEpoch + startIn,
    endEpoch: currentEpoch + startIn + 518_400n,
    storagePricePerEpoch: 1_000_000_000n,
    providerCollateral: 5n * 10n ** 17n,
    clientCollateral: 0n,
    extraParams: {
      locationRef: `http://127.0.0.1:8645/piece/${piece.v1}`,
      carSize: piece.carSize,
      skipIpniAnnounce: true,
      removeUnsealedCopy: false,
    },
    ...overrides,
  };
}

/** The ABI tuple of a valid request with fields overwritten afterwards (to reach the contract's checks). */
export function rawRequest(
  request: DealRequest,
  patch: Partial<Omit<DealRequestAbi, "extra_params">> & {
    extra_params?: Partial<DealRequestAbi["extra_params"]>;
  } = {},
): DealRequestAbi {
  const abi = dealRequestToAbi(request);
  return { ...abi, ...patch, extra_params: { ...abi.extra_params, ...patch.extra_params } };
}

/** Compile test/contracts/CborHarness.sol next to copies of the libraries it tests. */
export function compileHarness(): Promise<Artifact & { abi: Abi }> {
  return compileTestHarness("CborHarness", ["Cbor.sol", "FilecoinDeal.sol"]);
}
