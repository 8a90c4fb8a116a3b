/**
 * The node's answer to item requests (dispute/itemResponder.ts, hooked into DisputePlayer.play),
 * against the real game and OneStepExecutor on a local L1 (hardhat), over real blocks (a deposit
 * and a Transfer): a player that holds the checkpoint's blocks answers a request for an item with
 * the item, and one for an index past the items with the list's length; a request on a checkpoint
 * that names other headers is left unanswered and resolves as a fault once its time is out.
 */
import { depositHash, txHash } from "@filverse/crypto";
import { encodeRevealedItem, GameOutcome, readDisputeGame, readItemReveal, sendDisputeMove } from "@filverse/l1";
import { nullLogger } from "@filverse/utils";
import type { Account } from "viem";
import { describe, expect, it } from "vitest";
import { type DisputeChainView, DisputePlayer, defaultDisputePlayerOpts } from "../../src/dispute/player.js";
import {
  accounts,
  BOND,
  c,
  checkpoints,
  clients,
  game,
  gameAbi,
  increaseTime,
  MAX_CLOCK_SEC,
  mockAbi,
  playerOf,
  postCheckpoint,
  read,
  view,
} from "./disputeFixture.js";

/** Ask for item `item` of block 2 of checkpoint `index`, from the challenger; returns the game id. */
async function requestItem(index: number, item: number): Promise<number> {
  const id = Number(await read<bigint>(game, gameAbi, "gameCount"));
  await sendDisputeMove(
    game,
    { kind: "requestItem", checkpointIndex: index, blockNumber: 2, item, bond: BOND },
    { ...clients, account: { address: accounts[1]!, type: "json-rpc" } as Account },
  );
  return id;
}

const outcome = async (id: number) => (await readDisputeGame(game, id, clients)).outcome;

describe("item requests answered by the player", () => {
  it("a node holding the blocks answers with the item, or with the list's length past the items", async () => {
    const index = await postCheckpoint(c.blocks[2]!);
    const two = c.blocks[2]!;
    const wanted = [
      { item: 0, body: { deposit: two.deposits[0]! }, hash: depositHash(two.deposits[0]!) },
      { item: 1, body: { tx: two.transactions[0]! }, hash: txHash(two.transactions[0]!) },
    ];
    for (const w of wanted) {
      const id = await requestItem(index, w.item);
      expect((await readDisputeGame(game, id, clients)).itemRequest).toBe(true);
      await playerOf(accounts[2]!).tick();
      expect(await outcome(id)).toBe(GameOutcome.DefenderWins);
      expect(await readItemReveal(game, id, clients)).toEqual({
        kind: "item",
        item: w.item,
        revealer: accounts[2]!,
        ...encodeRevealedItem(w.body, w.hash),
      });
    }
    const past = await requestItem(index, 7);
    await playerOf(accounts[2]!).tick();
    expect(await outcome(past)).toBe(GameOutcome.DefenderWins);
    expect(await readItemReveal(game, past, clients)).toEqual({ kind: "absent", itemCount: 2, revealer: accounts[2]! });
    // The answers took the bonds, and the player withdrew its credit.
    expect(await read<bigint>(game, gameAbi, "credit", [accounts[2]!])).toBe(0n);
  });

  it("a checkpoint that names other headers is not answered, and the request resolves as a fault", async () => {
    const index = await postCheckpoint(c.bad);
    const id = await requestItem(index, 1);
    await playerOf(accounts[2]!).tick();
    expect(await outcome(id)).toBe(GameOutcome.Open);
    await increaseTime(MAX_CLOCK_SEC + 1);
    // Past its time the player resolves it like any unanswered request.
    await playerOf(accounts[2]!).tick();
    expect(await outcome(id)).toBe(GameOutcome.ChallengerWins);
    expect(await read<bigint>(checkpoints, mockAbi, "lastFaultIndex")).toBe(BigInt(index));
  });

  it("a request it cannot answer costs one read of the checkpoint's blocks, not one every poll", async () => {
    const index = await postCheckpoint(c.bad);
    const id = await requestItem(index, 1);
    let reads = 0;
    const counting: DisputeChainView = {
      ...view(),
      // Block 1 is read only to check the checkpoint's list (the game is on block 2).
      block: async (n) => {
        if (n === 1) reads++;
        return c.blocks[n] ?? null;
      },
    };
    const player = new DisputePlayer(
      { ...defaultDisputePlayerOpts, game },
      {
        l1: clients,
        account: { address: accounts[2]!, type: "json-rpc" },
        chain: counting,
        metrics: null,
        logger: nullLogger,
        signal: new AbortController().signal,
      },
    );
    await player.tick();
    expect(reads).toBeGreaterThan(0);
    reads = 0;
    await player.tick();
    await player.tick();
    expect(reads).toBe(0);
    expect(await outcome(id)).toBe(GameOutcome.Open);
    await increaseTime(MAX_CLOCK_SEC + 1);
    await player.tick();
    expect(await outcome(id)).toBe(GameOutcome.ChallengerWins);
  });
});
