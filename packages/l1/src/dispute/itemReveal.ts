/**
 * The reveal of a withheld block body (docs/fault-proofs.md, Data): a challenger asks for item `j` of
 * block `k` of a checkpoint (`requestItem`, with the challenge bond), and the defender team answers
 * with the item proven at index `j` of header k's txRoot (`revealItem`), or, for an index past the
 * block's items, with txRoot opened to its length (`revealItemAbsent`). The item travels in the form
 * OneStepExecutor's step takes it, so the game checks it with the executor's own `itemHash`: an L1
 * message as abi.encode(Deposit, bool listedAsTx), a transaction as abi.encode(Transaction).
 */
import { depositHash } from "@filverse/crypto";
import { type BlockTrace, proveStep, type TraceItem } from "@filverse/state";
import { VIA_KIND_FLAG } from "@filverse/types";
import { bytesEqual, toHex } from "@filverse/utils";
import { type AbiParameter, type Address, encodeAbiParameters, type Hex } from "viem";
import type { L1Clients } from "../clients.js";
import { disputeGameAbi } from "./disputeGame.js";
import { DepositAbi, depositToAbi, TransactionAbi, txMessageToAbi } from "./stepProof.js";

const listedAsTxAbi: AbiParameter = { name: "listedAsTx", type: "bool" };

/**
 * An item of a block as `revealItem` carries it. `hash` is the hash txRoot lists it under: for a
 * forced transaction, its tx hash when it was includable there, its deposit's hash when not.
 */
export function encodeRevealedItem(item: TraceItem, hash: Uint8Array): { l1Message: boolean; data: Hex } {
  if (item.tx) {
    const tx = item.tx;
    return {
      l1Message: false,
      data: encodeAbiParameters(
        [TransactionAbi],
        [
          {
            chainId: BigInt(tx.chainId),
            kind: tx.via ? VIA_KIND_FLAG | tx.kind : tx.kind,
            message: txMessageToAbi(tx),
            signature: toHex(tx.signature),
          },
        ],
      ),
    };
  }
  const d = item.deposit!;
  return {
    l1Message: true,
    data: encodeAbiParameters([DepositAbi, listedAsTxAbi], [depositToAbi(d), !bytesEqual(hash, depositHash(d))]),
  };
}

/** The answer to a request for item `j` of a traced block: the item with its place, or the item count. */
export type ItemAnswer =
  | { kind: "item"; l1Message: boolean; data: Hex; itemCount: number; itemProof: Uint8Array[] }
  | { kind: "absent"; itemsListRoot: Uint8Array; itemCount: number };

/**
 * The answer to a request for item `j` from the block's trace: item `j` runs at step j + 1, whose
 * proof carries the item, the hash txRoot lists it under and its siblings; an index past the items
 * is answered with txRoot's list root and length (the end-of-block step's).
 */
export function itemAnswerOf(trace: BlockTrace, j: number): ItemAnswer {
  if (j >= trace.items.length) {
    const end = proveStep(trace, trace.steps.length - 1);
    return { kind: "absent", itemsListRoot: end.txDataRoot, itemCount: end.itemCount };
  }
  const p = proveStep(trace, j + 1);
  return {
    kind: "item",
    ...encodeRevealedItem(trace.items[j]!, trace.itemHashes[j]!),
    itemCount: p.itemCount,
    itemProof: p.itemSiblings,
  };
}

/** How an item request was answered, from the game's logs; null while it is not (or not answered). */
export type ItemRevealView =
  | { kind: "item"; item: number; l1Message: boolean; data: Hex; revealer: Address }
  | { kind: "absent"; itemCount: number; revealer: Address };

export async function readItemReveal(
  game: Address,
  id: number,
  l1: Pick<L1Clients, "publicClient">,
  fromBlock = 0n,
): Promise<ItemRevealView | null> {
  const abi = disputeGameAbi();
  const get = (eventName: string) =>
    l1.publicClient.getContractEvents({
      address: game,
      abi,
      eventName,
      args: { gameId: BigInt(id) },
      fromBlock,
      toBlock: "latest",
    } as never) as Promise<{ args: Record<string, unknown> }[]>;
  const [revealed, absent] = await Promise.all([get("ItemRevealed"), get("ItemAbsent")]);
  const r = revealed[0]?.args;
  if (r) {
    return {
      kind: "item",
      item: Number(r.item),
      l1Message: r.l1Message as boolean,
      data: r.data as Hex,
      revealer: r.revealer as Address,
    };
  }
  const a = absent[0]?.args;
  return a ? { kind: "absent", itemCount: Number(a.itemCount), revealer: a.revealer as Address } : null;
}
