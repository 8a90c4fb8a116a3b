/** L2 block chains for the dispute game's tests: linked headers, their blockHashesRoot, and challenge arguments. */
import { getHasher } from "@filverse/crypto";
import { BlockHeader, blockHash } from "@filverse/types";
import { toHex } from "@filverse/utils";

/** ceil(log2(BLOCK_HASHES_LIMIT = 16,384)). */
export const BLOCK_HASHES_DEPTH = 14;

export const hasher = getHasher();
export const rand32 = (): Uint8Array => crypto.getRandomValues(new Uint8Array(32));

function uint256le(n: number): Uint8Array {
  const out = new Uint8Array(32);
  new DataView(out.buffer).setUint32(0, n, true);
  return out;
}
export const mixInLength = (root: Uint8Array, length: number) => hasher.digest64(root, uint256le(length));

/** Merkle root of `items` padded to 2^depth leaves, and the siblings of item `index` (leaf level first). */
export function merkle(items: Uint8Array[], depth: number, index = 0): { root: Uint8Array; siblings: Uint8Array[] } {
  let level = items.slice();
  let zero: Uint8Array = new Uint8Array(32);
  const siblings: Uint8Array[] = [];
  let i = index;
  for (let d = 0; d < depth; d++) {
    siblings.push((i ^ 1) < level.length ? level[i ^ 1]! : zero);
    const next: Uint8Array[] = [];
    for (let j = 0; j < level.length; j += 2) next.push(hasher.digest64(level[j]!, level[j + 1] ?? zero));
    level = next;
    zero = hasher.digest64(zero, zero);
    i >>= 1;
  }
  return { root: level[0] ?? zero, siblings };
}

export type ChainBlock = { header: BlockHeader; objectsRoot: Uint8Array; itemsListRoot: Uint8Array; itemCount: number };
export type Chain = { first: number; last: number; blocks: ChainBlock[]; hashes: Uint8Array[]; root: Uint8Array };

/** Blocks first-1..last that link, each with `items(number)` items, and their blockHashesRoot. */
export function makeChain(first: number, last: number, items: (n: number) => number = () => 6): Chain {
  const blocks: ChainBlock[] = [];
  const hashes: Uint8Array[] = [];
  for (let number = first - 1; number <= last; number++) {
    const objectsRoot = rand32();
    const withdrawalsRoot = rand32();
    const itemsListRoot = rand32();
    const itemCount = items(number);
    const header: BlockHeader = {
      chainId: 3_141_592_601,
      number,
      parentHash: hashes.at(-1) ?? rand32(),
      timestamp: 1_700_000_000 + number,
      proposer: new Uint8Array(20).fill(0x5e),
      txRoot: mixInLength(itemsListRoot, itemCount),
      receiptsRoot: rand32(),
      stateRoot: hasher.digest64(objectsRoot, withdrawalsRoot),
      withdrawalsRoot,
      l1DepositNonce: number * 2,
    };
    blocks.push({ header, objectsRoot, itemsListRoot, itemCount });
    hashes.push(BlockHeader.hashTreeRoot(header));
  }
  return { first, last, blocks, hashes, root: listRoot(hashes) };
}

export const listRoot = (hashes: Uint8Array[]) => mixInLength(merkle(hashes, BLOCK_HASHES_DEPTH).root, hashes.length);

/** `chain` with `block` (hash `hash`) as its entry 0: every later header's parentHash and hash anew, and the root. */
export function linkOnto(chain: Chain, block: ChainBlock, hash: Uint8Array): Chain {
  chain.blocks[0] = block;
  chain.hashes[0] = hash;
  for (let e = 1; e < chain.blocks.length; e++) {
    chain.blocks[e]!.header.parentHash = chain.hashes[e - 1]!;
    chain.hashes[e] = blockHash(chain.blocks[e]!.header);
  }
  chain.root = listRoot(chain.hashes);
  return chain;
}

/** Blocks first .. last (by default 4·index+1 .. 4·index+4, checkpoint `index`'s), linked to `previous`'s last block. */
export function chainAfter(index: number, previous: Chain | null, first = 4 * index + 1, last = 4 * index + 4): Chain {
  const chain = makeChain(first, last);
  return previous ? linkOnto(chain, previous.blocks.at(-1)!, previous.hashes.at(-1)!) : chain;
}

export function headerToAbi(h: BlockHeader) {
  return {
    chainId: BigInt(h.chainId),
    number: BigInt(h.number),
    parentHash: toHex(h.parentHash),
    timestamp: BigInt(h.timestamp),
    proposer: toHex(h.proposer),
    txRoot: toHex(h.txRoot),
    receiptsRoot: toHex(h.receiptsRoot),
    stateRoot: toHex(h.stateRoot),
    withdrawalsRoot: toHex(h.withdrawalsRoot),
    l1DepositNonce: BigInt(h.l1DepositNonce),
  };
}

/** The challenge of block k of `chain` as checkpoint `index`. */
export function challengeOf(chain: Chain, index: number, k: number) {
  const e = k - chain.first; // entry of block k-1
  const parent = chain.blocks[e]!;
  const block = chain.blocks[e + 1]!;
  return {
    checkpointIndex: BigInt(index),
    blockNumber: BigInt(k),
    parent: headerToAbi(parent.header),
    parentProof: merkle(chain.hashes, BLOCK_HASHES_DEPTH, e).siblings.map(toHex),
    header: headerToAbi(block.header),
    headerProof: merkle(chain.hashes, BLOCK_HASHES_DEPTH, e + 1).siblings.map(toHex),
    parentObjectsRoot: toHex(parent.objectsRoot),
    objectsRoot: toHex(block.objectsRoot),
    itemsListRoot: toHex(block.itemsListRoot),
    itemCount: BigInt(block.itemCount),
  };
}
