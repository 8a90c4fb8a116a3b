/** One local L1 per test file: a hardhat node process, viem clients, the deployed contracts and keys. */
import { privateKeyToAddress, signDigest } from "@filverse/crypto";
import type { Checkpoint } from "@filverse/types";
import { toHex } from "@filverse/utils";
import {
  type Abi,
  type Account,
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  createTestClient,
  getAddress,
  type Hex,
  http,
  type TransactionReceipt,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { expect } from "vitest";
import { loadArtifact } from "../../src/artifacts.js";
import { type CheckpointDomain, checkpointDigest, checkpointToAbi } from "../../src/checkpoint.js";
import { createL1Clients, type L1Clients } from "../../src/clients.js";
import { deployFilverse, type RollupParams } from "../../src/deploy.js";
import { type LocalL1, startLocalL1 } from "../../src/devL1.js";

export const L2_CHAIN_ID = 3_141_592_601;
export const FIL = 10n ** 18n;
export const rollupAbi: Abi = loadArtifact("FilverseRollup").abi;
export const bridgeAbi: Abi = loadArtifact("FilverseBridge").abi;

export type Key = { priv: Uint8Array; address: Address; account: Account };

/** A deterministic test key: 0x42 ‖ 0… ‖ seed. */
export function makeKey(seed: number): Key {
  const priv = new Uint8Array(32);
  priv[0] = 0x42;
  new DataView(priv.buffer).setUint32(28, seed);
  return {
    priv,
    address: getAddress(toHex(privateKeyToAddress(priv))),
    account: privateKeyToAccount(toHex(priv) as Hex),
  };
}

export type Env = L1Clients & {
  l1: LocalL1;
  testClient: ReturnType<typeof createTestClient>;
  rollup: Address;
  bridge: Address;
  deployer: Address;
  sequencer: Key;
  params: RollupParams;
  domain: CheckpointDomain;
  send(
    from: Account | Address,
    to: Address,
    abi: Abi,
    functionName: string,
    args?: readonly unknown[],
    value?: bigint,
  ): Promise<TransactionReceipt>;
  read<T>(to: Address, abi: Abi, functionName: string, args?: readonly unknown[]): Promise<T>;
  fund(address: Address, amount?: bigint): Promise<void>;
  /** Move the L1 clock forward and mine a block. */
  advance(seconds: number): Promise<void>;
};

/** The genesis timestamp of the L2 the fixture's rollup is deployed for (its genesis block's hash is the rollup's). */
export const GENESIS_TIMESTAMP = 1_700_000_000;

export const DEFAULT_PARAMS = {
  genesisTimestamp: GENESIS_TIMESTAMP,
  minCollateral: 10n * FIL,
  challengeWindowSec: 3_600,
  exitDelaySec: 7_200,
  forceInclusionDelaySec: 3_600,
};

/** Start a local L1 and deploy both contracts; the caller must `await env.l1.stop()` in afterAll. */
export async function setupEnv(overrides: Partial<RollupParams> = {}): Promise<Env> {
  const l1 = await startLocalL1();
  try {
    const clients = createL1Clients({ url: l1.url, chainId: l1.chainId, pollingIntervalMs: 25, retryCount: 0 });
    const { publicClient, walletClient } = clients;
    const testClient = createTestClient({ mode: "hardhat", transport: http(l1.url), chain: walletClient.chain });
    const [deployer] = await walletClient.getAddresses();
    const sequencer = makeKey(1_000);
    const params: RollupParams = {
      l2ChainId: L2_CHAIN_ID,
      sequencer: sequencer.address,
      ...DEFAULT_PARAMS,
      ...overrides,
    };
    const deployment = await deployFilverse(clients, deployer!, params);
    const send: Env["send"] = async (from, to, abi, functionName, args = [], value) => {
      const hash = await walletClient.writeContract({
        account: from,
        address: to,
        abi,
        functionName,
        args,
        value,
        chain: walletClient.chain,
      } as never);
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      expect(receipt.status).toBe("success");
      return receipt;
    };
    return {
      ...clients,
      l1,
      testClient,
      ...deployment,
      sequencer,
      params,
      domain: { l1ChainId: l1.chainId, rollup: deployment.rollup, l2ChainId: L2_CHAIN_ID },
      send,
      read: async (to, abi, functionName, args = []) =>
        (await publicClient.readContract({ address: to, abi, functionName, args } as never)) as never,
      fund: (address, amount = 1_000n * FIL) => testClient.setBalance({ address, value: amount }),
      advance: async (seconds) => {
        await testClient.increaseTime({ seconds });
        await testClient.mine({ blocks: 1 });
      },
    };
  } catch (err) {
    await l1.stop();
    throw err;
  }
}

/** Expect `p` to revert with the custom error `errorName` (decoded from the revert data by viem). */
export async function expectRevert(p: Promise<unknown>, errorName: string): Promise<ContractFunctionRevertedError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, `expected a revert with ${errorName}`).toBeInstanceOf(BaseError);
  const revert = (err as BaseError).walk(
    (e) => e instanceof ContractFunctionRevertedError,
  ) as ContractFunctionRevertedError | null;
  expect(revert?.data?.errorName, (err as Error).message).toBe(errorName);
  return revert!;
}

/** Register `keys` as the genesis validator set (effective at once, paid by the deployer) with equal collateral. */
export async function registerValidators(env: Env, keys: Key[], collateral = DEFAULT_PARAMS.minCollateral) {
  for (const k of keys) {
    await env.fund(k.address);
    await env.send(env.deployer, env.rollup, rollupAbi, "registerGenesis", [k.address], collateral);
  }
}

/** Blocks per checkpoint in makeCheckpoint's default range. */
export const BLOCKS_PER_CHECKPOINT = 32;

/**
 * A checkpoint for L2 chain L2_CHAIN_ID; fields default to recognisable values, and the block range
 * to checkpoint `index` of a chain of BLOCKS_PER_CHECKPOINT-block checkpoints (so they link).
 */
export function makeCheckpoint(fields: Partial<Checkpoint> = {}): Checkpoint {
  const index = fields.index ?? 0;
  return {
    chainId: L2_CHAIN_ID,
    index,
    firstBlock: index * BLOCKS_PER_CHECKPOINT + 1,
    lastBlock: (index + 1) * BLOCKS_PER_CHECKPOINT,
    // The same as lastBlockHash: consecutive defaults link.
    parentHash: new Uint8Array(32).fill(0xaa),
    lastBlockHash: new Uint8Array(32).fill(0xaa),
    stateRoot: new Uint8Array(32).fill(0xbb),
    withdrawalsRoot: new Uint8Array(32).fill(0xcc),
    blockHashesRoot: new Uint8Array(32).fill(0xdd),
    pieceCid: "baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq",
    payloadCid: "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi",
    pieceSize: 2_048,
    carSize: 1_500,
    lastBlockTimestamp: 0,
    depositCursor: 0,
    validatorSetId: 0,
    ...fields,
  };
}

/** Signatures of `signers` over `cp`, in the contract's order (signer address ascending). */
export function signSorted(env: Env, cp: Checkpoint, signers: Key[]): Hex[] {
  const digest = checkpointDigest(cp, env.domain);
  return [...signers]
    .sort((a, b) => (a.address.toLowerCase() < b.address.toLowerCase() ? -1 : 1))
    .map((k) => toHex(signDigest(digest, k.priv)) as Hex);
}

export async function submitCheckpoint(env: Env, cp: Checkpoint, signatures: Hex[], from?: Address) {
  return env.send(from ?? env.deployer, env.rollup, rollupAbi, "submitCheckpoint", [checkpointToAbi(cp), signatures]);
}
