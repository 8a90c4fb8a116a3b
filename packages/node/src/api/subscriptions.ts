/** WebSocket subscriptions: new heads, a sequencer's preconfirmations, and one transaction's status changes. */
import { expectParamCount, paramHex, paramString, RpcError } from "@filverse/rpc";
import { type Receipt, RpcErrorCode, type SignedBlock } from "@filverse/types";
import { toHex } from "@filverse/utils";
import type { Preconfirmed } from "../chain/interface.js";
import { preconfirmationToJson } from "../sequencer/preconfirmations.js";
import { blockJson, txStatus } from "./reads.js";
import type { ApiModules, RpcHandlers } from "./types.js";

export type SubscriptionsApi = Pick<RpcHandlers, "filverse_subscribe" | "filverse_unsubscribe">;

export function subscriptionsApi({ node, settlement }: ApiModules): SubscriptionsApi {
  const statusOf = (hash: string) => txStatus(node, settlement, hash);
  return {
    filverse_subscribe: async (p, ctx) => {
      if (!ctx.connection) throw new RpcError(RpcErrorCode.WEBSOCKET_REQUIRED);
      expectParamCount(p, 1, 2);
      const kind = paramString(p, 0, "kind");
      const conn = ctx.connection;
      // The listener is added only once the connection has accepted the subscription: a refused one
      // (SUBSCRIPTION_LIMIT) must leave nothing behind on the node's emitter.
      if (kind === "newHeads") {
        const listener = (block: SignedBlock, receipts: Receipt[]) => {
          conn.notify(
            id,
            blockJson(
              block,
              false,
              receipts.map((r) => toHex(r.txHash)),
            ),
          );
        };
        const id = conn.addSubscription(() => node.events.off("newHead", listener));
        node.events.on("newHead", listener);
        return id;
      }
      if (kind === "preconfirmations") {
        // Only a sequencer emits them (a verifier's subscription stays silent): each one signed,
        // once its record is durable, in block order.
        const listener = (pre: Preconfirmed) => conn.notify(id, preconfirmationToJson(pre));
        const id = conn.addSubscription(() => node.events.off("preconfirmation", listener));
        node.events.on("preconfirmation", listener);
        return id;
      }
      if (kind === "txStatus") {
        const hash = paramHex(p, 1, "hash", 32);
        const listener = (h: string) => {
          if (h === hash) void statusOf(hash).then((s) => conn.notify(id, s));
        };
        const id = conn.addSubscription(() => node.events.off("txStatus", listener));
        node.events.on("txStatus", listener);
        // The current status first, so a subscriber never misses a transition that already happened.
        setImmediate(() => void statusOf(hash).then((s) => conn.notify(id, s)));
        return id;
      }
      throw new RpcError(RpcErrorCode.INVALID_PARAMS, {
        message: `Unknown subscription "${kind}" (newHeads, preconfirmations, txStatus)`,
      });
    },
    filverse_unsubscribe: (p, ctx) => {
      if (!ctx.connection) throw new RpcError(RpcErrorCode.WEBSOCKET_REQUIRED);
      expectParamCount(p, 1, 1);
      return ctx.connection.removeSubscription(paramString(p, 0, "subscription"));
    },
  };
}
