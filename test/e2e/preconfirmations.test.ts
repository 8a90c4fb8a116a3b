/**
 * Preconfirmations against real processes on 127.0.0.1: transactions sent with
 * filverse_sendTransactionSync to a sequencer whose blocks take a minute, the sequencer killed with
 * SIGKILL before it seals, restarted: the sealed block honours every preconfirmation it signed
 * (isPreconfirmationBroken, the L1 contract's judgement, finds none broken), and every signature
 * recovers to the sequencer's address.
 */
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createFilverseClient } from "@filverse/client";
import { privateKeyToAddress, recoverPreconfirmationSigner } from "@filverse/crypto";
import { ChainDb } from "@filverse/db";
import { isPreconfirmationBroken } from "@filverse/l1";
import { readKeyFile } from "@filverse/node";
import type { Preconfirmation, PreconfirmationJson } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, expect, it } from "vitest";
import { cli, initDevnet, startSequencer, tempDir, waitFor } from "./helpers.js";

const tmp = tempDir("preconf");
afterAll(() => tmp.cleanup());

function setBlockTime(dir: string, ms: number): void {
  const path = join(dir, "filverse.json");
  const cfg = JSON.parse(readFileSync(path, "utf8")) as {
    chain: Record<string, unknown>;
    rpc: Record<string, unknown>;
  };
  cfg.chain.blockTimeMs = ms;
  cfg.rpc.rateLimit = null;
  writeFileSync(path, JSON.stringify(cfg));
}

function signed(p: PreconfirmationJson): Preconfirmation {
  return {
    number: Number(p.preconfirmation.number),
    position: p.preconfirmation.position,
    receiptRoot: fromHex(p.preconfirmation.receiptRoot),
    touchedRoot: fromHex(p.preconfirmation.touchedRoot),
  };
}

it("every preconfirmation given before a SIGKILL is honoured by the block sealed after the restart", async () => {
  const { accounts, chainId } = initDevnet(tmp.dir);
  const sequencer = toHex(privateKeyToAddress(readKeyFile(join(tmp.dir, "sequencer.key"))));

  // Fast blocks first, so that the dev faucet's deposits land; then a block time far past the test.
  setBlockTime(tmp.dir, 250);
  let node = await startSequencer(tmp.dir);
  const funded = createFilverseClient({ url: node.url });
  await waitFor(
    async () => BigInt((await funded.getAccount({ address: accounts[3]!.address })).balance) > 0n,
    20_000,
    "dev funds",
  );
  await funded.close();
  expect(await node.stop()).toBe(0);
  setBlockTime(tmp.dir, 600_000);
  node = await startSequencer(tmp.dir);

  // Four senders, each a few transfers through sendTransactionSync, concurrently.
  const clients = accounts
    .slice(0, 4)
    .map((a) => createFilverseClient({ url: node.url, account: privateKeyToAccount(a.privateKey) }));
  const sent = await Promise.all(
    clients.map(async (c, i) => {
      const out: PreconfirmationJson[] = [];
      for (let k = 0; k < 5; k++) {
        const r = await c.sendTransactionSync({
          primaryType: "Transfer",
          message: { to: accounts[(i + 1) % 4]!.address, amount: BigInt(k + 1) },
        });
        out.push(r.preconfirmation);
      }
      return out;
    }),
  );
  const pres = sent.flat();
  // The CLI waits for the same status.
  const keyFile = join(tmp.dir, "sender4.key");
  writeFileSync(keyFile, `${accounts[4]!.privateKey}\n`);
  chmodSync(keyFile, 0o600);
  const r = cli([
    "wallet",
    "transfer",
    "--rpc",
    node.url,
    "--key-file",
    keyFile,
    "--to",
    accounts[0]!.address,
    "--amount",
    "7",
    "--wait",
    "preconfirmed",
    "--json",
  ]);
  expect(r.status, r.stderr).toBe(0);
  const viaCli = JSON.parse(r.stdout) as { hash: `0x${string}`; status: { status: string } };
  expect(viaCli.status.status).toBe("preconfirmed");
  const cliPre = await clients[0]!.getPreconfirmation({ hash: viaCli.hash });
  expect(cliPre).not.toBeNull();
  pres.push(cliPre!);

  const number = pres[0]!.preconfirmation.number;
  for (const p of pres) {
    expect(p.preconfirmation.number).toBe(number); // all in the one open block
    const signer = recoverPreconfirmationSigner(chainId, signed(p), fromHex(p.preconfirmation.signature));
    expect(toHex(signer)).toBe(sequencer);
  }
  expect(new Set(pres.map((p) => p.preconfirmation.position)).size).toBe(pres.length);
  const status = await clients[0]!.getTransactionStatus({ hash: pres[0]!.hash });
  expect(status).toMatchObject({ status: "preconfirmed", blockNumber: number });
  expect((await clients[0]!.getSyncStatus()).head).toBe(String(Number(number) - 1)); // nothing sealed yet
  await Promise.all(clients.map((c) => c.close()));

  await node.kill(); // SIGKILL: the open block exists only in the sequencer's records
  setBlockTime(tmp.dir, 250);
  node = await startSequencer(tmp.dir);
  expect(node.logs.some((l) => l.msg === "open block rebuilt" && l.preconfirmed === pres.length)).toBe(true);
  const reader = createFilverseClient({ url: node.url });
  for (const p of pres) {
    const s = await reader.waitForTransaction(p.hash, { timeoutMs: 20_000 });
    expect(s).toMatchObject({ status: "sequenced", blockNumber: number, index: p.preconfirmation.position });
  }
  await reader.close();
  expect(await node.stop()).toBe(0);

  // The sealed block, read from the database: no preconfirmation is broken.
  const db = await ChainDb.open({ dir: join(tmp.dir, "chaindb") });
  try {
    const receipts = (await db.getReceipts(Number(number)))!;
    for (const p of pres) {
      expect(isPreconfirmationBroken({ preconfirmation: signed(p), receipts }), p.hash).toBe(false);
    }
    expect(await db.openBlocks()).toEqual([]);
  } finally {
    await db.close();
  }
}, 120_000);
