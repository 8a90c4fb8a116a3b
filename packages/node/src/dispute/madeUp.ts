/**
 * Where a checkpoint's list of block hashes (`blockHashesRoot`) first leaves this node's chain, found
 * from what L1 shows of that list (docs/fault-proofs.md, "Nodes play the game"). The node holds
 * every header of the range, so it knows its own list; of the checkpoint's it knows only the root,
 * and what header reveals (`requestHeader` answered by `revealHeader`) put on L1: each reveal proves
 * an entry and the entry before it, and their proofs' siblings are the roots of whole subtrees.
 * Walking down from the root, the first subtree whose root is not this node's holds the first
 * made-up entry; where a subtree's root is unknown, the node asks for a header in it. With the header
 * at the first made-up entry revealed, the challenge has everything: this node's header before it,
 * the made-up header, and both proofs.
 */
import { getHasher } from "@filverse/crypto";
import { BLOCK_HASHES_DEPTH, type RevealedHeader } from "@filverse/l1";
import { mixInLength } from "@filverse/state";
import { blockHash } from "@filverse/types";
import { bytesEqual, toHex } from "@filverse/utils";

/** A reveal on L1 of entry `entry` (block firstBlock − 1 + entry) of the checkpoint's list. */
export type EntryReveal = { entry: number; revealed: RevealedHeader };

export type MadeUpSearch =
  /** The list is this node's. */
  | { kind: "same" }
  /** Entry `entry` is the first that is not this node's, and `reveal` shows its header. */
  | { kind: "found"; entry: number; reveal: EntryReveal }
  /** The header at entry `entry` is needed next. */
  | { kind: "request"; entry: number }
  /** The list differs where no header can be asked for (entry 0, or past its length). */
  | { kind: "unprovable"; why: string };

/**
 * `own`: this node's hashes of blocks firstBlock − 1 .. lastBlock (entries 0 .. L − 1); `root`:
 * the checkpoint's blockHashesRoot; `reveals`: what L1 showed of its list.
 */
export function searchMadeUp(
  own: readonly Uint8Array[],
  root: Uint8Array,
  reveals: readonly EntryReveal[],
): MadeUpSearch {
  const L = own.length;
  const D = BLOCK_HASHES_DEPTH;
  const hasher = getHasher();
  const zero: Uint8Array[] = [new Uint8Array(32)];
  for (let d = 0; d < D; d++) zero.push(hasher.digest64(zero[d]!, zero[d]!));
  const ours: Uint8Array[][] = [own.slice()];
  for (let d = 0; d < D; d++) {
    const level = ours[d]!;
    const next: Uint8Array[] = [];
    for (let j = 0; j < level.length; j += 2) next.push(hasher.digest64(level[j]!, level[j + 1] ?? zero[d]!));
    ours.push(next);
  }
  const ourNode = (d: number, p: number) => ours[d]![p] ?? zero[d]!;
  if (bytesEqual(mixInLength(ourNode(D, 0), L), root)) return { kind: "same" };

  // The checkpoint's tree nodes that the reveals' proofs show, by "level:position".
  const theirs = new Map<string, Uint8Array>();
  const learn = (entry: number, leaf: Uint8Array, siblings: readonly Uint8Array[]) => {
    if (siblings.length !== D) return;
    const path = new Map<string, Uint8Array>();
    let node = leaf;
    for (let d = 0; d < D; d++) {
      const p = entry >> d;
      path.set(`${d}:${p}`, node);
      path.set(`${d}:${p ^ 1}`, siblings[d]!);
      node = p & 1 ? hasher.digest64(siblings[d]!, node) : hasher.digest64(node, siblings[d]!);
    }
    if (!bytesEqual(mixInLength(node, L), root)) return; // not a proof against this list
    for (const [key, v] of path) theirs.set(key, v);
  };
  for (const r of reveals) {
    learn(r.entry, blockHash(r.revealed.header), r.revealed.headerProof);
    if (r.entry >= 1) learn(r.entry - 1, r.revealed.parentEntry, r.revealed.parentProof);
  }

  // Down from the root, always into the leftmost subtree whose root is not this node's.
  let p = 0;
  for (let d = D; d > 0; d--) {
    const [left, right] = [2 * p, 2 * p + 1];
    const size = 2 ** (d - 1);
    if (left * size >= L) return { kind: "unprovable", why: "the list differs past its length" };
    const theirLeft = theirs.get(`${d - 1}:${left}`);
    if (!theirLeft) {
      // Ask for the last entry of the left subtree: its proof shows every left sibling on its path.
      return { kind: "request", entry: Math.max(1, Math.min(L - 1, (left + 1) * size - 1)) };
    }
    p = bytesEqual(theirLeft, ourNode(d - 1, left)) ? right : left;
  }
  if (p >= L) return { kind: "unprovable", why: "the list differs past its length" };
  if (p === 0) return { kind: "unprovable", why: "entry 0 is not this node's block" };
  const reveal = reveals.find((r) => r.entry === p);
  if (!reveal) return { kind: "request", entry: p };
  if (!bytesEqual(reveal.revealed.parentEntry, own[p - 1]!)) {
    return {
      kind: "unprovable",
      why: `the entry before ${p} is not this node's: ${toHex(reveal.revealed.parentEntry)}`,
    };
  }
  return { kind: "found", entry: p, reveal };
}
