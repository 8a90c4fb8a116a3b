/**
 * The typed errors of the database: a refused genesis or head, stored bytes that do not decode, a
 * closed handle, a failed storage or open.
 */
import { FilverseError } from "@filverse/utils";

export enum DbErrorCode {
  /** initGenesis was given a genesis other than the one stored. */
  GENESIS_MISMATCH = "DB_GENESIS_MISMATCH",
  /** commitBlock was given a block that does not extend the stored head (or no genesis is stored). */
  BAD_HEAD = "DB_BAD_HEAD",
  /** The inputs of a write disagree with each other (execution result vs header, prev state vs head). */
  BAD_INPUT = "DB_BAD_INPUT",
  /** Stored bytes do not decode, or stored data contradicts itself. */
  CORRUPT = "DB_CORRUPT",
  /** The database was closed. */
  CLOSED = "DB_CLOSED",
  /** The storage under the database failed a read or write (disk full, read-only, I/O error). */
  STORAGE = "DB_STORAGE",
  /** The database could not be opened: in use by another process, read-only, missing permissions. */
  OPEN_FAILED = "DB_OPEN_FAILED",
}

export class DbError extends FilverseError<DbErrorCode> {
  override name = "DbError";
}

/**
 * The operating system's reason in a LevelDB I/O error: "IO error: /d/000005.log: No space left on
 * device" → "No space left on device". The whole message when it has no such shape.
 */
export function storageReason(message: string): string {
  const colon = message.lastIndexOf(": ");
  return message.startsWith("IO error: ") && colon >= 0 ? message.slice(colon + 2) : message;
}
