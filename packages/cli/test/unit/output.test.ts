/** How the CLI reports errors: a user's or operator's mistake is one line, a fault comes with its stack. */
import { PoolError, PoolErrorCode } from "@filverse/crypto";
import { DbError, DbErrorCode } from "@filverse/db";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FAULT_CODES, reportError, UsageError } from "../../src/output.js";

let err = "";
beforeEach(() => {
  err = "";
  vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    err += String(s);
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

describe("reportError", () => {
  it("names only codes that exist in @filverse/db and @filverse/crypto", () => {
    const known = new Set<string>([...Object.values(DbErrorCode), ...Object.values(PoolErrorCode)]);
    for (const code of FAULT_CODES) expect(known.has(code), code).toBe(true);
  });

  it("prints a corrupt database and a failed worker as faults: the stack and the cause, exit 2", () => {
    const cause = new Error("bad varint at 12");
    expect(reportError(new DbError(DbErrorCode.CORRUPT, "Stored block 7 does not decode", { cause }), false)).toBe(2);
    expect(err).toMatch(/^internal error: Stored block 7 does not decode\nDbError: /);
    expect(err).toContain("caused by: Error: bad varint at 12");
    err = "";
    expect(reportError(new PoolError(PoolErrorCode.WORKER_FAILED, "A worker died"), true)).toBe(2);
    expect(JSON.parse(err)).toMatchObject({ error: { code: "POOL_WORKER_FAILED", fault: true } });
  });

  it("prints an operator's condition and a user's mistake as one line, exit 1", () => {
    const inUse = new DbError(DbErrorCode.OPEN_FAILED, "Database /d/chaindb failed to open: in use by another process");
    expect(reportError(inUse, false)).toBe(1);
    expect(err).toBe("error: Database /d/chaindb failed to open: in use by another process\n");
    err = "";
    expect(reportError(new PoolError(PoolErrorCode.WORKER_NOT_BUILT, "Run npm run build"), false)).toBe(1);
    expect(err).toBe("error: Run npm run build\n");
    err = "";
    expect(reportError(new UsageError("--to is required"), false)).toBe(1);
    expect(err).toBe("error: --to is required\n");
  });
});
