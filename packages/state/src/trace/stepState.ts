/**
 * StepState: what both sides of a fault-proof game commit to between two steps of one block
 * (docs/fault-proofs.md, "Level 2"). Its SSZ hash_tree_root is the commitment T[j]; the one-step
 * executor on L1 (contracts/OneStepExecutor.sol) hashes the same container.
 */
import { getHasher } from "@filverse/crypto";
import { type BlockHeader, bool, bytes32, ReceiptListSsz, struct, uint64, type ValueOf } from "@filverse/types";
import { bytesEqual } from "@filverse/utils";

export const StepState = struct("StepState", {
  /** The objects tree after every write of the steps so far. */
  objectsRoot: bytes32,
  withdrawalsRoot: bytes32,
  /** The last L1 message nonce consumed (the block's L1 origin so far). */
  l1DepositNonce: uint64,
  /** Items done so far: the index in txRoot of the next one. */
  items: uint64,
  /** How many of those items were L1 messages (deposits and forced transactions); they must come first. */
  l1Messages: uint64,
  /** hash_tree_root(List[Receipt, 69632]) of the receipts so far. */
  receiptsRoot: bytes32,
  /** The block is invalid from this step on; every later step leaves the state unchanged. */
  invalid: bool,
});
export type StepState = ValueOf<typeof StepState.fields>;

export const EMPTY_RECEIPTS_ROOT: Uint8Array = ReceiptListSsz.hashTreeRoot([]);

export function stepStateRoot(s: StepState): Uint8Array {
  return StepState.hashTreeRoot(s);
}

/**
 * T[0]: the state the parent header commits to, no items, no receipts. `objectsRoot` is the one half
 * of the parent's stateRoot the header does not carry; it must hash with the header's withdrawalsRoot
 * to the header's stateRoot.
 */
export function initialStepState(parent: BlockHeader, objectsRoot: Uint8Array): StepState {
  const stateRoot = getHasher().digest64(objectsRoot, parent.withdrawalsRoot);
  if (!bytesEqual(stateRoot, parent.stateRoot)) {
    throw new RangeError("objectsRoot and the parent's withdrawalsRoot do not hash to the parent's stateRoot");
  }
  return {
    objectsRoot,
    withdrawalsRoot: parent.withdrawalsRoot,
    l1DepositNonce: parent.l1DepositNonce,
    items: 0,
    l1Messages: 0,
    receiptsRoot: EMPTY_RECEIPTS_ROOT,
    invalid: false,
  };
}
