/**
 * What the wallet-side commands share: --rpc/--json/--key-file/--wait/--timeout, the signing
 * client (the SDK and viem are loaded only when a command signs), one-call reads, and sending a
 * transaction with its outcome as the exit code (tx.ts).
 */
import type { FilverseClient } from "@filverse/client";
import type { Command } from "commander";
import { readKeyFile } from "../keys.js";
import { formatHuman, print, UsageError } from "../output.js";
import { rpcRead } from "../rpc.js";
import { DEFAULT_WAIT_TIMEOUT_SEC, timeoutArg, type WaitOpts, waitAndReport, waitArg } from "../tx.js";

export type ClientOpts = WaitOpts & { rpc: string; keyFile?: string; sponsor?: string; sessionAccount?: string };

export const DEFAULT_RPC = process.env.FILVERSE_RPC ?? "http://127.0.0.1:8645";

export function readKey(path: string | undefined): `0x${string}` {
  return readKeyFile(path ?? process.env.FILVERSE_KEY_FILE, "--key-file", {
    env: "FILVERSE_KEY_FILE",
    hints: [
      "Create one with `filverse wallet new --out <file>`, or `filverse wallet import --out <file>` for a key you have.",
    ],
  });
}

/** All of stdin as text (a key for `wallet import`, an order); refuses a terminal, where a key would be echoed. */
export async function readStdin(what = "the key"): Promise<string> {
  if (process.stdin.isTTY)
    throw new UsageError(`This reads ${what} from stdin: pipe it in, or pass a file`, [
      "e.g. `filverse wallet import --out alice.key < secret.txt` (a key typed at a terminal would show)",
    ]);
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const addressArg = (flag: string) => (v: string) => {
  if (!/^0x[0-9a-fA-F]{40}$/.test(v)) throw new UsageError(`${flag} must be a 0x address (40 hex digits), got "${v}"`);
  return v.toLowerCase();
};

/**
 * The client that signs with --key-file: as itself, or with --session-account as a session key acting
 * for that account (every transaction signed as Via<Name>), and with --sponsor naming whose fee
 * allowance pays the fees.
 */
export async function signingClient(o: ClientOpts): Promise<FilverseClient> {
  const key = readKey(o.keyFile);
  const [{ createFilverseClient, sessionAccount, sponsored }, { privateKeyToAccount }] = await Promise.all([
    import("@filverse/client"),
    import("viem/accounts"),
  ]);
  const signer = privateKeyToAccount(key);
  const sponsor = o.sponsor as `0x${string}` | undefined;
  const account = o.sessionAccount
    ? sessionAccount(signer, { account: o.sessionAccount as `0x${string}`, ...(sponsor ? { sponsor } : {}) })
    : sponsor
      ? sponsored(signer, sponsor)
      : signer;
  return createFilverseClient({ url: o.rpc, account });
}

/** A read: one JSON-RPC call, printed for a person (by `human`, else formatHuman), or as JSON with --json. */
export async function read(
  o: ClientOpts,
  method: string,
  params: unknown[],
  human?: (v: never) => string,
): Promise<void> {
  const v = await rpcRead(o.rpc, method, params);
  print(o, v, () => (human && v !== null ? human(v as never) : formatHuman(v)));
}

/** Sign and send, print the hash at once, wait for --wait up to --timeout, exit by the outcome (tx.ts). */
export async function sendAndReport(
  o: ClientOpts,
  fn: (c: FilverseClient) => Promise<{ hash: string } & Record<string, unknown>>,
): Promise<void> {
  const c = await signingClient(o);
  try {
    await waitAndReport(o, c, await fn(c));
  } finally {
    await c.close();
  }
}

export function withCommon(cmd: Command, signs = true): Command {
  cmd
    .option("--rpc <url>", "node JSON-RPC URL (http:// or ws://); default $FILVERSE_RPC", DEFAULT_RPC)
    .option("--json", "print JSON");
  if (signs) {
    cmd
      .option("--key-file <file>", "the signing key (0x hex, mode 0600); default $FILVERSE_KEY_FILE")
      .option("--sponsor <address>", "charge the fee to this sponsor's fee allowance", addressArg("--sponsor"))
      .option(
        "--session-account <address>",
        "sign as a session key for this account (it granted the key a session)",
        addressArg("--session-account"),
      )
      .option(
        "--wait <stage>",
        "wait for: none, pending, preconfirmed, sequenced, checkpointed, stored, finalized (the hash is printed at once)",
        waitArg,
        "sequenced",
      )
      .option(
        "--timeout <seconds>",
        "how long --wait waits; past it the command exits 3 (the transaction was sent: do not resend)",
        timeoutArg,
        String(DEFAULT_WAIT_TIMEOUT_SEC),
      );
  }
  return cmd;
}

export const intArg = (name: string) => (v: string) => {
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number, got "${v}"`);
  return v;
};
