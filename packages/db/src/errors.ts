/** The typed errors of the database: a refused genesis or head, stored bytes that do not decode, a closed handle. */
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
}

export class DbError extends FilverseError<DbErrorCode> {
  override name = "DbError";
}
