/** Deal test data: a real piece (CommP from data-segment) and the CBOR harness build. */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Piece } from "@web3-storage/data-segment";
import type { Abi } from "viem";
import { type Artifact, CONTRACTS_DIR, compileContracts } from "../../src/compile.js";

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

/** Compile test/contracts/CborHarness.sol next to copies of the libraries it tests. */
export async function compileHarness(): Promise<Artifact & { abi: Abi }> {
  const dir = mkdtempSync(join(tmpdir(), "filverse-cbor-harness-"));
  try {
    for (const file of ["Cbor.sol", "FilecoinDeal.sol"]) copyFileSync(join(CONTRACTS_DIR, file), join(dir, file));
    copyFileSync(new URL("../contracts/CborHarness.sol", import.meta.url), join(dir, "CborHarness.sol"));
    const artifacts = await compileContracts(dir);
    return artifacts.CborHarness as Artifact & { abi: Abi };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
