/**
 * A sequencer's wrong state root, rolled back (issue 15's second scenario), with real processes: a
 * `filverse sequencer` and a `filverse verifier` (with a `dispute` section and an L1 key) on a local
 * L1 whose rollup has the fault-proof game wired in.
 *
 * How the wrong root arises: the test stops the sequencer and edits its database. It credits an
 * account 1,000 attoFIL in the stored state, writes the head block's header with that state's root
 * and re-seals it with the sequencer's key (the test holds the data dir), as a sequencer whose state
 * machine went wrong would have sealed it. The shipped CLI has no way to do this. Restarted, the
 * sequencer builds on that block and submits the checkpoint that covers it (it is the only validator).
 *
 * The verifier, started after the edit, refuses the block (its root is not what execution gives),
 * finds the checkpoint naming it on L1 and challenges that block by bisection. Nobody defends it, so
 * once the clock runs out the challenge wins: the rollup removes the checkpoint and halts. Both
 * nodes rewind to the last valid checkpoint; the sequencer seals the removed transactions again,
 * and the chain continues. Every transaction acknowledged by `sendTransaction` before the fault is
 * sequenced in the new chain, which the verifier imports to the same block hashes, with no
 * equivocation evidence. The sequencer's key, which signed the disproven checkpoint with its 2/3 of
 * the weight, is slashed by the verifier's player; once the test bonds the sequencer again, the
 * new chain's checkpoint, co-signed over p2p by the verifier (now the whole set), resumes the
 * rollup. The game needs an executor that says `complete()`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createFilverseClient } from "@filverse/client";
import { signBlockHeader } from "@filverse/crypto";
import { ChainDb } from "@filverse/db";
import { deployFaultProofs, GameOutcome, type LocalL1, loadArtifact, readDisputeGame } from "@filverse/l1";
import { getChainConfig } from "@filverse/params";
import { encodeStateEntry, stateKey } from "@filverse/state";
import { BlockHeader, blockHash, encodeSignedBlock, Namespace } from "@filverse/types";
import { concatBytes, toHex } from "@filverse/utils";
import { ClassicLevel } from "classic-level";
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
const tmp = tempDir("fault-rewind");
let l1: LocalL1 | null = null;
const nodes: RunningNode[] = [];

afterAll(async () => {
  for (const n of nodes) await n.stop();
  await l1?.stop();
  tmp.cleanup();
});

const call = async <T>(url: string, method: string, params: unknown[] = []): Promise<T> => {
  // A kept-alive socket the server closed meanwhile fails the fetch: ask again on a new one.
  const send = () => rpc(url, { jsonrpc: "2.0", id: 1, method, params });
  const { json } = await send().catch(send);
  const r = json as { result?: T; error?: { message: string } };
  if (r.error) throw new Error(`${method}: ${r.error.message}`);
  return r.result as T;
};

const u64 = (n: number) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n));
  return b;
};

/**
 * The fault, injected into a stopped sequencer's database: `victim` credited 1,000 attoFIL in the
 * stored state, and the head block's header carrying that state's root, re-sealed. One synced
 * batch in the layout of packages/db/src/keys.ts.
 */
async function sealWrongRoot(
  chaindb: string,
  key: Uint8Array,
  victim: Uint8Array,
): Promise<{ number: number; hash: Uint8Array }> {
  const db = await ChainDb.open({ dir: chaindb });
  const head = (await db.getHead())!;
  const block = (await db.getBlockByNumber(head.number))!;
  const state = await db.loadState();
  const account = state.get(Namespace.Account, victim)!;
  const value = { ...account, balance: account.balance + 1_000n };
  const wrong = state.withChanges([{ ns: Namespace.Account, id: victim, value }], [], []);
  const header = { ...block.header, stateRoot: wrong.roots().stateRoot };
  const sealed = { ...block, header, signature: signBlockHeader(header, key) };
  const hash = blockHash(header);
  await db.close();
  const raw = new ClassicLevel<Uint8Array, Uint8Array>(chaindb, { keyEncoding: "view", valueEncoding: "view" });
  await raw.open();
  const batch = raw.batch();
  batch.put(
    concatBytes(Uint8Array.of(0x05), stateKey(Namespace.Account, victim)),
    encodeStateEntry(Namespace.Account, victim, value),
  );
  batch.put(concatBytes(Uint8Array.of(0x01), u64(head.number)), encodeSignedBlock(sealed));
  batch.del(concatBytes(Uint8Array.of(0x02), head.hash));
  batch.put(concatBytes(Uint8Array.of(0x02), hash), u64(head.number));
  batch.put(Uint8Array.of(0x00, 0x04), concatBytes(u64(head.number), hash, BlockHeader.serialize(header)));
  await batch.write({ sync: true });
  await raw.close();
  return { number: head.number, hash };
}

it("a wrong state root is challenged and rolled back, the chain continues, and no acknowledged transaction is lost", async () => {
  const seqDir = join(tmp.dir, "sequencer");
  // The sequencer's validator holds 2/3 of the weight, the verifier's 1/3 (both in the genesis set).
  const net = await setupL1Chain(
    seqDir,
    { challengeWindowSec: WINDOW, exitDelaySec: WINDOW, forceInclusionDelaySec: 3_600 },
    2,
    3,
    2n * FIL,
  );
  l1 = net.l1;
  const { testClient, deployer, bridge, rollup, clients } = net;
  const chain = getChainConfig("devnet", { chainId: net.chainId });
  const fp = await deployFaultProofs(
    clients,
    deployer,
    rollup,
    { l2ChainId: net.chainId, challengeWindowSec: WINDOW },
    {
      chain: { maxBlockTxs: chain.maxBlockTxs, maxBlockDeposits: chain.maxBlockDeposits, minTxFee: chain.minTxFee },
      maxClockDurationSec: MAX_CLOCK_SEC,
      clockExtensionSec: EXTENSION_SEC,
    },
  );
  expect(fp.game, "the rollup takes the game only with a complete executor").not.toBeNull();
  const game = fp.game as Address;
  const rollupAbi = loadArtifact("FilverseRollup").abi;
  const l1Key = generatePrivateKey();
  const verifierL1 = privateKeyToAccount(l1Key).address;
  await testClient.setBalance({ address: verifierL1, value: 100n * FIL });
  const owner = (functionName: string, args: unknown[], value: bigint) =>
    clients.walletClient
      .writeContract({
        account: deployer,
        address: rollup,
        abi: rollupAbi,
        functionName,
        args,
        value,
        chain: clients.walletClient.chain,
      } as never)
      .then((hash) => clients.publicClient.waitForTransactionReceipt({ hash }));
  await owner("registerGenesis", [verifierL1], FIL);
  const readRollup = <T>(functionName: string, args: unknown[] = []) =>
    clients.publicClient.readContract({ address: rollup, abi: rollupAbi, functionName, args } as never) as Promise<T>;

  // Phase 1: no checkpoints yet (the rollup left out of the config): a deposit and acknowledged transfers.
  const withRollup = JSON.parse(readFileSync(net.configPath, "utf8"));
  writeFileSync(net.configPath, JSON.stringify({ ...withRollup, l1: { ...withRollup.l1, rollup: undefined } }));
  let sequencer = await startSequencer(seqDir);
  nodes.push(sequencer);
  const alice = privateKeyToAccount(generatePrivateKey());
  const bob = privateKeyToAccount(generatePrivateKey());
  await clients.publicClient.waitForTransactionReceipt({
    hash: await clients.walletClient.writeContract({
      account: deployer,
      address: bridge,
      abi: loadArtifact("FilverseBridge").abi,
      functionName: "deposit",
      args: [alice.address],
      value: 10n * FIL,
      chain: clients.walletClient.chain,
    }),
  });
  let l2 = createFilverseClient({ url: sequencer.url, account: alice });
  await waitFor(async () => BigInt((await l2.getAccount({ address: alice.address })).balance) > 0n, 30_000, "deposit");
  const acked: Hex[] = [];
  for (let i = 0; i < 4; i++) {
    const { hash } = await l2.transfer({ to: bob.address, amount: BigInt(i + 1), fee: 0n });
    acked.push(hash);
    await l2.waitForTransaction(hash, { timeoutMs: 30_000 });
  }
  await sequencer.stop();
  nodes.splice(nodes.indexOf(sequencer), 1);

  // The fault: the head block sealed with a wrong state root.
  const wrong = await sealWrongRoot(join(seqDir, "chaindb"), net.sequencerKey, fromAddress(alice.address));
  const wrongBlock = wrong.number;
  const index = Math.floor((wrongBlock - 1) / 2);

  // Phase 2: the rollup and p2p in the config; the sequencer builds on the wrong block and
  // checkpoints it with its own 2/3 (the verifier, once it runs, refuses to co-sign).
  writeFileSync(net.configPath, JSON.stringify({ ...withRollup, p2p: { listen: ["/ip4/127.0.0.1/tcp/0"] } }));
  sequencer = await startSequencer(seqDir);
  nodes.push(sequencer);
  l2 = createFilverseClient({ url: sequencer.url, account: alice });
  for (let i = 0; i < 3; i++) {
    const { hash } = await l2.transfer({ to: bob.address, amount: 10n + BigInt(i), fee: 0n });
    acked.push(hash);
    await l2.waitForTransaction(hash, { timeoutMs: 30_000 });
  }
  await waitFor(
    async () => (await readRollup<bigint>("nextCheckpointIndex")) > BigInt(index),
    60_000,
    "the checkpoint of the wrong block on L1",
  );

  // The honest verifier, with the game in its config and an L1 key for the bonds.
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
  writeFileSync(join(vDir, "l1.key"), `${l1Key}\n`, { mode: 0o600 });
  const identity = await call<{ multiaddrs: string[] }>(sequencer.url, "filverse_nodeIdentity");
  const vConfigPath = join(vDir, "filverse.json");
  const vConfig = JSON.parse(readFileSync(vConfigPath, "utf8"));
  // One key for its validator signatures and its L1 transactions (as the devnet does): the one
  // registered in the genesis set above.
  vConfig.keyFile = "l1.key";
  vConfig.verifier.l1KeyFile = "l1.key";
  vConfig.l1.pollIntervalMs = 200;
  vConfig.dispute = { game, pollIntervalMs: 300 };
  vConfig.p2p = { listen: ["/ip4/127.0.0.1/tcp/0"], bootstrapPeers: identity.multiaddrs };
  writeFileSync(vConfigPath, JSON.stringify(vConfig));
  const verifier = await startVerifier(vDir);
  nodes.push(verifier);

  // It refuses the block and challenges it; nobody defends; the clock runs out and it resolves.
  const gameAbi = loadArtifact("FilverseDisputeGame").abi;
  await waitFor(
    async () =>
      ((await clients.publicClient.readContract({
        address: game,
        abi: gameAbi,
        functionName: "gameCount",
      })) as bigint) > 0n,
    90_000,
    "the verifier's challenge",
  );
  await testClient.increaseTime({ seconds: MAX_CLOCK_SEC + 2 * EXTENSION_SEC + 5 });
  await testClient.mine({ blocks: 1 });
  await waitFor(async () => (await readRollup<boolean>("halted")) === true, 90_000, "the fault proven on L1");
  expect(await readRollup<bigint>("nextCheckpointIndex")).toBe(BigInt(index));
  const played = await readDisputeGame(game, 0, clients);
  expect([played.checkpointIndex, played.blockNumber, played.outcome]).toEqual([
    index,
    wrongBlock,
    GameOutcome.ChallengerWins,
  ]);
  expect(played.blockHash.toLowerCase()).toBe(toHex(wrong.hash));
  const refused = await call<{ number: number }[]>(verifier.url, "filverse_getEvidence", ["invalidBlock"]);
  expect(refused.map((e) => Number(e.number))).toContain(wrongBlock);

  // Both rewind; the sequencer seals the removed transactions again; more blocks follow.
  const metric = async (url: string, name: string) => {
    const text = await (await fetch(`${url}/metrics`)).text();
    return Number(text.match(new RegExp(`^${name} (\\S+)$`, "m"))?.[1] ?? Number.NaN);
  };
  await waitFor(
    async () => (await metric(sequencer.url, "filverse_chain_rewinds_total")) === 1,
    60_000,
    "sequencer rewind",
  );
  await waitFor(
    async () => (await metric(verifier.url, "filverse_chain_rewinds_total")) === 1,
    60_000,
    "verifier rewind",
  );
  const { hash: after } = await l2.transfer({ to: bob.address, amount: 99n, fee: 0n });
  acked.push(after);
  const locations: { blockNumber: string; blockHash: string }[] = [];
  for (const h of acked) {
    await l2.waitForTransaction(h, { timeoutMs: 60_000 });
    const status = await call<{ status: string; blockNumber: string; blockHash: string }>(
      sequencer.url,
      "filverse_getTransactionStatus",
      [h],
    );
    expect(status.status, h).not.toBe("dropped");
    locations.push(status);
  }
  // The verifier imports the new chain: the same block hashes, no equivocation evidence.
  const last = Math.max(...locations.map((l) => Number(l.blockNumber)));
  await waitFor(
    async () => Number((await call<{ head: string }>(verifier.url, "filverse_syncStatus")).head) >= last,
    60_000,
    "the verifier on the new chain",
  );
  for (const l of locations) {
    const b = await call<{ hash: string }>(verifier.url, "filverse_getBlockByNumber", [l.blockNumber]);
    expect(b.hash).toBe(l.blockHash);
  }
  expect(await call<unknown[]>(verifier.url, "filverse_getEvidence", ["blockEquivocation"])).toEqual([]);
  // The rollup resumes: the sequencer's key signed the disproven checkpoint and is slashed (by the
  // verifier's player), so the verifier's third is the whole set now; its co-signature on the new
  // checkpoint is the quorum. The sequencer's bond was burned for the block: anyone bonds it again.
  await waitFor(
    async () => (await readRollup<bigint>("weightOf", [net.sequencer.address])) === 0n,
    60_000,
    "the disproven checkpoint's signer slashed",
  );
  await owner("bondSequencer", [], 2n * FIL);
  for (let i = 0; i < 4; i++) {
    const { hash } = await l2.transfer({ to: bob.address, amount: 100n + BigInt(i), fee: 0n });
    await l2.waitForTransaction(hash, { timeoutMs: 30_000 });
  }
  await waitFor(
    async () =>
      (await readRollup<boolean>("halted")) === false &&
      (await readRollup<bigint>("nextCheckpointIndex")) > BigInt(index),
    120_000,
    "the rollup resumed with checkpoint i of the new chain",
  ).catch((err) => {
    const pick = (n: RunningNode) =>
      n.logs
        .filter((l) => /checkpoint|quorum|signature|refus|rewind|submit/i.test(JSON.stringify(l)))
        .slice(-25)
        .map((l) => JSON.stringify(l).slice(0, 400));
    console.log(`SEQUENCER:\n${pick(sequencer).join("\n")}\nVERIFIER:\n${pick(verifier).join("\n")}`);
    throw err;
  });
  // The height of the wrong block holds another block now, on both nodes.
  const now = await call<{ hash: string }>(verifier.url, "filverse_getBlockByNumber", [String(wrongBlock)]);
  expect(now.hash).not.toBe(toHex(wrong.hash));
}, 600_000);

function fromAddress(a: string): Uint8Array {
  return Uint8Array.from(Buffer.from(a.slice(2), "hex"));
}
