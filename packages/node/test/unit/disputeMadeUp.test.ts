/**
 * searchMadeUp (dispute/madeUp.ts): from a node's own list and the header reveals L1 holds, where a
 * checkpoint's list of block hashes first leaves the node's chain. Driven as the player drives it:
 * each "request" is answered with the checkpoint's header at that entry and its proofs, until the
 * search finds the first made-up entry, within the depth of the list's tree.
 */
import { BLOCK_HASHES_DEPTH, listEntryProof } from "@filverse/l1";
import { BlockHashListSsz, type BlockHeader, blockHash } from "@filverse/types";
import { describe, expect, it } from "vitest";
import { type EntryReveal, searchMadeUp } from "../../src/dispute/madeUp.js";

const header = (n: number, salt: number): BlockHeader => ({
  chainId: 1,
  number: n,
  parentHash: new Uint8Array(32).fill(salt),
  timestamp: n,
  proposer: new Uint8Array(20),
  txRoot: new Uint8Array(32),
  receiptsRoot: new Uint8Array(32),
  stateRoot: new Uint8Array(32).fill(salt),
  withdrawalsRoot: new Uint8Array(32),
  l1DepositNonce: 0,
});

/** Entries 0..L-1 of the node's list, and the checkpoint's: the same up to `k`, made up from `k` on (or only at `only`). */
function lists(L: number, k: number, onlyK = false) {
  const own = Array.from({ length: L }, (_, e) => header(e, 1));
  const theirs = own.map((h, e) => (e === k || (!onlyK && e > k) ? header(e, 2) : h));
  return { own: own.map(blockHash), theirs, theirHashes: theirs.map(blockHash) };
}

function reveal(theirs: BlockHeader[], hashes: Uint8Array[], entry: number): EntryReveal {
  return {
    entry,
    revealed: {
      header: theirs[entry]!,
      headerProof: listEntryProof(hashes, entry),
      parentEntry: hashes[entry - 1]!,
      parentProof: listEntryProof(hashes, entry - 1),
    },
  };
}

describe("searchMadeUp", () => {
  it("finds the first made-up entry within the tree's depth in requests, whatever the list and the entry", () => {
    for (const L of [2, 3, 5, 8, 9, 33, 100, 513]) {
      for (const k of new Set([1, 2, Math.floor(L / 2), L - 2, L - 1].filter((x) => x >= 1 && x < L))) {
        for (const onlyK of [false, true]) {
          const { own, theirs, theirHashes } = lists(L, k, onlyK);
          const root = BlockHashListSsz.hashTreeRoot(theirHashes);
          const reveals: EntryReveal[] = [];
          let found = -1;
          for (let round = 0; round <= BLOCK_HASHES_DEPTH + 1 && found < 0; round++) {
            const s = searchMadeUp(own, root, reveals);
            if (s.kind === "found") found = s.entry;
            else if (s.kind === "request") {
              expect(s.entry, `L ${L}, k ${k}`).toBeGreaterThanOrEqual(1);
              expect(reveals.some((r) => r.entry === s.entry)).toBe(false);
              reveals.push(reveal(theirs, theirHashes, s.entry));
            } else throw new Error(`L ${L}, k ${k}: ${s.kind}`);
          }
          expect(found, `L ${L}, k ${k}, only ${onlyK}`).toBe(k);
          expect(reveals.length).toBeLessThanOrEqual(Math.ceil(Math.log2(L)) + 1);
        }
      }
    }
  });

  it("says the list is the node's, and refuses what no header request can show", () => {
    const { own, theirs, theirHashes } = lists(6, 0);
    expect(searchMadeUp(own, BlockHashListSsz.hashTreeRoot(own), []).kind).toBe("same");
    // Entry 0 is not the node's block: no header of the range shows it.
    const root = BlockHashListSsz.hashTreeRoot(theirHashes);
    let s = searchMadeUp(own, root, []);
    expect(s).toEqual({ kind: "request", entry: 5 });
    const reveals: EntryReveal[] = [];
    for (let i = 0; i < 5 && s.kind === "request"; i++) {
      reveals.push(reveal(theirs, theirHashes, s.entry));
      s = searchMadeUp(own, root, reveals);
    }
    expect(s).toMatchObject({ kind: "unprovable", why: "entry 0 is not this node's block" });
    // A reveal that is not a proof against this list teaches nothing.
    const other = lists(6, 3);
    const stray = reveal(other.theirs, other.theirHashes, 5);
    expect(searchMadeUp(own, root, [stray])).toEqual({ kind: "request", entry: 5 });
  });
});
