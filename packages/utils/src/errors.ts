/**
 * The one base error of Filverse. Every library error carries a typed `code`, a short message a
 * person reads first, and optional `details`/`cause` that follow (the viem and Lodestar pattern).
 */
export type FilverseErrorOptions = {
  cause?: unknown;
  /** Structured context; logged and returned over RPC as `data`. Never put keys here. Clipped by clipForEcho. */
  details?: Record<string, unknown>;
  /** Extra lines shown after the short message. */
  metaMessages?: string[];
};

export class FilverseError<C extends string | number = string | number> extends Error {
  override name = "FilverseError";
  readonly code: C;
  readonly shortMessage: string;
  readonly details: Record<string, unknown>;

  constructor(code: C, shortMessage: string, opts: FilverseErrorOptions = {}) {
    // Details often echo an input (`got`): clipped here, once, so no message, log line or RPC
    // error built from them can be huge or nest deep enough to overflow the stack.
    const details = opts.details === undefined ? {} : (clipForEcho(opts.details) as Record<string, unknown>);
    const lines = [shortMessage, ...(opts.metaMessages ?? [])];
    if (Object.keys(details).length > 0) lines.push(`Details: ${safeStringify(details)}`);
    super(lines.join("\n"), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = details;
  }
}

/** JSON.stringify that survives bigint and Uint8Array values in error details. */
export function safeStringify(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (typeof v === "bigint") return v.toString();
    if (v instanceof Uint8Array) return `0x${Buffer.from(v).toString("hex")}`;
    return v;
  });
}

/** An echoed string keeps this many UTF-16 code units, then "…". */
export const MAX_ECHO_STRING_CHARS = 256;
/** An echoed array keeps this many items, an object this many keys; a marker counts the rest. */
export const MAX_ECHO_ITEMS = 32;
/** Arrays and objects nested deeper than this are replaced by a short description. */
export const MAX_ECHO_DEPTH = 8;
/**
 * The whole echo's budget, in characters of kept strings and keys (each entry counts 8 more):
 * containers keep fewer entries once it runs low. Without it, 32 items at each of 8 levels could
 * still echo megabytes.
 */
export const MAX_ECHO_TOTAL_CHARS = 4096;
/** An echoed Uint8Array keeps this many bytes (shown as hex, then "…"). */
const MAX_ECHO_BYTES = MAX_ECHO_STRING_CHARS / 2 - 1;

/**
 * A bounded copy of a value that an error echoes back (error details, JSON-RPC `error.data`):
 * strings cut to MAX_ECHO_STRING_CHARS, arrays and plain objects to MAX_ECHO_ITEMS entries and
 * MAX_ECHO_DEPTH levels, MAX_ECHO_TOTAL_CHARS in all (breadth first: shallow values are kept
 * first). Iterative, so any depth of input is safe. Other values (numbers, bigints, class
 * instances) are kept as they are.
 */
export function clipForEcho(value: unknown): unknown {
  const root: { v: unknown } = { v: undefined };
  // Each job copies `src` into `dst[key]`; containers queue jobs for their kept entries.
  const jobs: { src: unknown; dst: Record<string | number, unknown>; key: string | number; depth: number }[] = [
    { src: value, dst: root, key: "v", depth: 0 },
  ];
  let budget = MAX_ECHO_TOTAL_CHARS;
  for (let next = 0; next < jobs.length; next++) {
    const { src, dst, key, depth } = jobs[next]!;
    if (typeof src === "string") {
      const shown = clipString(src, Math.min(MAX_ECHO_STRING_CHARS, budget));
      budget -= shown.length;
      dst[key] = shown;
    } else if (src instanceof Uint8Array) {
      const kept = Math.max(0, Math.min(MAX_ECHO_BYTES, Math.ceil(budget / 2)));
      budget -= 2 * Math.min(src.length, kept);
      dst[key] = src.length > kept ? `0x${Buffer.from(src.subarray(0, kept)).toString("hex")}…` : src;
    } else if (Array.isArray(src)) {
      budget -= ENTRY_CHARS;
      if (depth >= MAX_ECHO_DEPTH) {
        dst[key] = `[an array of ${src.length}]`;
        continue;
      }
      const kept = keptEntries(src.length, budget);
      budget -= kept * ENTRY_CHARS;
      const out: unknown[] = new Array(kept);
      for (let i = 0; i < kept; i++) jobs.push({ src: src[i], dst: out as never, key: i, depth: depth + 1 });
      if (src.length > kept) out.push(`… ${src.length - kept} more`);
      dst[key] = out;
    } else if (isPlainObject(src)) {
      budget -= ENTRY_CHARS;
      if (depth >= MAX_ECHO_DEPTH) {
        dst[key] = "[an object]";
        continue;
      }
      const keys = Object.keys(src);
      const kept = keptEntries(keys.length, budget);
      budget -= kept * ENTRY_CHARS;
      const out: Record<string, unknown> = {};
      for (let i = 0; i < kept; i++) {
        const k = keys[i]!;
        const shown = clipString(k, MAX_ECHO_STRING_CHARS);
        budget -= shown.length;
        out[shown] = undefined; // keeps the input's key order, whatever order the jobs run in
        jobs.push({ src: src[k], dst: out, key: shown, depth: depth + 1 });
      }
      if (keys.length > kept) out["…"] = `${keys.length - kept} more keys`;
      dst[key] = out;
    } else {
      dst[key] = src; // its entry cost was charged by its container
    }
  }
  return root.v;
}

/** What one kept entry costs the budget beyond its own content (a separator, a "…" if cut later). */
const ENTRY_CHARS = 8;

/** A container keeps at most MAX_ECHO_ITEMS entries, and no more than the budget can still show. */
function keptEntries(length: number, budget: number): number {
  return Math.min(length, MAX_ECHO_ITEMS, Math.max(0, Math.floor(budget / ENTRY_CHARS)));
}

function clipString(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, Math.max(0, max))}…` : s;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * True when `value` has arrays or objects nested more than `maxDepth` levels deep (a scalar is
 * depth 0, `[]` and `{}` depth 1). Iterative and stops at the first path past the limit, so it is
 * safe on any input: run it before code that recurses (JSON.stringify, String(), codecs).
 */
export function exceedsJsonDepth(value: unknown, maxDepth: number): boolean {
  const stack: unknown[] = [value];
  const depths: number[] = [0];
  while (stack.length > 0) {
    const v = stack.pop();
    const d = depths.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (d + 1 > maxDepth) return true;
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const c of children) {
      if (c !== null && typeof c === "object") {
        stack.push(c);
        depths.push(d + 1);
      }
    }
  }
  return false;
}
