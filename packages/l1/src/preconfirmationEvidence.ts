/**
 * Proving a broken preconfirmation on FilverseRollup: the sequencer signed `Preconfirmation(number,
 * position, receiptRoot, touchedRoot)` and then sealed block `number` with another receipt at that
 * position, or with fewer receipts. `provePreconfirmationBreach` burns its bond.
 */
import { sszListProof } from "@filverse/crypto";
import { MAX_BLOCK_DEPOSITS, MAX_BLOCK_TXS } from "@filverse/params";
import { type BlockHeader, type Preconfirmation, type Receipt, receiptRoot } from "@filverse/types";
import { toHex } from "@filverse/utils";
import { type Account, type Address, type Hex, type PublicClient, parseAbi, type WalletClient } from "viem";
import { L1Error, L1ErrorCode } from "./errors.js";

export const preconfirmationEvidenceAbi = parseAbi([
  "struct Preconfirmation { uint64 number; uint64 position; bytes32 receiptRoot; bytes32 touchedRoot; }",
  "struct BlockHeader { uint64 chainId; uint64 number; bytes32 parentHash; uint64 timestamp; address proposer; bytes32 txRoot; bytes32 receiptsRoot; bytes32 stateRoot; bytes32 withdrawalsRoot; uint64 l1DepositNonce; }",
  "function provePreconfirmationBreach(Preconfirmation p, bytes preconfirmationSig, BlockHeader header, bytes sealSig, bytes32 item, uint256 count, bytes32[] siblings)",
  "function preconfirmationDigest(Preconfirmation p) view returns (bytes32)",
]);

/** The SSZ list limit of a block's receipts (deposits, then transactions). */
export const MAX_BLOCK_RECEIPTS = MAX_BLOCK_DEPOSITS + MAX_BLOCK_TXS;

export type PreconfirmationBreach = {
  preconfirmation: Preconfirmation;
  preconfirmationSignature: Uint8Array;
  /** The sealed header of block `preconfirmation.number` and the sequencer's seal over it. */
  header: BlockHeader;
  sealSignature: Uint8Array;
  /** That block's receipts, deposits first, in block order (their list root is header.receiptsRoot). */
  receipts: readonly Receipt[];
};

/**
 * Whether the sealed block contradicts the preconfirmation: another receipt at its position, or no
 * receipt there. (The signatures are the contract's to check.)
 */
export function isPreconfirmationBroken(b: Pick<PreconfirmationBreach, "preconfirmation" | "receipts">): boolean {
  const at = b.receipts[b.preconfirmation.position];
  if (!at) return true;
  const root = receiptRoot(at);
  return toHex(root) !== toHex(b.preconfirmation.receiptRoot);
}

/** The arguments of `provePreconfirmationBreach`, with the receipt list proof built from the block's receipts. */
export function preconfirmationBreachArgs(b: PreconfirmationBreach) {
  const { preconfirmation: p, header } = b;
  const roots = b.receipts.map((r) => receiptRoot(r));
  const beyond = p.position >= roots.length;
  const proof = sszListProof(roots, beyond ? 0 : p.position, MAX_BLOCK_RECEIPTS);
  return [
    {
      number: BigInt(p.number),
      position: BigInt(p.position),
      receiptRoot: toHex(p.receiptRoot) as Hex,
      touchedRoot: toHex(p.touchedRoot) as Hex,
    },
    toHex(b.preconfirmationSignature) as Hex,
    {
      chainId: BigInt(header.chainId),
      number: BigInt(header.number),
      parentHash: toHex(header.parentHash) as Hex,
      timestamp: BigInt(header.timestamp),
      proposer: toHex(header.proposer) as Address,
      txRoot: toHex(header.txRoot) as Hex,
      receiptsRoot: toHex(header.receiptsRoot) as Hex,
      stateRoot: toHex(header.stateRoot) as Hex,
      withdrawalsRoot: toHex(header.withdrawalsRoot) as Hex,
      l1DepositNonce: BigInt(header.l1DepositNonce),
    },
    toHex(b.sealSignature) as Hex,
    (beyond ? toHex(proof.dataRoot) : toHex(roots[p.position]!)) as Hex,
    BigInt(roots.length),
    (beyond ? [] : proof.siblings.map((s) => toHex(s))) as Hex[],
  ] as const;
}

/**
 * Sends `provePreconfirmationBreach`. Burns the sequencer's bond; reverts NotConflicting when the
 * block agrees with the preconfirmation, NothingToSlash when the sequencer is unbonded, and
 * StaleBlockEvidence at or below a height already proven. Resolves with the transaction hash once mined.
 */
export async function provePreconfirmationBreach(
  params: { rollup: Address } & PreconfirmationBreach,
  modules: { publicClient: PublicClient; walletClient: WalletClient; account: Account },
): Promise<Hex> {
  const { publicClient, walletClient, account } = modules;
  const hash = await walletClient.writeContract({
    account,
    chain: walletClient.chain ?? null,
    address: params.rollup,
    abi: preconfirmationEvidenceAbi,
    functionName: "provePreconfirmationBreach",
    args: preconfirmationBreachArgs(params),
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") {
    throw new L1Error(L1ErrorCode.TRANSACTION_FAILED, "provePreconfirmationBreach reverted", { details: { tx: hash } });
  }
  return hash;
}
