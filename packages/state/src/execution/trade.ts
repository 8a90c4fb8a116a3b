/**
 * Trades: the signer fills a maker's signed order atomically, asset against FIL, and the collection's
 * royalty goes to its creator inside the same transition. The maker's signature was checked statelessly.
 */
import { BPS_DENOMINATOR } from "@filverse/params";
import { Namespace, OrderSide, OrderState, type TxKind, type TxMessages } from "@filverse/types";
import { bytesEqual } from "@filverse/utils";
import { ExecutionErrorCode } from "../errors.js";
import { assetObjectId } from "../keys.js";
import { collectionOrFail, liveAssetOrFail } from "./assets.js";
import { type ExecContext, fail, ZERO_ADDRESS } from "./context.js";

export function tradeFill(ctx: ExecContext, m: TxMessages[TxKind.TradeFill]): void {
  const { ws } = ctx;
  const order = m.order;
  const orderHash = ctx.vtx.orderHash!;
  const taker = ctx.vtx.sender;
  if (ws.get(Namespace.OrderStatus, orderHash)) fail(ExecutionErrorCode.ORDER_CLOSED);
  if (order.expiresAt !== 0 && ctx.now >= order.expiresAt) fail(ExecutionErrorCode.ORDER_EXPIRED);
  if (!bytesEqual(order.taker, ZERO_ADDRESS) && !bytesEqual(order.taker, taker))
    fail(ExecutionErrorCode.ORDER_WRONG_TAKER);
  if (bytesEqual(order.maker, taker)) fail(ExecutionErrorCode.ORDER_SELF_FILL);

  const asset = liveAssetOrFail(ws, order.collectionId, order.tokenId);
  const collection = collectionOrFail(ws, order.collectionId);
  const [seller, buyer] = order.side === OrderSide.Sell ? [order.maker, taker] : [taker, order.maker];
  if (!bytesEqual(asset.owner, seller)) fail(ExecutionErrorCode.ORDER_ASSET_NOT_OWNED);

  const royalty = (order.price * BigInt(collection.royaltyBps)) / BPS_DENOMINATOR;
  ws.debit(buyer, order.price);
  ws.credit(collection.creator, royalty);
  ws.credit(seller, order.price - royalty);
  ws.set(Namespace.Asset, assetObjectId(order.collectionId, order.tokenId), {
    ...asset,
    owner: buyer,
    approved: ZERO_ADDRESS,
  });
  ws.set(Namespace.OrderStatus, orderHash, { status: OrderState.Filled });
}

export function orderCancel(ctx: ExecContext, m: TxMessages[TxKind.OrderCancel]): void {
  if (!bytesEqual(m.order.maker, ctx.vtx.sender)) fail(ExecutionErrorCode.NOT_ORDER_MAKER);
  const orderHash = ctx.vtx.orderHash!;
  if (ctx.ws.get(Namespace.OrderStatus, orderHash)) fail(ExecutionErrorCode.ORDER_CLOSED);
  ctx.ws.set(Namespace.OrderStatus, orderHash, { status: OrderState.Cancelled });
}
