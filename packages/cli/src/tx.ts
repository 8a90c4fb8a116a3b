/**
 * After a transaction is sent: print its hash at once, wait for the --wait stage up to --timeout, and
 * end with an exit code a script can trust (output.ts EXIT): 0 it reached the stage (or its result
 * is not known yet because the stage is before `sequenced`), 3 it was sent but the wait timed out
 * (the message names the stage it reached: do not resend), 4 it failed (the code's name and
 * meaning are printed; ids it would have created are not, since they do not exist).
 */
import type { FilverseClient } from "@filverse/client";
import { describeTxCode } from "@filverse/state/errors";
import type { TxStatusJson } from "@filverse/types";
import { safeStringify } from "@filverse/utils";
import { EXIT, ExitWith, type OutputOpts, UsageError } from "./output.js";

export const WAIT_STAGES = ["none", "pending", "preconfirmed", "sequenced", "checkpointed", "stored", "finalized"];
export const DEFAULT_WAIT_TIMEOUT_SEC = 120;

export type WaitOpts = OutputOpts & { wait?: string; timeout?: string };

export const timeoutArg = (v: string) => {
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0)
    throw new UsageError(`--timeout must be a positive number of seconds, got "${v}"`);
  return v;
};

export const waitArg = (v: string) => {
  if (!WAIT_STAGES.includes(v)) throw new UsageError(`--wait must be one of ${WAIT_STAGES.join(", ")}, got "${v}"`);
  return v;
};

/** "1102 ASSET_EXISTS: minting a token id that exists or was burned" (or just the number if unknown). */
export function codeText(code: number): string {
  const d = describeTxCode(code);
  return d ? `${code} ${d.name}: ${d.meaning}` : String(code);
}

function statusLine(s: TxStatusJson): string {
  const where =
    s.blockNumber !== undefined ? ` in block ${s.blockNumber}${s.index !== undefined ? ` at ${s.index}` : ""}` : "";
  const result = s.result ? `, ${s.result}` : "";
  return `status ${s.status}${result}${where}`;
}

/** Print a sent transaction, wait for o.wait (default sequenced), and throw ExitWith for a timeout or a failure. */
export async function waitAndReport(
  o: WaitOpts,
  c: FilverseClient,
  sent: { hash: string } & Record<string, unknown>,
): Promise<void> {
  const wait = o.wait ?? "sequenced";
  const timeoutSec = Number(o.timeout ?? DEFAULT_WAIT_TIMEOUT_SEC);
  const created = Object.fromEntries(Object.entries(sent).filter(([k]) => k !== "hash" && k !== "nonce"));
  // The hash goes out before any waiting: whatever happens next, the transaction was sent.
  if (o.json) {
    if (wait !== "none") process.stderr.write(`${safeStringify({ sent: { hash: sent.hash, waitingFor: wait } })}\n`);
  } else process.stdout.write(`tx ${sent.hash}\n`);
  const done = (status: TxStatusJson | null, extra: Record<string, unknown> = {}, ids = created) => {
    if (o.json)
      process.stdout.write(`${safeStringify({ hash: sent.hash, nonce: sent.nonce, ...ids, ...extra, status })}\n`);
    else {
      const lines = Object.entries(ids).map(([k, v]) => `${k} ${String(v)}`);
      if (status) lines.push(statusLine(status));
      if (lines.length > 0) process.stdout.write(`${lines.join("\n")}\n`);
    }
  };
  if (wait === "none") return done(null);

  let status: TxStatusJson;
  try {
    status = await c.waitForTransaction(sent.hash as `0x${string}`, {
      status: wait as "sequenced",
      timeoutMs: Math.round(timeoutSec * 1000),
    });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === "CLIENT_WAIT_TIMEOUT") {
      const now = await c.getTransactionStatus({ hash: sent.hash as `0x${string}` }).catch(() => null);
      const reached = now?.status ?? "unknown";
      done(now, { timedOut: true, waitedFor: wait });
      process.stderr.write(
        `error: timed out after ${timeoutSec} s waiting for ${wait}: the transaction was sent (${sent.hash}) and is ${reached}` +
          `${now?.result === "failed" && now.code !== undefined ? ` (failed, ${codeText(now.code)})` : ""}; do not send it again\n` +
          `  follow it with: filverse tx status ${sent.hash}\n`,
      );
      throw new ExitWith(EXIT.WAIT_TIMEOUT);
    }
    if (code === "CLIENT_TX_DROPPED") {
      const d = (err as { details?: { reason?: string; code?: number } }).details ?? {};
      const status: TxStatusJson = {
        hash: sent.hash as `0x${string}`,
        status: "dropped",
        ...(d.reason ? { reason: d.reason as never } : {}),
        ...(d.code !== undefined ? { code: d.code } : {}),
      };
      done(status, {}, {});
      process.stderr.write(
        `error: the transaction was dropped${d.reason ? ` (${d.reason})` : ""}${d.code !== undefined ? `: ${codeText(d.code)}` : ""}; nothing was charged\n`,
      );
      throw new ExitWith(EXIT.TX_FAILED);
    }
    throw err;
  }
  if (status.result === "failed") {
    // Ids it would have created (a collection, an identity …) do not exist: not printed.
    done(status, {}, {});
    process.stderr.write(
      `error: the transaction failed${status.code !== undefined ? `: ${codeText(status.code)}` : ""} (its fee was charged)\n`,
    );
    throw new ExitWith(EXIT.TX_FAILED);
  }
  done(status);
}
