/**
 * The CLI's transaction commands against a real sequencer process tell the truth in their exit code:
 * a failed transaction exits 4 with its code's name and meaning (and no id it would have created),
 * and `--wait <stage> --timeout` prints the hash at once and, past the timeout, exits 3 saying the
 * transaction was sent and which stage it reached.
 */
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CLI,
  cli,
  type DevAccount,
  initDevnet,
  type RunningNode,
  startSequencer,
  tempDir,
  waitFor,
} from "./helpers.js";

const CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

let tmp: ReturnType<typeof tempDir>;
let node: RunningNode;
let accounts: DevAccount[];
const keys: string[] = [];

beforeAll(async () => {
  tmp = tempDir("clitx");
  ({ accounts } = initDevnet(tmp.dir));
  node = await startSequencer(tmp.dir);
  for (const [i, a] of accounts.slice(0, 2).entries()) {
    const file = join(tmp.dir, `k${i}.key`);
    writeFileSync(file, `${a.privateKey}\n`, { mode: 0o600 });
    keys.push(file);
  }
  await waitFor(
    async () =>
      BigInt(JSON.parse(cli(["wallet", "balance", accounts[1]!.address, "--rpc", node.url, "--json"]).stdout).balance) >
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

const send = (key: number, ...args: string[]) => cli([...args, "--rpc", node.url, "--key-file", keys[key]!]);

describe("filverse transactions: exit codes", () => {
  it("a mint of an existing token exits 4 with ASSET_EXISTS and its meaning", () => {
    const made = send(0, "asset", "create-collection", "--name", "C", "--symbol", "C", "--max-supply", "10", "--json");
    expect(made.status, made.stderr).toBe(0);
    const { collectionId } = JSON.parse(made.stdout) as { collectionId: string };
    const mint = (...extra: string[]) =>
      send(
        0,
        "asset",
        "mint",
        "--collection",
        collectionId,
        "--token-id",
        "1",
        "--to",
        accounts[0]!.address,
        "--cid",
        CID,
        ...extra,
      );
    expect(mint().status).toBe(0);
    const again = mint();
    expect(again.status).toBe(4);
    expect(again.stdout).toMatch(/^tx 0x[0-9a-f]{64}\n/);
    expect(again.stdout).toContain("status sequenced, failed");
    expect(again.stderr).toContain(
      "the transaction failed: 1102 ASSET_EXISTS: minting a token id that exists or was burned",
    );
    const json = mint("--json");
    expect(json.status).toBe(4);
    expect(JSON.parse(json.stdout).status).toMatchObject({ status: "sequenced", result: "failed", code: 1102 });
  });

  it("identity create with a taken handle exits 4 and prints no identityId", () => {
    const first = send(0, "identity", "create", "--handle", "taken_one", "--profile-cid", CID);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/identityId 0x[0-9a-f]{64}/);
    const taken = send(1, "identity", "create", "--handle", "taken_one", "--profile-cid", CID);
    expect(taken.status).toBe(4);
    expect(taken.stdout).not.toContain("identityId");
    expect(taken.stderr).toContain("1301 HANDLE_TAKEN: the handle belongs to another identity");
    const json = send(1, "identity", "create", "--handle", "taken_one", "--profile-cid", CID, "--json");
    expect(json.status).toBe(4);
    expect(JSON.parse(json.stdout)).not.toHaveProperty("identityId");
  });

  it("--wait finalized --timeout 2 prints the hash at once, then exits 3 naming the stage reached", async () => {
    // A dev sequencer has no L1: nothing is ever finalized, so the wait must time out.
    const started = Date.now();
    const child = spawn(
      process.execPath,
      [
        CLI,
        "wallet",
        "transfer",
        "--to",
        accounts[2]!.address,
        "--amount",
        "1",
        "--wait",
        "finalized",
        "--timeout",
        "2",
      ].concat(["--rpc", node.url, "--key-file", keys[1]!]),
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    let hashAt = 0;
    child.stdout.on("data", (d) => {
      out += String(d);
      if (!hashAt && /tx 0x[0-9a-f]{64}\n/.test(out)) hashAt = Date.now();
    });
    child.stderr.on("data", (d) => {
      err += String(d);
    });
    const code = await new Promise<number | null>((r) => child.once("exit", r));
    const exitedAt = Date.now();
    expect(code, err).toBe(3);
    expect(hashAt).toBeGreaterThan(0);
    expect(exitedAt - hashAt).toBeGreaterThanOrEqual(1_900); // printed before the 2 s wait, not after
    expect(exitedAt - started).toBeLessThan(20_000);
    const hash = /tx (0x[0-9a-f]{64})/.exec(out)![1]!;
    expect(err).toContain(
      `timed out after 2 s waiting for finalized: the transaction was sent (${hash}) and is sequenced`,
    );
    expect(err).toContain("do not send it again");
    // It did go through: a script must not resend it.
    expect(JSON.parse(cli(["tx", "status", hash, "--rpc", node.url, "--json"]).stdout)).toMatchObject({
      status: "sequenced",
    });
  });

  it("bad --wait and --timeout values are usage errors (exit 1, nothing sent)", () => {
    const bad = send(0, "wallet", "transfer", "--to", accounts[2]!.address, "--amount", "1", "--wait", "soon");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("--wait must be one of none, pending, preconfirmed");
    const badT = send(0, "wallet", "transfer", "--to", accounts[2]!.address, "--amount", "1", "--timeout", "-1");
    expect(badT.status).toBe(1);
  });
});
