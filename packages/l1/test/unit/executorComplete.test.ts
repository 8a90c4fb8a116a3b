/**
 * OneStepExecutor.complete() (docs/fault-proofs.md, Outcome): true iff each of the 26 transaction
 * kinds runs (the FIL kinds in the executor, the others in their group's kind executor, which says
 * so with `runs`) and forced transactions run (OneStepExecutor.FORCED_TRANSACTIONS). The executor as
 * built is not complete; one whose every group runs every kind and whose forced step runs is. And
 * deployFilverse wires the game only for a complete executor.
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
  artifacts = await compileTestContracts("CompletenessMocks", [
    "IKindExecutor.sol",
    "IOneStepExecutor.sol",
    "OneStepExecutor.sol",
    "Eip712Tx.sol",
    "Ssz.sol",
    "SszObjects.sol",
    "StateProofs.sol",
    "StepObjects.sol",
  ]);
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

/** A OneStepExecutorForcedOn (forced transactions on) whose five groups answer `runs` for `kinds`. */
async function forcedOnWith(kinds: number[], groups: Partial<Record<string, Address>> = {}): Promise<Address> {
  const mock = await deploy("KindExecutorRunsMock", [kinds]);
  return deploy("OneStepExecutorForcedOn", [
    BigInt(L2_CHAIN_ID),
    {
      assets: groups.assets ?? mock,
      tokens: groups.tokens ?? mock,
      identity: groups.identity ?? mock,
      data: groups.data ?? mock,
      trade: groups.trade ?? mock,
    },
  ]);
}

describe("OneStepExecutor.complete()", () => {
  it("lists the 26 transaction kinds", () => {
    expect(TX_KINDS).toHaveLength(26);
    expect(TX_KINDS).not.toContain(TxKind.Deposit);
  });

  it("is false for the executor as built: six kinds and forced transactions are missing", async () => {
    const { executor } = await deployOneStepExecutor(env, env.deployer, { l2ChainId: L2_CHAIN_ID, ...CHAIN });
    const abi = loadArtifact("OneStepExecutor").abi;
    expect(await read<boolean>(executor, abi, "FORCED_TRANSACTIONS")).toBe(false);
    expect(await readExecutorCompleteness(env, executor)).toEqual({
      complete: false,
      missingKinds: [
        TxKind.AssetMint,
        TxKind.AssetBatchMint,
        TxKind.AssetMetadataUpdate,
        TxKind.IdentityCreate,
        TxKind.IdentityUpdate,
        TxKind.DataAssetRegister,
      ],
      forcedTransactions: false,
    });
    // Each group answers for its own kinds only, and no number that is not a kind runs.
    for (const k of [0, 3, 9, 18, 24, 29, 37, 43, 52, 255]) {
      expect(await read<boolean>(executor, abi, "runsKind", [k]), `kind ${k}`).toBe(false);
    }
  });

  it("is true once every group runs every kind and forced transactions run, and false if any one is missing", async () => {
    const all = await forcedOnWith(TX_KINDS);
    expect(await readExecutorCompleteness(env, all)).toEqual({
      complete: true,
      missingKinds: [],
      forcedTransactions: true,
    });
    // One kind short.
    const short = await forcedOnWith(TX_KINDS.filter((k) => k !== TxKind.OrderCancel));
    expect(await readExecutorCompleteness(env, short)).toMatchObject({
      complete: false,
      missingKinds: [TxKind.OrderCancel],
    });
    // A group not set, or one without `runs`, runs nothing.
    const unset = await forcedOnWith(TX_KINDS, { data: ZERO });
    expect((await readExecutorCompleteness(env, unset)).missingKinds).toEqual([
      TxKind.DataAssetRegister,
      TxKind.AccessGrant,
      TxKind.AccessRevoke,
    ]);
    const old = await forcedOnWith(TX_KINDS, { tokens: await deploy("KindExecutorWithoutRuns") });
    expect((await readExecutorCompleteness(env, old)).missingKinds).toEqual([20, 21, 22, 23]);
    // Every group running every kind, with forced transactions off (the constant as built): not complete.
    const mock = await deploy("KindExecutorRunsMock", [TX_KINDS]);
    const { abi, bytecode } = loadArtifact("OneStepExecutor");
    const hash = await env.walletClient.deployContract({
      abi,
      bytecode,
      args: [
        BigInt(L2_CHAIN_ID),
        10_000n,
        1_000n,
        0n,
        { assets: mock, tokens: mock, identity: mock, data: mock, trade: mock },
      ],
      account: env.deployer,
      chain: env.walletClient.chain,
    } as never);
    const forcedOff = (await env.publicClient.waitForTransactionReceipt({ hash })).contractAddress!;
    expect(await readExecutorCompleteness(env, forcedOff)).toEqual({
      complete: false,
      missingKinds: [],
      forcedTransactions: false,
    });
  });
});

describe("deployFaultProofs", () => {
  it("deploys no game for an executor that is not complete, says why, and leaves the rollup without one", async () => {
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
    expect(fp.game).toBe(null);
    expect(fp.completeness.complete).toBe(false);
    expect(fp).toMatchObject({ maxClockDurationSec: 30, clockExtensionSec: 3, challengeBond: 5n * 10n ** 18n });
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toBe("fault-proof game not wired: the one-step executor is not complete");
    expect(lines[0]!.fields!.kindsNotExecuted).toEqual([
      "AssetMint",
      "AssetBatchMint",
      "AssetMetadataUpdate",
      "IdentityCreate",
      "IdentityUpdate",
      "DataAssetRegister",
    ]);
    expect(lines[0]!.fields!.forcedTransactions).toBe(false);
    const rollupAbi = loadArtifact("FilverseRollup").abi;
    expect(await read<Address>(env.rollup, rollupAbi, "disputeGame")).toBe(ZERO);
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
