/** `sendRawTransaction`: submit a signed transaction as its SSZ bytes (filverse_sendRawTransaction); returns its hash. */
import { encodeSignedTx, signedTxFromJson } from "@filverse/types";
import { type Hex, toHex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import type { SignedTransactionJson } from "../types.js";
import { hexParam } from "../utils/normalize.js";

export type SendRawTransactionParameters =
  /** The SSZ bytes (as signTransaction's transaction encodes with encodeSignedTx), or their hex. */
  { raw: Uint8Array | Hex } | { transaction: SignedTransactionJson };
export type SendRawTransactionReturnType = Hex;

export function sendRawTransaction(
  client: FilverseBaseClient,
  params: SendRawTransactionParameters,
): Promise<SendRawTransactionReturnType> {
  const raw =
    "transaction" in params
      ? toHex(encodeSignedTx(signedTxFromJson(params.transaction)))
      : typeof params.raw === "string"
        ? hexParam(params.raw, undefined, "raw")
        : toHex(params.raw);
  return client.request("filverse_sendRawTransaction", [raw]);
}
