/**
 * How the CLI talks to people: JSON with --json, short human lines otherwise, and errors without
 * stack traces for user mistakes (a FilverseError's shortMessage and its hints).
 */
import { FilverseError, safeStringify } from "@filverse/utils";

export type OutputOpts = { json?: boolean };

/**
 * Exit codes: 0 done; 1 a mistake the user can fix (nothing was sent); 2 a bug or a fault of the
 * node; 3 the transaction was sent but did not reach the --wait stage within --timeout (do not
 * resend it: it may still land); 4 the transaction failed (included with a failure code, or dropped).
 */
export const EXIT = { OK: 0, USAGE: 1, INTERNAL: 2, WAIT_TIMEOUT: 3, TX_FAILED: 4 } as const;

/** Thrown by an action that has printed what it had to say and ends with this exit code. */
export class ExitWith extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export function print(opts: OutputOpts, value: unknown, human?: () => string): void {
  if (opts.json || !human) process.stdout.write(`${safeStringify(value)}\n`);
  else process.stdout.write(`${human()}\n`);
}

/** A mistake the user can fix: printed as one clear line (plus hints), exit code 1, no stack. */
export class UsageError extends FilverseError<"CLI_USAGE"> {
  override name = "UsageError";
  constructor(message: string, hints: string[] = []) {
    super("CLI_USAGE", message, { metaMessages: hints });
  }
}

/**
 * Library error codes that mean a fault in the node or its data, not something the person at the
 * terminal did: the database's refused head or inputs, corrupt or closed storage (@filverse/db
 * DbErrorCode), and the worker pool's closed, full or failed workers (@filverse/crypto
 * PoolErrorCode). They are printed with their stack and cause, for a bug report. An operator's
 * conditions (a data dir in use or read-only, a full disk, an unbuilt pool) stay one line.
 */
export const FAULT_CODES: ReadonlySet<string> = new Set([
  "DB_BAD_HEAD",
  "DB_BAD_INPUT",
  "DB_CORRUPT",
  "DB_CLOSED",
  "POOL_CLOSED",
  "POOL_QUEUE_FULL",
  "POOL_WORKER_FAILED",
]);

/** The stack of an error and of each cause under it. */
function stackWithCauses(err: unknown): string {
  const lines: string[] = [];
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    const stack = (e as Error).stack ?? String(e);
    lines.push(depth === 0 ? stack : `caused by: ${stack}`);
    e = (e as { cause?: unknown }).cause;
  }
  return lines.join("\n");
}

/**
 * Print an error for a person. Library errors with a code are the user's to fix (one line, exit 1),
 * except the FAULT_CODES (with their stack, exit 2); anything else is a bug (exit 2).
 */
export function reportError(err: unknown, json: boolean): number {
  if (err instanceof FilverseError && FAULT_CODES.has(String(err.code))) {
    if (json) {
      process.stderr.write(
        `${safeStringify({ error: { code: err.code, message: err.shortMessage, details: err.details, fault: true } })}\n`,
      );
    } else process.stderr.write(`internal error: ${err.shortMessage}\n${stackWithCauses(err)}\n`);
    return 2;
  }
  if (err instanceof FilverseError) {
    if (json)
      process.stderr.write(
        `${safeStringify({ error: { code: err.code, message: err.shortMessage, details: err.details } })}\n`,
      );
    else {
      process.stderr.write(`error: ${err.shortMessage}\n`);
      const hints = err.message.split("\n").slice(1);
      for (const h of hints) process.stderr.write(`  ${h}\n`);
    }
    // A mined L1 transaction that reverted failed like an L2 transaction that failed: its fee was paid.
    return err.code === "L1_TX_REVERTED" ? EXIT.TX_FAILED : EXIT.USAGE;
  }
  const e = err as Error;
  process.stderr.write(`internal error: ${e?.message ?? String(err)}\n${e?.stack ?? ""}\n`);
  return 2;
}

/**
 * A read's answer for a person: `null` is "not found"; an object is one aligned `key  value` line a
 * field, nested objects indented under their key, arrays as their count then one line an item.
 */
export function formatHuman(v: unknown, indent = ""): string {
  if (v === null || v === undefined) return `${indent}not found`;
  if (typeof v !== "object") return `${indent}${String(v)}`;
  if (Array.isArray(v)) {
    if (v.length === 0) return `${indent}(none)`;
    return v
      .map((item) =>
        typeof item === "object" && item !== null
          ? `${indent}- ${formatHuman(item, `${indent}  `).trimStart()}`
          : `${indent}- ${String(item)}`,
      )
      .join("\n");
  }
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length === 0) return `${indent}(empty)`;
  const scalar = (x: unknown) => x === null || typeof x !== "object";
  const width = Math.max(0, ...entries.filter(([, x]) => scalar(x)).map(([k]) => k.length));
  return entries
    .map(([k, x]) => {
      if (!scalar(x)) {
        const n = Array.isArray(x) ? ` (${x.length})` : "";
        return `${indent}${k}${n}\n${formatHuman(x, `${indent}  `)}`;
      }
      return `${indent}${k.padEnd(width)}  ${x === null ? "-" : String(x)}`;
    })
    .join("\n");
}
