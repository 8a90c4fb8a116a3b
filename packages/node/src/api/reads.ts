/** Reads several namespaces share: a tagged block's state, a block as JSON, a transaction's status. */
import { RpcError } from "@filverse/rpc";
import type { State } from "@filverse/state";
import {
  BlockHeader,
  type BlockJson,
  blockHash,
  Deposit,
  RpcErrorCode,
  type SignedBlock,
  signedTxToJson,
  type TxStatusJson,
} from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import type { RpcNode, SettlementView } from "./types.js";

/** The state after the tagged block; recent blocks only. */
export function stateAtTag(node: RpcNode, tag: number | "latest"): { state: State; number: number } {
  const number = tag === "latest" ? node.head.number : tag;
  const state = node.stateAt(number);
  if (!state) {
    throw new RpcError(RpcErrorCode.UNKNOWN_BLOCK, {
      message:
        number > node.head.number
          ? `Block ${number} does not exist yet`
          : `State of block ${number} is no longer kept (recent blocks only)`,
      data: { head: node.head.number },
    });
  }
  return { state, number };
}

export function blockJson(block: SignedBlock, full: boolean, hashes: string[]): BlockJson {
  return {
    hash: toHex(blockHash(block.header)),
    header: BlockHeader.toJson(block.header),
    signature: toHex(block.signature),
    deposits: block.deposits.map((d) => Deposit.toJson(d)),
    transactions: full ? block.transactions.map((t) => signedTxToJson(t)) : (hashes as `0x${string}`[]),
  };
}

/** Block `n` as JSON (transaction hashes from its receipts, or the full transactions), or null. */
export async function getBlockJson(node: RpcNode, n: number, full: boolean): Promise<BlockJson | null> {
  const block = await node.db.getBlockByNumber(n);
  if (!block) return null;
  const hashes = ((await node.db.getReceipts(n)) ?? []).map((r) => toHex(r.txHash));
  return blockJson(block, full, hashes);
}

/** A transaction's status: pending here, preconfirmed, sequenced (and how far settled), dropped, or unknown. */
export async function txStatus(node: RpcNode, settlement: SettlementView | null, hash: string): Promise<TxStatusJson> {
  const db = node.db;
  const h = hash as `0x${string}`;
  const pre = node.preconfirmedAt?.(hash);
  if (pre) return { hash: h, status: "preconfirmed", blockNumber: String(pre.number), index: pre.position };
  if (node.pendingTx(hash)) return { hash: h, status: "pending" };
  const loc = await db.getTxLocation(fromHex(hash));
  if (loc) {
    const receipt = (await db.getReceipts(loc.blockNumber))?.[loc.index];
    const block = await db.getBlockByNumber(loc.blockNumber);
    const status = !settlement
      ? "sequenced"
      : loc.blockNumber <= settlement.finalizedBlock()
        ? "finalized"
        : loc.blockNumber <= (settlement.storedBlock?.() ?? 0)
          ? "stored"
          : loc.blockNumber <= settlement.checkpointedBlock()
            ? "checkpointed"
            : "sequenced";
    return {
      hash: h,
      status,
      blockNumber: String(loc.blockNumber),
      blockHash: block ? toHex(blockHash(block.header)) : undefined,
      index: loc.index,
      result: receipt?.status === 1 ? "success" : "failed",
      code: receipt?.code ?? 0,
    } as TxStatusJson;
  }
  if (!node.isDropped(hash)) return { hash: h, status: "unknown" };
  return { hash: h, status: "dropped", ...node.dropInfo?.(hash) };
}
