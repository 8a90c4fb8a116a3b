/**
 * The one base error of Filverse. Every library error carries a typed `code`, a short message a
 * person reads first, and optional `details`/`cause` that follow (the viem and Lodestar pattern).
 */
export type FilverseErrorOptions = {
  cause?: unknown;
  /** Structured context; logged and returned over RPC as `data`. Never put keys here. */
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
    const lines = [shortMessage, ...(opts.metaMessages ?? [])];
    if (opts.details && Object.keys(opts.details).length > 0) {
      lines.push(`Details: ${safeStringify(opts.details)}`);
    }
    super(lines.join("\n"), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = opts.details ?? {};
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
