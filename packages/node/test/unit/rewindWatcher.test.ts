/**
 * The rewind watcher against a real rollup on the hardhat L1, with the dispute game wired in (as
 * packages/l1/test/unit/faultProven.test.ts wires it: the real game, and a test executor that
 * declares itself complete, since the one-step executor as built does not). A silent defender
 * loses a game on checkpoint 1: the rollup removes checkpoints 1 and 2. The watcher reads that from
 * the final logs and asks for a rewind to checkpoint 0's last block, with its hash as L1 holds it,
 * once; while the rollup is halted it reports the heights past that block as unsettled. An
 * invalidation without a proven fault (an equivocation halt) asks for no rewind.
 */
import { nullLogger, toHex } from "@filverse/utils";
import type { Abi, Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Chain, chainAfter, challengeOf } from "../../../l1/test/unit/disputeFixture.js";
import { DEFAULT_PARAMS, type Env, type Key, rollupAbi } from "../../../l1/test/unit/fixture.js";
import { CHALLENGE_BOND, setupGameEnv, submitChain } from "../../../l1/test/unit/gameFixture.js";
import type { RewindRequest } from "../../src/chain/rewind.js";
import { faultRemovals, RewindWatcher } from "../../src/node/rewindWatcher.js";

let env: Env;
let gameAbi: Abi;
let game: Address;
let validators: Key[];
let challenger: Address;

beforeAll(async () => {
  ({ env, gameAbi, game, validators, challenger } = await setupGameEnv({ wire: true }));
}, 180_000);
afterAll(async () => {
  await env?.l1.stop();
});

/** Checkpoint `index` over `chain`, signed by every validator and submitted. */
async function submit(chain: Chain, index: number): Promise<void> {
  await submitChain(env, validators, chain, index);
}

describe("RewindWatcher", () => {
  it("asks once for a rewind to the last valid checkpoint after a lost game, and reports the unsettled heights", async () => {
    const chain0 = chainAfter(0, null);
    const chain1 = chainAfter(1, chain0);
    await submit(chain0, 0);
    await submit(chain1, 1);
    await submit(chainAfter(2, chain1), 2);
    const gameId = await env.read<bigint>(game, gameAbi, "gameCount");
    await env.send(challenger, game, gameAbi, "challenge", [challengeOf(chain1, 1, 7)], CHALLENGE_BOND);
    // The defenders stay silent past their clock: the challenge stands.
    await env.advance(DEFAULT_PARAMS.challengeWindowSec + 4_000);
    await env.send(challenger, game, gameAbi, "resolve", [gameId, 0n]);
    expect(await env.read<bigint>(env.rollup, rollupAbi, "nextCheckpointIndex")).toBe(1n);

    const requests: RewindRequest[] = [];
    const unsettled: (number | null)[] = [];
    const controller = new AbortController();
    // This node holds the chain the game disproved: checkpoint 1's roots are its roots.
    const seen: number[] = [];
    const implicated = async (cp: { lastBlock: number }) => {
      seen.push(cp.lastBlock);
      return true;
    };
    const watcher = new RewindWatcher(
      { rollup: env.rollup, startBlock: 0n, confirmations: 0, maxRange: 2_000, pollIntervalMs: 100 },
      {
        l1: env,
        rewind: async (req) => {
          requests.push(req);
        },
        implicated,
        genesisHash: async () => new Uint8Array(32),
        onUnsettled: (n) => unsettled.push(n),
        logger: nullLogger,
        signal: controller.signal,
      },
    );
    await watcher.start();
    const until = Date.now() + 10_000;
    while (unsettled.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await watcher.close();
    expect(requests).toHaveLength(1);
    const [req] = requests;
    expect(req!.checkpoint).toBe(1);
    expect(req!.target).toBe(chain0.last);
    expect(toHex(req!.targetHash)).toBe(toHex(chain0.hashes.at(-1)!));
    expect(req!.l1Block > 0n).toBe(true);
    expect(unsettled.at(-1)).toBe(chain0.last);
    // It was asked about the checkpoint the game removed (checkpoint 1, as its log gave it).
    expect(seen).toEqual([chain1.last]);

    // A node whose chain the disproven checkpoint does not describe (other roots) does not rewind:
    // the fault was in the checkpoint, not in its chain.
    const other = new AbortController();
    const rewinds: RewindRequest[] = [];
    const passed: RewindRequest[] = [];
    const bystander = new RewindWatcher(
      { rollup: env.rollup, startBlock: 0n, confirmations: 0, maxRange: 2_000, pollIntervalMs: 100 },
      {
        l1: env,
        rewind: async (req) => {
          rewinds.push(req);
        },
        implicated: async () => false,
        notImplicated: (req) => passed.push(req),
        genesisHash: async () => new Uint8Array(32),
        logger: nullLogger,
        signal: other.signal,
      },
    );
    await bystander.start();
    other.abort();
    await bystander.close();
    expect(rewinds).toHaveLength(0);
    expect(passed.map((r) => r.checkpoint)).toEqual([1]);
  }, 120_000);
});

describe("faultRemovals", () => {
  const log = (eventName: string, args: Record<string, bigint>, tx: string, logIndex: number) => ({
    eventName,
    args,
    transactionHash: tx,
    blockNumber: 7n,
    logIndex,
  });
  it("takes an invalidation only with a fault proven for its first index in the same transaction", () => {
    expect(
      faultRemovals([
        log("FaultProven", { index: 3n }, "0xaa", 0),
        log("CheckpointsInvalidated", { fromIndex: 3n, toIndex: 5n }, "0xaa", 1),
        // An equivocation halt: no fault proven.
        log("CheckpointsInvalidated", { fromIndex: 2n, toIndex: 4n }, "0xbb", 2),
        // A fault proven for another index in that transaction (a checkpoint already removed).
        log("FaultProven", { index: 1n }, "0xcc", 3),
        log("CheckpointsInvalidated", { fromIndex: 0n, toIndex: 2n }, "0xcc", 4),
      ]),
    ).toEqual([{ checkpoint: 3, l1Block: 7n, l1LogIndex: 1 }]);
  });
});
