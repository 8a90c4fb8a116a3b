/**
 * The checkpoint reader's view of a withdrawal on the real L1 bridge (hardhat, the rollup and the
 * bridge deployed with a per-epoch withdrawal limit): not finalized, then finalized and paid, and a
 * withdrawal over the limit finalized but queued until its release epoch, then paid by releaseQueued.
 * What filverse_getWithdrawalProof's `bridge` and `stage` are read from.
 */
import { fromHex } from "@filverse/utils";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bridgeAbi,
  DEFAULT_PARAMS,
  type Env,
  FIL,
  makeCheckpoint,
  makeKey,
  registerValidators,
  rollupAbi,
  setupEnv,
  signSorted,
  submitCheckpoint,
} from "../../../l1/test/unit/fixture.js";
import { L2Chain } from "../../../l1/test/unit/l2.js";
import { createCheckpointReader } from "../../src/node/checkpointReader.js";

const LIMIT = 5n * FIL;
const AMOUNTS = [FIL, 12n * FIL];
const validators = [makeKey(1), makeKey(2), makeKey(3)];
const alice = makeKey(31);
const recipient = makeKey(301);

let env: Env;
let chain: L2Chain;

beforeAll(async () => {
  env = await setupEnv({ withdrawalLimitPerEpoch: LIMIT });
  await registerValidators(env, validators);
  await env.fund(alice.address, 100n * FIL);
  const total = AMOUNTS.reduce((a, b) => a + b, 0n);
  await env.send(alice.account, env.bridge, bridgeAbi, "deposit", [alice.address], total);
  chain = new L2Chain(env.sequencer);
  chain.block([
    {
      l1Nonce: 1,
      l1BlockNumber: 1,
      l1TxHash: new Uint8Array(32).fill(1),
      from: fromHex(alice.address),
      to: fromHex(alice.address),
      amount: total,
      forcedTx: new Uint8Array(0),
    },
  ]);
  chain.block(
    [],
    AMOUNTS.map((amount) => ({ from: alice, l1Recipient: recipient.address, amount })),
  );
  const cp = makeCheckpoint({ index: 0, withdrawalsRoot: chain.state.roots().withdrawalsRoot, depositCursor: 1 });
  await submitCheckpoint(env, cp, signSorted(env, cp, validators));
  await env.advance(DEFAULT_PARAMS.challengeWindowSec);
}, 120_000);
afterAll(async () => {
  await env?.l1.stop();
});

describe("a withdrawal on the L1 bridge", () => {
  it("reads not finalized, finalized and paid, and queued over the per-epoch limit until released", async () => {
    const reader = createCheckpointReader(
      { rollup: env.rollup, bridge: env.bridge, startBlock: 0n },
      { l1: env, deals: () => null },
    );
    const finalize = (index: number) => {
      const p = chain.proof(index);
      return env.send(env.deployer, env.bridge, bridgeAbi, "finalizeWithdrawal", [0n, p.abi, p.siblings]);
    };
    expect(await reader.withdrawal(0)).toMatchObject({ finalized: false, queued: null });
    await finalize(0);
    expect(await reader.withdrawal(0)).toMatchObject({ finalized: true, queued: null });
    expect(await reader.withdrawal(1)).toMatchObject({ finalized: false, queued: null });

    // 12 FIL over a 5 FIL limit, 4 FIL of it already taken: queued two epochs ahead.
    await finalize(1);
    const queued = (await reader.withdrawal(1))!;
    const current = await env.read<bigint>(env.rollup, rollupAbi, "currentEpoch");
    expect(queued.finalized).toBe(true);
    expect(queued.queued).toEqual({ releaseEpoch: String(current + 2n), currentEpoch: String(current) });

    await env.advance(2 * DEFAULT_PARAMS.challengeWindowSec);
    await env.send(env.deployer, env.bridge, bridgeAbi, "releaseQueued", [1n]);
    expect(await reader.withdrawal(1)).toMatchObject({ finalized: true, queued: null });
    expect(await env.publicClient.getBalance({ address: recipient.address })).toBe(13n * FIL);
  }, 120_000);
});
