/**
 * The Logger contract. Packages low in the graph log through this interface; the node supplies a
 * pino-backed implementation. Context is structured; keys and secrets are never logged.
 */
export type LogContext = Record<string, unknown>;

export interface Logger {
  error(msg: string, ctx?: LogContext, err?: unknown): void;
  warn(msg: string, ctx?: LogContext, err?: unknown): void;
  info(msg: string, ctx?: LogContext): void;
  debug(msg: string, ctx?: LogContext): void;
  child(bindings: LogContext): Logger;
}

/** A logger that drops everything; for libraries used without a node. */
export const nullLogger: Logger = {
  error() {},
  warn() {},
  info() {},
  debug() {},
  child() {
    return nullLogger;
  },
};
