/**
 * Forced inclusion end to end on a real local L1: a user queues a signed L2 transfer with the
 * bridge's forceTransaction; the sequencer includes it (under its own L2 tx hash) and checkpoints it.
 * Then a sequencer that ignores L1 (a censoring one) makes blocks past a second forced
 * transaction's deadline, and the rollup rejects the checkpoint of those blocks.
 */
import { writeFileSync } from "node:fs";
import { createFilverseClient } from "@filverse/client";
import { signTransaction, txHash } from "@filverse/crypto";
import { checkpointToAbi, type LocalL1, loadArtifact, orderCheckpointSignatures, signCheckpoint } from "@filverse/l1";
import { type Checkpoint, encodeSignedTx, TxKind } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import { BaseError, ContractFunctionRevertedError, type Hex, parseEventLogs } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, expect, it } from "vitest";
import { type RunningNode, rpc, setupL1Chain, startSequencer, tempDir, waitFor } from "./helpers.js";

const FIL = 10n ** 18n;
const DELAY = 6;
const tmp = tempDir("l1forced");
let l1: LocalL1 | null = null;
let node: RunningNode | null = null;

afterAll(async () => {
  await node?.stop();
  await l1?.stop();
  tmp.cleanup();
});

type BlockJson = {
  hash: Hex;
  header: { timestamp: string; l1DepositNonce: string; stateRoot: Hex; withdrawalsRoot: Hex };
};

it("includes a forced transaction; a checkpoint that omits one past its deadline is rejected", async () => {
  const net = await setupL1Chain(tmp.dir, {
    challengeWindowSec: 600,
    exitDelaySec: 600,
    forceInclusionDelaySec: DELAY,
  });
  l1 = net.l1;
  const { clients, testClient, deployer, chainId, sequencerKey, sequencer, rollup, bridge, config, configPath } = net;
  const chain = clients.walletClient.chain;
  const rollupAbi = loadArtifact("FilverseRollup").abi;
  const bridgeAbi = loadArtifact("FilverseBridge").abi;
  const wait = async (hash: Hex) => clients.publicClient.waitForTransactionReceipt({ hash });
  node = await startSequencer(tmp.dir);

  // Alice holds L2 FIL (a deposit) and L1 gas; her L2 key is her L1 key.
  const aliceKey = generatePrivateKey();
  const alice = privateKeyToAccount(aliceKey);
  const bob = privateKeyToAccount(generatePrivateKey());
  await testClient.setBalance({ address: alice.address, value: FIL });
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
  const l2 = createFilverseClient({ url: node.url, account: bob });
  await waitFor(
    async () => BigInt((await l2.getAccount({ address: alice.address })).balance) === 10n * FIL,
    30_000,
    "the deposit on L2",
  );

  // Alice signs an L2 transfer and queues it on L1 herself, bypassing the sequencer's RPC.
  const forceOnL1 = async (nonce: number, amount: bigint) => {
    const tx = signTransaction(
      chainId,
      { kind: TxKind.Transfer, message: { to: fromHex(bob.address), amount, nonce, fee: 0n } } as never,
      fromHex(aliceKey),
    );
    const receipt = await wait(
      await clients.walletClient.writeContract({
        account: alice,
        address: bridge,
        abi: bridgeAbi,
        functionName: "forceTransaction",
        args: [toHex(encodeSignedTx(tx))],
        chain,
      }),
    );
    const [log] = parseEventLogs({ abi: bridgeAbi, logs: receipt.logs, eventName: "TransactionForced" });
    return { hash: toHex(txHash(tx)) as Hex, ...(log!.args as { nonce: bigint; deadline: bigint }) };
  };

  const first = await forceOnL1(0, 3n * FIL);
  expect(first.nonce).toBe(2n);
  const sequenced = await l2.waitForTransaction(first.hash, { timeoutMs: 30_000 });
  expect(sequenced).toMatchObject({ status: "sequenced" });
  const receipt = (
    await rpc(node.url, { jsonrpc: "2.0", id: 1, method: "filverse_getTransactionReceipt", params: [first.hash] })
  ).json as { result: { status: number; kind: number; sender: string } };
  expect(receipt.result).toMatchObject({ status: 1, kind: TxKind.Transfer, sender: alice.address.toLowerCase() });
  const shown = (
    await rpc(node.url, { jsonrpc: "2.0", id: 2, method: "filverse_getTransaction", params: [first.hash] })
  ).json as {
    result: { forcedL1Nonce: string; kind: string };
  };
  expect(shown.result.forcedL1Nonce).toBe("2");
  expect(BigInt((await l2.getAccount({ address: bob.address })).balance)).toBe(3n * FIL);
  // Bob's transfers close the checkpoint covering the forced transaction; the rollup accepts it.
  for (let i = 0; i < 3; i++)
    await l2.waitForTransaction((await l2.transfer({ to: deployer, amount: 1n, fee: 0n })).hash);
  await l2.waitForTransaction(first.hash, { status: "checkpointed", timeoutMs: 30_000 });

  // A censoring sequencer: the same chain, run without its L1 connection.
  expect(await node.stop()).toBe(0);
  const second = await forceOnL1(1, 1n * FIL);
  delete config.l1;
  writeFileSync(configPath, JSON.stringify(config));
  node = await startSequencer(tmp.dir);
  await new Promise((r) => setTimeout(r, (Number(second.deadline) + 2) * 1000 - Date.now()));
  const censor = createFilverseClient({ url: node.url, account: bob });
  const index = Number(
    await clients.publicClient.readContract({ address: rollup, abi: rollupAbi, functionName: "nextCheckpointIndex" }),
  );
  const lastBlock = (index + 1) * 2;
  while (Number(await censor.getBlockNumber()) < lastBlock)
    await censor.waitForTransaction((await censor.transfer({ to: deployer, amount: 1n, fee: 0n })).hash);
  const block = (
    await rpc(node.url, { jsonrpc: "2.0", id: 3, method: "filverse_getBlockByNumber", params: [String(lastBlock)] })
  ).json as { result: BlockJson };
  const { header } = block.result;
  expect(Number(header.timestamp)).toBeGreaterThan(Number(second.deadline));
  expect(Number(header.l1DepositNonce)).toBe(2); // the second forced transaction (nonce 3) was never consumed
  const validatorSetId = await clients.publicClient.readContract({
    address: rollup,
    abi: rollupAbi,
    functionName: "validatorSetId",
  });
  const cp: Checkpoint = {
    chainId,
    index,
    firstBlock: index * 2 + 1,
    lastBlock,
    parentHash: fromHex(
      (
        (await clients.publicClient.readContract({
          address: rollup,
          abi: rollupAbi,
          functionName: "getCheckpoint",
          args: [BigInt(index - 1)],
        })) as { lastBlockHash: `0x${string}` }
      ).lastBlockHash,
    ),
    lastBlockHash: fromHex(block.result.hash),
    stateRoot: fromHex(header.stateRoot),
    withdrawalsRoot: fromHex(header.withdrawalsRoot),
    // The rollup does not check it on submission (a wrong one is a fault the dispute game proves).
    blockHashesRoot: new Uint8Array(32),
    pieceCid: "",
    payloadCid: "",
    pieceSize: 0,
    carSize: 0,
    lastBlockTimestamp: Number(header.timestamp),
    depositCursor: Number(header.l1DepositNonce),
    validatorSetId: Number(validatorSetId),
  };
  const domain = { l1ChainId: l1.chainId, rollup, l2ChainId: chainId };
  const sigs = orderCheckpointSignatures(cp, domain, [signCheckpoint(cp, domain, sequencerKey)]).map(
    (s) => toHex(s) as Hex,
  );
  const err = await clients.walletClient
    .writeContract({
      account: sequencer,
      address: rollup,
      abi: rollupAbi,
      functionName: "submitCheckpoint",
      args: [checkpointToAbi(cp), sigs],
      chain,
    })
    .then(
      () => null,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(BaseError);
  const revert = (err as BaseError).walk(
    (e) => e instanceof ContractFunctionRevertedError,
  ) as ContractFunctionRevertedError;
  expect(revert.data?.errorName).toBe("ForcedInclusionMissed");
  expect(revert.data?.args).toEqual([second.nonce, second.deadline]);
}, 180_000);
