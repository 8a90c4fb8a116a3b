/**
 * OneStepExecutor.complete() (docs/fault-proofs.md, Outcome): true iff each of the 30 transaction
 * kinds runs (the FIL kinds in the executor, the others in their group's kind executor, which says
 * so with `runs`) and forced transactions run (a bridge whose records it checks and the decoder are
 * set). One whose every group runs every kind and whose forced step runs is complete, and one short of
 * a kind, a group or the forced step is not. And deployFilverse wires the game only for a complete
 * executor.
 */
import { TxKind } from "@filverse/types";
import type { Abi, Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadArtifact } from "../../src/artifacts.js";
import { createL1Clients } from "../../src/clients.js";
import { deployFaultProofs, deployOneStepExecutor, readExecutorCompleteness, TX_KINDS } from "../../src/deploy.js";
import { type Env, L2_CHAIN_ID, setupEnv } from "./fixture.js";
import { compileTestContracts } from "./harness.js";

let env: Env;
let artifacts: Awaited<ReturnType<typeof compileTestContracts>>;
const ZERO: Address = "0x0000000000000000000000000000000000000000";
const CHAIN = { maxBlockTxs: 10_000, maxBlockDeposits: 1_000, minTxFee: 0n };

beforeAll(async () => {
  env = await setupEnv();
  artifacts = await compileTestContracts("CompletenessMocks", ["IKindExecutor.sol"]);
  // Compiling blocks the event loop for seconds, long enough for hardhat to close a kept-alive
  // socket under the client: the calls retry.
  env = {
    ...env,
    ...createL1Clients({ url: env.l1.url, chainId: env.l1.chainId, pollingIntervalMs: 25, retryCount: 3 }),
  };
}, 120_000);
afterAll(async () => {
  await env?.l1.stop();
});

async function deploy(name: string, args: unknown[] = []): Promise<Address> {
  const a = artifacts[name]!;
  const hash = await env.walletClient.deployContract({
    abi: a.abi,
    bytecode: a.bytecode,
    args,
    account: env.deployer,
    chain: env.walletClient.chain,
  } as never);
  return (await env.publicClient.waitForTransactionReceipt({ hash })).contractAddress!;
}

const read = <T>(address: Address, abi: Abi, functionName: string, args: unknown[] = []) =>
  env.publicClient.readContract({ address, abi, functionName, args } as never) as Promise<T>;

/** A real OneStepExecutor whose five groups answer `runs` for `kinds`, forced transactions on or off. */
async function executorWith(
  kinds: readonly number[],
  groups: Partial<Record<string, Address>> = {},
  forced = true,
  withVia = true,
): Promise<Address> {
  const mock = await deploy("KindExecutorRunsMock", [kinds]);
  const decoder = loadArtifact("ForcedTxDecoder");
  const deployed = async (abi: Abi, bytecode: `0x${string}`, args: unknown[]) => {
    const hash = await env.walletClient.deployContract({
      abi,
      bytecode,
      args,
      account: env.deployer,
      chain: env.walletClient.chain,
    } as never);
    return (await env.publicClient.waitForTransactionReceipt({ hash })).contractAddress!;
  };
  const { abi, bytecode } = loadArtifact("OneStepExecutor");
  return deployed(abi, bytecode, [
    BigInt(L2_CHAIN_ID),
    10_000n,
    1_000n,
    0n,
    {
      assets: groups.assets ?? mock,
      tokens: groups.tokens ?? mock,
      identity: groups.identity ?? mock,
      data: groups.data ?? mock,
      trade: groups.trade ?? mock,
      grants: groups.grants ?? mock,
      via: withVia ? await deployed(loadArtifact("ViaExecutor").abi, loadArtifact("ViaExecutor").bytecode, []) : ZERO,
    },
    forced ? env.bridge : ZERO,
    forced ? await deployed(decoder.abi, decoder.bytecode, []) : ZERO,
  ]);
}

/** Every kind the executor's own list holds (the grant kinds 60–63 included). */
const ALL_KINDS = [...new Set([...TX_KINDS, 60, 61, 62, 63])];

describe("OneStepExecutor.complete()", () => {
  it("lists the 30 transaction kinds", () => {
    expect(TX_KINDS).toHaveLength(30);
    expect(TX_KINDS).not.toContain(TxKind.Deposit);
  });

  it("the executor as built: complete exactly when every group runs each of its kinds and forced transactions run", async () => {
    const { executor, kinds } = await deployOneStepExecutor(env, env.deployer, {
      l2ChainId: L2_CHAIN_ID,
      ...CHAIN,
      bridge: env.bridge,
    });
    const abi = loadArtifact("OneStepExecutor").abi;
    const forced = await read<boolean>(executor, abi, "forcedTransactions");
    // What each kind executor says of its own kinds; the FIL kinds run in the executor itself.
    const groupOf = (k: number) =>
      k >= 10 && k <= 17
        ? kinds.assets
        : k >= 20 && k <= 23
          ? kinds.tokens
          : k >= 30 && k <= 36
            ? kinds.identity
            : k >= 40 && k <= 42
              ? kinds.data
              : k >= 60
                ? kinds.grants
                : kinds.trade;
    const missing: number[] = [];
    for (const k of TX_KINDS) {
      if (k === TxKind.Transfer || k === TxKind.Withdraw) continue;
      const runs = await read<boolean>(groupOf(k)!, loadArtifact("KindExecutorTokens").abi, "runs", [k]);
      if (!runs) missing.push(k);
    }
    const c = await readExecutorCompleteness(env, executor);
    expect(c).toEqual({ complete: missing.length === 0 && forced, missingKinds: missing, forcedTransactions: forced });
    // As built, every kind's group runs it (the grants group and the Via envelope included).
    expect(c).toEqual({ complete: true, missingKinds: [], forcedTransactions: true });
    // Each group answers for its own kinds only, and no number that is not a kind runs.
    for (const k of [0, 3, 9, 18, 24, 29, 37, 43, 52, 59, 64, 128, 129, 255]) {
      expect(await read<boolean>(executor, abi, "runsKind", [k]), `kind ${k}`).toBe(false);
    }
  });

  it("is true once every group runs every kind and forced transactions run, and false if any one is missing", async () => {
    const all = await executorWith(ALL_KINDS);
    expect(await readExecutorCompleteness(env, all)).toEqual({
      complete: true,
      missingKinds: [],
      forcedTransactions: true,
    });
    // One kind short.
    const short = await executorWith(ALL_KINDS.filter((k) => k !== TxKind.OrderCancel));
    expect(await readExecutorCompleteness(env, short)).toMatchObject({
      complete: false,
      missingKinds: [TxKind.OrderCancel],
    });
    // A group not set, or one without `runs`, runs nothing.
    const unset = await executorWith(ALL_KINDS, { data: ZERO });
    expect((await readExecutorCompleteness(env, unset)).missingKinds).toEqual([
      TxKind.DataAssetRegister,
      TxKind.AccessGrant,
      TxKind.AccessRevoke,
    ]);
    const old = await executorWith(ALL_KINDS, { tokens: await deploy("KindExecutorWithoutRuns") });
    expect((await readExecutorCompleteness(env, old)).missingKinds).toEqual([20, 21, 22, 23]);
    // Every group running every kind, without the Via envelope's executor: not complete.
    const noVia = await executorWith(ALL_KINDS, {}, true, false);
    expect(await readExecutorCompleteness(env, noVia)).toMatchObject({ complete: false, missingKinds: [] });
    // Every group running every kind, with forced transactions off (no bridge, no decoder): not complete.
    const off = await executorWith(ALL_KINDS, {}, false);
    expect(await readExecutorCompleteness(env, off)).toEqual({
      complete: false,
      missingKinds: [],
      forcedTransactions: false,
    });
  });
});

describe("deployFaultProofs", () => {
  it("deploys the game and sets it for a complete executor; otherwise deploys none, says why, and leaves the rollup without one", async () => {
    const lines: { msg: string; fields?: Record<string, unknown> }[] = [];
    const log = {
      info: () => {},
      warn: (msg: string, fields?: Record<string, unknown>) => lines.push({ msg, fields }),
    };
    const fp = await deployFaultProofs(
      env,
      env.deployer,
      env.rollup,
      { l2ChainId: L2_CHAIN_ID, challengeWindowSec: 60 },
      { chain: CHAIN },
      log,
    );
    expect(fp).toMatchObject({ maxClockDurationSec: 30, clockExtensionSec: 3, challengeBond: 5n * 10n ** 18n });
    const rollupAbi = loadArtifact("FilverseRollup").abi;
    const set = await read<Address>(env.rollup, rollupAbi, "disputeGame");
    if (fp.completeness.complete) {
      expect(fp.game).toMatch(/^0x/);
      expect(set.toLowerCase()).toBe(fp.game!.toLowerCase());
      // The game's own proof store, deployed with it.
      const store = await read<Address>(fp.game!, loadArtifact("FilverseDisputeGame").abi, "proofStore");
      expect(fp.proofStore).toBe(store);
      expect(await env.publicClient.getCode({ address: store })).toMatch(/^0x[0-9a-f]{100,}/);
      expect(lines).toHaveLength(0);
      return;
    }
    expect(fp.game).toBe(null);
    expect(fp.proofStore).toBe(null);
    expect(set).toBe(ZERO);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toBe("fault-proof game not wired: the one-step executor is not complete");
    expect(lines[0]!.fields!.kindsNotExecuted).toEqual(fp.completeness.missingKinds.map((k) => TxKind[k]));
    expect(lines[0]!.fields!.forcedTransactions).toBe(fp.completeness.forcedTransactions);
  });

  it("refuses clocks the game would refuse", async () => {
    await expect(
      deployFaultProofs(
        env,
        env.deployer,
        env.rollup,
        { l2ChainId: L2_CHAIN_ID, challengeWindowSec: 60 },
        {
          chain: CHAIN,
          maxClockDurationSec: 10,
          clockExtensionSec: 5,
        },
      ),
    ).rejects.toThrow(/Invalid fault-proof game parameters/);
  });
});
