/**
 * kill -9 in the middle of a stream of transactions, and in the middle of waves of fee replacements:
 * every hash the node returned (or a replacement of it) is still pending or included after a
 * restart, and the state root equals a clean replay of the stored blocks.
 */
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createFilverseClient } from "@filverse/client";
import { privateKeyToAddress, signTransaction, txHash } from "@filverse/crypto";
import { ChainDb } from "@filverse/db";
import { readKeyFile } from "@filverse/node";
import { applyBlock, assertBlockHeader, assertBlockRoots, createGenesis } from "@filverse/state";
import { signedTxToJson, TxKind } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, expect, it, onTestFinished } from "vitest";
import { initDevnet, rpc, startSequencer, tempDir, waitFor } from "./helpers.js";

const tmp = tempDir("kill9");
afterAll(() => tmp.cleanup());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A node's config, edited in place. */
function editConfig(
  dir: string,
  edit: (cfg: { chain: Record<string, unknown>; rpc: Record<string, unknown> }) => void,
) {
  const configPath = join(dir, "filverse.json");
  const cfg = JSON.parse(readFileSync(configPath, "utf8"));
  edit(cfg);
  writeFileSync(configPath, JSON.stringify(cfg));
}

it("survives SIGKILL mid-stream without losing a returned transaction", async () => {
  const { accounts } = initDevnet(tmp.dir);
  // Slow blocks, so that at the kill most accepted transactions exist only in the journal.
  const configPath = join(tmp.dir, "filverse.json");
  const cfg = JSON.parse(readFileSync(configPath, "utf8")) as { chain: Record<string, unknown> };
  cfg.chain.blockTimeMs = 1500;
  writeFileSync(configPath, JSON.stringify(cfg));
  let node = await startSequencer(tmp.dir);
  const clients = accounts
    .slice(0, 4)
    .map((a) => createFilverseClient({ url: node.url, account: privateKeyToAccount(a.privateKey) }));
  await waitFor(
    async () => BigInt((await clients[0]!.getAccount({ address: accounts[0]!.address })).balance) > 0n,
    20_000,
    "dev funds",
  );

  // Four senders stream transfers; each returned hash is recorded the moment it comes back.
  const returned: `0x${string}`[] = [];
  let killed = false;
  const KILL_AFTER = 120;
  const senders = clients.map(async (c, i) => {
    for (let k = 0; !killed; k++) {
      try {
        const { hash } = await c.transfer({ to: accounts[(i + 1) % 4]!.address, amount: BigInt(k + 1) });
        returned.push(hash);
      } catch {
        return; // the node died under this request: it returned nothing, so nothing is owed
      }
    }
  });
  await waitFor(async () => returned.length >= KILL_AFTER, 30_000, `${KILL_AFTER} accepted transactions`);
  killed = true;
  await node.kill();
  await Promise.all(senders);
  await Promise.all(clients.map((c) => c.close()));
  const owed = [...returned];
  expect(owed.length).toBeGreaterThanOrEqual(KILL_AFTER);

  // Restart on the same data dir: every returned hash is pending, preconfirmed (executed into the
  // open block before the kill: rebuilt from its record) or sequenced, and all get included.
  node = await startSequencer(tmp.dir);
  const reader = createFilverseClient({ url: node.url });
  let pendingAfterRestart = 0;
  for (const hash of owed) {
    const s = await reader.getTransactionStatus({ hash });
    expect(["pending", "preconfirmed", "sequenced"], `${hash} after restart`).toContain(s.status);
    if (s.status !== "sequenced") pendingAfterRestart++;
  }
  // Some came back from the journal and the open block's record (not yet in a block when the process died).
  expect(pendingAfterRestart).toBeGreaterThan(0);
  for (const hash of owed) {
    const s = await reader.waitForTransaction(hash, { timeoutMs: 20_000 });
    expect(s.status).toBe("sequenced");
  }
  const head = await reader.getSyncStatus();
  await reader.close();
  expect(await node.stop()).toBe(0);

  // A clean replay of every stored block from genesis reaches the node's head state root.
  const config = JSON.parse(readFileSync(configPath, "utf8")) as {
    genesis: { chainId: number; timestamp: number };
  };
  const sequencer = privateKeyToAddress(readKeyFile(join(tmp.dir, "sequencer.key")));
  const genesis = createGenesis(
    { chainId: config.genesis.chainId },
    { timestamp: config.genesis.timestamp, proposer: sequencer },
  );
  const db = await ChainDb.open({ dir: join(tmp.dir, "chaindb") });
  try {
    const stored = (await db.getHead())!;
    let state = genesis.state;
    let parent = genesis.header;
    for (let n = 1; n <= stored.number; n++) {
      const block = (await db.getBlockByNumber(n))!;
      assertBlockHeader(parent, block, sequencer);
      const result = applyBlock(state, block, { chainId: config.genesis.chainId });
      assertBlockRoots(block.header, result);
      state = result.state;
      parent = block.header;
    }
    expect(toHex(state.roots().stateRoot)).toBe(head.stateRoot);
    expect(toHex((await db.loadState()).roots().stateRoot)).toBe(head.stateRoot);
  } finally {
    await db.close();
  }
}, 120_000);

it("survives SIGKILL during waves of fee replacements without losing a returned transaction", async () => {
  const dir = join(tmp.dir, "replace");
  const { accounts, chainId } = initDevnet(dir);
  // One client address sends thousands of requests a second here: no rate limit.
  editConfig(dir, (cfg) => {
    cfg.rpc.rateLimit = null;
  });
  const SENDERS = 8;
  const PENDING = 40; // per sender: nonces 1..40, nonce 0 never sent, so none can execute
  const WAVES = 40;
  const CRASHES = 20;
  const MAX_CRASHES = 80;
  const senders = accounts.slice(0, SENDERS);
  const to = fromHex(accounts[SENDERS]!.address);
  const slotOf = (s: number, i: number) => `${s}:${i}`;
  /** Every hash submitted per (sender, nonce), and the ones the node returned. */
  const submitted = new Map<string, string[]>();
  const returned = new Map<string, string[]>();
  const record = (map: Map<string, string[]>, slot: string, hash: string) =>
    map.set(slot, [...(map.get(slot) ?? []), hash]);
  /** Wave 0 is the originals; each later wave replaces all of them at +50% fee. */
  const sign = (wave: number, s: number, i: number) => {
    const fee = (1_000n * 3n ** BigInt(wave)) / 2n ** BigInt(wave);
    const tx = signTransaction(
      chainId,
      { kind: TxKind.Transfer, message: { to, amount: 1n, nonce: i + 1, fee } },
      fromHex(senders[s]!.privateKey),
    );
    record(submitted, slotOf(s, i), toHex(txHash(tx)));
    return tx;
  };

  let node = await startSequencer(dir);
  // Whatever happens, no node of this test outlives it.
  onTestFinished(() => node.kill());
  await waitFor(
    async () => {
      const res = await rpc(node.url, {
        jsonrpc: "2.0",
        id: 1,
        method: "filverse_getAccount",
        params: [senders.at(-1)!.address],
      });
      return BigInt((res.json as { result: { balance: string } }).result.balance) > 0n;
    },
    20_000,
    "dev funds",
  );
  /** One JSON-RPC batch per sender and wave: 40 submissions in flight at once. */
  const sendWave = async (w: number, s: number): Promise<void> => {
    const body = Array.from({ length: PENDING }, (_, i) => ({
      jsonrpc: "2.0",
      id: i,
      method: "filverse_sendTransaction",
      params: [signedTxToJson(sign(w, s, i))],
    }));
    const res = await rpc(node.url, body);
    for (const r of res.json as { id: number; result?: string }[]) {
      if (typeof r.result !== "string") continue;
      record(returned, slotOf(s, r.id), r.result);
    }
  };
  await Promise.all(senders.map((_, s) => sendWave(0, s)));
  expect(returned.size).toBe(SENDERS * PENDING);

  // Replacement waves, back to back per sender; kill -9 lands in the middle of them.
  let killed = false;
  const waves = senders.map(async (_, s) => {
    for (let w = 1; w <= WAVES && !killed; w++) {
      try {
        await sendWave(w, s);
      } catch {
        return; // the node died under this request: it returned nothing, so nothing is owed
      }
    }
  });
  // Crashes at many moments of the waves: each time the process is frozen (SIGSTOP), its database
  // directory copied (what a kill -9 at that instant leaves on disk: written is written, fsync or
  // not) with the hashes returned so far, and the process resumed. Then a real kill -9.
  const replacedCount = () => [...returned.values()].reduce((n, hashes) => n + hashes.length - 1, 0);
  // From the start of the waves (the first, when every sender's batch arrives at once, is the most
  // concurrent) until at least CRASHES points are taken and two waves' worth of replacements returned.
  const snapshots: { dir: string; owed: Map<string, string[]> }[] = [];
  while (snapshots.length < MAX_CRASHES && (snapshots.length < CRASHES || replacedCount() < 2 * SENDERS * PENDING)) {
    await sleep(5 + Math.random() * 10);
    node.proc.kill("SIGSTOP");
    const owed = new Map([...returned].map(([slot, hashes]) => [slot, [...hashes]]));
    const copy = join(tmp.dir, `crash-${snapshots.length}`);
    cpSync(join(dir, "chaindb"), copy, { recursive: true });
    node.proc.kill("SIGCONT");
    snapshots.push({ dir: copy, owed });
  }
  killed = true;
  await node.kill();
  await Promise.all(waves);
  expect(replacedCount(), "replacements returned while crash points were taken").toBeGreaterThan(0);

  // Each copy, opened as a restart would open it: every owed (sender, nonce) has a hash it was sent
  // in the journal or in a block.
  const lostAt: Record<string, number> = {};
  for (const [k, snap] of snapshots.entries()) {
    const db = await ChainDb.open({ dir: snap.dir });
    try {
      const journaled = new Set<string>();
      for await (const e of db.journalEntries()) journaled.add(toHex(e.hash));
      let lost = 0;
      for (const slot of snap.owed.keys()) {
        let kept = false;
        for (const h of submitted.get(slot)!)
          kept ||= journaled.has(h) || (await db.getTxLocation(fromHex(h))) !== null;
        if (!kept) lost++;
      }
      if (lost > 0) lostAt[`crash ${k}`] = lost;
    } finally {
      await db.close();
    }
  }
  expect(lostAt, "returned transactions lost by a crash at that moment").toEqual({});

  // Restart: each (sender, nonce) with a returned hash has that hash or a replacement of it pending.
  node = await startSequencer(dir);
  const statuses = new Map<string, string>();
  const all = [...submitted.values()].flat();
  for (let i = 0; i < all.length; i += 100) {
    const body = all.slice(i, i + 100).map((hash) => ({
      jsonrpc: "2.0",
      id: hash,
      method: "filverse_getTransactionStatus",
      params: [hash],
    }));
    for (const r of (await rpc(node.url, body)).json as { id: string; result: { status: string } }[]) {
      statuses.set(r.id, r.result.status);
    }
  }
  const lost = [...returned.keys()].filter(
    (slot) => !submitted.get(slot)!.some((h) => ["pending", "sequenced"].includes(statuses.get(h)!)),
  );
  expect(await node.stop()).toBe(0);
  expect(lost, "returned transactions neither pending nor included after the restart").toEqual([]);
}, 90_000);
