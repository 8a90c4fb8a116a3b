/**
 * A withdrawal end to end on a real local L1: deposit 10 FIL, withdraw 4 on the L2, the sequencer
 * checkpoints, the challenge window passes, the user finalizes on L1 with the client's helpers
 * (getWithdrawalStatus, waitToFinalize, finalizeWithdrawal) and the L1 balance grows by 4 FIL minus
 * gas; a second finalize is refused.
 */
import { createFilverseClient } from "@filverse/client";
import { type LocalL1, loadArtifact } from "@filverse/l1";
import { createWalletClient, http } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, expect, it } from "vitest";
import { type RunningNode, rpc, setupL1Chain, startSequencer, tempDir, waitFor } from "./helpers.js";

const FIL = 10n ** 18n;
const WINDOW = 600;
const tmp = tempDir("l1wd");
let l1: LocalL1 | null = null;
let node: RunningNode | null = null;

afterAll(async () => {
  await node?.stop();
  await l1?.stop();
  tmp.cleanup();
});

it("withdraws 4 FIL from the L2 to L1 through a checkpoint and the challenge window", async () => {
  // The sequencer is the single validator: it signs checkpoints alone.
  const net = await setupL1Chain(tmp.dir, {
    challengeWindowSec: WINDOW,
    exitDelaySec: WINDOW,
    forceInclusionDelaySec: 3_600,
  });
  l1 = net.l1;
  const { clients, testClient, deployer, bridge } = net;
  const bridgeAbi = loadArtifact("FilverseBridge").abi;
  const chain = clients.walletClient.chain;
  const wait = async (hash: `0x${string}`) => clients.publicClient.waitForTransactionReceipt({ hash });
  node = await startSequencer(tmp.dir);

  // Alice: one key, her L2 account and her L1 account.
  const alice = privateKeyToAccount(generatePrivateKey());
  await testClient.setBalance({ address: alice.address, value: FIL }); // L1 gas money
  await wait(
    await clients.walletClient.writeContract({
      account: deployer,
      address: bridge,
      abi: bridgeAbi,
      functionName: "deposit",
      args: [alice.address],
      value: 10n * FIL,
      chain,
    }),
  );
  const l2 = createFilverseClient({ url: node.url, account: alice });
  await waitFor(
    async () => BigInt((await l2.getAccount({ address: alice.address })).balance) === 10n * FIL,
    30_000,
    "the deposit on L2",
  );

  const { hash } = await l2.withdraw({ l1Recipient: alice.address, amount: 4n * FIL, fee: 0n });
  const sequenced = await l2.waitForTransaction(hash, { timeoutMs: 30_000 });
  const withdrawalBlock = Number(sequenced.blockNumber);
  const onL1 = { l1Client: clients.publicClient, bridge };
  await expect(l2.getWithdrawalStatus({ hash: `0x${"00".repeat(32)}`, ...onL1 })).rejects.toMatchObject({
    code: "CLIENT_WITHDRAWAL_NOT_FOUND",
  });
  const early = await l2.getWithdrawalStatus({ hash, ...onL1 });
  expect(early.checkpointIndex).toBe(BigInt(Math.floor((withdrawalBlock - 1) / 2)));
  expect(early.challengeWindowSec).toBe(BigInt(WINDOW));
  // Not checkpointed yet, unless the checkpoint closed at once: then its window has just begun.
  if (early.stage === "not-checkpointed") expect(early.secondsToFinal).toBeNull();
  else expect(early.stage).toBe("in-challenge-window");
  // Enough further blocks to close the checkpoint covering the withdrawal (interval 2).
  for (let i = 0; i < 3; i++)
    await l2.waitForTransaction((await l2.transfer({ to: deployer, amount: 1n, fee: 0n })).hash);
  await l2.waitForTransaction(hash, { status: "checkpointed", timeoutMs: 30_000 });

  // Everything finalizeWithdrawal needs, from the withdrawal's transaction hash alone.
  type WithdrawalProofJson = {
    checkpointIndex: string;
    checkpointed: boolean;
    finalized: boolean;
    withdrawal: { index: string; l2Sender: `0x${string}`; l1Recipient: `0x${string}`; amount: string };
    siblings: `0x${string}`[];
  };
  const getProof = async () =>
    (
      (await rpc(node!.url, { jsonrpc: "2.0", id: 1, method: "filverse_getWithdrawalProof", params: [hash] })).json as {
        result: WithdrawalProofJson;
      }
    ).result;
  // The operator sees it too: one withdrawal recorded, pending until a checkpoint covering it is final.
  const metrics = async () => {
    const text = await (await fetch(`${node!.url}/metrics`)).text();
    return (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1]);
  };
  let m = await metrics();
  expect(m("filverse_bridge_withdrawals_recorded")).toBe(1);
  expect(m("filverse_bridge_withdrawals_pending")).toBe(1);
  expect(m("filverse_bridge_deposits_credited")).toBe(1);
  expect(m("filverse_bridge_deposited_fil")).toBe(10);
  expect(m("filverse_checkpoint_submitted_index")).toBeGreaterThanOrEqual(0);
  expect(m("filverse_checkpoint_signatures")).toBe(1);
  expect(m("filverse_l1_head_number")).toBeGreaterThan(0);
  expect(m("filverse_l1_errors_total")).toBe(0);
  const proof = await getProof();
  expect(proof).toMatchObject({
    checkpointIndex: String(Math.floor((withdrawalBlock - 1) / 2)),
    checkpointed: true,
    finalized: false,
  });
  expect(proof.withdrawal).toMatchObject({
    index: "0",
    amount: (4n * FIL).toString(),
    l1Recipient: alice.address.toLowerCase(),
  });
  // filverse_getCheckpoints (what the explorer's checkpoints page shows): newest first, the covering
  // one in its challenge window, with the L1 transaction that submitted it.
  type CheckpointsJson = {
    checkpoints: { index: string; firstBlock: string; lastBlock: string; final: boolean; l1TxHash: string | null }[];
    next: string | null;
  };
  const checkpoints = async () =>
    (
      (await rpc(node!.url, { jsonrpc: "2.0", id: 1, method: "filverse_getCheckpoints", params: [50] })).json as {
        result: CheckpointsJson;
      }
    ).result;
  const listed = await checkpoints();
  const indexes = listed.checkpoints.map((c) => Number(c.index));
  expect(indexes).toEqual([...indexes].sort((a, b) => b - a));
  expect(listed.next).toBeNull();
  const covering = listed.checkpoints.find((c) => c.index === proof.checkpointIndex)!;
  expect(Number(covering.firstBlock)).toBeLessThanOrEqual(withdrawalBlock);
  expect(Number(covering.lastBlock)).toBeGreaterThanOrEqual(withdrawalBlock);
  expect(covering.final).toBe(false);
  expect(covering.l1TxHash).toMatch(/^0x[0-9a-f]{64}$/);
  // The helpers: the covering checkpoint, its window's end and an ETA against the L1 head.
  const status = await l2.getWithdrawalStatus({ hash, ...onL1 });
  const head = await clients.publicClient.getBlock();
  expect(status).toMatchObject({ stage: "in-challenge-window", checkpointIndex: BigInt(proof.checkpointIndex) });
  expect(status.withdrawal).toEqual({
    index: 0n,
    l2Sender: proof.withdrawal.l2Sender,
    l1Recipient: proof.withdrawal.l1Recipient,
    amount: 4n * FIL,
  });
  expect(status.secondsToFinal).toBe(Number(status.finalAt! - head.timestamp));
  expect(status.secondsToFinal).toBeGreaterThan(WINDOW - 60);
  expect(status.secondsToFinal).toBeLessThanOrEqual(WINDOW);
  const wallet = createWalletClient({ account: alice, chain, transport: http(net.l1.url) });
  // Before the window ends the bridge refuses, and a bounded wait gives up.
  await expect(l2.finalizeWithdrawal({ hash, walletClient: wallet, bridge })).rejects.toThrow(/NotFinal/);
  await expect(l2.waitToFinalize({ hash, ...onL1, timeoutMs: 300 })).rejects.toMatchObject({
    code: "CLIENT_WAIT_TIMEOUT",
  });

  const ready = l2.waitToFinalize({ hash, ...onL1, pollIntervalMs: 100, timeoutMs: 30_000 });
  await testClient.increaseTime({ seconds: WINDOW + 1 });
  await testClient.mine({ blocks: 1 });
  expect(await ready).toMatchObject({ stage: "ready-to-finalize", secondsToFinal: 0 });
  await l2.waitForTransaction(hash, { status: "finalized", timeoutMs: 30_000 });
  expect((await getProof()).finalized).toBe(true);
  expect((await checkpoints()).checkpoints.find((c) => c.index === proof.checkpointIndex)!.final).toBe(true);
  m = await metrics();
  expect(m("filverse_checkpoint_finalized_index")).toBeGreaterThanOrEqual(Number(proof.checkpointIndex));
  expect(m("filverse_bridge_withdrawals_pending")).toBe(0);

  const before = await clients.publicClient.getBalance({ address: alice.address });
  const sent = await l2.finalizeWithdrawal({ hash, walletClient: wallet, bridge });
  expect(sent.checkpointIndex).toBe(BigInt(proof.checkpointIndex));
  const receipt = await wait(sent.hash);
  expect(receipt.status).toBe("success");
  const after = await clients.publicClient.getBalance({ address: alice.address });
  expect(after - before).toBe(4n * FIL - receipt.gasUsed * receipt.effectiveGasPrice);
  expect((await l2.getWithdrawalStatus({ hash, ...onL1 })).stage).toBe("finalized");
  await expect(l2.finalizeWithdrawal({ hash, walletClient: wallet, bridge })).rejects.toThrow(/AlreadyFinalized/);
  await l2.close();
}, 120_000);
