/**
 * `filverse allowance set|revoke|show` (fee allowances: a sponsor pays others' fees) and `filverse
 * session request|grant|revoke|show` (session keys with exact permissions, asked for by an app).
 * Thin over the SDK's sponsorFees, revokeFeeAllowance, signSessionRequest, grantSession and
 * revokeSession; reads are one JSON-RPC call. docs/sessions.md walks through a game's use of both.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { safeStringify } from "@filverse/utils";
import type { Command } from "commander";
import { AMOUNT_HELP, filAmountArg, formatFil } from "../amount.js";
import { type OutputOpts, print, UsageError } from "../output.js";
import { rpcRead } from "../rpc.js";
import { type ClientOpts, intArg, readKey, readStdin, sendAndReport, withCommon } from "./common.js";

type Hex = `0x${string}`;

const KINDS_HELP = 'comma-separated kinds, e.g. "AssetMint,AttributeSet,TradeFill" (the EIP-712 type names)';

/** What `session request` writes and `session grant --request` reads. */
export type SessionRequestFile = {
  chainId: number;
  account: Hex;
  sessionKey: Hex;
  app: Hex;
  deadline: number;
  appSignature: Hex;
};

const REQUEST_FIELDS = ["chainId", "account", "sessionKey", "app", "deadline", "appSignature"] as const;

const addressArg = (flag: string) => (v: string) => {
  if (!/^0x[0-9a-fA-F]{40}$/.test(v))
    throw new UsageError(`--${flag} must be a 0x address (40 hex digits), got "${v}"`);
  return v.toLowerCase();
};
const idArg = (flag: string) => (v: string) => {
  if (!/^0x[0-9a-fA-F]{64}$/.test(v)) throw new UsageError(`--${flag} must be a 0x id (64 hex digits), got "${v}"`);
  return v.toLowerCase();
};
const secondsArg = (flag: string) => (v: string) => {
  if (!/^[1-9]\d*$/.test(v)) throw new UsageError(`--${flag} must be a positive number of seconds, got "${v}"`);
  return v;
};
const expiresInArg = (v: string) => {
  if (v !== "never" && !/^[1-9]\d*$/.test(v))
    throw new UsageError(`--expires-in must be a positive number of seconds or "never", got "${v}"`);
  return v;
};
const collect =
  <T>(parse: (v: string) => T) =>
  (v: string, prev: T[] = []) => [...prev, parse(v)];

/** "AssetMint,TradeFill" → ["AssetMint", "TradeFill"]; the SDK checks the names. */
export function kindList(text: string): string[] {
  const names = text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new UsageError("--kinds names at least one transaction kind", [KINDS_HELP]);
  return names;
}

/** --token <id>:<cap>[:<periodCap>], caps in the token's base units. */
export function tokenCapArg(v: string): { tokenId: Hex; cap: string; periodCap: string } {
  const m = /^(0x[0-9a-fA-F]{64}):(\d+)(?::(\d+))?$/.exec(v.trim());
  if (!m) throw new UsageError(`--token must be <tokenId>:<cap>[:<periodCap>] (base units), got "${v}"`);
  return { tokenId: m[1]!.toLowerCase() as Hex, cap: m[2]!, periodCap: m[3] ?? "0" };
}

const inSeconds = (s: string | undefined): number =>
  s === undefined || s === "never" ? 0 : Math.floor(Date.now() / 1000) + Number(s);

/** A session request file (or stdin for "-"), its shape checked here and its values by the SDK. */
async function readRequest(file: string): Promise<SessionRequestFile> {
  let text: string;
  if (file === "-") text = await readStdin("the session request");
  else {
    if (!existsSync(file)) throw new UsageError(`${file} does not exist`);
    text = readFileSync(file, "utf8");
  }
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new UsageError(`${file === "-" ? "stdin" : file} is not JSON`, [
      "Write one with `filverse session request --out <file>`.",
    ]);
  }
  const missing = REQUEST_FIELDS.filter((f) => v?.[f] === undefined);
  if (missing.length > 0)
    throw new UsageError(`${file === "-" ? "stdin" : file} is not a session request: no ${missing.join(", ")}`);
  return v as unknown as SessionRequestFile;
}

/** Kind names of a mask (decimal string), for people. */
async function kindNames(mask: string): Promise<string> {
  const { TxKind } = await import("@filverse/types");
  const m = BigInt(mask);
  const names = Object.entries(TxKind)
    .filter(([, k]) => typeof k === "number" && (m >> BigInt(k)) & 1n)
    .map(([name]) => name);
  return names.length > 0 ? names.join(", ") : "none";
}

type AllowanceJson = Record<string, string | null> & { kinds: string };
type SessionJson = Record<string, unknown> & { kinds: string; status: string };

export async function describeAllowance(a: AllowanceJson): Promise<string> {
  const fil = (k: string) => (a[k] === null || a[k] === undefined ? "-" : formatFil(a[k]!));
  const lines = [
    `budget      ${fil("totalBudget")} (spent ${fil("spent")}, remaining ${fil("remaining")})`,
    Number(a.period ?? 0) > 0
      ? `per period  ${fil("periodBudget")} every ${a.period} s (remaining ${fil("periodRemaining")})`
      : "per period  -",
    `max fee     ${a.maxFeePerTx === "0" ? "any" : fil("maxFeePerTx")}`,
    `kinds       ${await kindNames(a.kinds)}`,
    `expires     ${a.expiresAt === "0" ? "never" : new Date(Number(a.expiresAt) * 1000).toISOString()}`,
  ];
  return lines.join("\n");
}

export async function describeSession(g: SessionJson): Promise<string> {
  const fil = (k: string) => (g[k] === null || g[k] === undefined ? "-" : formatFil(String(g[k])));
  const list = (k: string) => {
    const v = g[k] as unknown[] | undefined;
    return v && v.length > 0 ? v.map(String).join(", ") : "any";
  };
  const lines = [
    `status      ${g.status}`,
    `app         ${String(g.app)}`,
    `kinds       ${await kindNames(g.kinds)}`,
    `FIL         cap ${fil("filCap")}, spent ${fil("filSpent")}, remaining ${fil("filRemaining")}`,
  ];
  if (Number(g.period ?? 0) > 0)
    lines.push(
      `per period  ${fil("filPeriodCap")} every ${String(g.period)} s (remaining ${fil("filPeriodRemaining")})`,
    );
  const tokens = (g.tokens as string[] | undefined) ?? [];
  tokens.forEach((t, i) => {
    const at = (k: string) => String((g[k] as unknown[] | undefined)?.[i] ?? "-");
    lines.push(`token       ${t}: cap ${at("tokenCaps")}, spent ${at("tokenSpent")}`);
  });
  lines.push(`collections ${list("collections")}`, `parties     ${list("counterparties")}`);
  lines.push(`expires     ${new Date(Number(g.expiresAt) * 1000).toISOString()}`);
  return lines.join("\n");
}

export function registerGrantCommands(program: Command): void {
  const allowance = program
    .command("allowance")
    .description("fee allowances: pay the fees of an address, or of anyone acting on your collection or identity");
  withCommon(allowance.command("set").description("grant (or replace) a fee allowance, signed as the sponsor"))
    .option("--grantee <address>", "whose fees it pays (default: anyone acting on --target)", addressArg("grantee"))
    .option("--target <id>", "your collection, token, identity or data asset it is limited to", idArg("target"))
    .requiredOption("--budget <amount>", `fees it pays in all: ${AMOUNT_HELP}`, filAmountArg("budget"))
    .requiredOption("--kinds <list>", KINDS_HELP)
    .option("--period-budget <amount>", "fees per --period", filAmountArg("period-budget"))
    .option("--period <seconds>", "the period of --period-budget", secondsArg("period"))
    .option("--max-fee <amount>", "the largest fee it pays for one transaction", filAmountArg("max-fee"))
    .option("--expires-in <seconds>", 'lifetime, or "never"', expiresInArg, "never")
    .action(
      (
        o: ClientOpts & {
          grantee?: string;
          target?: string;
          budget: string;
          kinds: string;
          periodBudget?: string;
          period?: string;
          maxFee?: string;
          expiresIn: string;
        },
      ) => {
        if (!o.grantee && !o.target) throw new UsageError("Pass --grantee <address>, --target <id>, or both");
        if (!o.periodBudget !== !o.period) throw new UsageError("--period-budget and --period go together");
        const kinds = kindList(o.kinds);
        return sendAndReport(o, (c) =>
          c.sponsorFees({
            ...(o.grantee ? { grantee: o.grantee as Hex } : {}),
            ...(o.target ? { target: o.target as Hex } : {}),
            totalBudget: o.budget,
            ...(o.periodBudget ? { periodBudget: o.periodBudget, period: o.period! } : {}),
            ...(o.maxFee ? { maxFeePerTx: o.maxFee } : {}),
            kinds: kinds as never,
            expiresAt: inSeconds(o.expiresIn),
          }),
        );
      },
    );
  withCommon(allowance.command("revoke").description("delete one of your fee allowances (immediate)"))
    .option("--grantee <address>", "its grantee (default: zero)", addressArg("grantee"))
    .option("--target <id>", "its target (default: zero)", idArg("target"))
    .action((o: ClientOpts & { grantee?: string; target?: string }) => {
      if (!o.grantee && !o.target) throw new UsageError("Pass --grantee <address>, --target <id>, or both");
      return sendAndReport(o, (c) =>
        c.revokeFeeAllowance({
          ...(o.grantee ? { grantee: o.grantee as Hex } : {}),
          ...(o.target ? { target: o.target as Hex } : {}),
        }),
      );
    });
  withCommon(allowance.command("show").description("a fee allowance and what remains of it"), false)
    .requiredOption("--sponsor <address>", "the sponsor", addressArg("sponsor"))
    .option("--grantee <address>", "its grantee (default: zero)", addressArg("grantee"))
    .option("--target <id>", "its target (default: zero)", idArg("target"))
    .action(async (o: ClientOpts & { sponsor: string; grantee?: string; target?: string }) => {
      const v = (await rpcRead(o.rpc, "filverse_getFeeAllowance", [
        o.sponsor,
        o.grantee ?? `0x${"00".repeat(20)}`,
        o.target ?? `0x${"00".repeat(32)}`,
      ])) as AllowanceJson | null;
      const human = v === null ? "not found" : await describeAllowance(v);
      print(o, v, () => human);
    });

  const session = program
    .command("session")
    .description("session keys: an app asks, an account grants exact permissions, the key signs for it");
  const request = session
    .command("request")
    .description("as an app identity's owner, sign a request that `account` grant `session-key` a session")
    .requiredOption("--account <address>", "the account asked to grant it", addressArg("account"))
    .requiredOption("--session-key <address>", "the session key", addressArg("session-key"))
    .requiredOption("--app <identityId>", "your app identity", idArg("app"))
    .option("--deadline-in <seconds>", "the grant must be included within this", secondsArg("deadline-in"), "600")
    .option("--chain-id <n>", "the L2 chain id (default: read from --rpc)", intArg("chain-id"))
    .option(
      "--rpc <url>",
      "node JSON-RPC URL, for the chain id; default $FILVERSE_RPC",
      process.env.FILVERSE_RPC ?? "http://127.0.0.1:8645",
    )
    .option("--key-file <file>", "the app identity owner's key (0x hex, mode 0600); default $FILVERSE_KEY_FILE")
    .option("--out <file>", "write the request here (default: stdout)")
    .option("--json", "print JSON");
  request.action(
    async (
      o: ClientOpts &
        OutputOpts & {
          account: string;
          sessionKey: string;
          app: string;
          deadlineIn: string;
          chainId?: string;
          out?: string;
        },
    ) => {
      if (o.out && existsSync(o.out)) throw new UsageError(`${o.out} already exists; refusing to overwrite it`);
      const key = readKey(o.keyFile);
      const chainId = o.chainId ? Number(o.chainId) : Number(await rpcRead(o.rpc, "filverse_chainId", []));
      const [{ signSessionRequest }, { privateKeyToAccount }] = await Promise.all([
        import("@filverse/client"),
        import("viem/accounts"),
      ]);
      const deadline = inSeconds(o.deadlineIn);
      const fields = { account: o.account as Hex, sessionKey: o.sessionKey as Hex, app: o.app as Hex, deadline };
      const appSignature = await signSessionRequest(privateKeyToAccount(key), { chainId, ...fields });
      const file: SessionRequestFile = { chainId, ...fields, appSignature };
      const text = `${safeStringify(file)}\n`;
      if (!o.out) {
        process.stdout.write(text);
        return;
      }
      writeFileSync(o.out, text, { flag: "wx" });
      print(
        o,
        { file: resolve(o.out), ...file },
        () =>
          `request  ${o.account} to grant ${o.sessionKey} for app ${o.app}\ndeadline ${new Date(deadline * 1000).toISOString()}\nfile     ${resolve(o.out!)}`,
      );
    },
  );
  withCommon(session.command("grant").description("let a session key sign for you within exact permissions"))
    .requiredOption("--request <file>", "the app's signed request from `session request` (- for stdin)")
    .requiredOption("--kinds <list>", KINDS_HELP)
    .requiredOption("--expires-in <seconds>", "the session's lifetime", secondsArg("expires-in"))
    .option("--fil-cap <amount>", `FIL the key may move in all (default 0): ${AMOUNT_HELP}`, filAmountArg("fil-cap"))
    .option("--fil-period-cap <amount>", "FIL per --period", filAmountArg("fil-period-cap"))
    .option("--period <seconds>", "the period of the per-period caps", secondsArg("period"))
    .option(
      "--token <id:cap[:periodCap]>",
      "a token the key may move, with caps in base units (repeatable, up to 4)",
      collect(tokenCapArg),
    )
    .option("--collection <id>", "limit the key to this collection (repeatable, up to 4)", collect(idArg("collection")))
    .option(
      "--counterparty <address>",
      "limit the key to this counterparty (repeatable, up to 4)",
      collect(addressArg("counterparty")),
    )
    .action(
      async (
        o: ClientOpts & {
          request: string;
          kinds: string;
          expiresIn: string;
          filCap?: string;
          filPeriodCap?: string;
          period?: string;
          token?: ReturnType<typeof tokenCapArg>[];
          collection?: string[];
          counterparty?: string[];
        },
      ) => {
        const req = await readRequest(o.request);
        const kinds = kindList(o.kinds);
        return sendAndReport(o, async (c) => {
          if (c.address !== String(req.account).toLowerCase())
            throw new UsageError(
              `The request asks ${req.account} to grant the session, but --key-file is ${c.address}`,
              ["Grant it with the key of the account the app named."],
            );
          return c.grantSession({
            sessionKey: req.sessionKey,
            app: req.app,
            appSignature: req.appSignature,
            requestDeadline: req.deadline,
            kinds: kinds as never,
            expiresAt: inSeconds(o.expiresIn),
            ...(o.filCap ? { filCap: o.filCap } : {}),
            ...(o.filPeriodCap ? { filPeriodCap: o.filPeriodCap } : {}),
            ...(o.period ? { period: o.period } : {}),
            ...(o.token ? { tokens: o.token } : {}),
            ...(o.collection ? { collections: o.collection as Hex[] } : {}),
            ...(o.counterparty ? { counterparties: o.counterparty as Hex[] } : {}),
          });
        });
      },
    );
  withCommon(
    session
      .command("revoke")
      .description("end a session key for good (signed by the account or by the key itself; never re-grantable)"),
  )
    .requiredOption("--session-key <address>", "the session key", addressArg("session-key"))
    .option("--account <address>", "the account that granted it (default: the signer)", addressArg("account"))
    .action((o: ClientOpts & { sessionKey: string; account?: string }) =>
      sendAndReport(o, (c) =>
        c.revokeSession({ sessionKey: o.sessionKey as Hex, ...(o.account ? { account: o.account as Hex } : {}) }),
      ),
    );
  withCommon(session.command("show").description("a session grant: permissions, spent, remaining, status"), false)
    .requiredOption("--account <address>", "the account that granted it", addressArg("account"))
    .requiredOption("--session-key <address>", "the session key", addressArg("session-key"))
    .action(async (o: ClientOpts & { account: string; sessionKey: string }) => {
      const v = (await rpcRead(o.rpc, "filverse_getSessionGrant", [o.account, o.sessionKey])) as SessionJson | null;
      const human = v === null ? "not found" : await describeSession(v);
      print(o, v, () => human);
    });
}
