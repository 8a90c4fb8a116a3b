/**
 * What a header reveal put on L1 (docs/fault-proofs.md, Level 1): the header and the two list
 * entries `revealHeader` proved, read back from its calldata. A player that requested the header
 * reads it here, so it keeps nothing of its own between ticks.
 */
import type { BlockHeader } from "@filverse/types";
import { type Address, decodeFunctionData, type Hex, hexToBytes } from "viem";
import type { L1Clients } from "../clients.js";
import { disputeGameAbi, headerFromAbi } from "./disputeGame.js";

/** A revealed header with its proof at entry `blockNumber − (firstBlock − 1)`, and the entry before it with its proof. */
export type RevealedHeader = {
  header: BlockHeader;
  headerProof: Uint8Array[];
  parentEntry: Uint8Array;
  parentProof: Uint8Array[];
};

/**
 * The header that answered reveal request `id` (found by the game's `HeaderRevealed` log), or null
 * when none did or the answer was sent through another contract (its calldata is not the game's).
 * `fromBlock`: the L1 block the game was deployed at.
 */
export async function readRevealedHeader(
  game: Address,
  id: number,
  l1: Pick<L1Clients, "publicClient">,
  fromBlock = 0n,
): Promise<RevealedHeader | null> {
  const abi = disputeGameAbi();
  const logs = await l1.publicClient.getContractEvents({
    address: game,
    abi,
    eventName: "HeaderRevealed",
    args: { gameId: BigInt(id) },
    fromBlock,
    toBlock: "latest",
  } as never);
  const log = (logs as { transactionHash: Hex }[])[0];
  if (!log) return null;
  const tx = await l1.publicClient.getTransaction({ hash: log.transactionHash });
  let decoded: { functionName: string; args?: readonly unknown[] };
  try {
    decoded = decodeFunctionData({ abi, data: tx.input });
  } catch {
    return null;
  }
  if (decoded.functionName !== "revealHeader") return null;
  const [, header, headerProof, parentEntry, parentProof] = decoded.args as [
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
