/**
 * The dispute tracer: replays one block step by step and takes the StepState after each step
 * (block start, each L1 message, each transaction, end of block), as docs/fault-proofs.md defines
 * them. Only a party in a fault-proof game runs it. It drives the normal BlockExecutor once per item,
 * each over the snapshot the previous item left, so the normal path (one executor and one sorted
 * commit per block) is untouched and pays nothing for it.
 */
import { AppendMerkleTree, depositHash, getHasher, txHash } from "@filverse/crypto";
import {
  type BlockHeader,
  type Deposit,
  type Namespace,
  type Receipt,
  Receipt as ReceiptType,
  type SignedBlock,
  type SignedTransaction,
  type StateObjects,
  type Withdrawal,
} from "@filverse/types";
import { bigintToBytesBE, bytesEqual, toHex } from "@filverse/utils";
import { assertBlockHeader } from "../applyBlock.js";
import { BlockError, BlockErrorCode, TraceError, TraceErrorCode, TxValidationError } from "../errors.js";
import { BlockExecutor } from "../executor.js";
import type { State } from "../state.js";
import { parseTransactionBytes, validateTransaction } from "../validate.js";
import { initialStepState, type StepState, stepStateRoot } from "./stepState.js";

/** Depth of the merkleization of a List[_, 69632] (txRoot, receiptsRoot): ceil(log2(69632)). */
export const BLOCK_ITEMS_TREE_DEPTH = 17;

export enum StepKind {
  BlockStart = "blockStart",
  L1Message = "l1Message",
  Transaction = "transaction",
  EndOfBlock = "endOfBlock",
}

/** One item of a block in txRoot order: an L1 message (deposit or forced transaction) or a transaction. */
export type TraceItem = { deposit: Deposit; tx?: undefined } | { tx: SignedTransaction; deposit?: undefined };

export type TraceOptions = {
  /** This chain's id. */
  chainId: number;
  /** Default 0. */
  minTxFee?: bigint;
  maxBlockTxs: number;
  maxBlockDeposits: number;
  /** The sequencer whose seal the block must carry. */
  sequencer: Uint8Array;
};

/** An object a step read or wrote: its value before and after the step (null: absent). */
export type StepAccess = {
  ns: Namespace;
  id: Uint8Array;
  key: Uint8Array;
  before: StateObjects[Namespace] | null;
  after: StateObjects[Namespace] | null;
};

export type TraceStep = {
  kind: StepKind;
  /** The index in txRoot of the item the step executes (item steps only). */
  item: number | null;
  pre: StepState;
  post: StepState;
  /** Why the step made the block invalid (a BlockErrorCode or TxValidationErrorCode), or null. */
  invalidReason: string | number | null;
  /** The snapshot the step starts from. */
  preState: State;
  /** The objects the step read or wrote, in no particular order (item steps only). */
  accesses: StepAccess[];
  receipt: Receipt | null;
  withdrawals: Withdrawal[];
};

export type BlockTrace = {
  block: SignedBlock;
  parentHeader: BlockHeader;
  items: TraceItem[];
  /** txRoot's items: deposit hashes then transaction hashes. */
  itemHashes: Uint8Array[];
  /** S = items + 2 steps: step j takes T[j] to T[j + 1]. */
  steps: TraceStep[];
  /** T[0..S] as StepStates. */
  states: StepState[];
  /** T[0..S]: the commitments, hash_tree_root(StepState). */
  commitments: Uint8Array[];
  /** hash_tree_root of each receipt so far (the leaves of receiptsRoot). */
  receiptLeaves: Uint8Array[];
  /** The snapshot after the last item. */
  finalState: State;
};

/** The items of a block in txRoot order: its L1 messages, then its transactions. */
export function blockItems(block: { deposits: Deposit[]; transactions: SignedTransaction[] }): TraceItem[] {
  return [...block.deposits.map((deposit) => ({ deposit })), ...block.transactions.map((tx) => ({ tx }))];
}

/**
 * The hash an item has in txRoot, as far as the item alone decides it: a transaction's hash; a FIL
 * deposit's hash. A forced transaction is listed under its own tx hash if it is includable and under
 * its deposit's hash if not, which depends on the state; this guess takes the tx hash when it passes
 * the stateless checks (decoding, chain, fields, signature). The tracer uses the executor's answer
 * wherever it runs the item, and this guess only for items it does not run (after the block became
 * invalid).
 */
export function itemHash(item: TraceItem, chainId?: number): Uint8Array {
  if (item.tx) return txHash(item.tx);
  const d = item.deposit!;
  if (d.forcedTx.length > 0 && chainId !== undefined) {
    try {
      return validateTransaction(parseTransactionBytes(d.forcedTx), chainId).hash;
    } catch (err) {
      if (!(err instanceof TxValidationError)) throw err;
    }
  }
  return depositHash(d);
}

/** sha256(root ‖ uint256le(length)): an SSZ list's root from its merkleization and length. */
export function mixInLength(root: Uint8Array, length: number): Uint8Array {
  return getHasher().digest64(root, bigintToBytesBE(BigInt(length), 32).reverse());
}

/**
 * Trace `block` over `parent`, the state of `parentHeader`. `items` defaults to the block's body; a
 * caller may pass items in another order (what a dishonest txRoot could list). Throws TraceError if
 * the items do not hash to the header's txRoot: such a body is not the block's.
 */
export function traceBlock(
  parent: State,
  parentHeader: BlockHeader,
  block: SignedBlock,
  opts: TraceOptions,
  items: TraceItem[] = blockItems(block),
): BlockTrace {
  const { header } = block;
  // Each item's hash in txRoot: the executor's where it runs the item (a forced transaction's depends
  // on the state), the item's own guess elsewhere. Checked against the header once every item is done.
  const itemHashes: Uint8Array[] = [];
  const t0 = initialStepState(parentHeader, parent.objects.root());
  const states: StepState[] = [t0];
  const steps: TraceStep[] = [];
  const receiptLeaves: Uint8Array[] = [];
  let receiptTree = AppendMerkleTree.empty(BLOCK_ITEMS_TREE_DEPTH);
  let state = parent;

  const push = (
    step: Omit<TraceStep, "pre" | "preState" | "accesses" | "receipt" | "withdrawals"> & Partial<TraceStep>,
  ) => {
    steps.push({
      pre: states[states.length - 1]!,
      preState: state,
      accesses: [],
      receipt: null,
      withdrawals: [],
      ...step,
    });
    states.push(step.post);
  };
  const invalidate = (pre: StepState): StepState => ({ ...pre, invalid: true });

  // Step 0: the header against its parent and the sequencer's seal.
  {
    let reason: string | null = null;
    if (header.chainId !== opts.chainId) reason = BlockErrorCode.WRONG_CHAIN;
    else {
      try {
        assertBlockHeader(parentHeader, block, opts.sequencer);
      } catch (err) {
        if (!(err instanceof BlockError)) throw err;
        reason = err.code;
      }
    }
    push({ kind: StepKind.BlockStart, item: null, post: reason ? invalidate(t0) : t0, invalidReason: reason });
  }

  const ctx = {
    chainId: header.chainId,
    timestamp: header.timestamp,
    proposer: header.proposer,
    minTxFee: opts.minTxFee ?? 0n,
  };
  items.forEach((item, index) => {
    const pre = states[states.length - 1]!;
    const kind = item.deposit ? StepKind.L1Message : StepKind.Transaction;
    if (pre.invalid) {
      itemHashes.push(itemHash(item, header.chainId));
      push({ kind, item: index, post: pre, invalidReason: null });
      return;
    }
    if (item.deposit && pre.l1Messages !== pre.items) {
      itemHashes.push(itemHash(item, header.chainId));
      // An L1 message after a transaction: the block's items are out of order.
      push({ kind, item: index, post: invalidate(pre), invalidReason: BlockErrorCode.DEPOSIT_OUT_OF_ORDER });
      return;
    }
    const executor = new BlockExecutor(state, ctx);
    let receipt: Receipt | null = null;
    let reason: string | number | null = null;
    try {
      receipt = item.deposit
        ? executor.applyDeposit(item.deposit)
        : executor.applyTransaction(validateTransaction(item.tx!, header.chainId));
    } catch (err) {
      if (err instanceof BlockError) reason = err.code;
      else if (err instanceof TxValidationError) reason = err.code;
      else throw err;
    }
    const result = executor.finish();
    const written = new Map(result.changes.map((c) => [toHex(c.key), c.value]));
    const accesses: StepAccess[] = [];
    for (const t of executor.touchedObjects()) {
      const before = (state.getByKey(t.key)?.value ?? null) as StepAccess["before"];
      const k = toHex(t.key);
      const after = (written.has(k) ? written.get(k) : before) as StepAccess["after"];
      accesses.push({ ns: t.ns, id: t.id, key: t.key, before, after });
    }
    if (reason !== null) {
      itemHashes.push(itemHash(item, header.chainId));
      push({ kind, item: index, post: invalidate(pre), invalidReason: reason, accesses });
      return;
    }
    itemHashes.push(result.hashes[0]!);
    const leaf = ReceiptType.hashTreeRoot(receipt!);
    receiptLeaves.push(leaf);
    receiptTree = receiptTree.append([leaf]);
    const roots = result.state.roots();
    const post: StepState = {
      objectsRoot: roots.objectsRoot,
      withdrawalsRoot: roots.withdrawalsRoot,
      l1DepositNonce: result.l1DepositNonce,
      items: pre.items + 1,
      l1Messages: pre.l1Messages + (item.deposit ? 1 : 0),
      receiptsRoot: mixInLength(receiptTree.root(), receiptLeaves.length),
      invalid: false,
    };
    push({
      kind,
      item: index,
      post,
      invalidReason: null,
      accesses,
      receipt,
      withdrawals: result.withdrawals,
    });
    state = result.state;
  });

  const txTree = AppendMerkleTree.empty(BLOCK_ITEMS_TREE_DEPTH).append(itemHashes);
  if (!bytesEqual(mixInLength(txTree.root(), items.length), header.txRoot)) {
    throw new TraceError(TraceErrorCode.BODY_MISMATCH, `Block ${header.number}: the items do not hash to txRoot`, {
      details: { txRoot: toHex(header.txRoot), items: items.length },
    });
  }

  // Step n + 1: the block's limits and the results against its header.
  {
    const pre = states[states.length - 1]!;
    let reason: string | null = null;
    if (!pre.invalid) {
      const stateRoot = getHasher().digest64(pre.objectsRoot, pre.withdrawalsRoot);
      if (pre.l1Messages > opts.maxBlockDeposits) reason = BlockErrorCode.TOO_MANY_DEPOSITS;
      else if (pre.items - pre.l1Messages > opts.maxBlockTxs) reason = BlockErrorCode.TOO_MANY_TRANSACTIONS;
      else if (
        !bytesEqual(pre.receiptsRoot, header.receiptsRoot) ||
        !bytesEqual(stateRoot, header.stateRoot) ||
        !bytesEqual(pre.withdrawalsRoot, header.withdrawalsRoot) ||
        pre.l1DepositNonce !== header.l1DepositNonce
      ) {
        reason = BlockErrorCode.ROOT_MISMATCH;
      }
    }
    push({ kind: StepKind.EndOfBlock, item: null, post: reason ? invalidate(pre) : pre, invalidReason: reason });
  }

  return {
    block,
    parentHeader,
    items,
    itemHashes,
    steps,
    states,
    commitments: states.map(stepStateRoot),
    receiptLeaves,
    finalState: state,
  };
}
