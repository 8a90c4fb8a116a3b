/**
 * The challenge of a checkpoint that names a block this node refused (a sealed block whose
 * re-execution did not give its header: its invalid-block evidence). The node's own chain stops
 * before that block, so the checkpoint's list holds headers it never imported: the refused block
 * `k` itself, and the sequencer's headers after it. It takes those from the block source, checks
 * that the whole list (its own headers up to `k − 1`, the refused header `k`, the rest) is the
 * checkpoint's `blockHashesRoot`, and challenges block `k` by bisection: headers `k − 1` and `k` with
 * their list proofs, and the objects root behind `k − 1`'s state root, which it holds. Header `k`'s
 * roots are left for the defenders to open (a wrong state root may have no preimage anyone knows).
 */
import { type ChallengeArgs, listEntryProof } from "@filverse/l1";
import type { State } from "@filverse/state";
import { type BlockHeader, blockHash, blockHashesRoot, type SignedBlock } from "@filverse/types";
import { bytesEqual, toHex } from "@filverse/utils";
import { ownHeader } from "./ownList.js";

/** What the challenge reads of the node: its own chain, what it refused, the source's headers. */
export type RefusedChallengeView = {
  headNumber(): number;
  block(n: number): Promise<SignedBlock | null>;
  stateAt(n: number): Promise<State | undefined>;
  /** A sealed block this node refused at height n (its invalid-block evidence), or null. */
  refusedAt?(n: number): Promise<SignedBlock | null>;
  /** Header n as the block source serves it (the sequencer's chain), or null. */
  remoteHeader?(n: number): Promise<BlockHeader | null>;
  /** The genesis header (block(0) may have no signed block). */
  genesisHeader?(): Promise<BlockHeader | null>;
};

/** The checkpoint as the game reads it. */
export type ChallengedCheckpoint = { index: number; firstBlock: number; lastBlock: number; blockHashesRoot: string };

/**
 * The challenge of the first block of `cp` that this node refused, or null: no such block, its
 * parent is not this node's, a header is missing or does not link, or the list is not `cp`'s.
 */
export async function refusedBlockChallenge(
  view: RefusedChallengeView,
  cp: ChallengedCheckpoint,
): Promise<ChallengeArgs | null> {
  if (!view.refusedAt || !view.remoteHeader || cp.firstBlock < 1) return null;
  const own = (n: number) => ownHeader(view, n);
  // The list's entries firstBlock − 1 .. lastBlock: this node's own headers until the refused one.
  const headers: BlockHeader[] = [];
  let k = -1;
  for (let n = cp.firstBlock - 1; n <= cp.lastBlock; n++) {
    const h = k < 0 ? await own(n) : await view.remoteHeader(n);
    if (h) {
      headers.push(h);
      continue;
    }
    if (k >= 0 || n < cp.firstBlock) return null;
    const refused = await view.refusedAt(n);
    if (!refused) return null;
    k = n;
    headers.push(refused.header);
  }
  if (k < 0) return null;
  for (let e = 1; e < headers.length; e++) {
    if (!bytesEqual(headers[e]!.parentHash, blockHash(headers[e - 1]!))) return null;
  }
  const range = headers.slice(1);
  if (toHex(blockHashesRoot(range)).toLowerCase() !== cp.blockHashesRoot.toLowerCase()) return null;
  const parentState = await view.stateAt(k - 1);
  if (!parentState) return null;
  const hashes = headers.map((h) => blockHash(h));
  const e = k - (cp.firstBlock - 1);
  const zero = new Uint8Array(32);
  return {
    checkpointIndex: cp.index,
    blockNumber: k,
    parent: headers[e - 1]!,
    parentProof: listEntryProof(hashes, e - 1),
    header: headers[e]!,
    headerProof: listEntryProof(hashes, e),
    parentObjectsRoot: parentState.objects.root(),
    objectsRoot: zero,
    itemsListRoot: zero,
    itemCount: 0,
  };
}
