/**
 * kill -9 in the middle of a stream of transactions: every hash the node returned is still pending
 * or included after a restart, and the state root equals a clean replay of the stored blocks.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createFilverseClient } from "@filverse/client";
import { privateKeyToAddress } from "@filverse/crypto";
import { ChainDb } from "@filverse/db";
import { readKeyFile } from "@filverse/node";
import { applyBlock, assertBlockHeader, assertBlockRoots, createGenesis } from "@filverse/state";
import { toHex } from "@filverse/utils";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, expect, it } from "vitest";
import { initDevnet, startSequencer, tempDir, waitFor } from "./helpers.js";

const tmp = tempDir("kill9");
afterAll(() => tmp.cleanup());

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

  // Restart on the same data dir: every returned hash is pending or sequenced, and all get included.
  node = await startSequencer(tmp.dir);
  const reader = createFilverseClient({ url: node.url });
  let pendingAfterRestart = 0;
  for (const hash of owed) {
    const s = await reader.getTransactionStatus({ hash });
    expect(["pending", "sequenced"], `${hash} after restart`).toContain(s.status);
    if (s.status === "pending") pendingAfterRestart++;
  }
  // Some came back from the journal alone (not yet in a block when the process died).
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
