/**
 * Withdrawals end to end: L1 deposit → real L2 blocks (@filverse/state) with Withdraw transactions →
 * a co-signed checkpoint of that withdrawals root → claims on L1 with proofs from state.withdrawals.
 */
import { verifyWithdrawalInclusion } from "@filverse/state";
import { fromHex, toHex } from "@filverse/utils";
import { type Hex, parseEventLogs } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bridgeAbi,
  DEFAULT_PARAMS,
  type Env,
  expectRevert,
  FIL,
  type Key,
  makeCheckpoint,
  makeKey,
  registerValidators,
  rollupAbi,
  setupEnv,
  signSorted,
  submitCheckpoint,
} from "./fixture.js";
import { L2Chain, type WithdrawalAbi } from "./l2.js";

const validators = [makeKey(1), makeKey(2), makeKey(3)];
const alice = makeKey(21);
const bob = makeKey(22);
const [r0, r1, r2, r3] = [makeKey(31), makeKey(32), makeKey(33), makeKey(34)];
const AMOUNTS = [30n * FIL, 5n * FIL, 1n, 500n * FIL];

let env: Env;
let l2: L2Chain;
beforeAll(async () => {
  env = await setupEnv();
  await registerValidators(env, validators);
  l2 = new L2Chain(env.sequencer);
}, 60_000);
afterAll(async () => {
  await env?.l1.stop();
});

const finalize = (cpIndex: bigint, w: WithdrawalAbi, siblings: readonly Hex[], from: Key | null = null) =>
  env.send(from?.account ?? env.deployer, env.bridge, bridgeAbi, "finalizeWithdrawal", [cpIndex, w, siblings]);
const balanceOf = (k: Key) => env.publicClient.getBalance({ address: k.address });

describe("withdrawals from the L2 to L1", () => {
  it("credits an L1 deposit on the L2, withdraws it and checkpoints the withdrawals root", async () => {
    await env.fund(alice.address);
    const receipt = await env.send(alice.account, env.bridge, bridgeAbi, "deposit", [alice.address], 100n * FIL);
    const [dep] = parseEventLogs({ abi: bridgeAbi, logs: receipt.logs, eventName: "Deposited" });
    const args = dep!.args as { nonce: bigint; from: Hex; l2Recipient: Hex; amount: bigint };
    // The L2 credits the L1 event as deposit nonce 1; a second, larger credit to bob stands for a faulty
    // quorum that promises more than the bridge holds (the bridge must still never overpay).
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
      {
        l1Nonce: 2,
        l1BlockNumber: Number(receipt.blockNumber),
        l1TxHash: new Uint8Array(32).fill(2),
        from: fromHex(alice.address),
        to: fromHex(bob.address),
        amount: 1_000n * FIL,
        forcedTx: new Uint8Array(0),
      },
    ]);
    l2.block(
      [],
      [
        { from: alice, l1Recipient: r0!.address, amount: AMOUNTS[0]! },
        { from: alice, l1Recipient: r1!.address, amount: AMOUNTS[1]! },
        { from: alice, l1Recipient: r2!.address, amount: AMOUNTS[2]! },
      ],
    );
    l2.block([], [{ from: bob, l1Recipient: r3!.address, amount: AMOUNTS[3]! }]);
    const roots = l2.state.roots();
    for (let i = 0; i < 4; i++) {
      const p = l2.proof(i);
      expect(
        verifyWithdrawalInclusion(
          roots.withdrawalsRoot,
          p.withdrawal,
          p.siblings.map((s) => fromHex(s)),
        ),
      ).toBe(true);
      expect(p.abi.amount).toBe(AMOUNTS[i]);
    }
    const cp = makeCheckpoint({
      index: 0,
      lastBlock: l2.number,
      stateRoot: roots.stateRoot,
      withdrawalsRoot: roots.withdrawalsRoot,
      // The rollup refuses a cursor past the bridge's queue, so the faulty quorum claims only the real one.
      depositCursor: 1,
      validatorSetId: 0,
    });
    await submitCheckpoint(env, cp, signSorted(env, cp, validators.slice(0, 2)));
  });

  it("refuses a claim before the challenge window has passed, and against an unknown checkpoint", async () => {
    const p = l2.proof(1);
    await expectRevert(finalize(0n, p.abi, p.siblings), "NotFinal");
    await expectRevert(finalize(1n, p.abi, p.siblings), "UnknownCheckpoint");
    await env.advance(DEFAULT_PARAMS.challengeWindowSec - 10);
    await expectRevert(finalize(0n, p.abi, p.siblings), "NotFinal");
  });

  it("pays the L1 recipient exactly the amount once the window has passed, once only", async () => {
    await env.advance(10);
    const p = l2.proof(1);
    const before = await balanceOf(r1!);
    const bridgeBefore = await env.publicClient.getBalance({ address: env.bridge });
    const receipt = await finalize(0n, p.abi, p.siblings);
    expect((await balanceOf(r1!)) - before).toBe(AMOUNTS[1]);
    expect(await env.publicClient.getBalance({ address: env.bridge })).toBe(bridgeBefore - AMOUNTS[1]!);
    const [log] = parseEventLogs({ abi: bridgeAbi, logs: receipt.logs, eventName: "WithdrawalFinalized" });
    expect(log!.args).toEqual({ index: 1n, l1Recipient: r1!.address, amount: AMOUNTS[1], checkpointIndex: 0n });
    expect(await env.read<boolean>(env.bridge, bridgeAbi, "isFinalized", [1n])).toBe(true);
    await expectRevert(finalize(0n, p.abi, p.siblings), "AlreadyFinalized");
  });

  it("rejects altered proofs: amount, index, recipient, sender and each sibling level", async () => {
    const p = l2.proof(0);
    const bad: WithdrawalAbi[] = [
      { ...p.abi, amount: p.abi.amount + 1n },
      { ...p.abi, index: 2n },
      { ...p.abi, index: 4n },
      { ...p.abi, l1Recipient: r3!.address },
      { ...p.abi, l2Sender: bob.address },
    ];
    for (const w of bad) await expectRevert(finalize(0n, w, p.siblings), "InvalidProof");
    for (const level of [0, 1, 2, 31]) {
      const siblings = [...p.siblings];
      const s = fromHex(siblings[level]!);
      s[31]! ^= 1;
      siblings[level] = toHex(s);
      await expectRevert(finalize(0n, p.abi, siblings), "InvalidProof");
    }
    // The untouched proof still pays, from any caller, to the recipient in the leaf.
    await env.fund(bob.address);
    const before = await balanceOf(r0!);
    await finalize(0n, p.abi, p.siblings, bob);
    expect((await balanceOf(r0!)) - before).toBe(AMOUNTS[0]);
  });

  it("never pays more than the bridge holds", async () => {
    const held = await env.publicClient.getBalance({ address: env.bridge });
    expect(held).toBe(100n * FIL - AMOUNTS[0]! - AMOUNTS[1]!);
    const p = l2.proof(3);
    const err = await expectRevert(finalize(0n, p.abi, p.siblings), "InsufficientBridgeBalance");
    expect(err.data?.args).toEqual([AMOUNTS[3], held]);
    expect(await env.read<boolean>(env.bridge, bridgeAbi, "isFinalized", [3n])).toBe(false);
    // A 1-attoFIL withdrawal (index 2: a right child at level 1) still pays.
    const small = l2.proof(2);
    await finalize(0n, small.abi, small.siblings);
    expect(await env.publicClient.getBalance({ address: env.bridge })).toBe(held - 1n);
  });
});

describe("the per-epoch withdrawal limit", () => {
  const LIMIT = 5n * FIL;
  let limited: Env;
  let chain: L2Chain;
  const claim = (w: WithdrawalAbi, siblings: readonly Hex[]) =>
    limited.send(limited.deployer, limited.bridge, bridgeAbi, "finalizeWithdrawal", [0n, w, siblings]);

  beforeAll(async () => {
    limited = await setupEnv({ withdrawalLimitPerEpoch: LIMIT });
    await registerValidators(limited, validators);
    await limited.fund(alice.address);
    await limited.send(alice.account, limited.bridge, bridgeAbi, "deposit", [alice.address], 32n * FIL);
    chain = new L2Chain(limited.sequencer);
    chain.block([
      {
        l1Nonce: 1,
        l1BlockNumber: 1,
        l1TxHash: new Uint8Array(32).fill(1),
        from: fromHex(alice.address),
        to: fromHex(alice.address),
        amount: 32n * FIL,
        forcedTx: new Uint8Array(0),
      },
    ]);
    chain.block(
      [],
      [
        { from: alice, l1Recipient: r0!.address, amount: 3n * FIL },
        { from: alice, l1Recipient: r1!.address, amount: 3n * FIL },
        { from: alice, l1Recipient: r2!.address, amount: 7n * FIL },
        { from: alice, l1Recipient: r3!.address, amount: 12n * FIL },
      ],
    );
    const cp = makeCheckpoint({ index: 0, withdrawalsRoot: chain.state.roots().withdrawalsRoot, depositCursor: 1 });
    await submitCheckpoint(limited, cp, signSorted(limited, cp, validators));
    await limited.advance(DEFAULT_PARAMS.challengeWindowSec);
  }, 60_000);
  afterAll(async () => {
    await limited?.l1.stop();
  });

  it("pays within the limit, queues what is over it (never refuses), and releases it in a later epoch", async () => {
    const balance = (k: Key) => limited.publicClient.getBalance({ address: k.address });
    const [p0, p1, p2] = [chain.proof(0), chain.proof(1), chain.proof(2)];
    await claim(p0.abi, p0.siblings);
    expect(await balance(r0!)).toBe(3n * FIL);
    const queued = await claim(p1.abi, p1.siblings);
    const [log] = parseEventLogs({ abi: bridgeAbi, logs: queued.logs, eventName: "WithdrawalQueued" });
    const epoch = await limited.read<bigint>(limited.rollup, rollupAbi, "currentEpoch");
    expect((log!.args as { releaseEpoch: bigint }).releaseEpoch).toBe(epoch + 1n);
    expect(await balance(r1!)).toBe(0n);
    // Larger than the limit: an epoch of its own, after the one above.
    const big = await claim(p2.abi, p2.siblings);
    const [bigLog] = parseEventLogs({ abi: bridgeAbi, logs: big.logs, eventName: "WithdrawalQueued" });
    expect((bigLog!.args as { releaseEpoch: bigint }).releaseEpoch).toBe(epoch + 2n);
    expect(await limited.read<bigint>(limited.bridge, bridgeAbi, "reserved")).toBe(10n * FIL);
    await expectRevert(claim(p1.abi, p1.siblings), "AlreadyFinalized");
    await expectRevert(limited.send(limited.deployer, limited.bridge, bridgeAbi, "releaseQueued", [1n]), "NotReleased");
    await limited.advance(DEFAULT_PARAMS.challengeWindowSec);
    await limited.send(limited.deployer, limited.bridge, bridgeAbi, "releaseQueued", [1n]);
    expect(await balance(r1!)).toBe(3n * FIL);
    await expectRevert(limited.send(limited.deployer, limited.bridge, bridgeAbi, "releaseQueued", [2n]), "NotReleased");
    await limited.advance(DEFAULT_PARAMS.challengeWindowSec);
    await limited.send(limited.deployer, limited.bridge, bridgeAbi, "releaseQueued", [2n]);
    expect(await balance(r2!)).toBe(7n * FIL);
    expect(await limited.read<bigint>(limited.bridge, bridgeAbi, "reserved")).toBe(0n);
    await expectRevert(limited.send(limited.deployer, limited.bridge, bridgeAbi, "releaseQueued", [2n]), "NotQueued");
  });

  it("makes a withdrawal of more than the limit wait one epoch per limit, even in an epoch nothing else used", async () => {
    // The allowance cursor is behind: this epoch is untouched. 12 FIL at 5 FIL per epoch takes all of
    // this epoch's and the next one's, and 2 FIL of the one after, when it is paid. (Before the fix a
    // withdrawal of the bridge's whole balance was paid at once in an unused epoch.)
    await limited.advance(DEFAULT_PARAMS.challengeWindowSec);
    const epoch = await limited.read<bigint>(limited.rollup, rollupAbi, "currentEpoch");
    expect(await limited.read<bigint>(limited.bridge, bridgeAbi, "withdrawnInEpoch", [epoch])).toBe(0n);
    const p3 = chain.proof(3);
    const receipt = await claim(p3.abi, p3.siblings);
    const [log] = parseEventLogs({ abi: bridgeAbi, logs: receipt.logs, eventName: "WithdrawalQueued" });
    expect((log!.args as { releaseEpoch: bigint }).releaseEpoch).toBe(epoch + 2n);
    expect(await limited.publicClient.getBalance({ address: r3!.address })).toBe(0n);
    expect(await limited.read<bigint>(limited.bridge, bridgeAbi, "withdrawnInEpoch", [epoch])).toBe(LIMIT);
    expect(await limited.read<bigint>(limited.bridge, bridgeAbi, "withdrawnInEpoch", [epoch + 2n])).toBe(2n * FIL);
    await limited.advance(DEFAULT_PARAMS.challengeWindowSec);
    await expectRevert(limited.send(limited.deployer, limited.bridge, bridgeAbi, "releaseQueued", [3n]), "NotReleased");
    await limited.advance(DEFAULT_PARAMS.challengeWindowSec);
    await limited.send(limited.deployer, limited.bridge, bridgeAbi, "releaseQueued", [3n]);
    expect(await limited.publicClient.getBalance({ address: r3!.address })).toBe(12n * FIL);
    expect(await limited.read<bigint>(limited.bridge, bridgeAbi, "reserved")).toBe(0n);
  });
});
