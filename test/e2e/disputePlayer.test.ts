/**
 * The fault-proof game played by a real `filverse verifier` process (its config's `dispute` section
 * and an L1 key) on a real local L1: a game deployed on its own against the rollup (the rollup
 * refuses a game whose executor is not complete, so this one is not wired to it; its outcome is what
 * the test checks). The sequencer checkpoints blocks of deposits and Transfers. A wrong challenger
 * (the test) challenges one of them twice: the verifier opens the block's roots, answers with its
 * own midpoints, steps with its own proof and wins; against the silent challenger it wins on time.
 * The verifier's RPC, metrics and `filverse dispute list` show the games. Then a quorum the test
 * holds (the sequencer's key, the only validator) posts a checkpoint of Transfer blocks with a
 * wrong stateRoot over the true headers: the verifier's rollup watcher finds it wrong and the
 * verifier proves it on the game by itself (the last-header fault).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createFilverseClient } from "@filverse/client";
import { signDigest, smtRootFromProof } from "@filverse/crypto";
import {
  type CheckpointAbi,
  checkpointDigest,
  checkpointToAbi,
  createL1Clients,
  deployOneStepExecutor,
  GameOutcome,
  headerToAbi,
  type LocalL1,
  listEntryProof,
  loadArtifact,
  NodeKind,
  readDisputableCheckpoint,
  readDisputeGame,
  readDisputeNodes,
} from "@filverse/l1";
import { getChainConfig } from "@filverse/params";
import { BlockHeader, blockHash, blockHashesRoot, type Checkpoint } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import type { Address, Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, expect, it } from "vitest";
import {
  cli,
  type RunningNode,
  rpc,
  setupL1Chain,
  startSequencer,
  startVerifier,
  tempDir,
  waitFor,
} from "./helpers.js";

const FIL = 10n ** 18n;
const WINDOW = 3_600;
const MAX_CLOCK_SEC = 600;
const EXTENSION_SEC = 60;
const tmp = tempDir("dispute");
let l1: LocalL1 | null = null;
const nodes: RunningNode[] = [];

afterAll(async () => {
  for (const n of nodes) await n.stop();
  await l1?.stop();
  tmp.cleanup();
});

const call = async <T>(url: string, method: string, params: unknown[] = []): Promise<T> => {
  const { json } = await rpc(url, { jsonrpc: "2.0", id: 1, method, params });
  const r = json as { result?: T; error?: { message: string } };
  if (r.error) throw new Error(`${method}: ${r.error.message}`);
  return r.result as T;
};

it("a verifier process defends an honest checkpoint by itself and wins, by the step and on time", async () => {
  const seqDir = join(tmp.dir, "sequencer");
  const net = await setupL1Chain(
    seqDir,
    {
      challengeWindowSec: WINDOW,
      exitDelaySec: WINDOW,
      forceInclusionDelaySec: 3_600,
    },
    2,
    3,
  );
  l1 = net.l1;
  const { testClient, deployer, bridge, rollup } = net;
  // hardhat now and then closes a kept-alive socket: the test's own calls retry.
  const clients = createL1Clients({ url: l1.url, chainId: l1.chainId, pollingIntervalMs: 50, retryCount: 3 });
  const chain = clients.walletClient.chain;
  const wait = async (hash: Hex) => {
    const r = await clients.publicClient.waitForTransactionReceipt({ hash });
    expect(r.status).toBe("success");
  };
  const sequencer = await startSequencer(seqDir);
  nodes.push(sequencer);

  // The game, on its own against the rollup, with the one-step executor for the devnet preset.
  const game = await deployStandaloneGame(clients, deployer, rollup, net.chainId);
  const gameAbi = loadArtifact("FilverseDisputeGame").abi;

  // A verifier with an L1 key and the game in its config.
  const vDir = join(tmp.dir, "verifier");
  const made = cli([
    "init",
    "--verifier",
    "--data-dir",
    vDir,
    "--genesis-from",
    sequencer.url,
    "--rpc-port",
    "0",
    "--l1-rpc",
    l1.url,
    "--l1-chain-id",
    "31415926",
    "--rollup",
    rollup,
    "--bridge",
    bridge,
    "--l1-confirmations",
    "0",
    "--json",
  ]);
  expect(made.status, made.stderr).toBe(0);
  const l1Key = generatePrivateKey();
  const player = privateKeyToAccount(l1Key);
  writeFileSync(join(vDir, "l1.key"), `${l1Key}\n`, { mode: 0o600 });
  await testClient.setBalance({ address: player.address, value: 100n * FIL });
  const configPath = join(vDir, "filverse.json");
  const config = JSON.parse(readFileSync(configPath, "utf8"));
  config.verifier.l1KeyFile = "l1.key";
  config.dispute = { game, pollIntervalMs: 300 };
  writeFileSync(configPath, JSON.stringify(config));
  const verifier = await startVerifier(vDir);
  nodes.push(verifier);

  // Blocks of deposits and Transfers, checkpointed by the sequencer (interval 2).
  const alice = privateKeyToAccount(generatePrivateKey());
  await wait(
    await clients.walletClient.writeContract({
      account: deployer,
      address: bridge,
      abi: loadArtifact("FilverseBridge").abi,
      functionName: "deposit",
      args: [alice.address],
      value: 10n * FIL,
      chain,
    }),
  );
  const l2 = createFilverseClient({ url: sequencer.url, account: alice });
  await waitFor(async () => BigInt((await l2.getAccount({ address: alice.address })).balance) > 0n, 30_000, "deposit");
  const { hash } = await l2.transfer({ to: deployer, amount: 5n, fee: 0n });
  const k = Number((await l2.waitForTransaction(hash, { timeoutMs: 30_000 })).blockNumber);
  for (let i = 0; i < 3; i++)
    await l2.waitForTransaction((await l2.transfer({ to: deployer, amount: 1n, fee: 0n })).hash);
  await l2.waitForTransaction(hash, { status: "checkpointed", timeoutMs: 30_000 });
  const index = Math.floor((k - 1) / 2);
  const cp = await readDisputableCheckpoint(rollup, index, clients);
  expect(cp.acceptedAt).toBeGreaterThan(0);
  await waitFor(
    async () => Number((await call<{ head: string }>(verifier.url, "filverse_syncStatus")).head) >= cp.lastBlock,
    30_000,
    "the verifier at the checkpoint's last block",
  );

  // The wrong challenger: block k is wrong, it says. It opens k − 1's objects root and leaves
  // header k's roots to the defenders.
  const header = async (n: number) => {
    const json =
      n === 0
        ? (await call<{ header: unknown }>(sequencer.url, "filverse_getGenesis")).header
        : (await call<{ header: unknown }>(sequencer.url, "filverse_getBlockByNumber", [String(n)])).header;
    return BlockHeader.fromJson(json, "header");
  };
  const headers = await Promise.all(
    Array.from({ length: cp.lastBlock - cp.firstBlock + 2 }, (_, i) => header(cp.firstBlock - 1 + i)),
  );
  const hashes = headers.map((h) => blockHash(h));
  // k − 1's objects root, from an object proof the sequencer serves at that block.
  type ProofJson = { proof: { key: Hex; siblings: Hex[]; leaf: { key: Hex; valueHash: Hex } | null } };
  const { proof: p } = await call<ProofJson>(sequencer.url, "filverse_getProof", [
    "Account",
    alice.address,
    String(k - 1),
  ]);
  const leaf0 = p.leaf && { key: fromHex(p.leaf.key), valueHash: fromHex(p.leaf.valueHash) };
  const parentObjectsRoot = smtRootFromProof(fromHex(p.key), leaf0?.valueHash ?? null, {
    key: fromHex(p.key),
    siblings: p.siblings.map((x) => fromHex(x)),
    leaf: leaf0,
  });
  expect(parentObjectsRoot).not.toBe(null);
  const challenger = privateKeyToAccount(generatePrivateKey());
  await testClient.setBalance({ address: challenger.address, value: 100n * FIL });
  const challenge = async (): Promise<number> => {
    const id = Number(
      await clients.publicClient.readContract({ address: game, abi: gameAbi, functionName: "gameCount" }),
    );
    const e = k - (cp.firstBlock - 1);
    await wait(
      await clients.walletClient.writeContract({
        account: challenger,
        address: game,
        abi: gameAbi,
        functionName: "challenge",
        args: [
          {
            checkpointIndex: BigInt(index),
            blockNumber: BigInt(k),
            parent: headerToAbi(headers[e - 1]!),
            parentProof: listEntryProof(hashes, e - 1).map(toHex),
            header: headerToAbi(headers[e]!),
            headerProof: listEntryProof(hashes, e).map(toHex),
            parentObjectsRoot: toHex(parentObjectsRoot!),
            objectsRoot: toHex(new Uint8Array(32)),
            itemsListRoot: toHex(new Uint8Array(32)),
            itemCount: 0n,
          },
        ],
        value: FIL,
        chain,
      } as never),
    );
    return id;
  };
  const played = await challenge();
  const silent = await challenge();

  // The verifier opens the roots and proposes; the challenger disputes the left half each time.
  const move = (fn: string, args: unknown[]) =>
    clients.walletClient
      .writeContract({
        account: challenger,
        address: game,
        abi: gameAbi,
        functionName: fn,
        args,
        value: FIL,
        chain,
      } as never)
      .then(wait);
  await waitFor(
    async () => {
      const tree = await readDisputeNodes(game, played, clients);
      const last = tree.at(-1);
      if (!last) return false;
      if (last.kind === NodeKind.Dispute && last.hi - last.lo === 1) return last.stepped;
      if (last.kind === NodeKind.Proposal && last.claimant.toLowerCase() === player.address.toLowerCase()) {
        await move("dispute", [BigInt(played), BigInt(last.index), true]);
      }
      return false;
    },
    60_000,
    "the verifier's step",
  );
  const leaf = (await readDisputeNodes(game, played, clients)).at(-1)!;
  expect(leaf.countered).toBe(true);
  // The silent challenger's game has the verifier's proposal and nothing after it.
  await waitFor(async () => (await readDisputeNodes(game, silent, clients)).length === 2, 30_000, "the proposal");

  // Time passes; the verifier resolves both games by itself.
  await testClient.increaseTime({ seconds: MAX_CLOCK_SEC + 2 * EXTENSION_SEC + 1 });
  await testClient.mine({ blocks: 1 });
  await waitFor(
    async () =>
      (await readDisputeGame(game, played, clients)).outcome === GameOutcome.DefenderWins &&
      (await readDisputeGame(game, silent, clients)).outcome === GameOutcome.DefenderWins,
    60_000,
    "both games won by the defender",
  );

  // What the verifier shows of them.
  const page = await call<{ disputes: { id: string; outcome: string; role: string | null }[] }>(
    verifier.url,
    "filverse_getDisputes",
  );
  expect(page.disputes.map((d) => d.outcome)).toEqual(["defenderWins", "defenderWins"]);
  const metrics = await (await fetch(`${verifier.url}/metrics`)).text();
  expect(metrics).toMatch(/filverse_dispute_moves_total\{kind="step"\} 1/);
  expect(metrics).toMatch(/filverse_dispute_moves_total\{kind="openRoots"\} 2/);
  const listed = cli(["dispute", "list", "--rpc", verifier.url]);
  expect(listed.status, listed.stderr).toBe(0);
  expect(listed.stdout).toContain(`game ${played}: checkpoint ${index} block ${k} defenderWins`);
}, 240_000);

it("a verifier process proves a checkpoint with a wrong stateRoot, posted by a test-controlled quorum, by itself", async () => {
  const seqDir = join(tmp.dir, "sequencer2");
  const net = await setupL1Chain(
    seqDir,
    {
      challengeWindowSec: WINDOW,
      exitDelaySec: WINDOW,
      forceInclusionDelaySec: 3_600,
    },
    2,
    3,
  );
  const ownL1 = net.l1;
  try {
    const { testClient, deployer, bridge, rollup } = net;
    const clients = createL1Clients({ url: ownL1.url, chainId: ownL1.chainId, pollingIntervalMs: 50, retryCount: 3 });
    const chain = clients.walletClient.chain;
    // The sequencer submits nothing: the test's quorum (the sequencer's key, the only validator) does.
    net.config.l1 = { ...(net.config.l1 as object), rollup: undefined };
    writeFileSync(net.configPath, JSON.stringify(net.config));
    const sequencer = await startSequencer(seqDir);
    nodes.push(sequencer);
    const game = await deployStandaloneGame(clients, deployer, rollup, net.chainId);

    // Transfer-only blocks after the deposit that funds them.
    const alice = privateKeyToAccount(generatePrivateKey());
    const deposit = await clients.walletClient.writeContract({
      account: deployer,
      address: bridge,
      abi: loadArtifact("FilverseBridge").abi,
      functionName: "deposit",
      args: [alice.address],
      value: 10n * FIL,
      chain,
    });
    await clients.publicClient.waitForTransactionReceipt({ hash: deposit });
    const l2 = createFilverseClient({ url: sequencer.url, account: alice });
    await waitFor(
      async () => BigInt((await l2.getAccount({ address: alice.address })).balance) > 0n,
      30_000,
      "deposit",
    );
    let last = 0;
    for (let i = 0; i < 3; i++) {
      const { hash } = await l2.transfer({ to: deployer, amount: 1n, fee: 0n });
      last = Number((await l2.waitForTransaction(hash, { timeoutMs: 30_000 })).blockNumber);
    }

    // The verifier, with an L1 key and the game.
    const vDir = join(tmp.dir, "verifier2");
    const made = cli([
      "init",
      "--verifier",
      "--data-dir",
      vDir,
      "--genesis-from",
      sequencer.url,
      "--rpc-port",
      "0",
      "--l1-rpc",
      ownL1.url,
      "--l1-chain-id",
      "31415926",
      "--rollup",
      rollup,
      "--bridge",
      bridge,
      "--l1-confirmations",
      "0",
      "--json",
    ]);
    expect(made.status, made.stderr).toBe(0);
    const l1Key = generatePrivateKey();
    const player = privateKeyToAccount(l1Key);
    writeFileSync(join(vDir, "l1.key"), `${l1Key}\n`, { mode: 0o600 });
    await testClient.setBalance({ address: player.address, value: 10n * FIL });
    const configPath = join(vDir, "filverse.json");
    const config = JSON.parse(readFileSync(configPath, "utf8"));
    config.verifier.l1KeyFile = "l1.key";
    config.dispute = { game, pollIntervalMs: 300 };
    writeFileSync(configPath, JSON.stringify(config));
    const verifier = await startVerifier(vDir);
    nodes.push(verifier);
    await waitFor(
      async () => Number((await call<{ head: string }>(verifier.url, "filverse_syncStatus")).head) >= last,
      30_000,
      "the verifier at the last block",
    );

    // The quorum's checkpoint 0: the true headers 1..last, and a stateRoot that pays itself.
    const headerJson = async (n: number) =>
      n === 0
        ? (await call<{ header: unknown }>(sequencer.url, "filverse_getGenesis")).header
        : (await call<{ header: unknown }>(sequencer.url, "filverse_getBlockByNumber", [String(n)])).header;
    const headers = await Promise.all(
      Array.from({ length: last }, async (_, i) => BlockHeader.fromJson(await headerJson(i + 1), "header")),
    );
    const lastHeader = headers.at(-1)!;
    const rollupAbi = loadArtifact("FilverseRollup").abi;
    const validatorSetId = (await clients.publicClient.readContract({
      address: rollup,
      abi: rollupAbi,
      functionName: "validatorSetId",
    })) as bigint;
    const cp: Checkpoint = {
      chainId: net.chainId,
      index: 0,
      firstBlock: 1,
      lastBlock: last,
      parentHash: headers[0]!.parentHash,
      lastBlockHash: blockHash(lastHeader),
      stateRoot: new Uint8Array(32).fill(0xee),
      withdrawalsRoot: lastHeader.withdrawalsRoot,
      blockHashesRoot: blockHashesRoot(headers),
      pieceCid: "",
      payloadCid: "",
      pieceSize: 0,
      carSize: 0,
      lastBlockTimestamp: lastHeader.timestamp,
      depositCursor: lastHeader.l1DepositNonce,
      validatorSetId: Number(validatorSetId),
    };
    const domain = { l1ChainId: ownL1.chainId, rollup, l2ChainId: net.chainId };
    const signature = toHex(signDigest(checkpointDigest(cp, domain), net.sequencerKey)) as Hex;
    const submitted = await clients.walletClient.writeContract({
      account: deployer,
      address: rollup,
      abi: rollupAbi,
      functionName: "submitCheckpoint",
      args: [checkpointToAbi(cp) as CheckpointAbi, [signature]],
      chain,
    } as never);
    expect((await clients.publicClient.waitForTransactionReceipt({ hash: submitted })).status).toBe("success");

    // The verifier finds it wrong and proves it on the game by itself.
    await waitFor(
      async () =>
        Number(
          await clients.publicClient.readContract({
            address: game,
            abi: loadArtifact("FilverseDisputeGame").abi,
            functionName: "gameCount",
          }),
        ) > 0,
      60_000,
      "the verifier's challenge",
    );
    const g = await readDisputeGame(game, 0, clients);
    expect(g).toMatchObject({ checkpointIndex: 0, blockNumber: last, immediateFault: true });
    expect(g.outcome).toBe(GameOutcome.ChallengerWins);
    expect(g.challenger.toLowerCase()).toBe(player.address.toLowerCase());
    const metrics = await (await fetch(`${verifier.url}/metrics`)).text();
    expect(metrics).toMatch(/filverse_dispute_moves_total\{kind="proveLastHeaderFault"\} 1/);
  } finally {
    await ownL1.stop();
  }
}, 240_000);

/**
 * A game on its own against the rollup (not set in it: the executor is not complete), with the
 * one-step executor set for the devnet preset and bonds of 1 FIL.
 */
async function deployStandaloneGame(
  clients: ReturnType<typeof createL1Clients>,
  deployer: Address,
  rollup: Address,
  chainId: number,
): Promise<Address> {
  const preset = getChainConfig("devnet");
  // The devnet's bridge, whose records of the deposits the executor checks.
  const bridge = (await clients.publicClient.readContract({
    address: rollup,
    abi: loadArtifact("FilverseRollup").abi,
    functionName: "bridge",
  })) as Address;
  const { executor } = await deployOneStepExecutor(clients, deployer, {
    l2ChainId: chainId,
    maxBlockTxs: preset.maxBlockTxs,
    maxBlockDeposits: preset.maxBlockDeposits,
    minTxFee: preset.minTxFee,
    bridge,
  });
  const a = loadArtifact("FilverseDisputeGame");
  const hash = await clients.walletClient.deployContract({
    abi: a.abi,
    bytecode: a.bytecode,
    args: [rollup, executor, FIL, FIL, BigInt(MAX_CLOCK_SEC), BigInt(EXTENSION_SEC)],
    account: deployer,
    chain: clients.walletClient.chain,
  } as never);
  return (await clients.publicClient.waitForTransactionReceipt({ hash })).contractAddress as Address;
}
