/**
 * The fault-proof game wired into `filverse devnet` (L1, contracts, the game set in the rollup, a
 * sequencer and one verifier, both playing), with real processes (docs/fault-proofs.md, Outcome):
 * - (c) a wrong challenge against an honest checkpoint: the nodes open the block's roots, answer,
 *   step and resolve by themselves; the challenger's bonds are lost and the checkpoint becomes final;
 * - (a) an outsider takes 2/3 of the weight, one epoch boundary at a time under the join cap, and
 *   submits a checkpoint over the true headers whose roots pay itself; the honest verifier proves it
 *   wrong by itself, the nodes slash every key that signed it, the bridge pays nothing, and the
 *   honest set checkpoints again;
 * - (d) a second outsider's checkpoint whose last header it made up: the honest verifier asks for the
 *   header (requestHeader), the outsider reveals it, the verifier challenges that block by bisection,
 *   and the outsider, its only defender, stays silent: it loses on time, and is slashed the same way.
 * It needs an executor that says `complete()`: otherwise the devnet wires no game.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createFilverseClient } from "@filverse/client";
import { AppendMerkleTree, signDigest, smtRootFromProof } from "@filverse/crypto";
import {
  type CheckpointAbi,
  checkpointDigest,
  checkpointToAbi,
  createL1Clients,
  GameOutcome,
  headerToAbi,
  listEntryProof,
  loadArtifact,
  NodeKind,
  readCredit,
  readDisputableCheckpoint,
  readDisputeGame,
  readDisputeGameParams,
  readDisputeNodes,
  readGameCount,
} from "@filverse/l1";
import { withdrawalLeaf } from "@filverse/state";
import { BlockHeader, blockHash, blockHashesRoot, type Checkpoint } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import {
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  createTestClient,
  type Hex,
  http,
  parseAbiItem,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type RunningDevnet, rpc, spawnDevnet, tempDir, waitFor } from "./helpers.js";

const FIL = 10n ** 18n;
type Ready = {
  l1: string;
  l1ChainId: number;
  l2: string;
  rollup: Address;
  bridge: Address;
  l2ChainId: number;
  disputeGame: Address | null;
  verifiers: string[];
};
type Account = ReturnType<typeof privateKeyToAccount>;

const tmp = tempDir("fault-proofs");
let devnet: RunningDevnet<Ready>;
let r: Ready;
let clients: ReturnType<typeof createL1Clients>;
let testClient: ReturnType<typeof createTestClient>;
let game: Address;
let params: Awaited<ReturnType<typeof readDisputeGameParams>>;
let alice: Account;
let wallet: ReturnType<typeof createFilverseClient>;
let verifierKey: Address;
const rollupAbi = loadArtifact("FilverseRollup").abi;
const gameAbi = loadArtifact("FilverseDisputeGame").abi;
const bridgeAbi = loadArtifact("FilverseBridge").abi;

beforeAll(async () => {
  devnet = await spawnDevnet<Ready>(join(tmp.dir, "net"), ["--checkpoint-interval", "2", "--verifiers", "1"]);
  r = devnet.ready;
  // hardhat now and then closes a kept-alive socket under load: the test's own calls retry.
  clients = createL1Clients({ url: r.l1, chainId: r.l1ChainId, pollingIntervalMs: 100, retryCount: 3 });
  testClient = createTestClient({ mode: "hardhat", transport: http(r.l1) });
  expect(r.disputeGame ?? "null", "the devnet wired no game: the one-step executor is not complete").toMatch(/^0x/);
  game = r.disputeGame!;
  params = await readDisputeGameParams(game, clients);
  const dir = join(tmp.dir, "net");
  const dev = JSON.parse(readFileSync(join(dir, "dev-accounts.json"), "utf8")) as { privateKey: Hex }[];
  alice = privateKeyToAccount(dev[0]!.privateKey);
  wallet = createFilverseClient({ url: r.l2, account: alice });
  const vKey = readFileSync(join(dir, "verifier-1", "validator.key"), "utf8").trim() as Hex;
  verifierKey = privateKeyToAccount(vKey).address;
}, 180_000);
afterAll(async () => {
  await wallet?.close();
  await devnet?.stop();
  tmp.cleanup();
});

const readRollup = <T>(functionName: string, args: unknown[] = []) =>
  clients.publicClient.readContract({ address: r.rollup, abi: rollupAbi, functionName, args } as never) as Promise<T>;
const nextIndex = async () => Number(await readRollup<bigint>("nextCheckpointIndex"));
const advance = async (seconds: number) => {
  await testClient.increaseTime({ seconds });
  await testClient.mine({ blocks: 1 });
};
async function send(
  account: Account,
  address: Address,
  abi: typeof rollupAbi,
  fn: string,
  args: unknown[],
  value = 0n,
) {
  const hash = await clients.walletClient.writeContract({
    account,
    address,
    abi,
    functionName: fn,
    args,
    value,
    chain: clients.walletClient.chain,
  } as never);
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
  expect(receipt.status, fn).toBe("success");
}
async function funded(): Promise<Account> {
  const a = privateKeyToAccount(generatePrivateKey());
  await testClient.setBalance({ address: a.address, value: 1_000n * FIL });
  return a;
}
/** The custom error a call reverts with, or null when it would succeed. */
async function revertName(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (err) {
    const e = err instanceof BaseError ? err.walk((x) => x instanceof ContractFunctionRevertedError) : null;
    return (e as ContractFunctionRevertedError | null)?.data?.errorName ?? String(err).slice(0, 300);
  }
}
async function header(n: number): Promise<BlockHeader> {
  const method = n === 0 ? "filverse_getGenesis" : "filverse_getBlockByNumber";
  const { json } = await rpc(r.l2, { jsonrpc: "2.0", id: 1, method, params: n === 0 ? [] : [String(n)] });
  return BlockHeader.fromJson((json as { result: { header: unknown } }).result.header, "header");
}
/** The objects root behind block n's stateRoot, from an account proof the sequencer serves at n. */
async function objectsRootAt(n: number): Promise<Hex> {
  type P = { proof: { key: Hex; siblings: Hex[]; leaf: { key: Hex; valueHash: Hex } | null } };
  const { json } = await rpc(r.l2, {
    jsonrpc: "2.0",
    id: 1,
    method: "filverse_getProof",
    params: ["Account", alice.address, String(n)],
  });
  const { proof: p } = (json as { result: P }).result;
  const leaf = p.leaf && { key: fromHex(p.leaf.key), valueHash: fromHex(p.leaf.valueHash) };
  const root = smtRootFromProof(fromHex(p.key), leaf?.valueHash ?? null, {
    key: fromHex(p.key),
    siblings: p.siblings.map((x) => fromHex(x)),
    leaf,
  });
  return toHex(root!) as Hex;
}
/** A Transfer included in a block; its block number. */
async function transfer(): Promise<number> {
  const { hash } = await wallet.transfer({ to: privateKeyToAccount(generatePrivateKey()).address, amount: 1n });
  return Number((await wallet.waitForTransaction(hash, { timeoutMs: 30_000 })).blockNumber);
}
/** Challenge block `k` of checkpoint `index` over `headers` (blocks firstBlock − 1 .. lastBlock), roots left to the defenders. */
async function challenge(by: Account, index: number, first: number, k: number, headers: BlockHeader[]) {
  const id = await readGameCount(game, clients);
  const hashes = headers.map((h) => blockHash(h));
  const e = k - (first - 1);
  const zero = toHex(new Uint8Array(32));
  await send(
    by,
    game,
    gameAbi,
    "challenge",
    [
      {
        checkpointIndex: BigInt(index),
        blockNumber: BigInt(k),
        parent: headerToAbi(headers[e - 1]!),
        parentProof: listEntryProof(hashes, e - 1).map(toHex),
        header: headerToAbi(headers[e]!),
        headerProof: listEntryProof(hashes, e).map(toHex),
        parentObjectsRoot: await objectsRootAt(k - 1),
        objectsRoot: zero,
        itemsListRoot: zero,
        itemCount: 0n,
      },
    ],
    params.challengeBond,
  );
  return id;
}
/** Outsider keys, registered one epoch boundary at a time up to the join cap, until they hold 2/3 of the weight. */
async function takeTwoThirds(): Promise<{ keys: Uint8Array[]; accounts: Account[] }> {
  const keys: Uint8Array[] = [];
  const accounts: Account[] = [];
  const genesisTime = await readRollup<bigint>("genesisTime");
  const epochLength = await readRollup<bigint>("epochLength");
  for (let round = 0; round < 8; round++) {
    const mine = (await Promise.all(accounts.map((a) => readRollup<bigint>("weightOf", [a.address])))).reduce(
      (s, w) => s + w,
      0n,
    );
    if (mine * 3n >= (await readRollup<bigint>("totalWeight")) * 2n) return { keys, accounts };
    const key = generatePrivateKey();
    const account = privateKeyToAccount(key);
    await testClient.setBalance({ address: account.address, value: 1_000n * FIL });
    const epoch = await readRollup<bigint>("effectiveEpochOfRequest");
    const cap = await readRollup<bigint>("joinCapAt", [epoch]);
    await send(account, r.rollup, rollupAbi, "register", [], cap);
    keys.push(fromHex(key));
    accounts.push(account);
    // Its weight counts from the boundary, at least a challenge window away: wait it out.
    const now = (await clients.publicClient.getBlock()).timestamp;
    await advance(Number(genesisTime + epoch * epochLength - now) + 1);
  }
  throw new Error("the outsider never reached 2/3");
}
/** `cp` signed by every outsider key (in signer order) and submitted. */
async function submitSignedBy(keys: Uint8Array[], from: Account, cp: Checkpoint) {
  const digest = checkpointDigest(cp, { l1ChainId: r.l1ChainId, rollup: r.rollup, l2ChainId: r.l2ChainId });
  const signed = keys
    .map((k) => ({
      who: privateKeyToAccount(toHex(k) as Hex).address.toLowerCase(),
      sig: toHex(signDigest(digest, k)),
    }))
    .sort((a, b) => (a.who < b.who ? -1 : 1));
  await send(from, r.rollup, rollupAbi, "submitCheckpoint", [
    checkpointToAbi(cp) as CheckpointAbi,
    signed.map((s) => s.sig),
  ]);
}
/** The next checkpoint over blocks after the last accepted one, up to the L2 head (at least two). */
async function nextRange(): Promise<{ index: number; first: number; headers: BlockHeader[] }> {
  const index = await nextIndex();
  const first = index === 0 ? 1 : (await readDisputableCheckpoint(r.rollup, index - 1, clients)).lastBlock + 1;
  let last = 0;
  while (last < first + 1) last = await transfer();
  const headers = await Promise.all(Array.from({ length: last - first + 2 }, (_, i) => header(first - 1 + i)));
  return { index, first, headers };
}
function checkpointOver(index: number, first: number, headers: BlockHeader[]): Promise<Checkpoint> {
  const last = headers.at(-1)!;
  return readRollup<bigint>("validatorSetId").then((setId) => ({
    chainId: r.l2ChainId,
    index,
    firstBlock: first,
    lastBlock: last.number,
    parentHash: blockHash(headers[0]!),
    lastBlockHash: blockHash(last),
    stateRoot: last.stateRoot,
    withdrawalsRoot: last.withdrawalsRoot,
    blockHashesRoot: blockHashesRoot(headers.slice(1)),
    pieceCid: "",
    payloadCid: "",
    pieceSize: 0,
    carSize: 0,
    lastBlockTimestamp: last.timestamp,
    depositCursor: last.l1DepositNonce,
    validatorSetId: Number(setId),
  }));
}
/** Every outsider key slashed (by the nodes' players) and checkpoint `index` removed. */
async function expectSlashed(accounts: Account[], index: number) {
  for (const a of accounts) {
    await waitFor(
      async () => (await readRollup<readonly unknown[]>("validatorInfo", [a.address]))[6] === true,
      60_000,
      `outsider ${a.address} slashed`,
    );
    expect((await readRollup<readonly unknown[]>("validatorInfo", [a.address]))[0]).toBe(0n);
  }
  // Removed: the rollup went back to `index` (and halted; the honest set may already have signed
  // `index` again, so the halt itself can be over by now).
  const removed = await clients.publicClient.getLogs({
    address: r.rollup,
    event: parseAbiItem("event CheckpointsInvalidated(uint64 fromIndex, uint64 toIndex)"),
    fromBlock: 0n,
  });
  expect(removed.some((l) => l.args.fromIndex === BigInt(index))).toBe(true);
  expect(await nextIndex()).toBeGreaterThanOrEqual(index);
}

it("(c) a wrong challenge against an honest checkpoint loses its bonds, and the checkpoint becomes final", async () => {
  const k = await transfer();
  await transfer();
  let index = -1;
  await waitFor(
    async () => {
      for (let i = (await nextIndex()) - 1; i >= 0 && index < 0; i--) {
        const cp = await readDisputableCheckpoint(r.rollup, i, clients);
        if (cp.firstBlock <= k && k <= cp.lastBlock) index = i;
      }
      return index >= 0;
    },
    60_000,
    "the honest checkpoint of block k",
  );
  const cp = await readDisputableCheckpoint(r.rollup, index, clients);
  const headers = await Promise.all(
    Array.from({ length: cp.lastBlock - cp.firstBlock + 2 }, (_, i) => header(cp.firstBlock - 1 + i)),
  );
  const challenger = await funded();
  const before = await clients.publicClient.getBalance({ address: challenger.address });
  const id = await challenge(challenger, index, cp.firstBlock, k, headers);
  expect(await readDisputeGame(game, id, clients)).toMatchObject({ immediateFault: false, outcome: GameOutcome.Open });
  // The nodes open header k's roots and propose; the challenger disputes every left half.
  let disputes = 0;
  await waitFor(
    async () => {
      const last = (await readDisputeNodes(game, id, clients)).at(-1);
      if (!last) return false;
      if (last.kind === NodeKind.Dispute && last.hi - last.lo === 1) return last.stepped;
      if (last.kind === NodeKind.Proposal && last.children === 0) {
        await send(challenger, game, gameAbi, "dispute", [BigInt(id), BigInt(last.index), true], params.moveBond);
        disputes++;
      }
      return false;
    },
    90_000,
    "the nodes' step",
  );
  expect((await readDisputeNodes(game, id, clients)).at(-1)!.countered).toBe(true);
  // The challenger's clock runs out; the nodes resolve the game and take its bonds.
  await advance(params.maxClockDuration + 2 * params.clockExtension + 1);
  await waitFor(
    async () => (await readDisputeGame(game, id, clients)).outcome === GameOutcome.DefenderWins,
    60_000,
    "the defenders' win",
  );
  expect(await readCredit(game, challenger.address, clients)).toBe(0n);
  const lost = before - (await clients.publicClient.getBalance({ address: challenger.address }));
  expect(lost).toBeGreaterThanOrEqual(params.challengeBond + BigInt(disputes) * params.moveBond);
  // Past its window with no game open on it: final.
  await waitFor(async () => readRollup<boolean>("isFinal", [BigInt(index)]), 30_000, "the checkpoint final");
}, 240_000);

it("(a) an outsider with 2/3 of the weight pays itself; the honest verifier proves it wrong, it is slashed, the bridge pays nothing", async () => {
  const { keys, accounts } = await takeTwoThirds();
  const { index, first, headers } = await nextRange();
  // A withdrawal of the bridge's whole balance to the outsider, in roots the true headers do not carry.
  const bridgeBalance = await clients.publicClient.getBalance({ address: r.bridge });
  const w = {
    index: 0,
    l2Sender: fromHex(accounts[0]!.address),
    l1Recipient: fromHex(accounts[0]!.address),
    amount: bridgeBalance,
  };
  const tree = AppendMerkleTree.empty(32).append([withdrawalLeaf(w)]);
  const cp = await checkpointOver(index, first, headers);
  const forged = { ...cp, withdrawalsRoot: tree.root(), stateRoot: new Uint8Array(32).fill(0xee) };
  const gamesBefore = await readGameCount(game, clients);
  await submitSignedBy(keys, accounts[0]!, forged);
  // The honest verifier proves it by itself (the last-header fault), and the nodes slash its signers.
  await waitFor(async () => (await readGameCount(game, clients)) > gamesBefore, 60_000, "the verifier's proof");
  const g = await readDisputeGame(game, gamesBefore, clients);
  expect(g.checkpointIndex).toBe(index);
  expect(g).toMatchObject({ immediateFault: true, outcome: GameOutcome.ChallengerWins });
  const seqKey = privateKeyToAccount(
    readFileSync(join(tmp.dir, "net", "sequencer.key"), "utf8").trim() as Hex,
  ).address.toLowerCase();
  const all = await Promise.all(
    Array.from({ length: await readGameCount(game, clients) }, (_, i) => readDisputeGame(game, i, clients)),
  );
  expect(g.challenger.toLowerCase(), `sequencer ${seqKey}; games ${JSON.stringify(all)}`).toBe(
    verifierKey.toLowerCase(),
  );
  await expectSlashed(accounts, index);
  // The bridge pays nothing against it, now or after its window.
  const finalize = () =>
    clients.publicClient.simulateContract({
      account: accounts[0]!,
      address: r.bridge,
      abi: bridgeAbi,
      functionName: "finalizeWithdrawal",
      args: [
        BigInt(index),
        { index: 0n, l2Sender: accounts[0]!.address, l1Recipient: accounts[0]!.address, amount: bridgeBalance },
        tree.prove(0).map((s) => toHex(s)),
      ],
    } as never);
  expect(await revertName(finalize())).not.toBe(null);
  // The honest set, now all the weight, signs checkpoint `index` again and the rollup resumes.
  await waitFor(async () => !(await readRollup<boolean>("halted")), 60_000, "the rollup resumed");
  await advance(61);
  expect(await revertName(finalize())).toBe("InvalidProof");
  expect(await clients.publicClient.getBalance({ address: r.bridge })).toBe(bridgeBalance);
  // The challenger's share of the slashed collateral went to the verifier's key, which claimed it.
  await waitFor(
    async () =>
      /filverse_dispute_moves_total\{kind="claimReward"\} 1/.test(
        await (await fetch(`${r.verifiers[0]}/metrics`)).text(),
      ),
    30_000,
    "the verifier's reward claimed",
  );
  expect(await readRollup<bigint>("rewards", [verifierKey])).toBe(0n);
}, 240_000);

it("(d) an outsider's made-up last header: the honest verifier asks for it, challenges it by bisection, and the silent defender loses on time", async () => {
  const { keys, accounts } = await takeTwoThirds();
  const { index, first, headers } = await nextRange();
  // The outsider makes up the last header (other roots, the same parent and body) and signs the list.
  const made = {
    ...headers.at(-1)!,
    stateRoot: new Uint8Array(32).fill(0xdd),
    withdrawalsRoot: new Uint8Array(32).fill(0xdd),
  };
  const list = [...headers.slice(0, -1), made];
  const gamesBefore = await readGameCount(game, clients);
  await submitSignedBy(keys, accounts[0]!, await checkpointOver(index, first, list));
  // The honest verifier does not hold that header: it asks for it, with the challenge bond.
  await waitFor(async () => (await readGameCount(game, clients)) > gamesBefore, 60_000, "the verifier's request");
  const request = await readDisputeGame(game, gamesBefore, clients);
  expect(request).toMatchObject({ checkpointIndex: index, blockNumber: made.number, reveal: true });
  expect(request.challenger.toLowerCase()).toBe(verifierKey.toLowerCase());
  // The outsider answers it (and takes the bond).
  const hashes = list.map((h) => blockHash(h));
  const e = made.number - (first - 1);
  await send(accounts[0]!, game, gameAbi, "revealHeader", [
    BigInt(request.id),
    headerToAbi(made),
    listEntryProof(hashes, e).map(toHex),
    toHex(hashes[e - 1]!),
    listEntryProof(hashes, e - 1).map(toHex),
  ]);
  // The verifier challenges the made-up block; its roots are the defenders' to open, and the outsider never does.
  await waitFor(async () => (await readGameCount(game, clients)) > request.id + 1, 60_000, "the verifier's challenge");
  const g = await readDisputeGame(game, request.id + 1, clients);
  expect(g).toMatchObject({ checkpointIndex: index, blockNumber: made.number, reveal: false, immediateFault: false });
  expect([g.challenger.toLowerCase(), g.blockHash.toLowerCase()]).toEqual([
    verifierKey.toLowerCase(),
    toHex(blockHash(made)),
  ]);
  expect(g.openBy).toBeGreaterThan(0);
  await advance(params.maxClockDuration + 2 * params.clockExtension + 1);
  await waitFor(
    async () => (await readDisputeGame(game, g.id, clients)).outcome === GameOutcome.ChallengerWins,
    60_000,
    "the verifier's win on time",
  );
  await expectSlashed(accounts, index);
  // The challenger's share of the slashed collateral went to the verifier's key, which claimed it.
  await waitFor(
    async () =>
      /filverse_dispute_moves_total\{kind="claimReward"\} 2/.test(
        await (await fetch(`${r.verifiers[0]}/metrics`)).text(),
      ),
    30_000,
    "the verifier's reward claimed",
  );
  await waitFor(async () => !(await readRollup<boolean>("halted")), 60_000, "the rollup resumed");
}, 240_000);
