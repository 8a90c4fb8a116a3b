/** The node's Logger: pino behind the @filverse/utils Logger interface (structured JSON lines). */
import type { LogContext, Logger } from "@filverse/utils";
import { type Logger as PinoLogger, pino } from "pino";

export type LoggerOpts = {
  level: "error" | "warn" | "info" | "debug" | "silent";
  /** Where the JSON lines go: a file descriptor (1 = stdout, 2 = stderr). */
  fd: number;
};

export const defaultLoggerOpts: LoggerOpts = { level: "info", fd: 1 };

class PinoAdapter implements Logger {
  constructor(private readonly p: PinoLogger) {}
  error(msg: string, ctx?: LogContext, err?: unknown): void {
    this.p.error({ ...ctx, ...(err === undefined ? {} : { err }) }, msg);
  }
  warn(msg: string, ctx?: LogContext, err?: unknown): void {
    this.p.warn({ ...ctx, ...(err === undefined ? {} : { err }) }, msg);
  }
  info(msg: string, ctx?: LogContext): void {
    this.p.info(ctx ?? {}, msg);
  }
  debug(msg: string, ctx?: LogContext): void {
    this.p.debug(ctx ?? {}, msg);
  }
  child(bindings: LogContext): Logger {
    return new PinoAdapter(this.p.child(bindings));
  }
}

/**
 * pino's error serializer, with viem's errors cut to what an operator reads. A viem contract error
 * carries the whole ABI, the call's arguments and three nested copies of its message; logged as is,
 * one failed L1 call is a line of tens of kilobytes. This keeps its name, short message, details,
 * the function and contract it called, and the same for its cause chain (at most 3 deep).
 */
export function serializeErr(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error)) return err;
  const e = err as Error & {
    shortMessage?: string;
    details?: string;
    functionName?: string;
    contractAddress?: string;
    cause?: unknown;
  };
  if (typeof e.shortMessage !== "string") return pino.stdSerializers.err(err);
  return {
    type: e.name,
    message: e.shortMessage,
    ...(e.details ? { details: e.details } : {}),
    ...(e.functionName ? { functionName: e.functionName } : {}),
    ...(e.contractAddress ? { contractAddress: e.contractAddress } : {}),
    ...(e.cause instanceof Error && depth < 3 ? { cause: serializeErr(e.cause, depth + 1) } : {}),
  };
}

export function createLogger(opts: Partial<LoggerOpts> = {}): Logger {
  const o = { ...defaultLoggerOpts, ...opts };
  // Synchronous destination: a kill -9 must not lose the lines written before it.
  const dest = pino.destination({ fd: o.fd, sync: true });
  return new PinoAdapter(
    pino({ level: o.level, base: undefined, serializers: { err: (e: unknown) => serializeErr(e) } }, dest),
  );
}
