/**
 * The types the node's parts share about the chain: where deposits come from, the genesis, the head,
 * the events, why a transaction was dropped, and the read-only view of a chain (`ChainReader`).
 */
import type { EventEmitter } from "node:events";
import type { ChainDb } from "@filverse/db";
import type { ChainConfig } from "@filverse/params";
import type { State } from "@filverse/state";
import type {
  BlockHeader,
  Deposit,
  Preconfirmation,
  Receipt,
  SignedBlock,
  TouchedEntry,
  TxDropReason,
} from "@filverse/types";
import type { FilverseError, Hex } from "@filverse/utils";

/** Where deposits come from: the L1 watcher, or on a devnet without L1 the dev faucet. */
export interface DepositSource {
  /** Deposits with L1 nonce > afterNonce, in nonce order, final on L1, at most `max`. */
  pending(afterNonce: number, max: number): Promise<Deposit[]>;
  /** A rewind removed blocks that had consumed these: offer them again (chain/rewind.ts). */
  restore?(deposits: readonly Deposit[]): void;
}

export type GenesisConfig = {
  chainId: number;
  /** Unix seconds of the genesis header; part of the genesis hash. */
  timestamp: number;
};

export type HeadInfo = { number: number; hash: Uint8Array; header: BlockHeader };

/** Why a transaction was dropped, and its TxValidationErrorCode where one applies. */
export type DropInfo = { reason: TxDropReason; code?: number };

/** One executed transaction's promise (a sequencer's preconfirmation), before or after it is signed. */
export type Preconfirmed = {
  hash: Hex;
  preconfirmation: Preconfirmation;
  receipt: Receipt;
  /** The transaction's writes, ascending by key (their root is preconfirmation.touchedRoot). */
  touched: TouchedEntry[];
  /** Null until something asked for it: signatures are deterministic (RFC 6979), so when does not matter. */
  signature: Uint8Array | null;
};

export type NodeEvents = {
  newHead: [block: SignedBlock, receipts: Receipt[]];
  /** A sequencer's preconfirmation, signed, once its record is durable (emitted only while someone listens). */
  preconfirmation: [p: Preconfirmed];
  txStatus: [hash: string];
  /** The node can make no more progress (see `failure`); emitted once. */
  failed: [error: FilverseError];
};

/** A chain as its readers see it (the RPC, p2p serving): config, database, head, state, indexes, events. */
export interface ChainReader {
  readonly chainId: number;
  readonly chain: ChainConfig;
  readonly db: ChainDb;
  /** The head state. */
  readonly state: State;
  readonly head: HeadInfo;
  readonly events: EventEmitter<NodeEvents>;
  /** The state after block `n`, if still kept in memory. */
  stateAt(n: number): State | undefined;
}
