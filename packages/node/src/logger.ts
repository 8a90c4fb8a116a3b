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

export function createLogger(opts: Partial<LoggerOpts> = {}): Logger {
  const o = { ...defaultLoggerOpts, ...opts };
  // Synchronous destination: a kill -9 must not lose the lines written before it.
  const dest = pino.destination({ fd: o.fd, sync: true });
  return new PinoAdapter(
    pino({ level: o.level, base: undefined, serializers: { err: pino.stdSerializers.err } }, dest),
  );
}
