/**
 * Chain objects: deposits, withdrawals, receipts, block headers, blocks and checkpoints.
 * The block hash is the SSZ hash tree root of the header (sha256).
 */
import { ByteVectorType, ContainerType, ListCompositeType } from "@chainsafe/ssz";
import {
  BLOCK_HASHES_LIMIT,
  MAX_BLOCK_DEPOSITS,
  MAX_BLOCK_TXS,
  MAX_CID_BYTES,
  MAX_TOUCHED_PER_TX,
  MAX_TX_BYTES,
  SIGNATURE_BYTES,
} from "@filverse/params";
import { fromHex, isHex, toHex } from "@filverse/utils";
import {
  type SignedTransaction,
  SignedTransactionSsz,
  signedTxFromJson,
  signedTxFromSszValue,
  signedTxToJson,
  signedTxToSszValue,
} from "./envelope.js";
import {
  address,
  bytes32,
  bytesListField,
  CodecError,
  CodecErrorCode,
  checkJsonKeys,
  stringField,
  struct,
  uint8,
  uint16,
  uint64,
  uint256,
  type ValueOf,
} from "./schema.js";

/**
 * An L1 message, consumed by the sequencer as a system transaction in bridge nonce order. Two kinds
 * share the bridge's one nonce sequence:
 * - a FIL deposit (`forcedTx` empty): `amount` is credited to `to`;
 * - a forced transaction (`forcedTx` non-empty, `amount` 0, `to` the zero address): the SSZ
 *   SignedTransaction queued with the bridge's `forceTransaction`, which the L2 must execute (or
 *   record as invalid) before the forced-inclusion deadline.
 */
export const Deposit = struct("Deposit", {
  /** The bridge's sequential message nonce; the first is nonce 1. */
  l1Nonce: uint64,
  l1BlockNumber: uint64,
  l1TxHash: bytes32,
  /** The L1 account that paid (for a forced transaction, the account that queued it). */
  from: address,
  /** The L2 account credited (the zero address for a forced transaction). */
  to: address,
  amount: uint256,
  /** For a forced transaction, its SSZ SignedTransaction bytes; empty for a deposit. */
  forcedTx: bytesListField(MAX_TX_BYTES),
});
export type Deposit = ValueOf<typeof Deposit.fields>;

/** A withdrawal recorded in the withdrawals tree at `index`, claimable on L1 by `l1Recipient`. */
export const Withdrawal = struct("Withdrawal", {
  index: uint64,
  l2Sender: address,
  l1Recipient: address,
  amount: uint256,
});
export type Withdrawal = ValueOf<typeof Withdrawal.fields>;

/** Receipt status: a well-formed transaction is included even when a rule fails at execution. */
export enum ReceiptStatus {
  Failed = 0,
  Success = 1,
}

export const Receipt = struct("Receipt", {
  txHash: bytes32,
  kind: uint8,
  /** The recovered signer; for a deposit, the L2 recipient. */
  sender: address,
  status: uint8,
  /** 0 on success, else an ExecutionErrorCode. */
  code: uint16,
  /** The fee charged (credited to the block's proposer). */
  feePaid: uint256,
});
export type Receipt = ValueOf<typeof Receipt.fields>;

export const BlockHeader = struct("BlockHeader", {
  chainId: uint64,
  number: uint64,
  parentHash: bytes32,
  /** Unix seconds. */
  timestamp: uint64,
  /** The sequencer's address; fees are paid to it. */
  proposer: address,
  /** SSZ root of List[Bytes32] of the deposit hashes then the transaction hashes, in block order. */
  txRoot: bytes32,
  /** SSZ root of List[Receipt] in block order. */
  receiptsRoot: bytes32,
  stateRoot: bytes32,
  withdrawalsRoot: bytes32,
  /** The L1 origin: the last L1 deposit nonce consumed so far (0 before any). */
  l1DepositNonce: uint64,
});
export type BlockHeader = ValueOf<typeof BlockHeader.fields>;

export const DepositListSsz = new ListCompositeType(Deposit.ssz, MAX_BLOCK_DEPOSITS);
export const TransactionListSsz = new ListCompositeType(SignedTransactionSsz, MAX_BLOCK_TXS);
export const HashListSsz = new ListCompositeType(new ByteVectorType(32), MAX_BLOCK_DEPOSITS + MAX_BLOCK_TXS);
export const ReceiptListSsz = new ListCompositeType(Receipt.ssz, MAX_BLOCK_DEPOSITS + MAX_BLOCK_TXS);
/** A checkpoint's block hashes: blocks firstBlock − 1 .. lastBlock (blockHashesRoot). */
export const BlockHashListSsz = new ListCompositeType(new ByteVectorType(32), BLOCK_HASHES_LIMIT);

/**
 * A checkpoint's blockHashesRoot from the headers of blocks firstBlock..lastBlock, in order: each
 * header's parentHash (blocks firstBlock − 1 .. lastBlock − 1), then the last header's hash. The
 * dispute game proves a header against it (docs/fault-proofs.md).
 */
export function blockHashesRoot(headers: readonly BlockHeader[]): Uint8Array {
  if (headers.length === 0 || headers.length + 1 > BLOCK_HASHES_LIMIT) {
    throw new RangeError(`a checkpoint covers 1 to ${BLOCK_HASHES_LIMIT - 1} blocks, got ${headers.length}`);
  }
  const hashes = headers.map((h) => h.parentHash);
  hashes.push(blockHash(headers[headers.length - 1]!));
  return BlockHashListSsz.hashTreeRoot(hashes);
}

/** SSZ of a signed block: the header, its sequencer signature, the deposits and the transactions. */
export const SignedBlockSsz = new ContainerType(
  {
    header: BlockHeader.ssz,
    signature: new ByteVectorType(SIGNATURE_BYTES),
    deposits: DepositListSsz,
    transactions: TransactionListSsz,
  },
  { typeName: "SignedBlock" },
);

export type Block = {
  header: BlockHeader;
  deposits: Deposit[];
  transactions: SignedTransaction[];
};

export type SignedBlock = Block & {
  /** The sequencer's EIP-712 signature over SealedBlock(number, blockHash). */
  signature: Uint8Array;
};

export function blockHash(header: BlockHeader): Uint8Array {
  return BlockHeader.hashTreeRoot(header);
}

export function encodeSignedBlock(block: SignedBlock): Uint8Array {
  return SignedBlockSsz.serialize({
    header: BlockHeader.toSszValue(block.header),
    signature: block.signature,
    deposits: block.deposits.map((d) => Deposit.toSszValue(d)),
    transactions: block.transactions.map((tx) => signedTxToSszValue(tx)),
  } as never);
}

/**
 * encodeSignedBlock for a block whose transactions are already SSZ-encoded (`txBytes[i]` =
 * encodeSignedTx(block.transactions[i]), as the sequencer's mempool holds them): the same bytes,
 * without serializing every transaction a second time. The transaction list is the container's last
 * field, so the block is its encoding with no transactions, then the list: one 4-byte little-endian
 * offset per transaction, then the transactions.
 */
export function encodeSignedBlockWithTxBytes(block: SignedBlock, txBytes: readonly Uint8Array[]): Uint8Array {
  if (txBytes.length !== block.transactions.length) {
    throw new RangeError(
      `encodeSignedBlockWithTxBytes: ${txBytes.length} encodings for ${block.transactions.length} transactions`,
    );
  }
  const head = encodeSignedBlock({ ...block, transactions: [] });
  let size = head.length + 4 * txBytes.length;
  for (const b of txBytes) size += b.length;
  const out = new Uint8Array(size);
  out.set(head, 0);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  let offset = 4 * txBytes.length;
  let at = head.length + offset;
  for (let i = 0; i < txBytes.length; i++) {
    view.setUint32(head.length + 4 * i, offset, true);
    out.set(txBytes[i]!, at);
    offset += txBytes[i]!.length;
    at += txBytes[i]!.length;
  }
  return out;
}

export function decodeSignedBlock(bytes: Uint8Array): SignedBlock {
  let raw: ReturnType<typeof SignedBlockSsz.deserialize>;
  try {
    raw = SignedBlockSsz.deserialize(bytes);
  } catch (cause) {
    throw new CodecError(CodecErrorCode.INVALID_SSZ, "Bytes are not a valid SSZ SignedBlock", { cause });
  }
  return {
    header: BlockHeader.fromSszValue(raw.header),
    signature: raw.signature,
    deposits: raw.deposits.map((d) => Deposit.fromSszValue(d)),
    transactions: raw.transactions.map((t) => signedTxFromSszValue(t)),
  };
}

export function signedBlockToJson(block: SignedBlock): Record<string, unknown> {
  return {
    header: BlockHeader.toJson(block.header),
    signature: toHex(block.signature),
    deposits: block.deposits.map((d) => Deposit.toJson(d)),
    transactions: block.transactions.map((t) => signedTxToJson(t)),
  };
}

export function signedBlockFromJson(json: unknown): SignedBlock {
  if (typeof json !== "object" || json === null) {
    throw new CodecError(CodecErrorCode.INVALID_FIELD, "Block must be a JSON object");
  }
  const j = json as Record<string, unknown>;
  checkJsonKeys(j, ["header", "signature", "deposits", "transactions"], "block");
  if (!isHex(j.signature, SIGNATURE_BYTES)) {
    throw new CodecError(CodecErrorCode.INVALID_FIELD, "signature must be 0x-prefixed hex of 65 bytes");
  }
  if (!Array.isArray(j.deposits) || j.deposits.length > MAX_BLOCK_DEPOSITS) {
    throw new CodecError(CodecErrorCode.INVALID_FIELD, `deposits must be an array of at most ${MAX_BLOCK_DEPOSITS}`);
  }
  if (!Array.isArray(j.transactions) || j.transactions.length > MAX_BLOCK_TXS) {
    throw new CodecError(CodecErrorCode.INVALID_FIELD, `transactions must be an array of at most ${MAX_BLOCK_TXS}`);
  }
  return {
    header: BlockHeader.fromJson(j.header, "header"),
    signature: fromHex(j.signature),
    deposits: j.deposits.map((d, i) => Deposit.fromJson(d, `deposits[${i}]`)),
    transactions: j.transactions.map((t) => signedTxFromJson(t)),
  };
}

/** A checkpoint of a block range, posted to the L1 rollup contract and co-signed by validators. */
export const Checkpoint = struct("Checkpoint", {
  chainId: uint64,
  index: uint64,
  firstBlock: uint64,
  lastBlock: uint64,
  /** The hash of block firstBlock − 1: the previous checkpoint's lastBlockHash (the rollup checks it). */
  parentHash: bytes32,
  lastBlockHash: bytes32,
  stateRoot: bytes32,
  withdrawalsRoot: bytes32,
  /** hash_tree_root(List[Bytes32, 16384]) of the hashes of blocks firstBlock − 1 .. lastBlock (blockHashesRoot()). */
  blockHashesRoot: bytes32,
  /** The batch CAR's Piece CID (FRC-0069 v2) and its payload (root) CID, as strings. */
  pieceCid: stringField(MAX_CID_BYTES),
  payloadCid: stringField(MAX_CID_BYTES),
  pieceSize: uint64,
  carSize: uint64,
  /** lastBlock's timestamp: forced transactions queued on L1 with a deadline before it must be consumed. */
  lastBlockTimestamp: uint64,
  /** The last L1 message (deposit or forced transaction) nonce consumed by lastBlock. */
  depositCursor: uint64,
  /** The validator set's configuration number on L1. */
  validatorSetId: uint64,
});
export type Checkpoint = ValueOf<typeof Checkpoint.fields>;

/** What the sequencer signs for each block: EIP-712 `SealedBlock` under the Filverse domain. */
export const SealedBlock = struct("SealedBlock", { number: uint64, blockHash: bytes32 });

/** One state object a transaction wrote: its key and its hash_tree_root after it (zero: deleted). */
export const TouchedEntry = struct("TouchedEntry", { key: bytes32, valueHash: bytes32 });
export type TouchedEntry = ValueOf<typeof TouchedEntry.fields>;
/** What a transaction wrote, ascending by key; a preconfirmation signs its SSZ root. */
export const TouchedListSsz = new ListCompositeType(TouchedEntry.ssz, MAX_TOUCHED_PER_TX);

/**
 * What the sequencer signs when it preconfirms a transaction (EIP-712 under the Filverse domain,
 * with its block-sealing key): block `number` will hold, at `position` of its receipts (deposits
 * first, then transactions), the receipt whose hash_tree_root is `receiptRoot`, and the
 * transaction's writes will be those whose TouchedListSsz root is `touchedRoot`. A sealed block
 * `number` with another receipt there, or with fewer receipts, contradicts it (slashable on L1).
 */
export const Preconfirmation = struct("Preconfirmation", {
  number: uint64,
  position: uint64,
  receiptRoot: bytes32,
  touchedRoot: bytes32,
});
export type Preconfirmation = ValueOf<typeof Preconfirmation.fields>;

export function receiptRoot(r: Receipt): Uint8Array {
  return Receipt.hashTreeRoot(r);
}

/** The SSZ root of a transaction's writes, sorted ascending by key here (the order is part of the root). */
export function touchedRoot(entries: readonly TouchedEntry[]): Uint8Array {
  const sorted = [...entries].sort((a, b) => compareBytes(a.key, b.key));
  return TouchedListSsz.hashTreeRoot(sorted.map((e) => TouchedEntry.toSszValue(e)));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length && i < b.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
