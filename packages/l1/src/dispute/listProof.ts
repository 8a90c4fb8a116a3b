/**
 * Proofs of an entry of a checkpoint's blockHashesRoot (hash_tree_root(List[Bytes32, 16384]) of the
 * hashes of blocks firstBlock − 1 .. lastBlock), as the game's `Ssz.listRootFromItem` checks them:
 * the 14 siblings of the entry's index, leaf level first.
 */
import { getHasher } from "@filverse/crypto";
import { BLOCK_HASHES_LIMIT } from "@filverse/params";

/** log2(BLOCK_HASHES_LIMIT = 16,384). */
export const BLOCK_HASHES_DEPTH = Math.log2(BLOCK_HASHES_LIMIT);

/** The siblings of entry `index` of `hashes` in a tree of 2^depth leaves (zero-padded), leaf level first. */
export function listEntryProof(hashes: readonly Uint8Array[], index: number, depth = BLOCK_HASHES_DEPTH): Uint8Array[] {
  if (!Number.isInteger(index) || index < 0 || index >= hashes.length) {
    throw new RangeError(`entry ${index} is not in a list of ${hashes.length}`);
  }
  const hasher = getHasher();
  let level = hashes.slice();
  let zero: Uint8Array = new Uint8Array(32);
  const siblings: Uint8Array[] = [];
  let i = index;
  for (let d = 0; d < depth; d++) {
    siblings.push(level[i ^ 1] ?? zero);
    const next: Uint8Array[] = [];
    for (let j = 0; j < level.length; j += 2) next.push(hasher.digest64(level[j]!, level[j + 1] ?? zero));
    level = next;
    zero = hasher.digest64(zero, zero);
    i >>= 1;
  }
  return siblings;
}
