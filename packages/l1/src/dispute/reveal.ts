/**
 * What a header reveal put on L1 (docs/fault-proofs.md, Level 1): the header and the two list
 * entries `revealHeader` proved, read back from its calldata as the game logged it (`MoveData`). A player that requested the header
 * reads it here, so it keeps nothing of its own between ticks.
 */
import type { BlockHeader } from "@filverse/types";
import { type Address, type Hex, hexToBytes } from "viem";
import type { L1Clients } from "../clients.js";
import { headerFromAbi, readMoveCall } from "./disputeGame.js";

/** A revealed header with its proof at entry `blockNumber − (firstBlock − 1)`, and the entry before it with its proof. */
export type RevealedHeader = {
  header: BlockHeader;
  headerProof: Uint8Array[];
  parentEntry: Uint8Array;
  parentProof: Uint8Array[];
};

/**
 * The header that answered reveal request `id`, from the game's `MoveData` log of its
 * `revealHeader` (the calldata as the game received it, so also an answer sent through another
 * contract), or null when none did. `fromBlock`: the L1 block the game was deployed at.
 */
export async function readRevealedHeader(
  game: Address,
  id: number,
  l1: Pick<L1Clients, "publicClient">,
  fromBlock = 0n,
): Promise<RevealedHeader | null> {
  const call = await readMoveCall(game, id, "revealHeader", l1, fromBlock);
  if (!call) return null;
  const [, header, headerProof, parentEntry, parentProof] = call as [
    bigint,
    Record<string, unknown>,
    Hex[],
    Hex,
    Hex[],
  ];
  return {
    header: headerFromAbi(header),
    headerProof: headerProof.map((x) => hexToBytes(x)),
    parentEntry: hexToBytes(parentEntry),
    parentProof: parentProof.map((x) => hexToBytes(x)),
  };
}
