/**
 * Transactions: submission (admitted by a sequencer, forwarded by a verifier), lookup, receipts
 * and status.
 */
import { expectParamCount, paramHex, paramObject } from "@filverse/rpc";
import { blockHash, Deposit, decodeSignedTx, Receipt, RpcErrorCode, signedTxToJson, TxKind } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import { txStatus } from "./reads.js";
import { toRpcError } from "./toRpcError.js";
import type { ApiModules, RpcHandlers } from "./types.js";

export type TransactionsApi = Pick<
  RpcHandlers,
  | "filverse_sendTransaction"
  | "filverse_getTransaction"
  | "filverse_getTransactionReceipt"
  | "filverse_getTransactionStatus"
>;

export function transactionsApi({ node, settlement }: ApiModules): TransactionsApi {
  const db = () => node.db;
  const statusOf = (hash: string) => txStatus(node, settlement, hash);
  return {
    // A transaction nested too deeply is malformed (the dispatcher checks before the handler runs).
    filverse_sendTransaction: Object.assign(
      async (p: unknown[]) => {
        expectParamCount(p, 1, 1);
        const tx = paramObject(p, 0, "transaction");
        try {
          return await node.submitJson(tx);
        } catch (err) {
          throw toRpcError(err);
        }
      },
      { tooDeepCode: RpcErrorCode.MALFORMED_TRANSACTION },
    ),
    filverse_getTransaction: async (p) => {
      expectParamCount(p, 1, 1);
      const hash = paramHex(p, 0, "hash", 32);
      const pooled = node.pendingTx(hash);
      if (pooled) return { ...signedTxToJson(pooled.vtx.tx), hash, sender: pooled.sender, status: "pending" };
      const loc = await db().getTxLocation(fromHex(hash));
      if (!loc) return null;
      const block = (await db().getBlockByNumber(loc.blockNumber))!;
      const receipt = (await db().getReceipts(loc.blockNumber))![loc.index]!;
      const where = {
        hash,
        sender: toHex(receipt.sender),
        blockNumber: String(loc.blockNumber),
        blockHash: toHex(blockHash(block.header)),
        index: loc.index,
      };
      if (loc.index < block.deposits.length) {
        const message = block.deposits[loc.index]!;
        // A forced transaction that was included is shown as the transaction it carries.
        if (message.forcedTx.length > 0 && receipt.kind !== TxKind.Deposit) {
          return {
            ...signedTxToJson(decodeSignedTx(message.forcedTx)),
            forcedL1Nonce: String(message.l1Nonce),
            ...where,
          };
        }
        return { primaryType: "Deposit", deposit: Deposit.toJson(message), ...where };
      }
      return { ...signedTxToJson(block.transactions[loc.index - block.deposits.length]!), ...where };
    },
    filverse_getTransactionReceipt: async (p) => {
      expectParamCount(p, 1, 1);
      const hash = paramHex(p, 0, "hash", 32);
      const loc = await db().getTxLocation(fromHex(hash));
      if (!loc) return null;
      const block = await db().getBlockByNumber(loc.blockNumber);
      const receipt = (await db().getReceipts(loc.blockNumber))![loc.index]!;
      return {
        ...Receipt.toJson(receipt),
        blockNumber: String(loc.blockNumber),
        blockHash: toHex(blockHash(block!.header)),
        index: loc.index,
      };
    },
    filverse_getTransactionStatus: (p) => {
      expectParamCount(p, 1, 1);
      return statusOf(paramHex(p, 0, "hash", 32));
    },
  };
}
