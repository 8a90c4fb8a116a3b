/**
 * The bridge's per-epoch withdrawal limit against a model, with fast-check: random claim orders of
 * withdrawals of varied sizes (below, at, and many times the limit) with random epoch gaps between
 * claims. For every run the release epoch the contract gives each withdrawal equals the model's, and
 * the model's releases obey the limit: in any k consecutive epochs at most k limits plus one
 * withdrawal are released, and a withdrawal of A waits at least ceil(A / limit) − 1 epochs. Every
 * withdrawal is paid in the end, none is refused. FILVERSE_FUZZ_RUNS sets the run count.
 */
import { fromHex } from "@filverse/utils";
import fc from "fast-check";
import { parseEventLogs } from "viem";
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
} from "./fixture.js";
import { L2Chain } from "./l2.js";

const RUNS = Number(process.env.FILVERSE_FUZZ_RUNS ?? 12);
const LIMIT = 5n * FIL;
const AMOUNTS = [1n, FIL / 2n, 3n * FIL, LIMIT - 1n, LIMIT, LIMIT + 1n, 7n * FIL, 10n * FIL, 12n * FIL, 26n * FIL];
const validators = [makeKey(1), makeKey(2), makeKey(3)];
const alice = makeKey(21);
const recipients = AMOUNTS.map((_, i) => makeKey(200 + i));

/** The allocation rule bridge.md states, as a model: the release epoch of each claim in order. */
class Allocator {
  private cursor = 0n;
  private used = 0n;

  claim(current: bigint, amount: bigint): bigint {
    if (this.cursor < current) [this.cursor, this.used] = [current, 0n];
    if (this.used + amount <= LIMIT) {
      this.used += amount;
      return this.cursor;
    }
    const beyond = amount - (LIMIT - this.used);
    const more = (beyond + LIMIT - 1n) / LIMIT;
    this.cursor += more;
    this.used = beyond - (more - 1n) * LIMIT;
    return this.cursor;
  }
}

let env: Env;
let chain: L2Chain;
let snapshot: `0x${string}`;

beforeAll(async () => {
  env = await setupEnv({ withdrawalLimitPerEpoch: LIMIT });
  await registerValidators(env, validators);
  await env.fund(alice.address, 1_000n * FIL);
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
    AMOUNTS.map((amount, i) => ({ from: alice, l1Recipient: recipients[i]!.address, amount })),
  );
  const cp = makeCheckpoint({ index: 0, withdrawalsRoot: chain.state.roots().withdrawalsRoot, depositCursor: 1 });
  await submitCheckpoint(env, cp, signSorted(env, cp, validators));
  await env.advance(DEFAULT_PARAMS.challengeWindowSec);
  snapshot = await env.testClient.snapshot();
}, 60_000);
afterAll(async () => {
  await env?.l1.stop();
});

describe("the per-epoch withdrawal limit, against its model", () => {
  it("releases every claim in the model's epoch, within the limit, and pays all of them in the end", async () => {
    const epochLength = BigInt(DEFAULT_PARAMS.challengeWindowSec);
    const claims = fc.array(fc.record({ gap: fc.nat({ max: 3 }), index: fc.nat({ max: AMOUNTS.length - 1 }) }), {
      minLength: 1,
      maxLength: AMOUNTS.length,
    });
    await fc.assert(
      fc.asyncProperty(claims, async (raw) => {
        await env.testClient.revert({ id: snapshot });
        snapshot = await env.testClient.snapshot();
        const order = [...new Map(raw.map((c) => [c.index, c])).values()];
        const model = new Allocator();
        const released: { epoch: bigint; claimed: bigint; amount: bigint; index: number }[] = [];
        for (const { gap, index } of order) {
          if (gap > 0) await env.advance(Number(epochLength) * gap);
          const current = await env.read<bigint>(env.rollup, rollupAbi, "currentEpoch");
          const p = chain.proof(index);
          const receipt = await env.send(env.deployer, env.bridge, bridgeAbi, "finalizeWithdrawal", [
            0n,
            p.abi,
            p.siblings,
          ]);
          const [queued] = parseEventLogs({ abi: bridgeAbi, logs: receipt.logs, eventName: "WithdrawalQueued" });
          const epoch = queued ? (queued.args as { releaseEpoch: bigint }).releaseEpoch : current;
          expect(epoch).toBe(model.claim(current, AMOUNTS[index]!));
          released.push({ epoch, claimed: current, amount: AMOUNTS[index]!, index });
        }
        for (const r of released) {
          const wait = (r.amount + LIMIT - 1n) / LIMIT - 1n;
          expect(r.epoch - r.claimed >= wait).toBe(true);
        }
        const epochs = released.map((r) => r.epoch).sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
        const [first, last] = [epochs[0]!, epochs[epochs.length - 1]!];
        for (let a = first; a <= last; a++) {
          for (let b = a; b <= last; b++) {
            const inWindow = released.filter((r) => r.epoch >= a && r.epoch <= b);
            const sum = inWindow.reduce((s, r) => s + r.amount, 0n);
            const largest = inWindow.map((r) => r.amount).sort((x, y) => (x < y ? 1 : x > y ? -1 : 0))[0] ?? 0n;
            expect(sum <= (b - a + 1n) * LIMIT + largest).toBe(true);
          }
        }
        // Run the clock to the last release and pay everything queued: nothing is refused or lost.
        const now = await env.read<bigint>(env.rollup, rollupAbi, "currentEpoch");
        if (last > now) await env.advance(Number(epochLength * (last - now)));
        for (const r of released) {
          const q = await env.read<readonly [string, bigint, bigint]>(env.bridge, bridgeAbi, "queuedWithdrawals", [
            BigInt(r.index),
          ]);
          if (q[2] !== 0n) await env.send(env.deployer, env.bridge, bridgeAbi, "releaseQueued", [BigInt(r.index)]);
          expect(await env.publicClient.getBalance({ address: recipients[r.index]!.address })).toBe(r.amount);
        }
        expect(await env.read<bigint>(env.bridge, bridgeAbi, "reserved")).toBe(0n);
      }),
      { numRuns: RUNS },
    );
  }, 300_000);
});
