/** The CLI in-process: init writes a 0600 key, --json prints JSON, user mistakes exit 1 without a stack. */
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
    expect(err).toContain("--amount must be a whole number");
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
    ]) {
      out = "";
      expect(await run(...cmd, "--help")).toBe(0);
      expect(out).toContain("Usage: filverse");
    }
  });
});
