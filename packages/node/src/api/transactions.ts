/**
 * Transactions: submission (admitted by a sequencer, forwarded by a verifier), lookup, receipts
 * and status.
 */
import { expectParamCount, paramHex, paramObject, paramUint, RpcError } from "@filverse/rpc";
import {
  blockHash,
  Deposit,
  decodeSignedTx,
  Receipt,
  RpcErrorCode,
  type SignedTransaction,
  signedTxToJson,
  TxKind,
  type Via,
} from "@filverse/types";
import { fromHex, type Hex, toHex } from "@filverse/utils";
import { txStatus } from "./reads.js";
import { toRpcError } from "./toRpcError.js";
import type { ApiModules, RpcHandlers } from "./types.js";

/** sendTransactionSync waits this long for the preconfirmation when the caller gives no timeout. */
export const DEFAULT_SYNC_TIMEOUT_MS = 5_000;
/** The longest wait a caller may ask for: a request holds a connection while it waits, and a verifier forwarding it gives up after 15 s. */
export const MAX_SYNC_TIMEOUT_MS = 10_000;

export type TransactionsApi = Pick<
  RpcHandlers,
  | "filverse_sendTransaction"
  | "filverse_sendRawTransaction"
  | "filverse_sendTransactionSync"
  | "filverse_getPreconfirmation"
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
    filverse_sendRawTransaction: async (p) => {
      expectParamCount(p, 1, 1);
      const bytes = fromHex(paramHex(p, 0, "transaction"));
      try {
        return await node.submitRaw(bytes);
      } catch (err) {
        throw toRpcError(err);
      }
    },
    filverse_sendTransactionSync: Object.assign(
      async (p: unknown[]) => {
        expectParamCount(p, 1, 2);
        // The signed transaction as JSON, or its SSZ bytes as hex (as sendRawTransaction takes them).
        const tx = typeof p[0] === "string" ? fromHex(paramHex(p, 0, "transaction")) : paramObject(p, 0, "transaction");
        const timeoutMs = paramUint(p, 1, "timeoutMs", { optional: true }) ?? DEFAULT_SYNC_TIMEOUT_MS;
        if (timeoutMs < 1 || timeoutMs > MAX_SYNC_TIMEOUT_MS) {
          throw new RpcError(RpcErrorCode.INVALID_PARAMS, {
            message: `Invalid params: timeoutMs must be 1 to ${MAX_SYNC_TIMEOUT_MS}, got ${timeoutMs}`,
            data: { param: "timeoutMs", index: 1, max: MAX_SYNC_TIMEOUT_MS },
          });
        }
        try {
          return await node.submitSync(tx, timeoutMs);
        } catch (err) {
          throw toRpcError(err);
        }
      },
      { tooDeepCode: RpcErrorCode.MALFORMED_TRANSACTION },
    ),
    filverse_getPreconfirmation: (p) => {
      expectParamCount(p, 1, 1);
      return node.getPreconfirmation(paramHex(p, 0, "hash", 32));
    },
    filverse_getTransaction: async (p) => {
      expectParamCount(p, 1, 1);
      const hash = paramHex(p, 0, "hash", 32);
      const pooled = node.pendingTx(hash);
      if (pooled) {
        const status = node.preconfirmedAt?.(hash) ? "preconfirmed" : "pending";
        return { ...txJson(pooled.vtx.tx), hash, sender: pooled.sender, status };
      }
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
            ...txJson(decodeSignedTx(message.forcedTx)),
            forcedL1Nonce: String(message.l1Nonce),
            ...where,
          };
        }
        return { primaryType: "Deposit", deposit: Deposit.toJson(message), ...where };
      }
      return { ...txJson(block.transactions[loc.index - block.deposits.length]!), ...where };
    },
    filverse_getTransactionReceipt: async (p) => {
      expectParamCount(p, 1, 1);
      const hash = paramHex(p, 0, "hash", 32);
      const loc = await db().getTxLocation(fromHex(hash));
      if (!loc) return null;
      const block = (await db().getBlockByNumber(loc.blockNumber))!;
      const receipt = (await db().getReceipts(loc.blockNumber))![loc.index]!;
      // A Via transaction's receipt names its sponsor and account (`sender` stays the signer).
      const deposits = block.deposits.length;
      const forced = loc.index < deposits ? block.deposits[loc.index]!.forcedTx : null;
      const tx =
        loc.index >= deposits
          ? block.transactions[loc.index - deposits]!
          : forced !== null && forced.length > 0 && receipt.kind !== TxKind.Deposit
            ? decodeSignedTx(forced)
            : null;
      return {
        ...Receipt.toJson(receipt),
        ...(tx?.via ? { via: viaJson(tx.via) } : {}),
        blockNumber: String(loc.blockNumber),
        blockHash: toHex(blockHash(block.header)),
        index: loc.index,
      };
    },
    filverse_getTransactionStatus: (p) => {
      expectParamCount(p, 1, 1);
      return statusOf(paramHex(p, 0, "hash", 32));
    },
  };
}

function viaJson(via: Via): { sponsor: Hex; account: Hex } {
  return { sponsor: toHex(via.sponsor), account: toHex(via.account) };
}

/**
 * A transaction as the node shows it: its JSON-RPC form, plus for a Via transaction `via: {sponsor,
 * account}` beside `primaryType: "Via<Name>"` (the same two values as `message.sponsor`/`message.account`).
 */
function txJson(tx: SignedTransaction): Record<string, unknown> {
  const json = signedTxToJson(tx);
  return tx.via ? { ...json, via: viaJson(tx.via) } : json;
}
