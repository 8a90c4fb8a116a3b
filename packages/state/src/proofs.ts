/**
 * Proofs against a block's stateRoot = sha256(objectsRoot ‖ withdrawalsRoot), each checked by a
 * standalone function that needs nothing but the root and the proof:
 * - objects: a sparse-Merkle membership or non-membership proof, plus the withdrawals root;
 * - withdrawals: a depth-32 append-tree proof (what the L1 bridge checks), plus the objects root.
 */
import { appendRootFromProof, getHasher, type SmtProof, smtRootFromProof } from "@filverse/crypto";
import { WITHDRAWALS_TREE_DEPTH } from "@filverse/params";
import { type Namespace, type StateObjects, stateObjectStructs, type Withdrawal } from "@filverse/types";
import { bytesEqual } from "@filverse/utils";
import { stateKey } from "./keys.js";
import type { State } from "./state.js";
import { withdrawalLeaf } from "./withdrawals.js";

export type ObjectProof<N extends Namespace = Namespace> = {
  ns: N;
  id: Uint8Array;
  /** The object, or null when the proof shows it is absent. */
  value: StateObjects[N] | null;
  proof: SmtProof;
  /** The other child of the state root. */
  withdrawalsRoot: Uint8Array;
};

export type WithdrawalProof = {
  withdrawal: Withdrawal;
  /** WITHDRAWALS_TREE_DEPTH siblings, leaf level first. */
  siblings: Uint8Array[];
  /** The other child of the state root. */
  objectsRoot: Uint8Array;
};

export function proveObject<N extends Namespace>(state: State, ns: N, id: Uint8Array): ObjectProof<N> {
  const key = stateKey(ns, id);
  return {
    ns,
    id,
    value: (state.getByKey(key)?.value ?? null) as StateObjects[N] | null,
    proof: state.objects.prove(key),
    withdrawalsRoot: state.withdrawals.root(),
  };
}

/** True iff the proof shows `value` (or absence, for null) under (ns, id) in the state with this root. */
export function verifyObjectProof(stateRoot: Uint8Array, p: ObjectProof): boolean {
  try {
    const struct = stateObjectStructs[p.ns] as { hashTreeRoot(v: unknown): Uint8Array } | undefined;
    if (!struct) return false;
    const key = stateKey(p.ns, p.id);
    const valueHash = p.value === null ? null : struct.hashTreeRoot(p.value);
    const objectsRoot = smtRootFromProof(key, valueHash, { ...p.proof, key });
    if (!objectsRoot || !bytesEqual(p.proof.key, key)) return false;
    return bytesEqual(getHasher().digest64(objectsRoot, p.withdrawalsRoot), stateRoot);
  } catch {
    return false;
  }
}

export function proveWithdrawal(state: State, index: number): WithdrawalProof | null {
  const withdrawal = state.withdrawal(index);
  if (!withdrawal) return null;
  return { withdrawal, siblings: state.withdrawals.prove(index), objectsRoot: state.objects.root() };
}

/** What the L1 bridge checks: the withdrawal's leaf is at its index under the checkpoint's withdrawals root. */
export function verifyWithdrawalInclusion(
  withdrawalsRoot: Uint8Array,
  withdrawal: Withdrawal,
  siblings: Uint8Array[],
): boolean {
  const implied = withdrawalsRootFromProof(withdrawal, siblings);
  return implied !== null && bytesEqual(implied, withdrawalsRoot);
}

export function verifyWithdrawalProof(stateRoot: Uint8Array, p: WithdrawalProof): boolean {
  const withdrawalsRoot = withdrawalsRootFromProof(p.withdrawal, p.siblings);
  return withdrawalsRoot !== null && bytesEqual(getHasher().digest64(p.objectsRoot, withdrawalsRoot), stateRoot);
}

function withdrawalsRootFromProof(withdrawal: Withdrawal, siblings: Uint8Array[]): Uint8Array | null {
  try {
    return appendRootFromProof(withdrawalLeaf(withdrawal), withdrawal.index, siblings, WITHDRAWALS_TREE_DEPTH);
  } catch {
    return null;
  }
}
