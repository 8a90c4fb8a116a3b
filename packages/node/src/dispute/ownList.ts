/**
 * This node's own list of a checkpoint's range (blocks firstBlock − 1 .. lastBlock), and the answer
 * it gives to a header request on a checkpoint whose list is its own (docs/fault-proofs.md, Level 1):
 * `revealHeader` with the header, its proof, and the entry before it with its proof.
 */
import { type DisputableCheckpoint, type DisputeMove, listEntryProof } from "@filverse/l1";
import { BlockHashListSsz, type BlockHeader, blockHash, type SignedBlock } from "@filverse/types";
import { bytesEqual, fromHex, toHex } from "@filverse/utils";

/** What the list reads of the node. */
export type OwnListView = {
  headNumber(): number;
  block(n: number): Promise<SignedBlock | null>;
  /** The genesis header (block(0) may have no signed block). */
  genesisHeader?(): Promise<BlockHeader | null>;
};

/** This node's header n, or null when it does not hold it. */
export async function ownHeader(view: OwnListView, n: number): Promise<BlockHeader | null> {
  if (n < 0 || n > view.headNumber()) return null;
  const header = (await view.block(n))?.header ?? null;
  return header ?? (n === 0 ? ((await view.genesisHeader?.()) ?? null) : null);
}

/** This node's headers firstBlock − 1 .. lastBlock and their hashes, or null when it does not hold them all. */
export async function ownList(
  view: OwnListView,
  firstBlock: number,
  lastBlock: number,
): Promise<{ headers: BlockHeader[]; hashes: Uint8Array[] } | null> {
  const headers: BlockHeader[] = [];
  for (let n = firstBlock - 1; n <= lastBlock; n++) {
    const h = await ownHeader(view, n);
    if (!h) return null;
    headers.push(h);
  }
  return { headers, hashes: headers.map((h) => blockHash(h)) };
}

/**
 * The `revealHeader` of block `blockNumber` for reveal request `gameId` on `cp`, when this node's
 * list is the checkpoint's (and, at the last entry, its header carries the checkpoint's roots, as
 * the game requires); null otherwise.
 */
export async function revealAnswer(
  view: OwnListView,
  gameId: number,
  blockNumber: number,
  cp: Pick<DisputableCheckpoint, "firstBlock" | "lastBlock" | "blockHashesRoot" | "stateRoot" | "withdrawalsRoot">,
): Promise<DisputeMove | null> {
  if (blockNumber < cp.firstBlock || blockNumber > cp.lastBlock) return null;
  const list = await ownList(view, cp.firstBlock, cp.lastBlock);
  if (!list) return null;
  if (!bytesEqual(BlockHashListSsz.hashTreeRoot(list.hashes), fromHex(cp.blockHashesRoot, 32))) return null;
  const e = blockNumber - (cp.firstBlock - 1);
  const header = list.headers[e]!;
  if (
    blockNumber === cp.lastBlock &&
    (toHex(header.stateRoot).toLowerCase() !== cp.stateRoot.toLowerCase() ||
      toHex(header.withdrawalsRoot).toLowerCase() !== cp.withdrawalsRoot.toLowerCase())
  ) {
    return null;
  }
  return {
    kind: "revealHeader",
    gameId,
    header,
    headerProof: listEntryProof(list.hashes, e),
    parentEntry: list.hashes[e - 1]!,
    parentProof: listEntryProof(list.hashes, e - 1),
  };
}
