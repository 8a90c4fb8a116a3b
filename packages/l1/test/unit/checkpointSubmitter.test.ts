/**
 * The checkpoint submitter against a real local L1 and a real in-memory L2 (@filverse/state): due
 * checkpoints in index order, idempotence across instances (restart), retry with backoff on a failing
 * L1, finality, and a withdrawal from a submitted checkpoint paid by the bridge.
 */
import { signDigest, signTransaction } from "@filverse/crypto";
import { applyBlock, proveWithdrawal, State, verifyWithdrawalInclusion } from "@filverse/state";
import { type BlockHeader, blockHash, blockHashesRoot, type Deposit, TxKind } from "@filverse/types";
import { fromHex, type Logger, toHex } from "@filverse/utils";
import { type Address, createPublicClient, createWalletClient, custom, type Hex, http, parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type CheckpointChain, CheckpointSubmitter, checkpointRange } from "../../src/checkpointSubmitter.js";
import {
  bridgeAbi,
  DEFAULT_PARAMS,
  type Env,
  FIL,
  type Key,
  L2_CHAIN_ID,
  makeKey,
  registerValidators,
  rollupAbi,
  setupEnv,
} from "./fixture.js";
import { withdrawalToAbi } from "./l2.js";

const alice = makeKey(21);
const recipient = makeKey(31);
const INTERVAL = 2;

/** An in-memory L2: real blocks through applyBlock, headers carrying the computed roots. */
class MemChain implements CheckpointChain {
  state = State.genesis();
  readonly headers: BlockHeader[] = [];
  private readonly nonces = new Map<string, number>();
  constructor(private readonly proposer: Key) {}

  headNumber(): number {
    return this.headers.length;
  }
  async header(n: number): Promise<BlockHeader | null> {
    return this.headers[n - 1] ?? null;
  }

  block(deposits: Deposit[] = [], withdrawals: { from: Key; l1Recipient: Address; amount: bigint }[] = []): void {
    const transactions = withdrawals.map((w) => {
      const nonce = this.nonces.get(w.from.address) ?? 0;
      this.nonces.set(w.from.address, nonce + 1);
      const message = { l1Recipient: fromHex(w.l1Recipient), amount: w.amount, nonce, fee: 0n };
      return signTransaction(L2_CHAIN_ID, { kind: TxKind.Withdraw, message } as never, w.from.priv);
    });
    const zero = new Uint8Array(32);
    const parent = this.headers[this.headers.length - 1];
    const draft: BlockHeader = {
      chainId: L2_CHAIN_ID,
      number: this.headers.length + 1,
      parentHash: parent ? blockHash(parent) : zero,
      timestamp: 1_700_000_000 + this.headers.length + 1,
      proposer: fromHex(this.proposer.address),
      txRoot: zero,
      receiptsRoot: zero,
      stateRoot: zero,
      withdrawalsRoot: zero,
      l1DepositNonce: parent?.l1DepositNonce ?? 0,
    };
    const r = applyBlock(this.state, { header: draft, deposits, transactions }, { chainId: L2_CHAIN_ID });
    for (const rc of r.receipts) if (rc.status !== 1) throw new Error(`L2 transaction failed: ${rc.code}`);
    this.state = r.state;
    this.headers.push({
      ...draft,
      txRoot: r.roots.txRoot,
      receiptsRoot: r.roots.receiptsRoot,
      stateRoot: r.roots.stateRoot,
      withdrawalsRoot: r.roots.withdrawalsRoot,
      l1DepositNonce: r.l1DepositNonce,
    });
  }
}

function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const logger: Logger & { warnings: string[] } = {
    warnings,
    error: (msg) => warnings.push(msg),
    warn: (msg) => warnings.push(msg),
    info: () => {},
    debug: () => {},
    child: () => logger,
  };
  return logger;
}

let env: Env;
let l2: MemChain;
let withdrawalAmount: bigint;

beforeAll(async () => {
  env = await setupEnv();
  // The sequencer is the single validator: its signature alone is the whole weight.
  await registerValidators(env, [env.sequencer]);
  l2 = new MemChain(env.sequencer);
}, 60_000);
afterAll(async () => {
  await env?.l1.stop();
});

const sign = async (digest: Hex): Promise<Hex[]> => [toHex(signDigest(fromHex(digest), env.sequencer.priv)) as Hex];
function submitter(
  o: {
    publicClient?: Env["publicClient"];
    walletClient?: Env["walletClient"];
    logger?: Logger;
    pollIntervalMs?: number;
    maxBackoffMs?: number;
    receiptTimeoutMs?: number;
  } = {},
) {
  return new CheckpointSubmitter(
    {
      rollup: env.rollup,
      l2ChainId: L2_CHAIN_ID,
      interval: INTERVAL,
      pollIntervalMs: o.pollIntervalMs ?? 100,
      maxBackoffMs: o.maxBackoffMs ?? 1_000,
      ...(o.receiptTimeoutMs ? { receiptTimeoutMs: o.receiptTimeoutMs } : {}),
    },
    {
      publicClient: o.publicClient ?? env.publicClient,
      walletClient: o.walletClient ?? env.walletClient,
      account: env.sequencer.account,
      chain: l2,
      sign,
      logger: o.logger ?? null,
    },
  );
}
const nextIndex = async () => Number(await env.read<bigint>(env.rollup, rollupAbi, "nextCheckpointIndex"));
const l1Nonce = () => env.publicClient.getTransactionCount({ address: env.sequencer.address });

describe("CheckpointSubmitter", () => {
  let first: CheckpointSubmitter;

  it("maps index i to blocks [i·interval + 1, (i+1)·interval]", () => {
    expect(checkpointRange(0, 2)).toEqual({ firstBlock: 1, lastBlock: 2 });
    expect(checkpointRange(3, 32)).toEqual({ firstBlock: 97, lastBlock: 128 });
    expect(() => new CheckpointSubmitter({ rollup: env.rollup, l2ChainId: 1, interval: 0 }, {} as never)).toThrow(
      RangeError,
    );
  });

  it("submits every due checkpoint in index order, with the headers' roots", async () => {
    await env.fund(env.sequencer.address);
    await env.fund(alice.address);
    const receipt = await env.send(alice.account, env.bridge, bridgeAbi, "deposit", [alice.address], 100n * FIL);
    const [dep] = parseEventLogs({ abi: bridgeAbi, logs: receipt.logs, eventName: "Deposited" });
    const args = dep!.args as { nonce: bigint; from: Hex; l2Recipient: Hex; amount: bigint };
    withdrawalAmount = 7n * FIL;
    l2.block([
      {
        l1Nonce: Number(args.nonce),
        l1BlockNumber: Number(receipt.blockNumber),
        l1TxHash: fromHex(receipt.transactionHash),
        from: fromHex(args.from),
        to: fromHex(args.l2Recipient),
        amount: args.amount,
        forcedTx: new Uint8Array(0),
      },
    ]);
    l2.block([], [{ from: alice, l1Recipient: recipient.address, amount: withdrawalAmount }]);
    for (let i = 0; i < 3; i++) l2.block();
    expect(l2.headNumber()).toBe(5);

    first = submitter();
    expect(first.checkpointedBlock()).toBe(0);
    await first.tick();
    expect(first.consecutiveFailures).toBe(0);
    expect(await nextIndex()).toBe(2); // index 2 (blocks 5–6) is not due: block 6 is missing
    expect(first.checkpointedBlock()).toBe(4);
    for (const [index, last] of [
      [0, 2],
      [1, 4],
    ] as const) {
      const h = l2.headers[last - 1]!;
      const stored = await env.read<Record<string, unknown>>(env.rollup, rollupAbi, "getCheckpoint", [BigInt(index)]);
      expect(stored).toMatchObject({
        stateRoot: toHex(h.stateRoot),
        withdrawalsRoot: toHex(h.withdrawalsRoot),
        lastBlockHash: toHex(blockHash(h)),
        lastBlock: BigInt(last),
        depositCursor: 1n,
        pieceCid: "",
      });
      // The dispute game reads the blockHashesRoot the submitter built from the range's headers.
      const disputable = await env.read<{ blockHashesRoot: Hex }>(env.rollup, rollupAbi, "disputableCheckpoint", [
        BigInt(index),
      ]);
      expect(disputable.blockHashesRoot).toBe(toHex(blockHashesRoot(l2.headers.slice(last - 2, last))));
    }
    const logs = await env.publicClient.getContractEvents({
      address: env.rollup,
      abi: rollupAbi,
      eventName: "CheckpointSubmitted",
      fromBlock: 0n,
    });
    expect(logs.map((l) => (l.args as { index: bigint }).index)).toEqual([0n, 1n]);
  });

  it("is idempotent across instances: a restart submits nothing again, then the next due index", async () => {
    const nonce = await l1Nonce();
    const restarted = submitter();
    await restarted.tick();
    expect(restarted.consecutiveFailures).toBe(0);
    expect(await l1Nonce()).toBe(nonce); // no transaction at all: no duplicate, no revert
    expect(restarted.checkpointedBlock()).toBe(4);

    l2.block(); // block 6 → index 2 is due
    await restarted.tick();
    expect(await nextIndex()).toBe(3);
    expect(await l1Nonce()).toBe(nonce + 1);
    // The first instance learns it from the rollup and does not resubmit.
    await first.tick();
    expect(first.consecutiveFailures).toBe(0);
    expect(first.checkpointedBlock()).toBe(6);
    expect(await l1Nonce()).toBe(nonce + 1);
  });

  it("retries a failing L1 with backoff, without throwing, and succeeds once it is back", async () => {
    let down = true;
    const inner = http(env.l1.url, { retryCount: 0 })({ chain: env.walletClient.chain });
    const transport = custom(
      {
        request: (args: Parameters<typeof inner.request>[0]) =>
          down ? Promise.reject(new Error("L1 unreachable")) : inner.request(args),
      },
      { retryCount: 0 },
    );
    const chain = env.walletClient.chain;
    const publicClient = createPublicClient({ chain, transport, pollingInterval: 25 });
    const walletClient = createWalletClient({ chain, transport, pollingInterval: 25 });
    const logger = recordingLogger();
    const flaky = submitter({ publicClient, walletClient, logger, pollIntervalMs: 100, maxBackoffMs: 350 });

    l2.block();
    l2.block(); // block 8 → index 3 is due
    await expect(flaky.tick()).resolves.toBeUndefined();
    expect(flaky.consecutiveFailures).toBe(1);
    expect(flaky.nextDelayMs).toBe(200);
    await flaky.tick();
    expect(flaky.nextDelayMs).toBe(350); // 400, capped
    expect(logger.warnings.length).toBe(2);
    expect(await nextIndex()).toBe(3);

    down = false;
    await flaky.tick();
    expect(flaky.consecutiveFailures).toBe(0);
    expect(flaky.nextDelayMs).toBe(100);
    expect(await nextIndex()).toBe(4);
    expect(flaky.checkpointedBlock()).toBe(8);
  });

  it("logs a reverting submission (no quorum) and retries; runs on its own after start()", async () => {
    const logger = recordingLogger();
    const unsigned = new CheckpointSubmitter(
      { rollup: env.rollup, l2ChainId: L2_CHAIN_ID, interval: INTERVAL },
      {
        publicClient: env.publicClient,
        walletClient: env.walletClient,
        account: env.sequencer.account,
        chain: l2,
        sign: async () => [],
        logger,
      },
    );
    l2.block();
    l2.block(); // block 10 → index 4 is due
    const nonce = await l1Nonce();
    await unsigned.tick();
    expect(unsigned.consecutiveFailures).toBe(1);
    expect(logger.warnings).toHaveLength(1);
    expect(await l1Nonce()).toBe(nonce); // refused at gas estimation: nothing sent
    expect(await nextIndex()).toBe(4);

    const loop = submitter({ pollIntervalMs: 50 });
    await loop.start();
    await loop.start();
    expect(await nextIndex()).toBe(5);
    l2.block();
    l2.block(); // block 12 → index 5, picked up by the polling loop
    await vi.waitFor(async () => expect(await nextIndex()).toBe(6), { timeout: 5_000, interval: 50 });
    await loop.close();
    await loop.close();
    expect(loop.checkpointedBlock()).toBe(12);
  });

  it("waits for its unmined transaction on the next tick instead of sending a second one", async () => {
    const logger = recordingLogger();
    const slow = submitter({ logger, receiptTimeoutMs: 300 });
    l2.block();
    l2.block(); // block 14 → index 6 is due
    const nonce = await l1Nonce();
    await env.testClient.setAutomine(false);
    try {
      await slow.tick(); // sent, receipt wait times out
      expect(slow.consecutiveFailures).toBe(1);
      expect(await env.publicClient.getTransactionCount({ address: env.sequencer.address, blockTag: "pending" })).toBe(
        nonce + 1,
      );
      await slow.tick(); // still unmined: waits again, sends nothing
      expect(slow.consecutiveFailures).toBe(2);
      expect(await env.publicClient.getTransactionCount({ address: env.sequencer.address, blockTag: "pending" })).toBe(
        nonce + 1,
      );
      expect(await nextIndex()).toBe(6);
      await env.testClient.mine({ blocks: 1 });
    } finally {
      await env.testClient.setAutomine(true);
    }
    await slow.tick();
    expect(slow.consecutiveFailures).toBe(0);
    expect(await nextIndex()).toBe(7);
    expect(await l1Nonce()).toBe(nonce + 1); // one transaction for index 6, ever
    expect(slow.checkpointedBlock()).toBe(14);
  });

  it("sends again when the node has dropped its unmined transaction", async () => {
    const logger = recordingLogger();
    const slow = submitter({ logger, receiptTimeoutMs: 300 });
    l2.block();
    l2.block(); // block 16 → index 7 is due
    const nonce = await l1Nonce();
    await env.testClient.setAutomine(false);
    try {
      await slow.tick();
      expect(slow.consecutiveFailures).toBe(1);
      const pending = await env.publicClient.getBlock({ blockTag: "pending" });
      expect(pending.transactions).toHaveLength(1);
      await env.testClient.dropTransaction({ hash: pending.transactions[0]! });
    } finally {
      await env.testClient.setAutomine(true);
    }
    await slow.tick();
    expect(slow.consecutiveFailures).toBe(0);
    expect(logger.warnings.at(-1)).toMatch(/dropped/);
    expect(await nextIndex()).toBe(8);
    expect(await l1Nonce()).toBe(nonce + 1);
  });

  it("reports finality: nothing before the challenge window, every covered block after it", async () => {
    const s = submitter();
    await s.tick();
    expect(s.checkpointedBlock()).toBe(16);
    expect(s.finalizedBlock()).toBe(0);
    await env.advance(DEFAULT_PARAMS.challengeWindowSec);
    await s.tick();
    expect(s.finalizedBlock()).toBe(16);
    expect(await env.read<boolean>(env.rollup, rollupAbi, "isFinal", [7n])).toBe(true);
  });

  it("lets the bridge pay a withdrawal proven against a submitted checkpoint", async () => {
    // The withdrawal (index 0) is in block 2, covered by checkpoint 0; no later block adds one, so the
    // head state's withdrawals tree is the one checkpoint 0 committed to.
    expect(toHex(l2.state.withdrawals.root())).toBe(toHex(l2.headers[1]!.withdrawalsRoot));
    const proof = proveWithdrawal(l2.state, 0)!;
    expect(verifyWithdrawalInclusion(l2.headers[1]!.withdrawalsRoot, proof.withdrawal, proof.siblings)).toBe(true);
    const siblings = proof.siblings.map((s) => toHex(s) as Hex);
    const before = await env.publicClient.getBalance({ address: recipient.address });
    await env.send(env.deployer, env.bridge, bridgeAbi, "finalizeWithdrawal", [
      0n,
      withdrawalToAbi(proof.withdrawal),
      siblings,
    ]);
    expect((await env.publicClient.getBalance({ address: recipient.address })) - before).toBe(withdrawalAmount);
  });
});
