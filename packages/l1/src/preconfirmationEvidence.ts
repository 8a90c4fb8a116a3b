/**
 * Proving a broken preconfirmation on FilverseRollup: the sequencer signed `Preconfirmation(number,
 * position, receiptRoot, touchedRoot)` and then sealed block `number` with another receipt at that
 * position, or with fewer receipts. `provePreconfirmationBreach` burns its bond.
 */
import {
  getHasher,
  recoverBlockSigner,
  recoverPreconfirmationSigner,
  sszListDepth,
  sszListProof,
} from "@filverse/crypto";
import { MAX_BLOCK_DEPOSITS, MAX_BLOCK_TXS } from "@filverse/params";
import { type BlockHeader, type Preconfirmation, type Receipt, receiptRoot } from "@filverse/types";
import { bytesEqual, toHex } from "@filverse/utils";
import { type Account, type Address, type Hex, type PublicClient, parseAbi, type WalletClient } from "viem";
import { L1Error, L1ErrorCode } from "./errors.js";

export const preconfirmationEvidenceAbi = parseAbi([
  "struct Preconfirmation { uint64 number; uint64 position; bytes32 receiptRoot; bytes32 touchedRoot; }",
  "struct BlockHeader { uint64 chainId; uint64 number; bytes32 parentHash; uint64 timestamp; address proposer; bytes32 txRoot; bytes32 receiptsRoot; bytes32 stateRoot; bytes32 withdrawalsRoot; uint64 l1DepositNonce; }",
  "function provePreconfirmationBreach(Preconfirmation p, bytes preconfirmationSig, BlockHeader header, bytes sealSig, bytes32 item, uint256 count, bytes32[] siblings)",
  "function preconfirmationJudge() view returns (address)",
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

/**
 * A breach made self-contained: the promise and the sealed header with both signatures, and the one
 * receipt of the block at the promised position (`item`, with its `siblings` in a list of `count`
 * receipts), or, when `count` ≤ position, the list's data root as `item` and no siblings. This is
 * what gossip carries and the rollup checks; it does not need the block.
 */
export type PreconfirmationBreachProof = {
  preconfirmation: Preconfirmation;
  preconfirmationSignature: Uint8Array;
  header: BlockHeader;
  sealSignature: Uint8Array;
  item: Uint8Array;
  count: number;
  siblings: Uint8Array[];
};

/** The self-contained proof of a breach, from the sealed block's receipts. */
export function breachProof(b: PreconfirmationBreach): PreconfirmationBreachProof {
  const roots = b.receipts.map((r) => receiptRoot(r));
  const position = b.preconfirmation.position;
  const beyond = position >= roots.length;
  const proof = sszListProof(roots, beyond ? 0 : position, MAX_BLOCK_RECEIPTS);
  return {
    preconfirmation: b.preconfirmation,
    preconfirmationSignature: b.preconfirmationSignature,
    header: b.header,
    sealSignature: b.sealSignature,
    item: beyond ? proof.dataRoot : roots[position]!,
    count: roots.length,
    siblings: beyond ? [] : proof.siblings,
  };
}

/**
 * What the rollup's `provePreconfirmationBreach` checks, in TypeScript: both signatures are the
 * sequencer's, the header is of the promised height and chain, and the receipt proof implies the
 * header's receiptsRoot while showing another receipt (or none) at the position. Returns why not,
 * or null when the proof holds.
 */
export function checkBreachProof(p: PreconfirmationBreachProof, sequencer: Uint8Array, chainId: number): string | null {
  const { preconfirmation: promise, header } = p;
  if (header.chainId !== chainId) return "header of another chain";
  if (header.number !== promise.number) return "header of another height";
  try {
    if (!bytesEqual(recoverPreconfirmationSigner(chainId, promise, p.preconfirmationSignature), sequencer)) {
      return "preconfirmation not signed by the sequencer";
    }
    if (!bytesEqual(recoverBlockSigner(header, p.sealSignature), sequencer))
      return "header not sealed by the sequencer";
  } catch {
    return "a signature does not recover";
  }
  if (!Number.isSafeInteger(p.count) || p.count < 0 || p.count > MAX_BLOCK_RECEIPTS)
    return "receipt count out of range";
  const h = getHasher();
  const lengthChunk = new Uint8Array(32);
  new DataView(lengthChunk.buffer).setBigUint64(0, BigInt(p.count), true);
  let dataRoot: Uint8Array;
  if (promise.position < p.count) {
    if (bytesEqual(p.item, promise.receiptRoot)) return "the block keeps the promise";
    if (p.siblings.length !== sszListDepth(MAX_BLOCK_RECEIPTS)) return "wrong number of siblings";
    dataRoot = p.item;
    p.siblings.forEach((s, i) => {
      dataRoot = (promise.position >> i) & 1 ? h.digest64(s, dataRoot) : h.digest64(dataRoot, s);
    });
  } else {
    dataRoot = p.item;
  }
  if (!bytesEqual(h.digest64(dataRoot, lengthChunk), header.receiptsRoot))
    return "the receipt proof is not the block's";
  return null;
}

/** The arguments of `provePreconfirmationBreach`. */
export function preconfirmationBreachArgs(b: PreconfirmationBreach | PreconfirmationBreachProof) {
  const proof = "receipts" in b ? breachProof(b) : b;
  const { preconfirmation: p, header } = proof;
  return [
    {
      number: BigInt(p.number),
      position: BigInt(p.position),
      receiptRoot: toHex(p.receiptRoot) as Hex,
      touchedRoot: toHex(p.touchedRoot) as Hex,
    },
    toHex(proof.preconfirmationSignature) as Hex,
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
    toHex(proof.sealSignature) as Hex,
    toHex(proof.item) as Hex,
    BigInt(proof.count),
    proof.siblings.map((s) => toHex(s)) as Hex[],
  ] as const;
}

/**
 * Sends `provePreconfirmationBreach`. Burns the sequencer's bond; reverts NotConflicting when the
 * block agrees with the preconfirmation, NothingToSlash when the sequencer is unbonded, and
 * StaleBlockEvidence at or below a height already proven. Resolves with the transaction hash once mined.
 */
export async function provePreconfirmationBreach(
  params: { rollup: Address; breach: PreconfirmationBreach | PreconfirmationBreachProof },
  modules: { publicClient: PublicClient; walletClient: WalletClient; account: Account },
): Promise<Hex> {
  const { publicClient, walletClient, account } = modules;
  const hash = await walletClient.writeContract({
    account,
    chain: walletClient.chain ?? null,
    address: params.rollup,
    abi: preconfirmationEvidenceAbi,
    functionName: "provePreconfirmationBreach",
    args: preconfirmationBreachArgs(params.breach),
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") {
    throw new L1Error(L1ErrorCode.TRANSACTION_FAILED, "provePreconfirmationBreach reverted", { details: { tx: hash } });
  }
  return hash;
}
