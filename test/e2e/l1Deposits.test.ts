/**
 * Deposits from a real local L1: FIL deposited into the bridge appears on the L2, once, in nonce
 * order, across a sequencer restart and a kill -9 in the middle of deposits.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createFilverseClient } from "@filverse/client";
import { privateKeyToAddress } from "@filverse/crypto";
import {
  createL1Clients,
  DEV_L1_CHAIN_ID,
  deployFilverse,
  type LocalL1,
  loadArtifact,
  startLocalL1,
} from "@filverse/l1";
import { readKeyFile } from "@filverse/node";
import { toHex } from "@filverse/utils";
import type { Address } from "viem";
import { afterAll, beforeAll, expect, it } from "vitest";
import { initDevnet, type RunningNode, rpc, startSequencer, tempDir, waitFor } from "./helpers.js";

const FIL = 10n ** 18n;
const tmp = tempDir("l1dep");
let l1: LocalL1;
let node: RunningNode | null = null;

afterAll(async () => {
  await node?.stop();
  await l1?.stop();
  tmp.cleanup();
});

let clients: ReturnType<typeof createL1Clients>;
let bridge: Address;
let rollup: Address;
let depositor: Address;

beforeAll(async () => {
  l1 = await startLocalL1();
  clients = createL1Clients({ url: l1.url, chainId: l1.chainId, pollingIntervalMs: 50, retryCount: 0 });
  [depositor] = (await clients.walletClient.getAddresses()) as [Address];
  const { chainId, genesisTimestamp } = initDevnet(tmp.dir);
  const sequencer = toHex(privateKeyToAddress(readKeyFile(join(tmp.dir, "sequencer.key")))) as Address;
  const deployment = await deployFilverse(clients, depositor, {
    l2ChainId: chainId,
    sequencer,
    genesisTimestamp,
    minCollateral: FIL,
    challengeWindowSec: 60,
    exitDelaySec: 120,
    forceInclusionDelaySec: 3_600,
  });
  bridge = deployment.bridge;
  rollup = deployment.rollup;
  // Wire the sequencer to the L1 bridge instead of the dev faucet.
  const configPath = join(tmp.dir, "filverse.json");
  const config = JSON.parse(readFileSync(configPath, "utf8"));
  config.devAccountsFile = null;
  config.l1 = {
    rpcUrl: l1.url,
    chainId: DEV_L1_CHAIN_ID,
    bridge,
    startBlock: 0,
    confirmations: 0,
    pollIntervalMs: 200,
  };
  writeFileSync(configPath, JSON.stringify(config));
}, 120_000);

async function deposit(to: Address, amount: bigint): Promise<void> {
  const hash = await clients.walletClient.writeContract({
    address: bridge,
    abi: loadArtifact("FilverseBridge").abi,
    functionName: "deposit",
    args: [to],
    value: amount,
    account: depositor,
    chain: clients.walletClient.chain,
  });
  expect((await clients.publicClient.waitForTransactionReceipt({ hash })).status).toBe("success");
}

async function l2Balance(url: string, address: Address): Promise<bigint> {
  const c = createFilverseClient({ url });
  try {
    return BigInt((await c.getAccount({ address })).balance);
  } finally {
    await c.close();
  }
}

async function l1DepositNonce(url: string): Promise<number> {
  const c = createFilverseClient({ url });
  try {
    const block = await c.getBlockByNumber({ blockNumber: "latest" });
    return Number((block!.header as { l1DepositNonce: string }).l1DepositNonce);
  } finally {
    await c.close();
  }
}

it("credits an L1 deposit on the L2 once, in nonce order, across a restart and a kill -9", async () => {
  const alice = "0x00000000000000000000000000000000000a11ce" as Address;
  const bob = "0x0000000000000000000000000000000000000b0b" as Address;
  node = await startSequencer(tmp.dir);
  await deposit(alice, 10n * FIL);
  await waitFor(async () => (await l2Balance(node!.url, alice)) === 10n * FIL, 30_000, "10 FIL on the L2");

  // Two deposits, then a clean restart before or while they are credited.
  await deposit(bob, 1n * FIL);
  await deposit(bob, 2n * FIL);
  expect(await node.stop()).toBe(0);
  node = await startSequencer(tmp.dir);
  await waitFor(async () => (await l2Balance(node!.url, bob)) === 3n * FIL, 30_000, "3 FIL for bob");

  // A deposit, then kill -9, then another: each credited exactly once.
  await deposit(alice, 5n * FIL);
  await node.kill();
  await deposit(alice, 7n * FIL);
  node = await startSequencer(tmp.dir);
  await waitFor(async () => (await l2Balance(node!.url, alice)) === 22n * FIL, 30_000, "22 FIL for alice");
  expect(await l1DepositNonce(node.url)).toBe(5);
  // Nothing more arrives later: no deposit is credited twice.
  await new Promise((r) => setTimeout(r, 1500));
  expect(await l2Balance(node.url, alice)).toBe(22n * FIL);
  expect(await l2Balance(node.url, bob)).toBe(3n * FIL);
}, 120_000);

it("the rollup's genesis block hash is the running node's genesis", async () => {
  const r = await rpc(node!.url, { jsonrpc: "2.0", id: 1, method: "filverse_getGenesis", params: [] });
  const hash = (r.json as { result: { hash: string } }).result.hash;
  const onL1 = await clients.publicClient.readContract({
    address: rollup,
    abi: loadArtifact("FilverseRollup").abi,
    functionName: "genesisBlockHash",
  });
  expect(onL1).toBe(hash.toLowerCase());
});
