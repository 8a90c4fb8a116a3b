/** wallet import (a key from --from or stdin into a new 0600 file) and the warning for key files others can read. */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { privateKeyToAddress } from "viem/accounts";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/main.js";

const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const BIN = fileURLToPath(new URL("../../bin/filverse.js", import.meta.url));

let dir: string;
let out: string;
let err: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "filverse-keys-"));
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

describe("filverse wallet import", () => {
  it("--from: 64 hex digits with or without 0x, any case, into a 0600 file; never overwrites", async () => {
    const src = join(dir, "secret.txt");
    writeFileSync(src, `  ${KEY.slice(2).toUpperCase()}\n`, { mode: 0o600 });
    const keyFile = join(dir, "alice.key");
    expect(await run("wallet", "import", "--out", keyFile, "--from", src, "--json")).toBe(0);
    expect(JSON.parse(out)).toEqual({ address: privateKeyToAddress(KEY).toLowerCase(), keyFile });
    expect(readFileSync(keyFile, "utf8")).toBe(`${KEY}\n`);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(err).toBe("");

    expect(await run("wallet", "import", "--out", keyFile, "--from", src)).toBe(1);
    expect(err).toContain("already exists; refusing to overwrite a key");
    expect(readFileSync(keyFile, "utf8")).toBe(`${KEY}\n`);
  });

  it("refuses what is not a key, and a missing source, with exit 1 and no file written", async () => {
    for (const [i, bad] of ["0x1234", `${KEY}00`, "0x".padEnd(66, "0"), `${KEY.slice(0, 65)}g`, ""].entries()) {
      const src = join(dir, `bad${i}`);
      writeFileSync(src, bad, { mode: 0o600 });
      err = "";
      expect(await run("wallet", "import", "--out", join(dir, `k${i}`), "--from", src)).toBe(1);
      expect(err).toMatch(/does not hold a private key|zero key/);
      expect(() => statSync(join(dir, `k${i}`))).toThrow();
    }
    expect(await run("wallet", "import", "--out", join(dir, "k"), "--from", join(dir, "nope"))).toBe(1);
    expect(err).toContain("does not exist");
    expect(err).not.toMatch(/\n\s+at /);
  });

  it("reads the key from stdin (the built bin)", () => {
    const keyFile = join(dir, "piped.key");
    const r = spawnSync(process.execPath, [BIN, "wallet", "import", "--out", keyFile], {
      input: `${KEY}\n`,
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`address ${privateKeyToAddress(KEY).toLowerCase()}`);
    expect(readFileSync(keyFile, "utf8")).toBe(`${KEY}\n`);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  });
});

describe("key files readable by others", () => {
  it("warn on stderr with the mode and the fix; a 0600 file does not", async () => {
    const keyFile = join(dir, "open.key");
    writeFileSync(keyFile, `${KEY}\n`);
    chmodSync(keyFile, 0o644);
    // Reading the key happens before the node is reached (nothing listens on port 1).
    const args = [
      "wallet",
      "transfer",
      "--to",
      `0x${"12".repeat(20)}`,
      "--amount",
      "1.5",
      "--rpc",
      "http://127.0.0.1:1",
    ];
    await run(...args, "--key-file", keyFile);
    expect(err).toContain(
      `warning: key file ${keyFile} is readable by its group and others (mode 0644); run: chmod 600 ${keyFile}`,
    );

    err = "";
    chmodSync(keyFile, 0o640);
    await run(...args, "--key-file", keyFile, "--wait", "none");
    expect(err).toContain("is readable by its group (mode 0640)");

    err = "";
    chmodSync(keyFile, 0o600);
    await run(...args, "--key-file", keyFile, "--wait", "none");
    expect(err).not.toContain("warning");
    expect(err).toContain("Could not reach the node");

    // The L1 key of a bridge command too, and an import's source.
    err = "";
    chmodSync(keyFile, 0o604);
    await run(
      "bridge",
      "deposit",
      "--to",
      `0x${"12".repeat(20)}`,
      "--amount",
      "1",
      "--l1-rpc",
      "http://127.0.0.1:1",
      "--l1-chain-id",
      "314159",
      "--bridge",
      `0x${"34".repeat(20)}`,
      "--l1-key-file",
      keyFile,
    );
    expect(err).toContain("is readable by others (mode 0604)");
    err = "";
    expect(await run("wallet", "import", "--out", join(dir, "copy.key"), "--from", keyFile)).toBe(0);
    expect(err).toContain(`warning: key file ${keyFile}`);
  });
});
