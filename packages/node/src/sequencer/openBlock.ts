/**
 * The block the sequencer is filling: how it is opened on the last sealed state, how an executed
 * transaction joins it (and what that preconfirms), and how a recorded one is rebuilt at start in
 * the recorded order, every receipt and write set checked against what was promised.
 */
import type { StoredOpenBlock } from "@filverse/db";
import { BlockExecutor, type PreconfirmedExecution, type State } from "@filverse/state";
import { BlockHeader, Deposit } from "@filverse/types";
import { bytesEqual, type Hex, type Logger, toHex } from "@filverse/utils";
import { NodeError, NodeErrorCode } from "../errors.js";
import type { Mempool, PoolTx } from "./mempool.js";
import type { Preconfirmed } from "./preconfirmations.js";

/** SSZ bytes of a signed block besides its lists' items: the header, the seal and three offsets. */
const BLOCK_FIXED_BYTES = (BlockHeader.ssz.fixedSize ?? 0) + 65 + 3 * 4;

export type Tip = { state: State; header: BlockHeader; hash: Uint8Array };

export type OpenBlock = {
  number: number;
  executor: BlockExecutor;
  base: State;
  parent: Tip;
  timestamp: number;
  deposits: Deposit[];
  included: PoolTx[];
  rejected: PoolTx[];
  /** The block's SSZ size so far (fixed part, deposits, included transactions with their offsets). */
  bytes: number;
  /** Its parameters are in the open-block record (written with its first preconfirmations). */
  recorded: boolean;
  /** Its last record write: every earlier one has landed when it resolves. The commit waits for it. */
  durable: Promise<void>;
};

export type BlockParams = { chainId: number; proposer: Uint8Array; minTxFee: bigint };

/** A block on `tip` with these deposits applied, nothing else yet. */
export function newOpenBlock(tip: Tip, p: BlockParams, timestamp: number, deposits: Deposit[]): OpenBlock {
  const executor = new BlockExecutor(tip.state, {
    chainId: p.chainId,
    timestamp,
    proposer: p.proposer,
    minTxFee: p.minTxFee,
  });
  for (const d of deposits) executor.applyDeposit(d);
  return {
    number: tip.header.number + 1,
    executor,
    base: tip.state,
    parent: tip,
    timestamp,
    deposits,
    included: [],
    rejected: [],
    bytes: BLOCK_FIXED_BYTES + deposits.reduce((n, d) => n + 4 + Deposit.serialize(d).length, 0),
    recorded: false,
    durable: Promise.resolve(),
  };
}

/** A transaction the open block executed joins it at the next position; what it preconfirms. */
export function includeExecuted(open: OpenBlock, ptx: PoolTx, executed: PreconfirmedExecution): Preconfirmed {
  const { receipt, receiptRoot, touched, touchedRoot } = executed;
  const position = open.deposits.length + open.included.length;
  open.included.push(ptx);
  open.bytes += 4 + ptx.bytes.length;
  return {
    hash: ptx.hash as Hex,
    preconfirmation: { number: open.number, position, receiptRoot, touchedRoot },
    receipt,
    touched,
    signature: null,
  };
}

/**
 * Re-execute a recorded open block on `tip`: same number, timestamp and deposits, its preconfirmed
 * transactions (their bytes from the journal, now in the mempool) in the recorded order. Throws
 * NodeError PRECONFIRMATION_MISMATCH if anything would break a promise it gave.
 */
export function rebuildOpenBlock(
  b: StoredOpenBlock,
  tip: Tip,
  p: BlockParams,
  m: { mempool: Mempool; logger: Logger },
): { open: OpenBlock; items: Preconfirmed[] } {
  const { params } = b;
  const broken = (what: string, details: Record<string, unknown> = {}) =>
    new NodeError(
      NodeErrorCode.PRECONFIRMATION_MISMATCH,
      `Rebuilding block ${params.number} would break a preconfirmation: ${what}`,
      { details: { number: params.number, ...details } },
    );
  if (params.number !== tip.header.number + 1 || !bytesEqual(params.parentHash, tip.hash)) {
    throw broken("its recorded parent is not the head", {
      parentHash: toHex(params.parentHash),
      head: tip.header.number,
      headHash: toHex(tip.hash),
    });
  }
  const open = newOpenBlock(tip, p, params.timestamp, params.deposits);
  open.recorded = true;
  const items: Preconfirmed[] = [];
  for (const t of b.preconfirmed) {
    const hash = toHex(t.hash);
    const position = open.deposits.length + open.included.length;
    if (t.position !== position) throw broken("its record has a gap", { hash, expected: position, got: t.position });
    const ptx = m.mempool.get(hash);
    if (!ptx) throw broken("a preconfirmed transaction is not in the journal", { hash, position });
    m.mempool.remove(hash);
    let executed: PreconfirmedExecution;
    try {
      executed = open.executor.applyTransactionPreconfirmed(ptx.vtx);
    } catch (err) {
      throw broken("a preconfirmed transaction is not includable any more", {
        hash,
        position,
        reason: (err as Error).message,
      });
    }
    if (!bytesEqual(executed.receiptRoot, t.receiptRoot) || !bytesEqual(executed.touchedRoot, t.touchedRoot)) {
      throw broken("a transaction executes differently from its preconfirmation", {
        hash,
        position,
        receiptRoot: toHex(executed.receiptRoot),
        promisedReceiptRoot: toHex(t.receiptRoot),
        touchedRoot: toHex(executed.touchedRoot),
        promisedTouchedRoot: toHex(t.touchedRoot),
      });
    }
    items.push(includeExecuted(open, ptx, executed));
  }
  m.logger.info("open block rebuilt", { number: params.number, preconfirmed: items.length });
  return { open, items };
}
