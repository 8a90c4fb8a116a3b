/**
 * The DisputePlayer against the real game and OneStepExecutor on a local L1 (hardhat), over real
 * blocks (a deposit and a Transfer): it defends an honest block against a wrong challenger down to
 * the step and wins, a fresh player each tick (nothing kept in memory), wins on time against a
 * silent challenger, plays on the challenger team against a sealed block with a wrong receiptsRoot,
 * and proves a checkpoint's wrong last roots at once. OneStepExecutor is not complete yet, so the
 * game is a dry run (bonds refunded); the outcomes are what this file checks.
 */
import { depositHash, txHash } from "@filverse/crypto";
import {
  type DisputeMove,
  GameOutcome,
  headerToAbi,
  listEntryProof,
  NodeKind,
  readDisputeGame,
  readDisputeNodes,
} from "@filverse/l1";
import { MAX_BLOCK_DEPOSITS } from "@filverse/params";
import { type BlockHeader, blockHash, type SignedBlock } from "@filverse/types";
import { nullLogger, toHex } from "@filverse/utils";
import type { Address } from "viem";
import { describe, expect, it } from "vitest";
import { createRpcHandlers } from "../../src/api/index.js";
import type { NodeConfigFile } from "../../src/config.js";
import { createDisputePlayer } from "../../src/dispute/index.js";
import { type DisputeChainView, DisputePlayer, defaultDisputePlayerOpts } from "../../src/dispute/player.js";
import { createDisputeReader } from "../../src/dispute/reader.js";
import { NodeMetrics } from "../../src/metrics.js";
import {
  accounts,
  artifacts,
  BOND,
  CHAIN_ID,
  c,
  chain,
  checkpoints,
  clients,
  deploy,
  EXTENSION_SEC,
  game,
  gameAbi,
  increaseTime,
  MAX_BLOCK_TXS,
  MAX_CLOCK_SEC,
  mockAbi,
  playerOf,
  postCheckpoint,
  postList,
  read,
  seal,
  send,
  sequencer,
  view,
} from "./disputeFixture.js";

const ITEMS_DEPTH = 17;

/** Challenge block 2 of checkpoint `index` (header `two`) from `from`; returns the game id. */
async function challenge(index: number, two: SignedBlock, from: Address): Promise<number> {
  const hashes = [blockHash(c.blocks[0]!.header), blockHash(c.blocks[1]!.header), blockHash(two.header)];
  const items = [...two.deposits.map((d) => depositHash(d)), ...two.transactions.map((t) => txHash(t))];
  const id = Number(await read<bigint>(game, gameAbi, "gameCount"));
  const { merkle } = await import("../../../l1/test/unit/disputeFixture.js");
  await send(
    game,
    gameAbi,
    "challenge",
    [
      {
        checkpointIndex: BigInt(index),
        blockNumber: 2n,
        parent: headerToAbi(c.blocks[1]!.header),
        parentProof: listEntryProof(hashes, 1).map(toHex),
        header: headerToAbi(two.header),
        headerProof: listEntryProof(hashes, 2).map(toHex),
        parentObjectsRoot: toHex(c.states[1]!.objects.root()),
        objectsRoot: toHex(c.states[2]!.objects.root()),
        itemsListRoot: toHex(merkle(items, ITEMS_DEPTH).root),
        itemCount: BigInt(items.length),
      },
    ],
    from,
    BOND,
  );
  return id;
}

const outcome = async (id: number) => (await readDisputeGame(game, id, clients)).outcome;

describe("DisputePlayer", () => {
  it("defends an honest block down to the step, a fresh player each tick, and the wrong challenger loses", async () => {
    const metrics = new NodeMetrics();
    const index = await postCheckpoint(c.blocks[2]!);
    const challenger = accounts[1]!;
    const id = await challenge(index, c.blocks[2]!, challenger);
    // The wrong challenger disputes the left half of every proposal (its trace parts at once).
    for (let round = 0; round < 40; round++) {
      await playerOf(accounts[2]!, null, metrics).tick();
      const nodes = await readDisputeNodes(game, id, clients);
      const last = nodes.at(-1)!;
      if (last.kind === NodeKind.Dispute && last.stepped) break;
      if (last.kind === NodeKind.Proposal)
        await send(game, gameAbi, "dispute", [BigInt(id), BigInt(last.index), true], challenger, BOND);
    }
    const nodes = await readDisputeNodes(game, id, clients);
    const leaf = nodes.at(-1)!;
    expect([leaf.kind, leaf.hi - leaf.lo, leaf.stepped, leaf.countered]).toEqual([NodeKind.Dispute, 1, true, true]);
    await increaseTime(MAX_CLOCK_SEC + 2 * EXTENSION_SEC + 1);
    await playerOf(accounts[2]!, null, metrics).tick();
    expect(await outcome(id)).toBe(GameOutcome.DefenderWins);
    const text = await metrics.text();
    expect(text).toMatch(/filverse_dispute_moves_total\{kind="propose"\} [1-9]/);
    expect(text).toMatch(/filverse_dispute_moves_total\{kind="step"\} 1/);
    expect(text).toMatch(/filverse_dispute_moves_total\{kind="resolve"\} [1-9]/);
  }, 120_000);

  it("wins on time against a challenger that goes silent", async () => {
    const index = await postCheckpoint(c.blocks[2]!);
    const id = await challenge(index, c.blocks[2]!, accounts[1]!);
    const player = playerOf(accounts[3]!);
    await player.tick();
    expect((await readDisputeNodes(game, id, clients)).map((n) => n.kind)).toEqual([
      NodeKind.Dispute,
      NodeKind.Proposal,
    ]);
    await player.tick(); // nothing due, nothing resolvable yet
    expect(await outcome(id)).toBe(GameOutcome.Open);
    await increaseTime(MAX_CLOCK_SEC + 2 * EXTENSION_SEC + 1);
    await player.tick();
    expect(await outcome(id)).toBe(GameOutcome.DefenderWins);
  }, 120_000);

  it("waits for a disputed block it has not imported yet, then plays it", async () => {
    const index = await postCheckpoint(c.blocks[2]!);
    const id = await challenge(index, c.blocks[2]!, accounts[1]!);
    let head = 1;
    const player = new DisputePlayer(
      { ...defaultDisputePlayerOpts, game },
      {
        l1: clients,
        account: { address: accounts[9]!, type: "json-rpc" },
        chain: { ...view(), headNumber: () => head },
        metrics: null,
        logger: nullLogger,
        signal: new AbortController().signal,
      },
    );
    await player.tick();
    expect((await readDisputeNodes(game, id, clients)).length).toBe(1);
    head = 2;
    await player.tick();
    expect((await readDisputeNodes(game, id, clients)).map((n) => n.kind)).toEqual([
      NodeKind.Dispute,
      NodeKind.Proposal,
    ]);
    await increaseTime(MAX_CLOCK_SEC + 2 * EXTENSION_SEC + 1);
    await player.tick();
    expect(await outcome(id)).toBe(GameOutcome.DefenderWins);
  }, 120_000);

  it.each([
    ["it refused", true],
    ["its block source serves", false],
  ])(
    "plays on the challenger team against a sealed block with a wrong receiptsRoot (%s), and the challenge wins",
    async (_, refused) => {
      const index = await postCheckpoint(c.bad);
      const id = await challenge(index, c.bad, accounts[4]!);
      const wrongDefender = accounts[5]!;
      const root = (await readDisputeNodes(game, id, clients))[0]!;
      // The wrong defender follows the true trace and claims the faulty header's T[S] at the end.
      const { traceBlock } = await import("@filverse/state");
      const trace = traceBlock(c.states[1]!, c.blocks[1]!.header, c.blocks[2]!, {
        chainId: CHAIN_ID,
        maxBlockTxs: MAX_BLOCK_TXS,
        maxBlockDeposits: MAX_BLOCK_DEPOSITS,
        sequencer: sequencer.address,
      });
      const S = trace.steps.length;
      const claim = (j: number) => (j === S ? root.post : toHex(trace.commitments[j]!));
      // Seen sealed and refused, or never seen but served by the block source: either way the node
      // traces the sequencer's sealed block, whose block start passes, and not its own seal over it.
      const player = refused
        ? playerOf(accounts[6]!, c.bad)
        : new DisputePlayer(
            { ...defaultDisputePlayerOpts, game },
            {
              l1: clients,
              account: { address: accounts[6]!, type: "json-rpc" },
              chain: { ...view(), remoteBlock: async (n) => (n === 2 ? c.bad : null) },
              metrics: null,
              logger: nullLogger,
              signal: new AbortController().signal,
            },
          );
      for (let round = 0; round < 40; round++) {
        const nodes = await readDisputeNodes(game, id, clients);
        const last = nodes.at(-1)!;
        if (last.kind === NodeKind.Dispute) {
          if (last.hi - last.lo === 1) break;
          await send(
            game,
            gameAbi,
            "propose",
            [BigInt(id), BigInt(last.index), claim(Math.floor((last.lo + last.hi) / 2))],
            wrongDefender,
            BOND,
          );
        }
        await player.tick();
      }
      const leaf = (await readDisputeNodes(game, id, clients)).at(-1)!;
      expect([leaf.lo, leaf.hi, leaf.claimant]).toEqual([S - 1, S, accounts[6]]);
      await increaseTime(MAX_CLOCK_SEC + 2 * EXTENSION_SEC + 1);
      await player.tick();
      expect(await outcome(id)).toBe(GameOutcome.ChallengerWins);
    },
    120_000,
  );

  it("challenges by bisection a checkpoint naming a block it refused, once, and wins when nobody defends", async () => {
    const index = await postCheckpoint(c.bad);
    // This node stopped at block 1: block 2 is the sealed block it refused (its evidence).
    const refusing: DisputeChainView = {
      ...view(c.bad),
      headNumber: () => 1,
      refusedAt: async (n) => (n === 2 ? c.bad : null),
      remoteHeader: async () => null,
      genesisHeader: async () => c.blocks[0]!.header,
    };
    const player = new DisputePlayer(
      { ...defaultDisputePlayerOpts, game },
      {
        l1: clients,
        account: { address: accounts[8]!, type: "json-rpc" },
        chain: refusing,
        metrics: null,
        logger: nullLogger,
        signal: new AbortController().signal,
      },
    );
    const id = Number(await read<bigint>(game, gameAbi, "gameCount"));
    // Without the refused block at hand it has nothing to challenge with.
    const blind = new DisputePlayer(
      { ...defaultDisputePlayerOpts, game },
      {
        l1: clients,
        account: { address: accounts[8]!, type: "json-rpc" },
        chain: { ...refusing, refusedAt: async () => null },
        metrics: null,
        logger: nullLogger,
        signal: new AbortController().signal,
      },
    );
    expect(await blind.challengeCheckpoint(index)).toBe(null);
    expect(await player.challengeCheckpoint(index)).toBe("refusedBlock");
    const g = await readDisputeGame(game, id, clients);
    expect([g.checkpointIndex, g.blockNumber, g.outcome, g.challenger]).toEqual([
      index,
      2,
      GameOutcome.Open,
      accounts[8],
    ]);
    expect(g.blockHash.toLowerCase()).toBe(toHex(blockHash(c.bad.header)));
    // A game on it is open: not challenged twice.
    expect(await player.challengeCheckpoint(index)).toBe(null);
    // Nobody opens header 2's roots within the clock: the challenge stands.
    await increaseTime(MAX_CLOCK_SEC + 2 * EXTENSION_SEC + 1);
    await player.tick();
    await player.tick();
    expect(await outcome(id)).toBe(GameOutcome.ChallengerWins);
  }, 120_000);

  it("proves a checkpoint whose last roots are not its headers' at once (the last-header fault)", async () => {
    const index = await postCheckpoint(c.blocks[2]!, new Uint8Array(32).fill(9));
    const player = playerOf(accounts[7]!);
    const before = Number(await read<bigint>(game, gameAbi, "gameCount"));
    expect(await player.challengeCheckpoint(index)).toBe("lastHeaderFault");
    expect(await outcome(before)).toBe(GameOutcome.ChallengerWins);
    expect(await read<bigint>(checkpoints, mockAbi, "lastFaultIndex")).toBe(BigInt(index));
    // An honest checkpoint is not challenged.
    const honest = await postCheckpoint(c.blocks[2]!);
    expect(await player.challengeCheckpoint(honest)).toBe(null);
  }, 120_000);
});

/** Checkpoint blocks 1..2 whose block 2 is `made` (a header nobody sealed), posted on the mock; returns its index. */
const postMadeUp = (made: BlockHeader, one: BlockHeader = c.blocks[1]!.header): Promise<number> =>
  postList([one, made]);

/** revealHeader's arguments for game `id`: `header` as entry `e` of the list `hashes`, with entry e-1 and both proofs. */
const revealArgs = (id: number, header: BlockHeader, hashes: Uint8Array[], e: number) => [
  BigInt(id),
  headerToAbi(header),
  listEntryProof(hashes, e).map(toHex),
  toHex(hashes[e - 1]!),
  listEntryProof(hashes, e - 1).map(toHex),
];

/** Request header `n` of checkpoint `index` from `from`; returns the game id. */
async function requestHeader(index: number, n: number, from: Address): Promise<number> {
  const id = Number(await read<bigint>(game, gameAbi, "gameCount"));
  await send(game, gameAbi, "requestHeader", [BigInt(index), BigInt(n)], from, BOND);
  return id;
}

describe("header requests and made-up headers", () => {
  it("answers a header request on a checkpoint whose list is its own within the clock, and no other", async () => {
    const index = await postCheckpoint(c.blocks[2]!);
    const requester = accounts[1]!;
    const ids = [await requestHeader(index, 1, requester), await requestHeader(index, 2, requester)];
    const player = playerOf(accounts[2]!);
    const credited = (await clients.publicClient.getBalance({ address: accounts[2]! })) + 2n * BOND;
    await player.tick();
    for (const [i, id] of ids.entries()) {
      const g = await readDisputeGame(game, id, clients);
      expect([g.outcome, g.blockHash.toLowerCase()]).toEqual([
        GameOutcome.DefenderWins,
        toHex(blockHash(c.blocks[i + 1]!.header)),
      ]);
    }
    // The bonds went to the answering player, which claimed them (less its gas).
    const balance = await clients.publicClient.getBalance({ address: accounts[2]! });
    expect(balance > credited - 10n ** 16n && balance <= credited).toBe(true);
    // A list that is not its own (block 2 refused): not answered; unanswered in time, a fault.
    const bad = await postCheckpoint(c.bad);
    const id = await requestHeader(bad, 2, requester);
    await player.tick();
    expect(await outcome(id)).toBe(GameOutcome.Open);
    await increaseTime(MAX_CLOCK_SEC + 1);
    await player.tick();
    expect(await readDisputeGame(game, id, clients)).toMatchObject({
      outcome: GameOutcome.ChallengerWins,
      immediateFault: true,
    });
  }, 120_000);

  it("finds a made-up header with requests, challenges it by bisection, and wins against its silent defender", async () => {
    const { getHasher } = await import("@filverse/crypto");
    const { mixInLength } = await import("@filverse/state");
    // Block 2 made up with another body: its roots open, so its defender can play (and then goes silent).
    const objectsRoot = new Uint8Array(32).fill(0xaa);
    const withdrawalsRoot = new Uint8Array(32).fill(0xdd);
    const itemsListRoot = new Uint8Array(32).fill(0xbb);
    const made: BlockHeader = {
      ...c.blocks[2]!.header,
      stateRoot: getHasher().digest64(objectsRoot, withdrawalsRoot),
      withdrawalsRoot,
      txRoot: mixInLength(itemsListRoot, 2),
    };
    const index = await postMadeUp(made);
    const player = playerOf(accounts[6]!);
    const first = Number(await read<bigint>(game, gameAbi, "gameCount"));
    expect(await player.challengeCheckpoint(index)).toBe("madeUp");
    // It asked for the last header (its proof shows every left sibling); asked once.
    await player.tick();
    expect(Number(await read<bigint>(game, gameAbi, "gameCount"))).toBe(first + 1);
    expect(await readDisputeGame(game, first, clients)).toMatchObject({ reveal: true, blockNumber: 2 });
    // The outsider reveals it (and takes the bond).
    const outsider = accounts[5]!;
    const hashes = [blockHash(c.blocks[0]!.header), blockHash(c.blocks[1]!.header), blockHash(made)];
    await send(game, gameAbi, "revealHeader", revealArgs(first, made, hashes, 2), outsider);
    // The node challenges block 2 with the revealed header; its roots are the defenders' to open.
    await player.tick();
    const g = await readDisputeGame(game, first + 1, clients);
    expect([g.checkpointIndex, g.blockNumber, g.challenger, g.blockHash.toLowerCase()]).toEqual([
      index,
      2,
      accounts[6],
      toHex(blockHash(made)),
    ]);
    expect(g.openBy).toBeGreaterThan(0);
    await player.tick();
    expect(Number(await read<bigint>(game, gameAbi, "gameCount"))).toBe(first + 2); // not challenged twice
    // The outsider opens them and claims a midpoint; the node, which never saw that body and holds no
    // seal of that header, disputes it (the block is invalid from its start).
    await send(
      game,
      gameAbi,
      "openRoots",
      [BigInt(g.id), headerToAbi(made), toHex(objectsRoot), toHex(itemsListRoot), 2n],
      outsider,
    );
    await send(game, gameAbi, "propose", [BigInt(g.id), 0n, toHex(new Uint8Array(32).fill(0x11))], outsider, BOND);
    await player.tick();
    const nodes = await readDisputeNodes(game, g.id, clients);
    expect(nodes.map((n) => [n.kind, n.lo, n.hi, n.claimant])).toEqual([
      [NodeKind.Dispute, 0, 4, accounts[6]],
      [NodeKind.Proposal, 0, 4, outsider],
      [NodeKind.Dispute, 0, 2, accounts[6]],
    ]);
    // The outsider goes silent: the challenge wins on time.
    await increaseTime(MAX_CLOCK_SEC + 2 * EXTENSION_SEC + 1);
    await player.tick();
    await player.tick();
    expect(await outcome(g.id)).toBe(GameOutcome.ChallengerWins);
    expect(await read<bigint>(checkpoints, mockAbi, "lastFaultIndex")).toBe(BigInt(index));
  }, 120_000);
});

describe("made-up headers from the first block on", () => {
  it("asks for headers until it has the first made-up one, then challenges that block", async () => {
    // The outsider's list makes up block 1 and block 2 on top of it.
    const one: BlockHeader = { ...c.blocks[1]!.header, stateRoot: new Uint8Array(32).fill(0x31) };
    const two: BlockHeader = { ...c.blocks[2]!.header, parentHash: blockHash(one) };
    const index = await postMadeUp(two, one);
    const hashes = [blockHash(c.blocks[0]!.header), blockHash(one), blockHash(two)];
    const headers = [c.blocks[0]!.header, one, two];
    const player = playerOf(accounts[7]!);
    const outsider = accounts[5]!;
    const first = Number(await read<bigint>(game, gameAbi, "gameCount"));
    expect(await player.challengeCheckpoint(index)).toBe("madeUp");
    const requested: number[] = [];
    for (let round = 0; round < 4; round++) {
      const id = Number(await read<bigint>(game, gameAbi, "gameCount")) - 1;
      const g = await readDisputeGame(game, id, clients);
      if (!g.reveal) break;
      requested.push(g.blockNumber);
      const e = g.blockNumber;
      await send(game, gameAbi, "revealHeader", revealArgs(id, headers[e]!, hashes, e), outsider);
      await player.tick();
    }
    // The last header first (its proof shows entry 1 is not the node's), then block 1.
    expect(requested).toEqual([2, 1]);
    const id = Number(await read<bigint>(game, gameAbi, "gameCount")) - 1;
    expect(id).toBe(first + 2);
    const g = await readDisputeGame(game, id, clients);
    expect([g.reveal, g.blockNumber, g.challenger, g.parentHash.toLowerCase(), g.blockHash.toLowerCase()]).toEqual([
      false,
      1,
      accounts[7],
      toHex(hashes[0]!),
      toHex(hashes[1]!),
    ]);
    await increaseTime(MAX_CLOCK_SEC + 1);
    await player.tick();
    expect(await outcome(id)).toBe(GameOutcome.ChallengerWins);
  }, 120_000);
});

describe("one game that fails to play", () => {
  it("does not keep the player from the games after it", async () => {
    // Game A: an item request, whose answer needs the state before block 2, which this node's
    // store fails to read.
    const broken = await postCheckpoint(c.blocks[2]!);
    const a = Number(await read<bigint>(game, gameAbi, "gameCount"));
    await send(game, gameAbi, "requestItem", [BigInt(broken), 2n, 0n], accounts[1]!, BOND);
    // Game B, after it: a header request the node answers.
    const index = await postCheckpoint(c.blocks[2]!);
    const b = await requestHeader(index, 2, accounts[1]!);
    let failing = true;
    const chainView: DisputeChainView = {
      ...view(),
      stateAt: async (n) => {
        if (failing) throw new Error("store read failed");
        return c.states[n];
      },
    };
    const player = new DisputePlayer(
      { ...defaultDisputePlayerOpts, game },
      {
        l1: clients,
        account: { address: accounts[2]!, type: "json-rpc" },
        chain: chainView,
        metrics: null,
        logger: nullLogger,
        signal: new AbortController().signal,
      },
    );
    await player.tick();
    expect(await outcome(a)).toBe(GameOutcome.Open);
    expect(await outcome(b)).toBe(GameOutcome.DefenderWins);
    failing = false;
    await player.tick();
    expect(await outcome(a)).toBe(GameOutcome.DefenderWins);
  }, 120_000);
});

describe("made-up headers: requests answered or held open by the checkpoint's own side", () => {
  const madeUpLast = async () => {
    const { getHasher } = await import("@filverse/crypto");
    const { mixInLength } = await import("@filverse/state");
    const withdrawalsRoot = new Uint8Array(32).fill(0xd1);
    const made: BlockHeader = {
      ...c.blocks[2]!.header,
      stateRoot: getHasher().digest64(new Uint8Array(32).fill(0xa1), withdrawalsRoot),
      withdrawalsRoot,
      txRoot: mixInLength(new Uint8Array(32).fill(0xb1), 2),
    };
    return { made, index: await postMadeUp(made) };
  };
  const gameCount = async () => Number(await read<bigint>(game, gameAbi, "gameCount"));

  it("reads a header answered through another contract, challenges with it, and asks for no header twice", async () => {
    const forwarder = await deploy(artifacts.Forwarder!, []);
    const { made, index } = await madeUpLast();
    const player = playerOf(accounts[9]!);
    const first = await gameCount();
    expect(await player.challengeCheckpoint(index)).toBe("madeUp");
    expect(await readDisputeGame(game, first, clients)).toMatchObject({ reveal: true, blockNumber: 2 });
    // The made-up list's side answers through a contract: the reveal is valid, its calldata not the game's.
    const hashes = [blockHash(c.blocks[0]!.header), blockHash(c.blocks[1]!.header), blockHash(made)];
    const { encodeFunctionData } = await import("viem");
    const data = encodeFunctionData({
      abi: gameAbi,
      functionName: "revealHeader",
      args: revealArgs(first, made, hashes, 2),
    });
    await send(forwarder, artifacts.Forwarder!.abi, "forward", [game, data], accounts[5]!);
    expect(await outcome(first)).toBe(GameOutcome.DefenderWins);
    // The game logged the calldata it received (MoveData): the node reads the reveal and challenges
    // block 2 with it; asking again would only pay the answering side another bond.
    for (let round = 0; round < 3; round++) await player.tick();
    expect(await gameCount()).toBe(first + 2);
    const g = await readDisputeGame(game, first + 1, clients);
    expect([g.reveal, g.blockNumber, g.challenger, g.blockHash.toLowerCase()]).toEqual([
      false,
      2,
      accounts[9],
      toHex(blockHash(made)),
    ]);
    // A challenge sent through a contract is read back the same way (the tracer needs its header).
    const { readChallengedHeader } = await import("@filverse/l1");
    const id = await gameCount();
    const challengeData = encodeFunctionData({
      abi: gameAbi,
      functionName: "challenge",
      args: [
        {
          checkpointIndex: BigInt(index),
          blockNumber: 2n,
          parent: headerToAbi(c.blocks[1]!.header),
          parentProof: listEntryProof(hashes, 1).map(toHex),
          header: headerToAbi(made),
          headerProof: listEntryProof(hashes, 2).map(toHex),
          parentObjectsRoot: toHex(c.states[1]!.objects.root()),
          objectsRoot: toHex(new Uint8Array(32)),
          itemsListRoot: toHex(new Uint8Array(32)),
          itemCount: 0n,
        },
      ],
    });
    await send(forwarder, artifacts.Forwarder!.abi, "forward", [game, challengeData], accounts[5]!, BOND);
    expect(await readChallengedHeader(game, id, clients)).toEqual(made);
  }, 120_000);

  it("reads, on each pass after the first, only the games created since and those still open", async () => {
    const { readDisputeGameParams, sendDisputeMove } = await import("@filverse/l1");
    const { newMadeUpMemo, pursueMadeUp } = await import("../../src/dispute/madeUpChallenge.js");
    const { index } = await madeUpLast();
    let reads = 0;
    const publicClient = new Proxy(clients.publicClient, {
      get(target, key, receiver) {
        const v = Reflect.get(target, key, receiver);
        if (key !== "readContract") return v;
        return (args: { functionName: string }) => {
          if (args.functionName === "getGame") reads++;
          return (v as (a: unknown) => Promise<unknown>).call(target, args);
        };
      },
    });
    const deps = {
      l1: { ...clients, publicClient },
      game,
      startBlock: 0n,
      params: await readDisputeGameParams(game, clients),
      view: view(),
      send: async (move: DisputeMove) => {
        await sendDisputeMove(game, move, { ...clients, account: { address: accounts[9]!, type: "json-rpc" } });
        return true;
      },
      logger: nullLogger,
      memo: newMadeUpMemo(),
    };
    const before = await gameCount();
    expect(before).toBeGreaterThan(5);
    expect(await pursueMadeUp(index, deps)).toBe("waiting"); // reads every game, requests header 2
    expect(reads).toBe(before);
    expect(await gameCount()).toBe(before + 1);
    reads = 0;
    expect(await pursueMadeUp(index, deps)).toBe("waiting"); // the request, still open
    expect(reads).toBe(1);
    reads = 0;
    expect(await pursueMadeUp(index, deps)).toBe("waiting");
    expect(reads).toBe(1);
    expect(await gameCount()).toBe(before + 1);
  }, 120_000);

  it("does not wait on an item request: it asks for the header it needs", async () => {
    const { index } = await madeUpLast();
    // The list's side holds block 2 with an item request it can answer at its clock's last second.
    const first = await gameCount();
    await send(game, gameAbi, "requestItem", [BigInt(index), 2n, 0n], accounts[5]!, BOND);
    const player = playerOf(accounts[9]!);
    expect(await player.challengeCheckpoint(index)).toBe("madeUp");
    expect(await gameCount()).toBe(first + 2);
    expect(await readDisputeGame(game, first + 1, clients)).toMatchObject({
      reveal: true,
      itemRequest: false,
      blockNumber: 2,
    });
  }, 120_000);
});

describe("made-up headers answered at the last second of each clock", () => {
  it("searches three levels past the window and challenges within the extension each late answer gives", async () => {
    // The node's chain: blocks 0..2 as above, then six empty blocks (list entries 0..8).
    const blocks = [...c.blocks];
    const states = [...c.states];
    for (let n = 3; n <= 8; n++) {
      const next = seal(states[n - 1]!, blocks[n - 1]!.header, [], []);
      blocks.push(next.block);
      states.push(next.state);
    }
    // The checkpoint's list makes up block 2 (another state root) and relinks 3..8 on top of it.
    const made: BlockHeader[] = blocks.map((b) => b.header);
    made[2] = { ...made[2]!, stateRoot: new Uint8Array(32).fill(0x22) };
    for (let n = 3; n <= 8; n++) made[n] = { ...made[n]!, parentHash: blockHash(made[n - 1]!) };
    const hashes = made.map((h) => blockHash(h));
    const index = await postList(made.slice(1));
    const cp = await read<{ acceptedAt: bigint }>(checkpoints, mockAbi, "disputableCheckpoint", [BigInt(index)]);
    const closesAt = cp.acceptedAt + 3_600n;
    const at = (t: bigint) =>
      clients.publicClient.request({ method: "evm_setNextBlockTimestamp", params: [Number(t)] } as never);
    const player = new DisputePlayer(
      { ...defaultDisputePlayerOpts, game },
      {
        l1: clients,
        account: { address: accounts[10]!, type: "json-rpc" },
        chain: {
          chain,
          sequencer: sequencer.address,
          headNumber: () => 8,
          block: async (n) => blocks[n] ?? null,
          stateAt: async (n) => states[n],
          refusedBlock: async () => null,
        },
        metrics: null,
        logger: nullLogger,
        signal: new AbortController().signal,
      },
    );
    const lateSide = accounts[11]!;
    // The search starts 1,100 s before the window closes; every answer comes at its clock's last second.
    await at(closesAt - 1_100n);
    expect(await player.challengeCheckpoint(index)).toBe("madeUp");
    const requested: number[] = [];
    const madeAt: bigint[] = [];
    for (let round = 0; round < 5; round++) {
      const id = Number(await read<bigint>(game, gameAbi, "gameCount")) - 1;
      const g = await readDisputeGame(game, id, clients);
      if (!g.reveal || g.checkpointIndex !== index || g.outcome !== GameOutcome.Open) break;
      requested.push(g.blockNumber);
      madeAt.push(BigInt(g.revealBy - MAX_CLOCK_SEC));
      const e = g.blockNumber;
      await at(BigInt(g.revealBy));
      await send(game, gameAbi, "revealHeader", revealArgs(id, made[e]!, hashes, e), lateSide);
      await player.tick();
    }
    // Three levels: the last entry, the end of the left quarter, then the first made-up entry.
    expect(requested).toEqual([8, 1, 2]);
    // The third request came after the window, in the extension the second (late) answer gave.
    expect(madeAt[2]).toBeGreaterThan(closesAt);
    const id = Number(await read<bigint>(game, gameAbi, "gameCount")) - 1;
    const g = await readDisputeGame(game, id, clients);
    expect([g.reveal, g.checkpointIndex, g.blockNumber, g.challenger, g.blockHash.toLowerCase()]).toEqual([
      false,
      index,
      2,
      accounts[10],
      toHex(hashes[2]!),
    ]);
    // The challenge too came after the window: the late side never opens header 2's roots and loses.
    const { timestamp } = await clients.publicClient.getBlock({ blockTag: "latest" });
    expect(timestamp).toBeGreaterThan(closesAt + BigInt(MAX_CLOCK_SEC));
    await increaseTime(MAX_CLOCK_SEC + 1);
    await player.tick();
    expect(await outcome(id)).toBe(GameOutcome.ChallengerWins);
    expect(await read<bigint>(checkpoints, mockAbi, "lastFaultIndex")).toBe(BigInt(index));
  }, 120_000);
});

describe("createDisputePlayer", () => {
  const base = {
    preset: "devnet",
    chain: {},
    genesis: { chainId: CHAIN_ID, timestamp: 0 },
  } as unknown as NodeConfigFile;
  const modules = {
    l1: null,
    account: null,
    chain: view(),
    metrics: null,
    logger: nullLogger,
    signal: new AbortController().signal,
  };
  it("is off without a dispute section or with enabled false, and refuses to play without an L1 key", () => {
    expect(createDisputePlayer(base, modules)).toBe(null);
    const dispute = { game: "0x00000000000000000000000000000000000000aa" as const };
    expect(createDisputePlayer({ ...base, dispute: { ...dispute, enabled: false } }, modules)).toBe(null);
    expect(() => createDisputePlayer({ ...base, dispute }, modules)).toThrow(/needs `l1` and an L1 key/);
    const player = createDisputePlayer(
      { ...base, dispute: { ...dispute, maxBond: "5" } },
      { ...modules, l1: clients, account: { address: accounts[0]!, type: "json-rpc" } },
    );
    expect(player?.opts).toMatchObject({ game: dispute.game, challenge: true, maxBond: 5n });
  });
});

describe("filverse_getDisputes and filverse_getDispute", () => {
  const ctx = {} as never;
  it("page the games from L1 and show one game's claim tree, with typed errors", async () => {
    const player = playerOf(accounts[8]!);
    await player.tick();
    const rpc = createRpcHandlers({} as never, null, null, createDisputeReader(game, clients, player));
    const count = Number(await read<bigint>(game, gameAbi, "gameCount"));
    expect(count).toBeGreaterThan(2);
    const first = await rpc.filverse_getDisputes(["0", "2"], ctx);
    expect(first.disputes.map((d) => d.id)).toEqual(["0", "1"]);
    expect(first.next).toBe("2");
    expect(first.disputes[0]).toMatchObject({ outcome: "defenderWins", checkpointIndex: "0", blockNumber: "2" });
    const last = await rpc.filverse_getDisputes([String(count - 1)], ctx);
    expect(last.next).toBe(null);
    const one = await rpc.filverse_getDispute(["0"], ctx);
    expect(one!.nodes[0]).toMatchObject({ index: 0, parent: -1, kind: "dispute", lo: "0", resolved: true });
    expect(one!.nodes[1]!.kind).toBe("proposal");
    expect(one!.nodesTruncated).toBe(false);
    expect(await rpc.filverse_getDispute([String(count)], ctx)).toBe(null);
    await expect(Promise.resolve().then(() => rpc.filverse_getDisputes(["0", "101"], ctx))).rejects.toMatchObject({
      code: -32602,
    });
    const none = createRpcHandlers({} as never);
    await expect(Promise.resolve().then(() => none.filverse_getDisputes([], ctx))).rejects.toMatchObject({
      code: -32017,
    });
  });
});
