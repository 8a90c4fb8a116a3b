/**
 * The committed state: an immutable snapshot of every object, in a persistent sparse Merkle tree,
 * plus the append-only withdrawals tree. Snapshots share structure, so keeping the parent of a block
 * costs only the changed paths. stateRoot = sha256(objectsRoot ‖ withdrawalsRoot).
 */
import { AppendMerkleTree, getHasher, SparseMerkleTree } from "@filverse/crypto";
import { WITHDRAWALS_TREE_DEPTH } from "@filverse/params";
import { type Globals, Namespace, type StateObjects, stateObjectStructs, type Withdrawal } from "@filverse/types";
import { type StateEntry, stateEntryCodec } from "./entryCodec.js";

export type { StateEntry } from "./entryCodec.js";

import { GLOBALS_ID, stateKey } from "./keys.js";
import { withdrawalLeaf } from "./withdrawals.js";

export type StateRoots = {
  objectsRoot: Uint8Array;
  withdrawalsRoot: Uint8Array;
  stateRoot: Uint8Array;
};

export const EMPTY_GLOBALS: Globals = { l1DepositNonce: 0, withdrawalCount: 0, totalDeposited: 0n, totalWithdrawn: 0n };

export class State {
  private constructor(
    readonly objects: SparseMerkleTree<StateEntry>,
    readonly withdrawals: AppendMerkleTree,
    /**
     * Withdrawal records by index (the tree holds only their leaf hashes). Shared with descendant
     * snapshots, which append to it; this snapshot reads only its first `withdrawals.length`.
     */
    private readonly withdrawalRecords: Withdrawal[],
  ) {}

  /** The genesis state: no balances (all FIL enters through the bridge) and zeroed globals. */
  static genesis(): State {
    return State.empty().withChanges([{ ns: Namespace.Globals, id: GLOBALS_ID, value: EMPTY_GLOBALS }], [], []);
  }

  /**
   * Rebuild a snapshot from stored objects and withdrawals (a node restarting from its database).
   * Costs one pass over n objects and about 2n hashes at the first roots() call.
   */
  static fromEntries(entries: Iterable<StateEntry>, withdrawals: Withdrawal[]): State {
    return State.empty().withChanges(
      (function* () {
        for (const e of entries) yield { ns: e.ns, id: e.id, value: e.value };
      })(),
      withdrawals,
      withdrawals.map((w) => withdrawalLeaf(w)),
    );
  }

  private static empty(): State {
    return new State(
      SparseMerkleTree.empty<StateEntry>(stateEntryCodec),
      AppendMerkleTree.empty(WITHDRAWALS_TREE_DEPTH),
      [],
    );
  }

  get<N extends Namespace>(ns: N, id: Uint8Array): StateObjects[N] | undefined {
    return this.objects.get(stateKey(ns, id))?.value as StateObjects[N] | undefined;
  }

  getByKey(key: Uint8Array): StateEntry | undefined {
    return this.objects.get(key);
  }

  globals(): Globals {
    return this.get(Namespace.Globals, GLOBALS_ID) ?? EMPTY_GLOBALS;
  }

  withdrawal(index: number): Withdrawal | undefined {
    return index < this.withdrawals.length ? this.withdrawalRecords[index] : undefined;
  }

  roots(): StateRoots {
    const objectsRoot = this.objects.root();
    const withdrawalsRoot = this.withdrawals.root();
    return { objectsRoot, withdrawalsRoot, stateRoot: getHasher().digest64(objectsRoot, withdrawalsRoot) };
  }

  /**
   * A new snapshot with objects written (value null deletes) and withdrawals appended. The value
   * hash of each written object is its SSZ hash tree root.
   */
  withChanges(
    writes: Iterable<{
      ns: Namespace;
      id: Uint8Array;
      value: StateObjects[Namespace] | null;
      key?: Uint8Array;
      /** The value's hash_tree_root if already known (BlockExecutor caches it for preconfirmations). */
      valueHash?: Uint8Array;
    }>,
    newWithdrawals: Withdrawal[],
    withdrawalLeaves: Uint8Array[],
  ): State {
    const entries = (function* () {
      for (const w of writes) {
        // The tree copies key and valueHash into the leaf, so they need not outlive this call.
        const key = w.key ?? stateKey(w.ns, w.id);
        if (w.value === null) {
          yield { key, value: null };
          continue;
        }
        const struct = stateObjectStructs[w.ns] as { hashTreeRoot(v: unknown): Uint8Array };
        yield {
          key,
          value: { ns: w.ns, id: w.id, value: w.value },
          valueHash: w.valueHash ?? struct.hashTreeRoot(w.value),
        };
      }
    })();
    const objects = this.objects.update(entries);
    const withdrawals = withdrawalLeaves.length > 0 ? this.withdrawals.append(withdrawalLeaves) : this.withdrawals;
    let records = this.withdrawalRecords;
    if (newWithdrawals.length > 0) {
      // A sibling snapshot appended already: copy our prefix rather than clobber its records.
      if (records.length !== this.withdrawals.length) records = records.slice(0, this.withdrawals.length);
      records.push(...newWithdrawals);
    }
    return new State(objects, withdrawals, records);
  }
}
