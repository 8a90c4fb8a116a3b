/**
 * `filverse allowance` and `filverse session` in-process: help for each, user mistakes as one line
 * with exit 1 and nothing sent, `session request` signing offline (with --chain-id) a request whose
 * signature recovers to the app owner's key, and --sponsor / --session-account on every signing command.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashTypedData, recoverAddress } from "@filverse/crypto";
import { SessionRequest } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import { privateKeyToAccount } from "viem/accounts";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { describeAllowance, describeSession, kindList, tokenCapArg } from "../../src/commands/grants.js";
import { main } from "../../src/main.js";

let dir: string;
let out: string;
let err: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "filverse-grants-"));
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
/** Nothing listens here: a command that reached the network would fail with a connection error. */
const NO_NODE = ["--rpc", "http://127.0.0.1:9"];
const KEY = `0x${"77".repeat(32)}` as const;
const APP = `0x${"ab".repeat(32)}`;
const PLAYER = `0x${"12".repeat(20)}`;
const SESSION = `0x${"34".repeat(20)}`;

function keyFile(): string {
  const f = join(dir, "k.key");
  writeFileSync(f, `${KEY}\n`, { mode: 0o600 });
  return f;
}

describe("filverse allowance / session", () => {
  it("--help works for each subcommand, and signing commands take --sponsor and --session-account", async () => {
    for (const cmd of [
      ["allowance", "set"],
      ["allowance", "revoke"],
      ["allowance", "show"],
      ["session", "request"],
      ["session", "grant"],
      ["session", "revoke"],
      ["session", "show"],
    ]) {
      out = "";
      expect(await run(...cmd, "--help")).toBe(0);
      expect(out).toContain(`Usage: filverse ${cmd.join(" ")}`);
    }
    for (const cmd of [
      ["asset", "mint"],
      ["wallet", "transfer"],
      ["identity", "set-attribute"],
      ["order", "fill"],
      ["allowance", "set"],
    ]) {
      out = "";
      expect(await run(...cmd, "--help")).toBe(0);
      expect(out, cmd.join(" ")).toContain("--sponsor <address>");
      expect(out, cmd.join(" ")).toContain("--session-account <address>");
    }
    out = "";
    expect(await run("allowance", "show", "--help")).toBe(0);
    expect(out).not.toContain("--session-account");
  });

  it("user mistakes: one line, exit 1, nothing sent", async () => {
    const k = keyFile();
    const cases: [string[], RegExp][] = [
      [
        ["allowance", "set", "--budget", "1", "--kinds", "AssetMint", "--key-file", k],
        /--grantee <address>, --target <id>/,
      ],
      [["allowance", "set", "--target", "0x12", "--budget", "1", "--kinds", "AssetMint"], /--target must be a 0x id/],
      [
        ["allowance", "set", "--grantee", PLAYER, "--budget", "0", "--kinds", "AssetMint"],
        /--budget must be more than zero/,
      ],
      [
        [
          "allowance",
          "set",
          "--grantee",
          PLAYER,
          "--budget",
          "1",
          "--kinds",
          "AssetMint",
          "--period",
          "60",
          "--key-file",
          k,
        ],
        /--period-budget and --period go together/,
      ],
      [["allowance", "set", "--grantee", PLAYER, "--budget", "1", "--kinds", " , ", "--key-file", k], /at least one/],
      [["allowance", "revoke", "--key-file", k], /--grantee <address>, --target <id>/],
      [["allowance", "show", "--sponsor", "nope"], /--sponsor must be a 0x address/],
      [["wallet", "transfer", "--to", PLAYER, "--amount", "1", "--sponsor", "0x1"], /--sponsor must be a 0x address/],
      [
        [
          "asset",
          "mint",
          "--collection",
          APP,
          "--token-id",
          "1",
          "--to",
          PLAYER,
          "--cid",
          "x",
          "--session-account",
          "z",
        ],
        /--session-account must be/,
      ],
      [
        ["session", "grant", "--request", join(dir, "missing.json"), "--kinds", "AssetMint", "--expires-in", "60"],
        /does not exist/,
      ],
      [
        ["session", "grant", "--request", "r.json", "--kinds", "AssetMint", "--expires-in", "soon"],
        /--expires-in must be a positive/,
      ],
      [
        ["session", "grant", "--request", "r.json", "--kinds", "AssetMint", "--expires-in", "60", "--token", "0x12:5"],
        /--token must be/,
      ],
      [
        ["session", "request", "--account", PLAYER, "--session-key", SESSION, "--app", "0xab", "--chain-id", "1"],
        /--app must be a 0x id/,
      ],
    ];
    for (const [args, message] of cases) {
      err = "";
      expect(await run(...args, ...NO_NODE), args.join(" ")).toBe(1);
      expect(err, args.join(" ")).toMatch(message);
      expect(err).not.toMatch(/Could not reach|at .*\.js/);
    }
    // A request file without the app's signature.
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ account: PLAYER, sessionKey: SESSION, app: APP }));
    err = "";
    expect(
      await run(
        "session",
        "grant",
        "--request",
        bad,
        "--kinds",
        "AssetMint",
        "--expires-in",
        "60",
        "--key-file",
        k,
        ...NO_NODE,
      ),
    ).toBe(1);
    expect(err).toMatch(/not a session request: no chainId, deadline, appSignature/);
    // An unknown kind name is the SDK's clear error, before anything is sent.
    const good = join(dir, "req.json");
    writeFileSync(
      good,
      JSON.stringify({
        chainId: 1,
        account: privateKeyToAccount(KEY).address,
        sessionKey: SESSION,
        app: APP,
        deadline: 1,
        appSignature: `0x${"11".repeat(65)}`,
      }),
    );
    err = "";
    expect(
      await run(
        "session",
        "grant",
        "--request",
        good,
        "--kinds",
        "AssetMint,Teleport",
        "--expires-in",
        "60",
        "--key-file",
        k,
        ...NO_NODE,
      ),
    ).toBe(1);
    expect(err).toMatch(/Unknown transaction kind "Teleport"/);
  });

  it("session request signs offline with --chain-id: the SessionRequest recovers to the app owner", async () => {
    const k = keyFile();
    const file = join(dir, "req.json");
    const before = Math.floor(Date.now() / 1000);
    expect(
      await run(
        "session",
        "request",
        "--account",
        PLAYER,
        "--session-key",
        SESSION,
        "--app",
        APP,
        "--chain-id",
        "3141592601",
        "--deadline-in",
        "300",
        "--key-file",
        k,
        "--out",
        file,
        "--json",
        ...NO_NODE,
      ),
      err,
    ).toBe(0);
    const req = JSON.parse(readFileSync(file, "utf8")) as {
      chainId: number;
      account: string;
      sessionKey: string;
      app: string;
      deadline: number;
      appSignature: string;
    };
    expect(req).toMatchObject({ chainId: 3_141_592_601, account: PLAYER, sessionKey: SESSION, app: APP });
    expect(req.deadline).toBeGreaterThanOrEqual(before + 300);
    expect(req.deadline).toBeLessThanOrEqual(before + 302);
    const digest = hashTypedData(3_141_592_601, SessionRequest, {
      account: fromHex(PLAYER),
      sessionKey: fromHex(SESSION),
      app: fromHex(APP),
      deadline: req.deadline,
    });
    expect(toHex(recoverAddress(digest, fromHex(req.appSignature)))).toBe(
      privateKeyToAccount(KEY).address.toLowerCase(),
    );
    expect(JSON.parse(out)).toMatchObject({ file, appSignature: req.appSignature });
    // The request names the account that must grant it: another key is refused before sending.
    const other = join(dir, "other.key");
    writeFileSync(other, `0x${"78".repeat(32)}\n`, { mode: 0o600 });
    const wrong = join(dir, "wrong.json");
    writeFileSync(wrong, JSON.stringify({ ...req, account: PLAYER }));
    err = "";
    expect(
      await run(
        "session",
        "grant",
        "--request",
        wrong,
        "--kinds",
        "AssetMint",
        "--expires-in",
        "60",
        "--key-file",
        other,
        ...NO_NODE,
      ),
    ).toBe(1);
    expect(err).toMatch(/asks 0x1212.* to grant the session, but --key-file is 0x/);
  });

  it("parsers and the human form of the reads", async () => {
    expect(kindList("AssetMint, TradeFill,")).toEqual(["AssetMint", "TradeFill"]);
    expect(tokenCapArg(`${APP}:100:5`)).toEqual({ tokenId: APP, cap: "100", periodCap: "5" });
    expect(tokenCapArg(`${APP}:100`).periodCap).toBe("0");
    const allowance = await describeAllowance({
      totalBudget: "100000000000000000",
      spent: "1000000000000000",
      remaining: "99000000000000000",
      periodBudget: "0",
      period: "0",
      periodStart: "0",
      periodSpent: "0",
      periodRemaining: null,
      maxFeePerTx: "0",
      kinds: String((1n << 11n) | (1n << 50n)),
      expiresAt: "0",
    });
    expect(allowance).toContain("budget      0.1 FIL (spent 0.001 FIL, remaining 0.099 FIL)");
    expect(allowance).toContain("kinds       AssetMint, TradeFill");
    expect(allowance).toContain("max fee     any");
    expect(allowance).toContain("expires     never");
    const session = await describeSession({
      status: "active",
      app: APP,
      kinds: String(1n << 32n),
      filCap: "5000000000000000000",
      filSpent: "3000000000000000000",
      filRemaining: "2000000000000000000",
      period: "0",
      tokens: [APP],
      tokenCaps: ["100"],
      tokenSpent: ["7"],
      collections: [],
      counterparties: [PLAYER],
      expiresAt: "1800000000",
    });
    expect(session).toContain("FIL         cap 5 FIL, spent 3 FIL, remaining 2 FIL");
    expect(session).toContain(`token       ${APP}: cap 100, spent 7`);
    expect(session).toContain("collections any");
    expect(session).toContain(`parties     ${PLAYER}`);
  });
});
