/** A real chain for tests: real keys, EIP-712 signatures, blocks through applyBlock (state, db and node tests). */
import { hashTypedData, privateKeyToAddress, signDigest, signTransaction } from "@filverse/crypto";
import { type ApplyBlockOptions, applyBlock, type BlockExecutionResult, State } from "@filverse/state";
import {
  type Block,
  type Deposit,
  Namespace,
  Order,
  type OrderMessage,
  type Receipt,
  type SignedTransaction,
  type TxMessages,
  txStructs,
  type UserTxKind,
} from "@filverse/types";
import { toHex } from "@filverse/utils";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";
import { sha256 as sha256Hasher } from "multiformats/hashes/sha2";

export const CHAIN_ID = 3_141_592_601;
export const ZERO_ID = new Uint8Array(32);
export const ZERO_ADDRESS = new Uint8Array(20);

export type Key = { priv: Uint8Array; address: Uint8Array; name: string };

export function makeKey(seed: number, name = `key${seed}`): Key {
  const priv = new Uint8Array(32);
  new DataView(priv.buffer).setUint32(28, seed + 1);
  priv[0] = 0x42;
  return { priv, address: privateKeyToAddress(priv), name };
}

export const sequencer = makeKey(1000, "sequencer");

/** A valid CIDv1 (raw, sha256) whose content is `label`. */
export function cidOf(label: string): string {
  const digest = sha256Hasher.digest(new TextEncoder().encode(label)) as ReturnType<typeof Digest.create>;
  return CID.create(1, 0x55, digest).toString();
}

/** A Piece CID v1 (fil-commitment-unsealed, sha2-256-trunc254-padded). */
export function pieceCidV1(seed: number): string {
  const bytes = new Uint8Array(32).fill(seed);
  bytes[31] &= 0x3f;
  return CID.create(1, 0xf101, Digest.create(0x1012, bytes)).toString();
}

type Unsigned<K extends UserTxKind> = Omit<TxMessages[K], "nonce" | "fee" | "onBehalfOf"> &
  Partial<Pick<TxMessages[K], "nonce" | "fee">> & { onBehalfOf?: Uint8Array };

/** Every receipt code and validation code the tests saw, for the coverage check. */
export const seenCodes = new Set<number>();

export class TestChain {
  state = State.genesis();
  timestamp = 1_700_000_000;
  number = 0;
  private l1Nonce = 0;
  private readonly nonces = new Map<string, number>();
  private pendingDeposits: Deposit[] = [];

  nextNonce(key: Key): number {
    return this.nonces.get(toHex(key.address)) ?? 0;
  }

  /** Sign a message of `kind` with auto nonce (fee 1 unless given). */
  sign<K extends UserTxKind>(key: Key, kind: K, fields: Unsigned<K>): SignedTransaction {
    return this.signVia(key, kind, fields, undefined);
  }

  /**
   * Sign `kind` as EIP-712 `Via<Name>` (when `via` is given): `sponsor` pays the fee from its
   * allowance, `account` is the account a session key acts for (either may be left out: zero).
   * The nonce is the signer's.
   */
  signVia<K extends UserTxKind>(
    key: Key,
    kind: K,
    fields: Unsigned<K>,
    via: { sponsor?: Uint8Array; account?: Uint8Array } | undefined,
  ): SignedTransaction {
    const nonce = fields.nonce ?? this.nextNonce(key);
    const defaults = txStructs[kind].fieldNames.includes("onBehalfOf") ? { onBehalfOf: ZERO_ID } : {};
    const message = { ...defaults, fee: 1n, ...fields, nonce } as unknown as TxMessages[K];
    this.nonces.set(toHex(key.address), nonce + 1);
    const envelope =
      via === undefined ? undefined : { sponsor: via.sponsor ?? ZERO_ADDRESS, account: via.account ?? ZERO_ADDRESS };
    return signTransaction(CHAIN_ID, { kind, message } as never, key.priv, envelope);
  }

  /** Forget a nonce handed out for a transaction that was never included. */
  resetNonce(key: Key, nonce: number): void {
    this.nonces.set(toHex(key.address), nonce);
  }

  /** Move the clock: the next block's timestamp is this many seconds (plus one) later. */
  advance(seconds: number): void {
    this.timestamp += seconds;
  }

  /** Queue an L1 deposit for the next block. */
  deposit(to: Uint8Array, amount: bigint): void {
    this.l1Nonce++;
    this.pendingDeposits.push({
      l1Nonce: this.l1Nonce,
      l1BlockNumber: 100 + this.l1Nonce,
      l1TxHash: new Uint8Array(32).fill(this.l1Nonce & 0xff),
      from: new Uint8Array(20).fill(0xee),
      to,
      amount,
      forcedTx: new Uint8Array(0),
    });
  }

  /** Queue a forced transaction (bytes as queued with the bridge's forceTransaction) for the next block. */
  force(signedTx: Uint8Array): Deposit {
    this.l1Nonce++;
    const message: Deposit = {
      l1Nonce: this.l1Nonce,
      l1BlockNumber: 100 + this.l1Nonce,
      l1TxHash: new Uint8Array(32).fill(this.l1Nonce & 0xff),
      from: new Uint8Array(20).fill(0xef),
      to: ZERO_ADDRESS,
      amount: 0n,
      forcedTx: signedTx,
    };
    this.pendingDeposits.push(message);
    return message;
  }

  buildBlock(transactions: SignedTransaction[], timestampDelta = 1): Block {
    const deposits = this.pendingDeposits;
    return {
      header: {
        chainId: CHAIN_ID,
        number: this.number + 1,
        parentHash: new Uint8Array(32),
        timestamp: this.timestamp + timestampDelta,
        proposer: sequencer.address,
        txRoot: ZERO_ID,
        receiptsRoot: ZERO_ID,
        stateRoot: ZERO_ID,
        withdrawalsRoot: ZERO_ID,
        l1DepositNonce: 0,
      },
      deposits,
      transactions,
    };
  }

  /** Apply a block with the queued deposits and these transactions; the chain advances. */
  block(transactions: SignedTransaction[], opts: Partial<ApplyBlockOptions> = {}): BlockExecutionResult {
    const block = this.buildBlock(transactions);
    const result = applyBlock(this.state, block, { chainId: CHAIN_ID, ...opts });
    this.pendingDeposits = [];
    this.state = result.state;
    this.number++;
    this.timestamp = block.header.timestamp;
    for (const r of result.receipts) seenCodes.add(r.code);
    return result;
  }

  /** One transaction in its own block; returns its receipt. */
  exec<K extends UserTxKind>(key: Key, kind: K, fields: Unsigned<K>): Receipt {
    const result = this.block([this.sign(key, kind, fields)]);
    return result.receipts[result.receipts.length - 1]!;
  }

  /** Fund accounts through deposits, in one block. */
  fund(keys: Key[], amount = 10n ** 21n): void {
    for (const k of keys) this.deposit(k.address, amount);
    this.block([]);
  }

  /** A maker's signed order. */
  order(maker: Key, fields: Partial<OrderMessage> & Pick<OrderMessage, "collectionId" | "tokenId" | "price">) {
    const order: OrderMessage = {
      maker: maker.address,
      side: 0,
      taker: ZERO_ADDRESS,
      expiresAt: 0,
      salt: 1n,
      ...fields,
    };
    const makerSignature = signDigest(hashTypedData(CHAIN_ID, Order, order), maker.priv);
    return { order, makerSignature };
  }

  balance(key: Key | Uint8Array): bigint {
    const address = key instanceof Uint8Array ? key : key.address;
    return this.state.get(Namespace.Account, address)?.balance ?? 0n;
  }
}

/** Σ of every account balance: what FIL conservation compares with deposits − withdrawals. */
export function sumBalances(state: State): bigint {
  let sum = 0n;
  for (const e of state.objects.entries()) {
    if (e.value.ns === Namespace.Account) sum += (e.value.value as { balance: bigint }).balance;
  }
  return sum;
}
