/**
 * `filverse allowance` and `filverse session`, and `--sponsor` / `--session-account`, against a real
 * sequencer process: a studio's allowance pays a 0-FIL player's identity, the app's signed request
 * becomes the player's session grant, the session key sets an attribute as the player, a kind the
 * grant does not allow is refused at admission (exit 1, the validation code in the JSON error),
 * revocation shows at once, and `show` reads what remains.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { cli, type DevAccount, initDevnet, type RunningNode, startSequencer, tempDir, waitFor } from "./helpers.js";

const CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

let tmp: ReturnType<typeof tempDir>;
let node: RunningNode;
let accounts: DevAccount[];

beforeAll(async () => {
  tmp = tempDir("clisessions");
  ({ accounts } = initDevnet(tmp.dir));
  node = await startSequencer(tmp.dir);
  await waitFor(
    async () =>
      BigInt(JSON.parse(cli(["wallet", "balance", accounts[0]!.address, "--rpc", node.url, "--json"]).stdout).balance) >
      0n,
    20_000,
    "dev funds",
  );
}, 60_000);

afterAll(async () => {
  const code = await node?.stop();
  tmp?.cleanup();
  expect(code).toBe(0);
});

/** Run with --rpc and --json; exit 0 expected; the parsed stdout. */
function ok(...args: string[]): Record<string, unknown> {
  const r = cli([...args, "--rpc", node.url, "--json"]);
  expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(0);
  const out = JSON.parse(r.stdout) as Record<string, unknown>;
  if (out.status && typeof out.status === "object") expect((out.status as { result: string }).result).toBe("success");
  return out;
}

/** A new key file and its address. */
function newKey(name: string): { file: string; address: string } {
  const file = join(tmp.dir, `${name}.key`);
  const r = cli(["wallet", "new", "--out", file, "--json"]);
  expect(r.status, r.stderr).toBe(0);
  return { file, address: (JSON.parse(r.stdout) as { address: string }).address };
}

it("a studio sponsors a new player, whose session key acts within its grant", () => {
  const studioKey = join(tmp.dir, "studio.key");
  writeFileSync(studioKey, `${accounts[0]!.privateKey}\n`, { mode: 0o600 });
  const studio = accounts[0]!.address.toLowerCase();
  const player = newKey("player");
  const session = newKey("session");

  const { identityId: appId } = ok(
    "identity",
    "create",
    "--handle",
    "cli_studio",
    "--profile-cid",
    CID,
    "--key-file",
    studioKey,
  ) as {
    identityId: string;
  };
  // The player's own first transactions, paid by the studio.
  ok(
    "allowance",
    "set",
    "--grantee",
    player.address,
    "--budget",
    "0.001",
    "--max-fee",
    "0.0001",
    "--kinds",
    "IdentityCreate,SessionGrant,SessionRevoke,AttributeSet",
    "--expires-in",
    "3600",
    "--key-file",
    studioKey,
  );
  const shown = ok("allowance", "show", "--sponsor", studio, "--grantee", player.address);
  expect(shown).toMatchObject({
    totalBudget: "1000000000000000",
    spent: "0",
    remaining: "1000000000000000",
    periodRemaining: null,
  });
  const human = cli(["allowance", "show", "--sponsor", studio, "--grantee", player.address, "--rpc", node.url]);
  expect(human.stdout).toContain("kinds       IdentityCreate, AttributeSet, SessionGrant, SessionRevoke");

  // A player with 0 FIL creates an identity, the studio paying (the devnet fee is 0; the SDK game test
  // traces real fees).
  const { identityId } = ok(
    "identity",
    "create",
    "--handle",
    "cli_player",
    "--profile-cid",
    CID,
    "--key-file",
    player.file,
    "--sponsor",
    studio,
  ) as { identityId: string };
  expect(ok("wallet", "balance", player.address).balance).toBe("0");

  // The app asks; the player grants (sponsored).
  const req = join(tmp.dir, "req.json");
  ok(
    "session",
    "request",
    "--account",
    player.address,
    "--session-key",
    session.address,
    "--app",
    appId,
    "--key-file",
    studioKey,
    "--out",
    req,
  );
  ok(
    "session",
    "grant",
    "--request",
    req,
    "--kinds",
    "AttributeSet",
    "--expires-in",
    "3600",
    "--key-file",
    player.file,
    "--sponsor",
    studio,
  );
  expect(ok("session", "show", "--account", player.address, "--session-key", session.address)).toMatchObject({
    app: appId,
    kinds: String(1n << 32n),
    filCap: "0",
    status: "active",
  });

  // The session key sets an attribute on the player's identity, as the player.
  ok(
    "identity",
    "set-attribute",
    "--identity",
    identityId,
    "--key",
    "game.level",
    "--value",
    "7",
    "--key-file",
    session.file,
    "--session-account",
    player.address,
    "--sponsor",
    studio,
  );
  expect(JSON.stringify(ok("identity", "get", identityId))).toContain("game.level");

  // A kind the grant does not allow: refused at admission, nothing sent, the code in the JSON error.
  const refused = cli([
    "wallet",
    "transfer",
    "--to",
    studio,
    "--amount",
    "1atto",
    "--key-file",
    session.file,
    "--session-account",
    player.address,
    "--sponsor",
    studio,
    "--rpc",
    node.url,
    "--json",
  ]);
  expect(refused.status).toBe(1);
  const error = JSON.parse(refused.stderr) as {
    error: { code: number; details: { data: { validationCode: number } } };
  };
  expect(error.error.code).toBe(-32021);
  expect(error.error.details.data.validationCode).toBe(208);

  // The player revokes the key; the next transaction of the key is refused (revoked, 206).
  ok("session", "revoke", "--session-key", session.address, "--key-file", player.file, "--sponsor", studio);
  expect(ok("session", "show", "--account", player.address, "--session-key", session.address)).toMatchObject({
    status: "revoked",
  });
  const afterRevoke = cli([
    "identity",
    "set-attribute",
    "--identity",
    identityId,
    "--key",
    "game.level",
    "--value",
    "8",
    "--key-file",
    session.file,
    "--session-account",
    player.address,
    "--sponsor",
    studio,
    "--rpc",
    node.url,
    "--json",
  ]);
  expect(afterRevoke.status).toBe(1);
  expect(JSON.parse(afterRevoke.stderr).error.details.data.validationCode).toBe(206);

  // The sponsor revokes its allowance: gone at once.
  ok("allowance", "revoke", "--grantee", player.address, "--key-file", studioKey);
  const gone = cli(["allowance", "show", "--sponsor", studio, "--grantee", player.address, "--rpc", node.url]);
  expect(gone.stdout.trim()).toBe("not found");
}, 120_000);
