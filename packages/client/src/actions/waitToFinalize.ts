/**
 * `waitToFinalize`: poll getWithdrawalStatus until the withdrawal can be finalized on L1 (or already
 * is), like viem's OP-stack `waitToFinalize`. The window ends by L1 time, so it ends only as L1
 * blocks are mined.
 */
import type { FilverseBaseClient } from "../baseClient.js";
import { ClientError, ClientErrorCode } from "../errors.js";
import {
  type GetWithdrawalStatusParameters,
  getWithdrawalStatus,
  type WithdrawalStatus,
} from "./getWithdrawalStatus.js";

export type WaitToFinalizeParameters = GetWithdrawalStatusParameters & {
  /** Default 1 000 ms; a wait never sleeps past the window's ETA. */
  pollIntervalMs?: number;
  /** Give up after this long (ClientError CLIENT_WAIT_TIMEOUT). Default: no limit. */
  timeoutMs?: number;
  /** Called with every status read, e.g. to show the ETA. */
  onStatus?: (status: WithdrawalStatus) => void;
};

export async function waitToFinalize(
  client: FilverseBaseClient,
  params: WaitToFinalizeParameters,
): Promise<WithdrawalStatus> {
  const { pollIntervalMs = 1_000, timeoutMs, onStatus, ...statusParams } = params;
  const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
  for (;;) {
    const status = await getWithdrawalStatus(client, statusParams);
    onStatus?.(status);
    if (status.stage === "ready-to-finalize" || status.stage === "finalized") return status;
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new ClientError(
        ClientErrorCode.WAIT_TIMEOUT,
        `The withdrawal did not become ready to finalize in ${timeoutMs} ms`,
        {
          details: { hash: status.hash, stage: status.stage, secondsToFinal: status.secondsToFinal, timeoutMs },
        },
      );
    }
    const eta = status.secondsToFinal ? status.secondsToFinal * 1_000 : pollIntervalMs;
    await new Promise((resolve) => setTimeout(resolve, Math.max(50, Math.min(pollIntervalMs, eta, left))));
  }
}
