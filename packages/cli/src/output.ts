/**
 * How the CLI talks to people: JSON with --json, short human lines otherwise, and errors without
 * stack traces for user mistakes (a FilverseError's shortMessage and its hints).
 */
import { FilverseError, safeStringify } from "@filverse/utils";

export type OutputOpts = { json?: boolean };

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

/** Print an error for a person. Library errors with a code are the user's to fix; anything else is a bug. */
export function reportError(err: unknown, json: boolean): number {
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
    return 1;
  }
  const e = err as Error;
  process.stderr.write(`internal error: ${e?.message ?? String(err)}\n${e?.stack ?? ""}\n`);
  return 2;
}
