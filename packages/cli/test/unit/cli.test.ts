/** The CLI in-process: init writes a 0600 key, --json prints JSON, user mistakes exit 1 without a stack. */
import { randomFillSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commP } from "@filverse/crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/main.js";

let dir: string;
let out: string;
let err: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "filverse-cli-"));
  out = "";
  err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    err += String(s);
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const run = (...args: string[]) => main(["node", "filverse", ...args]);

describe("filverse", () => {
  it("init writes a config, a 0600 sequencer key and 0600 dev accounts, and prints JSON", async () => {
    expect(await run("init", "--data-dir", dir, "--json")).toBe(0);
    const printed = JSON.parse(out) as { chainId: number; sequencer: string };
    expect(printed.chainId).toBe(3_141_592_601);
    expect(printed.sequencer).toMatch(/^0x[0-9a-f]{40}$/);
    expect(statSync(join(dir, "sequencer.key")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "dev-accounts.json")).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, "filverse.json"), "utf8"))).toMatchObject({ preset: "devnet" });
    // A second init refuses to overwrite.
    expect(await run("init", "--data-dir", dir)).toBe(1);
    expect(err).toContain("already exists");
  });

  it("user mistakes: a clear line, exit code 1, no stack trace", async () => {
    expect(await run("init", "--data-dir", dir, "--preset", "moonnet")).toBe(1);
    expect(await run("sequencer", "--data-dir", join(dir, "missing"))).toBe(1);
    expect(await run("wallet", "transfer", "--to", "0x12", "--amount", "1")).toBe(1);
    expect(await run("wallet", "transfer", "--to", "0x12", "--amount", "x")).toBe(1);
    expect(err).toContain('Unknown preset "moonnet"');
    expect(err).toContain("No filverse.json");
    expect(err).toContain("--key-file");
    expect(err).toContain("--amount is not an amount of FIL");
    // 1.5 FIL parses (the missing key is what stops it); 19 decimals and 0 do not.
    err = "";
    expect(await run("wallet", "transfer", "--to", "0x12", "--amount", "1.5")).toBe(1);
    expect(err).toContain("--key-file");
    expect(await run("wallet", "transfer", "--to", "0x12", "--amount", "0.0000000000000000001")).toBe(1);
    expect(err).toContain("more than 18 decimals");
    expect(await run("bridge", "withdraw", "--to", "0x12", "--amount", "0fil")).toBe(1);
    expect(err).toContain("--amount must be more than zero");
    expect(err).not.toMatch(/\n\s+at /);
  });

  it("dispute: every subcommand has --help; a data dir without a dispute section and a bad limit are clear errors", async () => {
    for (const sub of ["list", "show", "challenge", "defend"]) {
      out = "";
      expect(await run("dispute", sub, "--help")).toBe(0);
      expect(out).toContain("Usage: filverse dispute");
    }
    expect(await run("init", "--data-dir", dir)).toBe(0);
    expect(await run("dispute", "challenge", "--data-dir", dir, "--checkpoint", "0")).toBe(1);
    expect(err).toContain("has no `dispute` and `l1` sections");
    expect(await run("dispute", "list", "--limit", "x")).toBe(1);
    expect(err).toContain('--limit must be a whole number, got "x"');
    expect(err).not.toMatch(/\n\s+at /);
  });

  it("wallet new writes a 0600 key and prints its address", async () => {
    const keyFile = join(dir, "k.key");
    expect(await run("wallet", "new", "--out", keyFile, "--json")).toBe(0);
    expect(JSON.parse(out).address).toMatch(/^0x[0-9a-f]{40}$/);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(await run("wallet", "new", "--out", keyFile)).toBe(1);
  });

  it("--help works for every command", async () => {
    for (const cmd of [
      ["init"],
      ["sequencer"],
      ["dev"],
      ["demo"],
      ["wallet", "transfer"],
      ["asset", "mint"],
      ["identity", "add-delegate"],
      ["send"],
      ["piece", "commp"],
      ["wallet", "import"],
      ["asset", "batch-mint"],
      ["asset", "set-operator"],
      ["token", "burn"],
      ["identity", "set-attribute"],
      ["identity", "transfer"],
      ["data", "revoke"],
      ["order", "sign"],
      ["order", "fill"],
      ["order", "cancel"],
    ]) {
      out = "";
      expect(await run(...cmd, "--help")).toBe(0);
      expect(out).toContain("Usage: filverse");
    }
  });

  it("piece commp streams a file through the pool: --json prints exactly the four fields", async () => {
    // 5 MiB + 17: two chunks of 2 MiB padded and a 1 MiB tail, all on the workers.
    const payload = randomFillSync(new Uint8Array(5 * 2 ** 20 + 17));
    const file = join(dir, "batch.car");
    writeFileSync(file, payload);
    const expected = commP(payload);
    expect(await run("piece", "commp", file, "--json")).toBe(0);
    expect(JSON.parse(out)).toEqual({
      pieceCid: expected.pieceCid,
      pieceCidV1: expected.pieceCidV1,
      paddedSize: 8 * 2 ** 20,
      payloadSize: payload.length,
    });
    expect(Object.keys(JSON.parse(out))).toEqual(["pieceCid", "pieceCidV1", "paddedSize", "payloadSize"]);

    out = "";
    expect(await run("piece", "commp", file)).toBe(0);
    expect(out).toContain(`pieceCid    ${expected.pieceCid}`);
    expect(out).toContain(`pieceCidV1  ${expected.pieceCidV1}`);
    expect(out).toContain("paddedSize  8388608");
  });

  it("piece commp: a missing file, a directory or a file below 65 bytes is a clear error", async () => {
    expect(await run("piece", "commp", join(dir, "nope.car"))).toBe(1);
    expect(err).toContain("No such file");
    expect(await run("piece", "commp", dir)).toBe(1);
    expect(err).toContain("Not a regular file");
    const small = join(dir, "small.bin");
    writeFileSync(small, new Uint8Array(64));
    expect(await run("piece", "commp", small)).toBe(1);
    expect(err).toContain("Piece payload must be at least 65 bytes, got 64");
    err = "";
    expect(await run("piece", "commp", small, "--json")).toBe(1);
    expect(JSON.parse(err).error.code).toBe("PIECE_PAYLOAD_TOO_SMALL");
    expect(err).not.toMatch(/\n\s+at /);
  });
});
