/**
 * A rewind of the stored chain to an earlier block, after L1 proved a later checkpoint wrong: what
 * the database records about it (`RewindRecord`, one meta key) and the operations of the one
 * synced batch that performs it (`rewindOps`). The batch removes every block above the target with
 * its hash index, receipts and transaction locations, writes the target's state over the head's
 * (only the objects that differ, the withdrawals past the target's count, the lookup indexes),
 * deletes every open-block record, optionally puts the removed blocks' transactions back in the
 * journal, moves the head, and marks the record done. A kill -9 leaves all of it or none of it.
 */
import type { State } from "@filverse/state";
import {
  type BlockHeader,
  blockHash,
  encodeSignedTx,
  type Namespace,
  type Receipt,
  type SignedBlock,
} from "@filverse/types";
import { bytesEqual, fromHex, type Hex, toHex } from "@filverse/utils";
import { DbError, DbErrorCode } from "./errors.js";

/**
 * What a node records about its last rewind (meta key 0x05): `pending` once it decided to rewind
 * (synced before any other write, so a restart finishes it), `done` in the batch that rewound.
 */
export type RewindRecord = {
  status: "pending" | "done";
  /** The block the chain goes back to: the last block of the last valid checkpoint (0: genesis). */
  target: number;
  /** That block's hash, as L1 holds it (`lastBlockHash` of checkpoint `checkpoint − 1`). */
  targetHash: Uint8Array;
  /** The first checkpoint index L1 removed. */
  checkpoint: number;
  /** Where on L1 the removal was read (block and log index), so that the same log is applied once. */
  l1Block: bigint;
  l1LogIndex: number;
  /** The head before the rewind (done records). */
  fromHead: number;
  /**
   * Hashes of the removed blocks' transactions put back in the journal, in their original order
   * (block by block, position by position); journal replay restores them in this order first.
   */
  returned: Uint8Array[];
};

export function encodeRewindRecord(r: RewindRecord): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      status: r.status,
      target: r.target,
      targetHash: toHex(r.targetHash),
      checkpoint: r.checkpoint,
      l1Block: r.l1Block.toString(),
      l1LogIndex: r.l1LogIndex,
      fromHead: r.fromHead,
      returned: r.returned.map((h) => toHex(h)),
    }),
  );
}

export function decodeRewindRecord(key: Uint8Array, bytes: Uint8Array): RewindRecord {
  // A field out of shape: the record is corrupt, and names the field.
  function bad(field: string): never {
    throw new DbError(DbErrorCode.CORRUPT, `Stored rewind record has a bad "${field}"`, {
      details: { key: toHex(key), field },
    });
  }
  try {
    const j = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes)) as Record<string, unknown>;
    if (j.status !== "pending" && j.status !== "done") bad("status");
    for (const f of ["target", "checkpoint", "l1LogIndex", "fromHead"] as const) {
      if (!Number.isSafeInteger(j[f]) || (j[f] as number) < 0) bad(f);
    }
    if (typeof j.l1Block !== "string" || !/^[0-9]+$/.test(j.l1Block)) bad("l1Block");
    if (!Array.isArray(j.returned)) bad("returned");
    return {
      status: j.status,
      target: j.target as number,
      targetHash: fromHex(j.targetHash as Hex, 32),
      checkpoint: j.checkpoint as number,
      l1Block: BigInt(j.l1Block),
      l1LogIndex: j.l1LogIndex as number,
      fromHead: j.fromHead as number,
      returned: (j.returned as Hex[]).map((h) => fromHex(h, 32)),
    };
  } catch (cause) {
    if (cause instanceof DbError) throw cause;
    throw new DbError(DbErrorCode.CORRUPT, "Stored rewind record does not decode", {
      cause,
      details: { key: toHex(key) },
    });
  }
}

/** A removed block as the rewind reads it back. */
export type RemovedBlock = { number: number; block: SignedBlock; receipts: Receipt[] };

/** The key-level operations a rewind needs, written by ChainDb with its key helpers. */
export type RewindSink = {
  delBlock(number: number, hash: Uint8Array): void;
  delTxLocation(hash: Uint8Array): void;
  putJournal(hash: Uint8Array, txBytes: Uint8Array): void;
  putObject(key: Uint8Array, ns: Namespace, id: Uint8Array, value: unknown): void;
  delObject(key: Uint8Array): void;
  /** The lookup indexes of one object (lookupIndexes.ts) from `before` to `after` (absent: none). */
  index(ns: Namespace, id: Uint8Array, before: unknown, after: unknown): void;
  delWithdrawal(index: number): void;
};

/**
 * Emit the operations that take the stored chain from `current` (the head state, holding the
 * removed blocks) to `target`, and return the hashes of the transactions put back in the journal
 * (when `returnTransactions`), in their original order.
 */
export function rewindOps(
  sink: RewindSink,
  input: { removed: readonly RemovedBlock[]; current: State; target: State; returnTransactions: boolean },
): Uint8Array[] {
  const { removed, current, target } = input;
  const returned: Uint8Array[] = [];
  for (const { number, block, receipts } of removed) {
    sink.delBlock(number, blockHash(block.header));
    for (const r of receipts) sink.delTxLocation(r.txHash);
    if (!input.returnTransactions) continue;
    const d = block.deposits.length;
    block.transactions.forEach((tx, j) => {
      const hash = receipts[d + j]?.txHash;
      if (!hash) throw new DbError(DbErrorCode.CORRUPT, `Block ${number}'s receipts do not match its transactions`);
      sink.putJournal(hash, encodeSignedTx(tx));
      returned.push(hash);
    });
  }
  // Objects: what the target lacks goes, what differs (by value hash) or is missing comes back.
  for (const e of current.objects.entries()) {
    const t = target.objects.getLeaf(e.key);
    if (!t) {
      sink.delObject(e.key);
      sink.index(e.value.ns, e.value.id, e.value.value, undefined);
    } else if (!bytesEqual(t.valueHash, e.valueHash)) {
      sink.putObject(e.key, t.value.ns, t.value.id, t.value.value);
      sink.index(e.value.ns, e.value.id, e.value.value, t.value.value);
    }
  }
  for (const t of target.objects.entries()) {
    if (current.objects.getLeaf(t.key)) continue;
    sink.putObject(t.key, t.value.ns, t.value.id, t.value.value);
    sink.index(t.value.ns, t.value.id, undefined, t.value.value);
  }
  for (let i = target.withdrawals.length; i < current.withdrawals.length; i++) sink.delWithdrawal(i);
  return returned;
}

/** The checks before a rewind: the target is a block of this chain and both states are the ones named. */
export function checkRewind(input: {
  head: { number: number; header: BlockHeader };
  target: number;
  targetHash: Uint8Array;
  storedTargetHash: Uint8Array | null;
  targetHeader: BlockHeader | null;
  current: State;
  targetState: State;
}): void {
  const { head, target, targetHash, storedTargetHash, targetHeader } = input;
  const bad = (what: string, details: Record<string, unknown>) =>
    new DbError(DbErrorCode.BAD_INPUT, `Rewind to block ${target}: ${what}`, { details });
  if (!storedTargetHash || !targetHeader || !bytesEqual(storedTargetHash, targetHash)) {
    throw bad("the block there is not the one L1 holds", {
      expected: toHex(targetHash),
      stored: storedTargetHash ? toHex(storedTargetHash) : null,
    });
  }
  if (!bytesEqual(input.current.roots().stateRoot, head.header.stateRoot)) {
    throw bad("the current state is not the head's", { head: head.number });
  }
  if (!bytesEqual(input.targetState.roots().stateRoot, targetHeader.stateRoot)) {
    throw bad("the target state is not the target block's", { stateRoot: toHex(targetHeader.stateRoot) });
  }
}
