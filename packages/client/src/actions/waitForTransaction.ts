/**
 * `waitForTransaction`: resolve once a transaction reaches a status (default "sequenced") in
 * TX_STATUS_ORDER. Over WebSocket it subscribes to ["txStatus", hash]; over HTTP it polls.
 */
import { TX_STATUS_ORDER, type TxStatusJson, type TxStatusName } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import type { FilverseBaseClient } from "../baseClient.js";
import { ClientError, ClientErrorCode } from "../errors.js";
import { hexParam } from "../utils/normalize.js";

export type WaitForTransactionParameters = {
  hash: Hex;
  /** The status to wait for; any later one also resolves. Default "sequenced". */
  status?: Exclude<TxStatusName, "dropped" | "unknown">;
  /** Default 60 000. */
  timeoutMs?: number;
  /** HTTP polling interval. Default 250 (one devnet block). */
  pollIntervalMs?: number;
};
export type WaitForTransactionReturnType = TxStatusJson;

export const DEFAULT_WAIT_TIMEOUT_MS = 60_000;

export async function waitForTransaction(
  client: FilverseBaseClient,
  params: WaitForTransactionParameters,
): Promise<WaitForTransactionReturnType> {
  const hash = hexParam(params.hash, 32, "hash");
  const wanted = params.status ?? "sequenced";
  const wantedIndex = TX_STATUS_ORDER.indexOf(wanted);
  if (wantedIndex < 0) {
    throw new ClientError(ClientErrorCode.INVALID_INPUT, `Invalid parameter "status": ${JSON.stringify(wanted)}`, {
      metaMessages: [`Expected one of ${TX_STATUS_ORDER.join(", ")}`],
    });
  }
  const timeoutMs = params.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const pollIntervalMs = params.pollIntervalMs ?? client.pollIntervalMs;

  return new Promise<TxStatusJson>((resolve, reject) => {
    let done = false;
    let pollTimer: ReturnType<typeof setTimeout> | undefined;
    let unsubscribe: (() => Promise<void>) | undefined;
    const finish = (error: Error | null, status?: TxStatusJson) => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      clearTimeout(pollTimer);
      unsubscribe?.().catch(() => {});
      if (error) reject(error);
      else resolve(status!);
    };
    /** Settle the wait if this status is dropped or at/after the wanted one. */
    const check = (s: TxStatusJson): void => {
      if (s.status === "dropped") {
        finish(
          new ClientError(
            ClientErrorCode.TX_DROPPED,
            `The transaction was dropped${s.reason ? ` (${s.reason})` : " from the mempool"}`,
            {
              details: {
                hash,
                ...(s.reason ? { reason: s.reason } : {}),
                ...(s.code !== undefined ? { code: s.code } : {}),
              },
            },
          ),
        );
      } else if (TX_STATUS_ORDER.indexOf(s.status) >= wantedIndex) {
        finish(null, s);
      }
    };
    const deadline = setTimeout(() => {
      finish(
        new ClientError(ClientErrorCode.WAIT_TIMEOUT, `The transaction did not become ${wanted} in ${timeoutMs} ms`, {
          details: { hash, status: wanted, timeoutMs },
        }),
      );
    }, timeoutMs);

    const poll = async (): Promise<void> => {
      if (done) return;
      try {
        check(await client.request("filverse_getTransactionStatus", [hash]));
      } catch (error) {
        return finish(error as Error);
      }
      if (!done) pollTimer = setTimeout(poll, pollIntervalMs);
    };

    const subscribe = client.transport.subscribe;
    if (!subscribe) {
      void poll();
      return;
    }
    subscribe(["txStatus", hash], {
      onData: (result) => check(result as TxStatusJson),
      onError: (error) => finish(error),
    })
      .then(async (unsub) => {
        unsubscribe = unsub;
        if (done) return unsub().catch(() => {});
        // The status may have moved before the subscription existed.
        try {
          check(await client.request("filverse_getTransactionStatus", [hash]));
        } catch (error) {
          finish(error as Error);
        }
      })
      .catch((error: Error) => finish(error));
  });
}
