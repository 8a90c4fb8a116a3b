/**
 * The inputs of a one-step proof for step j of a traced block (docs/fault-proofs.md, "The one-step
 * proof"): the pre-state, the header, the item and its place in txRoot, the receipt's place in
 * receiptsRoot, and a proof of every object the step reads or writes. Object proofs come in key
 * order, each against the objects root the previous object's update left, which is the order the
 * L1 executor applies them in.
 */
import { AppendMerkleTree, type SmtProof, type SmtSiblingPreimage } from "@filverse/crypto";
import { WITHDRAWALS_TREE_DEPTH } from "@filverse/params";
import type { BlockHeader, Namespace, Receipt, StateObjects, Withdrawal } from "@filverse/types";
import { compareBytes } from "@filverse/utils";
import { TraceError, TraceErrorCode } from "../errors.js";
import { withdrawalLeaf } from "../withdrawals.js";
import type { StepState } from "./stepState.js";
import { BLOCK_ITEMS_TREE_DEPTH, type BlockTrace, type StepKind, type TraceItem } from "./traceBlock.js";

export type ObjectAccessProof = {
  ns: Namespace;
  id: Uint8Array;
  key: Uint8Array;
  /** The object before the step (null: absent) and after it. */
  before: StateObjects[Namespace] | null;
  after: StateObjects[Namespace] | null;
  /** Against the objects root left by the previous access (the first: the step's pre objectsRoot). */
  proof: SmtProof;
  /** The preimage of the proof's last sibling; set when the step deletes a present object. */
  sibling: SmtSiblingPreimage | null;
};

export type StepProof = {
  step: number;
  kind: StepKind;
  pre: StepState;
  post: StepState;
  header: BlockHeader;
  /** Block start: the parent header and the block's seal. */
  parentHeader: BlockHeader;
  signature: Uint8Array;
  /** Item steps: the item, its index in txRoot and the BLOCK_ITEMS_TREE_DEPTH siblings of that index. */
  item: TraceItem | null;
  itemIndex: number;
  /** The length of txRoot's list, and the root of its merkleization (txRoot = mixInLength(txDataRoot, itemCount)). */
  itemCount: number;
  txDataRoot: Uint8Array;
  itemSiblings: Uint8Array[];
  /**
   * Item steps: the hash txRoot lists the item under. A forced transaction's is its tx hash when it
   * is includable there, its deposit's hash when not (the executor's answer where it ran the item).
   */
  itemHash: Uint8Array | null;
  /** The receipt the step appends, and the siblings of its index in the receipts list (item steps that add one). */
  receipt: Receipt | null;
  receiptSiblings: Uint8Array[];
  objects: ObjectAccessProof[];
  /** Per withdrawal the step appends: WITHDRAWALS_TREE_DEPTH siblings of its index, leaf level first. */
  withdrawals: { withdrawal: Withdrawal; siblings: Uint8Array[] }[];
};

export function proveStep(trace: BlockTrace, j: number): StepProof {
  const step = trace.steps[j];
  if (!step) {
    throw new TraceError(TraceErrorCode.STEP_OUT_OF_RANGE, `Step ${j} is not in a trace of ${trace.steps.length}`, {
      details: { step: j, steps: trace.steps.length },
    });
  }
  const txTree = AppendMerkleTree.empty(BLOCK_ITEMS_TREE_DEPTH).append(trace.itemHashes);
  const itemIndex = step.item ?? step.pre.items;
  const itemSiblings = step.item !== null ? txTree.prove(step.item) : [];

  let receiptSiblings: Uint8Array[] = [];
  if (step.receipt) {
    const index = step.pre.items;
    const tree = AppendMerkleTree.empty(BLOCK_ITEMS_TREE_DEPTH).append(trace.receiptLeaves.slice(0, index + 1));
    receiptSiblings = tree.prove(index);
  }

  // The objects, in key order, each proven against the tree the previous update left.
  const objects: ObjectAccessProof[] = [];
  let state = step.preState;
  for (const a of [...step.accesses].sort((x, y) => compareBytes(x.key, y.key))) {
    const proof = state.objects.prove(a.key);
    const sibling = a.after === null && a.before !== null ? state.objects.proveLastSibling(a.key) : null;
    objects.push({ ...a, proof, sibling });
    state = state.withChanges([{ ns: a.ns, id: a.id, key: a.key, value: a.after }], [], []);
  }

  const withdrawals = [];
  let wTree = step.preState.withdrawals;
  for (const w of step.withdrawals) {
    wTree = wTree.append([withdrawalLeaf(w)]);
    withdrawals.push({ withdrawal: w, siblings: wTree.prove(w.index) });
  }
  if (withdrawals.length > 0 && wTree.depth !== WITHDRAWALS_TREE_DEPTH) throw new RangeError("withdrawals tree depth");

  return {
    step: j,
    kind: step.kind,
    pre: step.pre,
    post: step.post,
    header: trace.block.header,
    parentHeader: trace.parentHeader,
    signature: trace.block.signature,
    item: step.item !== null ? trace.items[step.item]! : null,
    itemIndex,
    itemCount: trace.items.length,
    txDataRoot: txTree.root(),
    itemSiblings,
    itemHash: step.item !== null ? trace.itemHashes[step.item]! : null,
    receipt: step.receipt,
    receiptSiblings,
    objects,
    withdrawals,
  };
}
