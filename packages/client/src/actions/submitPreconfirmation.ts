/**
 * `submitPreconfirmation`: hand a preconfirmation the sequencer signed to a verifier, which holds
 * the sequencer to it (filverse_submitPreconfirmation): "kept", "pending" until the block is
 * imported, or "broken" with the id of the evidence that will slash the sequencer's bond.
 */
import type { RpcMethods } from "@filverse/types";
import type { FilverseBaseClient } from "../baseClient.js";

export type SubmitPreconfirmationParameters = {
  number: number | bigint | string;
  position: number | bigint | string;
  receiptRoot: `0x${string}`;
  touchedRoot: `0x${string}`;
  /** The sequencer's 65-byte signature over the EIP-712 Preconfirmation. */
  signature: `0x${string}`;
};

export type SubmitPreconfirmationReturnType = RpcMethods["filverse_submitPreconfirmation"][1];

export function submitPreconfirmation(
  client: FilverseBaseClient,
  p: SubmitPreconfirmationParameters,
): Promise<SubmitPreconfirmationReturnType> {
  return client.request("filverse_submitPreconfirmation", [
    {
      number: String(p.number),
      position: String(p.position),
      receiptRoot: p.receiptRoot,
      touchedRoot: p.touchedRoot,
      signature: p.signature,
    },
  ]);
}
