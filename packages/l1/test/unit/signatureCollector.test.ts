/**
 * Co-signing on a real local L1: the quorum collector asks signer callbacks until 2/3 of the
 * validator weight has signed, the submitter hands it the whole checkpoint, and readCheckpoints
 * gives the checkpoint back from the rollup (stored fields and submission calldata).
 */
import { signDigest } from "@filverse/crypto";
import { type BlockHeader, blockHash, type Checkpoint } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkpointDigest } from "../../src/checkpoint.js";
import { readCheckpoints, readRollupIdentity } from "../../src/checkpointReader.js";
import { type CheckpointChain, CheckpointSubmitter } from "../../src/checkpointSubmitter.js";
import { L1Error, L1ErrorCode } from "../../src/errors.js";
import { type CheckpointSignatureRequest, createQuorumCollector, hasQuorum } from "../../src/signatureCollector.js";
import { type Env, L2_CHAIN_ID, makeKey, registerValidators, rollupAbi, setupEnv } from "./fixture.js";

const validators = [makeKey(41), makeKey(42), makeKey(43)];
const outsider = makeKey(44);
const INTERVAL = 2;
let env: Env;
let startBlock: bigint;

/** Headers the rollup accepts (it does not check roots): linked, in the past, no L1 messages. */
const headers: BlockHeader[] = [];
for (let i = 0; i < 6; i++) {
  headers.push({
    chainId: L2_CHAIN_ID,
    number: i + 1,
    parentHash: i === 0 ? new Uint8Array(32) : blockHash(headers[i - 1]!),
    timestamp: 1_700_000_000 + i,
    proposer: new Uint8Array(20).fill(1),
    txRoot: new Uint8Array(32),
    receiptsRoot: new Uint8Array(32),
    stateRoot: new Uint8Array(32).fill(0x10 + i),
    withdrawalsRoot: new Uint8Array(32).fill(0x20 + i),
    l1DepositNonce: 0,
  });
}
const chain: CheckpointChain & { headers: BlockHeader[] } = {
  headers,
  headNumber: () => 6,
  header: async (n) => chain.headers[n - 1] ?? null,
};

beforeAll(async () => {
  env = await setupEnv();
  startBlock = await env.publicClient.getBlockNumber();
  await registerValidators(env, validators);
}, 60_000);
afterAll(async () => {
  await env?.l1.stop();
});

const signer =
  (k: (typeof validators)[number], seen?: Checkpoint[]): CheckpointSignatureRequest =>
  async (cp, digest) => {
    seen?.push(cp);
    expect(digest).toBe(toHex(checkpointDigest(cp, env.domain)));
    return toHex(signDigest(fromHex(digest), k.priv)) as Hex;
  };
const refuser: CheckpointSignatureRequest = async () => {
  throw new Error("roots differ");
};

describe("quorum collector", () => {
  it("hasQuorum is the contract's rule", () => {
    expect(hasQuorum(2n, 3n)).toBe(true);
    expect(hasQuorum(1n, 3n)).toBe(false);
    expect(hasQuorum(0n, 0n)).toBe(false);
  });

  it("the submitter gives the collector the checkpoint; 2 of 3 equal validators are a quorum", async () => {
    const seen: Checkpoint[] = [];
    const collect = createQuorumCollector(
      { rollup: env.rollup },
      { publicClient: env.publicClient, signers: [signer(validators[0]!, seen), refuser, signer(validators[1]!)] },
    );
    const batch = {
      pieceCid: "bafkzcibcaapao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq",
      payloadCid: "bafyreib",
      pieceSize: 256,
      carSize: 200,
    };
    const submitter = new CheckpointSubmitter(
      { rollup: env.rollup, l2ChainId: L2_CHAIN_ID, interval: INTERVAL, pollIntervalMs: 100 },
      {
        publicClient: env.publicClient,
        walletClient: env.walletClient,
        account: validators[2]!.account,
        chain,
        collect,
        batch: async () => batch,
      },
    );
    await env.fund(validators[2]!.address);
    await submitter.tick();
    await submitter.tick();
    expect(submitter.consecutiveFailures).toBe(0);
    expect(Number(await env.read<bigint>(env.rollup, rollupAbi, "nextCheckpointIndex"))).toBe(3);
    expect(seen.map((c) => c.index)).toEqual([0, 1, 2]);
    expect(seen[0]).toMatchObject({ firstBlock: 1, lastBlock: 2, ...batch });

    // Read back: the stored fields, and the whole checkpoint from the submission's calldata.
    const records = await readCheckpoints({ rollup: env.rollup, startBlock, maxRange: 3 }, env);
    expect(records.map((r) => r.stored.index)).toEqual([0, 1, 2]);
    expect(records[1]!.checkpoint).toEqual(seen[1]);
    expect(toHex(records[1]!.stored.stateRoot)).toBe(toHex(chain.headers[3]!.stateRoot));
    expect(toHex(records[2]!.stored.lastBlockHash)).toBe(toHex(blockHash(chain.headers[5]!)));
    expect(await readCheckpoints({ rollup: env.rollup, startBlock, fromIndex: 3 }, env)).toEqual([]);
    expect(await readRollupIdentity(env.rollup, env)).toEqual({
      l2ChainId: L2_CHAIN_ID,
      sequencer: env.sequencer.address,
    });
  });

  it("fails with NO_QUORUM (every signer's outcome in details) when 2/3 is not reached", async () => {
    const slow: CheckpointSignatureRequest = () => new Promise(() => {});
    const collect = createQuorumCollector(
      { rollup: env.rollup, signerTimeoutMs: 200 },
      {
        publicClient: env.publicClient,
        signers: [signer(validators[0]!), signer(outsider), slow, signer(validators[0]!)],
      },
    );
    const cp: Checkpoint = {
      ...(await readCheckpoints({ rollup: env.rollup, startBlock, fromIndex: 0, toIndex: 1 }, env))[0]!.checkpoint!,
      index: 3,
    };
    const err = await collect(cp, toHex(checkpointDigest(cp, env.domain)) as Hex).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(L1Error);
    expect((err as L1Error).code).toBe(L1ErrorCode.NO_QUORUM);
    const outcomes = ((err as L1Error).details.outcomes as { signer: number; result: string }[]).sort(
      (a, b) => a.signer - b.signer,
    );
    expect(outcomes.map((o) => o.result)).toEqual([
      "signed",
      expect.stringContaining("not a validator of set 0"),
      expect.stringContaining("no answer"),
      "duplicate signer",
    ]);
  });

  it("refuses a checkpoint built for another validator set (WRONG_VALIDATOR_SET), asking no signer", async () => {
    let asked = 0;
    const collect = createQuorumCollector(
      { rollup: env.rollup },
      {
        publicClient: env.publicClient,
        signers: [
          async () => {
            asked++;
            return "0x" as Hex;
          },
        ],
      },
    );
    const cp: Checkpoint = {
      ...(await readCheckpoints({ rollup: env.rollup, startBlock, fromIndex: 0, toIndex: 1 }, env))[0]!.checkpoint!,
      index: 3,
      validatorSetId: 1,
    };
    const err = await collect(cp, toHex(checkpointDigest(cp, env.domain)) as Hex).catch((e: unknown) => e);
    expect((err as L1Error).code).toBe(L1ErrorCode.WRONG_VALIDATOR_SET);
    expect(asked).toBe(0);
  });
});
