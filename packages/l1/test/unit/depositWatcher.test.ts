/** The deposit watcher on a real local L1: bounded log ranges, nonce order, an L1 outage, and the node's signal. */
import { toHex } from "@filverse/utils";
import type { Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DepositWatcher } from "../../src/depositWatcher.js";
import { bridgeAbi, type Env, FIL, makeKey, setupEnv } from "./fixture.js";

let env: Env;
beforeAll(async () => {
  env = await setupEnv();
}, 60_000);
afterAll(async () => {
  await env?.l1.stop();
});

const alice = makeKey(21);
const bob = makeKey(22);

describe("DepositWatcher", () => {
  it("serves final deposits in nonce order, contiguous, read in bounded ranges", async () => {
    const recipients: Address[] = [alice.address, bob.address, alice.address];
    for (let i = 0; i < 3; i++)
      await env.send(env.deployer, env.bridge, bridgeAbi, "deposit", [recipients[i]], BigInt(i + 1) * FIL);
    // One block per eth_getLogs: many ranges, as on Filecoin with its 2,880-epoch cap.
    const watcher = new DepositWatcher(
      { bridge: env.bridge, startBlock: 0n, confirmations: 0, maxRange: 1, pollIntervalMs: 60_000 },
      { publicClient: env.publicClient },
    );
    await watcher.start();
    try {
      const all = await watcher.pending(0, 10);
      expect(all.map((d) => d.l1Nonce)).toEqual([1, 2, 3]);
      expect(all.map((d) => d.amount)).toEqual([1n * FIL, 2n * FIL, 3n * FIL]);
      expect(toHex(all[1]!.to)).toBe(bob.address.toLowerCase());
      expect(toHex(all[0]!.from)).toBe(env.deployer.toLowerCase());
      expect((await watcher.pending(0, 2)).map((d) => d.l1Nonce)).toEqual([1, 2]);
      // What the L2 has credited is forgotten; the rest stays in order.
      expect((await watcher.pending(2, 10)).map((d) => d.l1Nonce)).toEqual([3]);
      expect(await watcher.pending(3, 10)).toEqual([]);
    } finally {
      await watcher.close();
    }
  });

  it("a confirmation depth hides blocks that are not final yet", async () => {
    const head = await env.publicClient.getBlockNumber();
    const watcher = new DepositWatcher(
      { bridge: env.bridge, startBlock: 0n, confirmations: 1_000_000, pollIntervalMs: 60_000 },
      // A client whose L1 has no finalized tag: the watcher must fall back to confirmations.
      {
        publicClient: {
          ...env.publicClient,
          getBlock: async () => Promise.reject(new Error("no finalized tag")),
        } as never,
      },
    );
    await watcher.start();
    expect(watcher.scannedBlock).toBeLessThan(head);
    expect(await watcher.pending(0, 10)).toEqual([]);
    await watcher.close();
  });

  it("keeps serving what it has when the L1 fails, and never throws", async () => {
    const watcher = new DepositWatcher(
      { bridge: env.bridge, startBlock: 0n, confirmations: 0, pollIntervalMs: 60_000 },
      { publicClient: env.publicClient },
    );
    await watcher.start();
    const before = await watcher.pending(0, 10);
    expect(before.length).toBeGreaterThan(0);
    const broken = new DepositWatcher(
      { bridge: env.bridge, startBlock: 0n, confirmations: 0, pollIntervalMs: 60_000 },
      {
        publicClient: {
          getBlock: () => Promise.reject(new Error("down")),
          getBlockNumber: () => Promise.reject(new Error("down")),
        } as never,
      },
    );
    await expect(broken.start()).resolves.toBeUndefined();
    expect(await broken.pending(0, 10)).toEqual([]);
    await broken.close();
    await watcher.close();
  });

  it("stops polling when the node's signal is aborted, as close() does", async () => {
    let polls = 0;
    const controller = new AbortController();
    const watcher = new DepositWatcher(
      { bridge: env.bridge, startBlock: 0n, confirmations: 0, pollIntervalMs: 5 },
      {
        publicClient: {
          getBlockNumber: async () => 0n,
          getBlock: async () => {
            polls++;
            return { number: 0n };
          },
          getLogs: async () => [],
        } as never,
        signal: controller.signal,
      },
    );
    await watcher.start();
    while (polls < 3) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const seen = polls;
    await new Promise((r) => setTimeout(r, 60));
    expect(polls).toBe(seen);
    await watcher.close();
  });
});
