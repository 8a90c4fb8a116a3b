/**
 * The L1 RPC connection drops in the middle of deposits: the node's L1 traffic goes through a TCP
 * proxy on 127.0.0.1 that the test cuts and restores. Deposits made meanwhile are credited once
 * each, in nonce order, when the connection returns.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
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
import { afterAll, expect, it } from "vitest";
import { initDevnet, type RunningNode, startSequencer, tempDir, waitFor } from "./helpers.js";

const FIL = 10n ** 18n;
const tmp = tempDir("l1out");
let l1: LocalL1 | null = null;
let node: RunningNode | null = null;
let proxy: Server | null = null;
const sockets = new Set<Socket>();

afterAll(async () => {
  await node?.stop();
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => (proxy ? proxy.close(() => r()) : r()));
  await l1?.stop();
  tmp.cleanup();
});

/** A TCP proxy to the L1 that can be cut: `up` false drops every connection and refuses new ones. */
function startProxy(target: number): Promise<{ port: number; setUp(up: boolean): void }> {
  let up = true;
  proxy = createServer((client) => {
    if (!up) return client.destroy();
    const upstream = connect(target, "127.0.0.1");
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  });
  return new Promise((resolve) =>
    proxy!.listen(0, "127.0.0.1", () =>
      resolve({
        port: (proxy!.address() as { port: number }).port,
        setUp(value) {
          up = value;
          if (!value) for (const s of sockets) s.destroy();
        },
      }),
    ),
  );
}

it("credits deposits made while the L1 connection is down once it returns, once each", async () => {
  l1 = await startLocalL1();
  const clients = createL1Clients({ url: l1.url, chainId: l1.chainId, pollingIntervalMs: 50, retryCount: 0 });
  const [depositor] = (await clients.walletClient.getAddresses()) as [Address];
  const { chainId, genesisTimestamp } = initDevnet(tmp.dir);
  const sequencer = toHex(privateKeyToAddress(readKeyFile(join(tmp.dir, "sequencer.key")))) as Address;
  const { bridge } = await deployFilverse(clients, depositor, {
    l2ChainId: chainId,
    sequencer,
    genesisTimestamp,
    minCollateral: FIL,
    challengeWindowSec: 60,
    exitDelaySec: 120,
    forceInclusionDelaySec: 3_600,
  });
  const link = await startProxy(l1.port);
  const configPath = join(tmp.dir, "filverse.json");
  const config = JSON.parse(readFileSync(configPath, "utf8"));
  config.devAccountsFile = null;
  config.l1 = {
    rpcUrl: `http://127.0.0.1:${link.port}`,
    chainId: DEV_L1_CHAIN_ID,
    bridge,
    startBlock: 0,
    confirmations: 0,
    pollIntervalMs: 100,
  };
  writeFileSync(configPath, JSON.stringify(config));
  node = await startSequencer(tmp.dir);
  const l2 = createFilverseClient({ url: node.url });
  const alice = "0x00000000000000000000000000000000000a11ce" as Address;
  const deposit = async (amount: bigint) => {
    const hash = await clients.walletClient.writeContract({
      address: bridge,
      abi: loadArtifact("FilverseBridge").abi,
      functionName: "deposit",
      args: [alice],
      value: amount,
      account: depositor,
      chain: clients.walletClient.chain,
    });
    await clients.publicClient.waitForTransactionReceipt({ hash });
  };
  const balance = async () => BigInt((await l2.getAccount({ address: alice })).balance);

  await deposit(1n * FIL);
  await waitFor(async () => (await balance()) === 1n * FIL, 30_000, "the first deposit");

  link.setUp(false); // the node loses its L1
  await deposit(2n * FIL);
  await deposit(3n * FIL);
  await new Promise((r) => setTimeout(r, 1500)); // several failed polls while down
  expect(await balance()).toBe(1n * FIL);

  link.setUp(true);
  await waitFor(async () => (await balance()) === 6n * FIL, 30_000, "the deposits made while down");
  await new Promise((r) => setTimeout(r, 1000));
  expect(await balance()).toBe(6n * FIL);
  const head = await l2.getBlockByNumber({ blockNumber: "latest" });
  expect((head!.header as { l1DepositNonce: string }).l1DepositNonce).toBe("3");
  await l2.close();
}, 120_000);
