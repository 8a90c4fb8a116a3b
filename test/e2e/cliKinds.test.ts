/**
 * Every transaction kind has its own subcommand (no `send <PrimaryType> --message '{…}'` needed),
 * and maker orders go through `order sign|show|fill|cancel`, all against a real sequencer process:
 * each command exits 0 and the state it changed reads back; a filled or cancelled order cannot be
 * filled again (exit 4).
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, type DevAccount, initDevnet, type RunningNode, startSequencer, tempDir, waitFor } from "./helpers.js";

const CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
const CID2 = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";
const PIECE = "baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq";

let tmp: ReturnType<typeof tempDir>;
let node: RunningNode;
let accounts: DevAccount[];
const keys: string[] = [];

beforeAll(async () => {
  tmp = tempDir("clikinds");
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

/** Sign and send with account `key`; --json; returns the parsed result, failing with stderr unless exit 0. */
function send(key: number, ...args: string[]): Record<string, unknown> {
  const r = cli([...args, "--rpc", node.url, "--key-file", keys[key]!, "--json"]);
  expect(r.status, `${args.join(" ")}: ${r.stderr}`).toBe(0);
  const out = JSON.parse(r.stdout) as Record<string, unknown> & { status: { result: string } };
  expect(out.status.result).toBe("success");
  return out;
}
const read = (...args: string[]) => {
  const r = cli([...args, "--rpc", node.url, "--json"]);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown> | null;
};

describe("a subcommand for every transaction kind", () => {
  it("assets: batch-mint, set-metadata, approve, set-operator, burn", () => {
    const me = accounts[0]!.address.toLowerCase();
    const other = accounts[1]!.address.toLowerCase();
    const { collectionId } = send(
      0,
      "asset",
      "create-collection",
      "--name",
      "K",
      "--symbol",
      "K",
      "--max-supply",
      "10",
    ) as {
      collectionId: string;
    };
    send(
      0,
      "asset",
      "batch-mint",
      "--collection",
      collectionId,
      "--first-token-id",
      "1",
      "--to",
      me,
      "--cid",
      CID,
      "--cid",
      CID,
      "--cid",
      CID,
    );
    for (const id of ["1", "2", "3"])
      expect(read("asset", "get", "--collection", collectionId, "--token-id", id)).toMatchObject({ owner: me });
    send(0, "asset", "set-metadata", "--collection", collectionId, "--token-id", "1", "--cid", CID2);
    expect(read("asset", "get", "--collection", collectionId, "--token-id", "1")).toMatchObject({ contentCid: CID2 });
    send(0, "asset", "approve", "--collection", collectionId, "--token-id", "2", "--approved", other);
    expect(read("asset", "get", "--collection", collectionId, "--token-id", "2")).toMatchObject({ approved: other });
    send(0, "asset", "approve", "--collection", collectionId, "--token-id", "2", "--clear");
    send(0, "asset", "set-operator", "--collection", collectionId, "--operator", other);
    // The operator moves token 2 for its owner.
    send(1, "asset", "transfer", "--collection", collectionId, "--token-id", "2", "--to", other);
    expect(read("asset", "get", "--collection", collectionId, "--token-id", "2")).toMatchObject({ owner: other });
    send(0, "asset", "set-operator", "--collection", collectionId, "--operator", other, "--revoke");
    send(0, "asset", "burn", "--collection", collectionId, "--token-id", "3");
    expect(read("asset", "get", "--collection", collectionId, "--token-id", "3")).toMatchObject({ burned: true });
    // Neither --approved nor --clear: a usage error, nothing sent.
    const r = cli([
      "asset",
      "approve",
      "--collection",
      collectionId,
      "--token-id",
      "1",
      "--rpc",
      node.url,
      "--key-file",
      keys[0]!,
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Pass one of --approved <address> or --clear");
  });

  it("tokens: burn", () => {
    const me = accounts[0]!.address;
    const { tokenId } = send(0, "token", "create", "--name", "Gold", "--symbol", "GLD", "--cap", "1000") as {
      tokenId: string;
    };
    send(0, "token", "mint", "--token", tokenId, "--to", me, "--amount", "100");
    send(0, "token", "burn", "--token", tokenId, "--amount", "30");
    expect(read("token", "balance", "--token", tokenId, "--holder", me)).toMatchObject({ balance: "70" });
  });

  it("identities: update, set-attribute, remove-attribute, revoke-delegate, transfer; data: revoke", () => {
    const other = accounts[1]!.address.toLowerCase();
    const { identityId } = send(0, "identity", "create", "--handle", "kinds_one", "--profile-cid", CID) as {
      identityId: string;
    };
    send(0, "identity", "update", "--identity", identityId, "--profile-cid", CID2);
    expect(read("identity", "get", identityId)).toMatchObject({ profileCid: CID2 });
    send(
      0,
      "identity",
      "set-attribute",
      "--identity",
      identityId,
      "--key",
      "website",
      "--value",
      "https://example.org",
    );
    expect(JSON.stringify(read("identity", "get", identityId))).toContain("https://example.org");
    send(0, "identity", "remove-attribute", "--identity", identityId, "--key", "website");
    expect(JSON.stringify(read("identity", "get", identityId))).not.toContain("https://example.org");
    send(0, "identity", "add-delegate", "--identity", identityId, "--delegate", other);
    send(0, "identity", "revoke-delegate", "--identity", identityId, "--delegate", other);
    const owned = (who: string) =>
      (read("identity", "list", "--owner", who) as { identities: { id: string }[] }).identities.map((i) => i.id);
    expect(owned(accounts[0]!.address)).toContain(identityId);
    send(0, "identity", "transfer", "--identity", identityId, "--new-owner", other);
    expect(read("identity", "get", identityId)).toMatchObject({ owner: other });
    // The node's owner index follows the transfer.
    expect(owned(accounts[0]!.address)).not.toContain(identityId);
    expect(owned(other)).toContain(identityId);

    const { dataAssetId } = send(
      0,
      "data",
      "register",
      "--content-cid",
      CID,
      "--piece-cid",
      PIECE,
      "--size",
      "4096",
      "--license",
      "CC0",
    ) as {
      dataAssetId: string;
    };
    const grantees = () =>
      (read("data", "grantees", dataAssetId) as { grantees: { grantee: string; active: boolean }[] }).grantees;
    expect(grantees()).toEqual([]);
    send(0, "data", "grant", "--data-asset", dataAssetId, "--grantee", other);
    expect(grantees()).toEqual([expect.objectContaining({ grantee: other, active: true })]);
    send(0, "data", "revoke", "--data-asset", dataAssetId, "--grantee", other);
    expect(grantees()).toEqual([]);
    // A person's view of the same read.
    const human = cli(["data", "grantees", dataAssetId, "--rpc", node.url]);
    expect(human.stdout.trim()).toBe("no grantees");
  });

  it("order sign|show|fill|cancel: a sell order filled at 1.5 FIL; a cancelled order cannot be filled", () => {
    const maker = accounts[0]!.address.toLowerCase();
    const taker = accounts[1]!.address.toLowerCase();
    const { collectionId } = send(
      0,
      "asset",
      "create-collection",
      "--name",
      "O",
      "--symbol",
      "O",
      "--max-supply",
      "5",
    ) as {
      collectionId: string;
    };
    send(
      0,
      "asset",
      "batch-mint",
      "--collection",
      collectionId,
      "--first-token-id",
      "1",
      "--to",
      maker,
      "--cid",
      CID,
      "--cid",
      CID,
    );
    const file = join(tmp.dir, "order1.json");
    const signed = cli([
      "order",
      "sign",
      "--side",
      "sell",
      "--collection",
      collectionId,
      "--token-id",
      "1",
      "--price",
      "1.5",
      "--out",
      file,
      "--rpc",
      node.url,
      "--key-file",
      keys[0]!,
    ]);
    expect(signed.status, signed.stderr).toBe(0);
    expect(signed.stdout).toContain(`maker    ${maker} sells token 1 of ${collectionId}`);
    expect(signed.stdout).toContain("price    1.5 FIL (1500000000000000000 attoFIL)");
    const shown = cli(["order", "show", file, "--json"]);
    expect(JSON.parse(shown.stdout).order).toMatchObject({ maker, price: "1500000000000000000", tokenId: "1" });

    const before = BigInt((read("wallet", "balance", maker) as { balance: string }).balance);
    send(1, "order", "fill", "--order", file);
    expect(read("asset", "get", "--collection", collectionId, "--token-id", "1")).toMatchObject({ owner: taker });
    // The maker is paid the price (its own collection: the royalty comes back to it too).
    expect(BigInt((read("wallet", "balance", maker) as { balance: string }).balance) - before).toBe(
      1_500_000_000_000_000_000n,
    );
    const again = cli(["order", "fill", "--order", file, "--rpc", node.url, "--key-file", keys[1]!]);
    expect(again.status).toBe(4);

    const file2 = join(tmp.dir, "order2.json");
    expect(
      cli([
        "order",
        "sign",
        "--side",
        "sell",
        "--collection",
        collectionId,
        "--token-id",
        "2",
        "--price",
        "2fil",
        "--out",
        file2,
        "--rpc",
        node.url,
        "--key-file",
        keys[0]!,
      ]).status,
    ).toBe(0);
    send(0, "order", "cancel", "--order", file2);
    const cancelled = cli(["order", "fill", "--order", file2, "--rpc", node.url, "--key-file", keys[1]!]);
    expect(cancelled.status).toBe(4);
    expect(cancelled.stderr).toContain("the transaction failed");
    expect(read("asset", "get", "--collection", collectionId, "--token-id", "2")).toMatchObject({ owner: maker });

    // Not an order: a usage error naming what is missing.
    writeFileSync(join(tmp.dir, "bad.json"), JSON.stringify({ order: { maker } }));
    const bad = cli(["order", "fill", "--order", join(tmp.dir, "bad.json"), "--rpc", node.url, "--key-file", keys[1]!]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("is not a signed order: no side, collectionId");
  });

  it("reads: a collection, a token, a block (human by default, --json for scripts)", () => {
    const { collectionId } = send(
      0,
      "asset",
      "create-collection",
      "--name",
      "Reads",
      "--symbol",
      "RD",
      "--royalty-bps",
      "250",
      "--max-supply",
      "7",
    ) as {
      collectionId: string;
    };
    const human = cli(["asset", "collection", collectionId, "--rpc", node.url]);
    expect(human.status, human.stderr).toBe(0);
    expect(human.stdout).toContain("name        Reads (RD)");
    expect(human.stdout).toContain("royalty     2.5% (250 bps)");
    expect(human.stdout).toContain("supply      0 minted of 7, 0 burned");
    expect(read("asset", "collection", collectionId)).toMatchObject({ id: collectionId, maxSupply: "7" });
    expect(cli(["asset", "collection", `0x${"ab".repeat(32)}`, "--rpc", node.url]).stdout).toBe("not found\n");

    const { tokenId } = send(0, "token", "create", "--name", "Silver", "--symbol", "SLV", "--cap", "500") as {
      tokenId: string;
    };
    expect(read("token", "get", tokenId)).toMatchObject({ name: "Silver", symbol: "SLV", cap: "500" });
    const tokenHuman = cli(["token", "get", tokenId, "--rpc", node.url]);
    expect(tokenHuman.stdout).toMatch(/^name\s+Silver$/m);

    const latest = read("block") as { hash: string; header: { number: string } };
    const byNumber = cli(["block", latest.header.number, "--rpc", node.url]);
    expect(byNumber.status, byNumber.stderr).toBe(0);
    expect(byNumber.stdout).toContain(`block      ${latest.header.number}`);
    expect(byNumber.stdout).toContain(`hash       ${latest.hash}`);
    expect(read("block", latest.hash)).toMatchObject({ hash: latest.hash });
    const bad = cli(["block", "yesterday", "--rpc", node.url]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('A block is "latest", a number or a 0x block hash');
  });
});
