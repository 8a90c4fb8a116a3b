/** `fillOrder`: fill a maker's signed order (from signOrder) as the taker (kind 50, EIP-712 `TradeFill`). */
import type { FilverseBaseClient } from "../baseClient.js";
import type { TxParameters } from "../types.js";
import { type SendTransactionReturnType, sendTransaction } from "./sendTransaction.js";

export type FillOrderParameters = TxParameters<"TradeFill">;
export type FillOrderReturnType = SendTransactionReturnType<"TradeFill">;

export function fillOrder(client: FilverseBaseClient, params: FillOrderParameters): Promise<FillOrderReturnType> {
  return sendTransaction(client, { primaryType: "TradeFill", message: params });
}
