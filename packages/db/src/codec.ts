/**
 * Encoding of stored values, and their decoding: any stored value that does not decode throws
 * DbError CORRUPT with the key in its details, never a bare or codec error.
 */
import { decodeStateEntry, encodeStateEntry, type StateEntry } from "@filverse/state";
import {
  type BlockHeader,
  BlockHeader as BlockHeaderType,
  type Deposit,
  DepositListSsz,
  Deposit as DepositType,
  decodeSignedBlock,
  type Namespace,
  Receipt,
  ReceiptListSsz,
  type SignedBlock,
  type StateObjects,
  type Withdrawal,
  Withdrawal as WithdrawalType,
} from "@filverse/types";
import { toHex } from "@filverse/utils";
import { DbError, DbErrorCode } from "./errors.js";
import { HASH_BYTES, readU64be, u64be } from "./keys.js";

export function corrupt(what: string, key: Uint8Array, cause?: unknown): DbError {
  return new DbError(DbErrorCode.CORRUPT, `Stored ${what} does not decode`, {
    cause,
    details: { key: toHex(key) },
  });
}

/** Runs a decoder; whatever it throws becomes CORRUPT. */
function decoding<T>(what: string, key: Uint8Array, fn: () => T): T {
  try {
    return fn();
  } catch (cause) {
    if (cause instanceof DbError) throw cause;
    throw corrupt(what, key, cause);
  }
}

export function decodeU64(what: string, key: Uint8Array, bytes: Uint8Array): number {
  const n = bytes.length === 8 ? readU64be(bytes) : null;
  if (n === null) throw corrupt(what, key);
  return n;
}

// --- head: u64be number ‖ hash ‖ SSZ header ---

export type Head = { number: number; hash: Uint8Array; header: BlockHeader };

export function encodeHead(head: Head): Uint8Array {
  const header = BlockHeaderType.serialize(head.header);
  const out = new Uint8Array(8 + HASH_BYTES + header.length);
  out.set(u64be(head.number), 0);
  out.set(head.hash, 8);
  out.set(header, 8 + HASH_BYTES);
  return out;
}

export function decodeHead(key: Uint8Array, bytes: Uint8Array): Head {
  return decoding("head", key, () => {
    const number = readU64be(bytes);
    if (number === null || bytes.length < 8 + HASH_BYTES) throw corrupt("head", key);
    const header = BlockHeaderType.deserialize(bytes.subarray(8 + HASH_BYTES));
    if (header.number !== number) throw corrupt("head", key);
    return { number, hash: bytes.slice(8, 8 + HASH_BYTES), header };
  });
}

export const decodeHeader = (key: Uint8Array, bytes: Uint8Array): BlockHeader =>
  decoding("block header", key, () => BlockHeaderType.deserialize(bytes));

export const decodeBlock = (key: Uint8Array, bytes: Uint8Array): SignedBlock =>
  decoding("block", key, () => decodeSignedBlock(bytes));

// --- receipts ---

export const encodeReceipts = (receipts: Receipt[]): Uint8Array =>
  ReceiptListSsz.serialize(receipts.map((r) => Receipt.toSszValue(r)) as never);

export const decodeReceipts = (key: Uint8Array, bytes: Uint8Array): Receipt[] =>
  decoding("receipts", key, () =>
    ReceiptListSsz.deserialize(bytes).map((raw) => Receipt.fromSszValue(raw as Record<string, unknown>)),
  );

// --- open block: u64be timestamp ‖ parent hash ‖ SSZ List[Deposit]; a preconfirmed tx: three hashes ---

/** The fixed parameters of a block the sequencer is filling (stored in full: a restart needs no L1). */
export type OpenBlockParams = { number: number; parentHash: Uint8Array; timestamp: number; deposits: Deposit[] };

/** One preconfirmed transaction of an open block: its receipt position and what was promised. */
export type PreconfirmedTx = { position: number; hash: Uint8Array; receiptRoot: Uint8Array; touchedRoot: Uint8Array };

export function encodeOpenBlock(p: OpenBlockParams): Uint8Array {
  const deposits = DepositListSsz.serialize(p.deposits.map((d) => DepositType.toSszValue(d)) as never);
  const out = new Uint8Array(8 + HASH_BYTES + deposits.length);
  out.set(u64be(p.timestamp), 0);
  out.set(p.parentHash, 8);
  out.set(deposits, 8 + HASH_BYTES);
  return out;
}

export const decodeOpenBlock = (key: Uint8Array, number: number, bytes: Uint8Array): OpenBlockParams =>
  decoding("open block", key, () => {
    const timestamp = bytes.length >= 8 + HASH_BYTES ? readU64be(bytes) : null;
    if (timestamp === null) throw corrupt("open block", key);
    const deposits = DepositListSsz.deserialize(bytes.subarray(8 + HASH_BYTES)).map((raw) =>
      DepositType.fromSszValue(raw as Record<string, unknown>),
    );
    return { number, timestamp, parentHash: bytes.slice(8, 8 + HASH_BYTES), deposits };
  });

export function encodePreconfirmed(t: PreconfirmedTx): Uint8Array {
  const out = new Uint8Array(3 * HASH_BYTES);
  out.set(t.hash, 0);
  out.set(t.receiptRoot, HASH_BYTES);
  out.set(t.touchedRoot, 2 * HASH_BYTES);
  return out;
}

export function decodePreconfirmed(key: Uint8Array, position: number, bytes: Uint8Array): PreconfirmedTx {
  if (bytes.length !== 3 * HASH_BYTES) throw corrupt("preconfirmed transaction", key);
  return {
    position,
    hash: bytes.slice(0, HASH_BYTES),
    receiptRoot: bytes.slice(HASH_BYTES, 2 * HASH_BYTES),
    touchedRoot: bytes.slice(2 * HASH_BYTES),
  };
}

// --- tx location: u64be block number ‖ u32be index ---

export type TxLocation = { blockNumber: number; index: number };

export function encodeTxLocation(blockNumber: number, index: number): Uint8Array {
  const out = new Uint8Array(12);
  out.set(u64be(blockNumber), 0);
  new DataView(out.buffer).setUint32(8, index);
  return out;
}

export function decodeTxLocation(key: Uint8Array, bytes: Uint8Array): TxLocation {
  const blockNumber = bytes.length === 12 ? readU64be(bytes) : null;
  if (blockNumber === null) throw corrupt("tx location", key);
  return { blockNumber, index: new DataView(bytes.buffer, bytes.byteOffset, 12).getUint32(8) };
}

// --- state object: u8 namespace ‖ u16be id length ‖ id ‖ SSZ ---

export function encodeStateObject(ns: Namespace, id: Uint8Array, value: StateObjects[Namespace]): Uint8Array {
  return encodeStateEntry(ns, id, value);
}

export function decodeStateObject(key: Uint8Array, bytes: Uint8Array): StateEntry {
  return decoding("state object", key, () => decodeStateEntry(bytes));
}

// --- withdrawals ---

export const encodeWithdrawal = (w: Withdrawal): Uint8Array => WithdrawalType.serialize(w);

export const decodeWithdrawal = (key: Uint8Array, bytes: Uint8Array): Withdrawal =>
  decoding("withdrawal", key, () => WithdrawalType.deserialize(bytes));
