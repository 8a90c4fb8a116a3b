/**
 * The validator set against `filverse devnet` (L1, contracts, sequencer, two verifiers; three genesis
 * validators of 10 FIL each):
 * - an outsider trying to register twice the honest weight is refused by the join cap; what the cap
 *   lets in does not count before its epoch boundary, and no checkpoint it signs alone is accepted;
 * - once the set changes at the boundary, the nodes follow it and checkpoints keep flowing;
 * - the outsider equivocates and anyone proves it: the rollup halts, a final withdrawal still pays,
 *   deposits are refused, and the chain checkpoints again once the remaining set has re-signed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createFilverseClient } from "@filverse/client";
import { signDigest } from "@filverse/crypto";
import { type CheckpointAbi, checkpointDigest, checkpointToAbi, createL1Clients, loadArtifact } from "@filverse/l1";
import type { Checkpoint } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import {
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  createTestClient,
  type Hex,
  http,
  parseEventLogs,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, expect, it } from "vitest";
import { rpc, spawnDevnet, tempDir, waitFor } from "./helpers.js";

const tmp = tempDir("validator-set");
afterAll(() => tmp.cleanup());

const FIL = 10n ** 18n;
type Ready = { l1: string; l1ChainId: number; l2: string; rollup: Address; bridge: Address; l2ChainId: number };

/** The custom error a call reverts with, or null when it would succeed. */
async function revertName(p: Promise<unknown>): Promise<string | null> {
  try {
    await p;
    return null;
  } catch (err) {
    const r =
      err instanceof BaseError
        ? (err.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null)
        : null;
    return r?.data?.errorName ?? String(err).slice(0, 300);
  }
}

it("an outsider cannot buy the set; proven equivocation halts the rollup, final withdrawals pay, and it resumes", async () => {
  const dir = join(tmp.dir, "net");
  const devnet = await spawnDevnet<Ready>(dir, ["--checkpoint-interval", "2"], 120_000);
  try {
    const { l1, l1ChainId, l2, rollup, bridge, l2ChainId } = devnet.ready;
    const clients = createL1Clients({ url: l1, chainId: l1ChainId, pollingIntervalMs: 100, retryCount: 0 });
    const { publicClient, walletClient } = clients;
    const chain = walletClient.chain;
    const testClient = createTestClient({ mode: "hardhat", transport: http(l1) });
    const rollupAbi = loadArtifact("FilverseRollup").abi;
    const bridgeAbi = loadArtifact("FilverseBridge").abi;
    const read = <T>(functionName: string, args: unknown[] = []) =>
      publicClient.readContract({ address: rollup, abi: rollupAbi, functionName, args } as never) as Promise<T>;
    const nextIndex = async () => Number(await read<bigint>("nextCheckpointIndex"));
    const advance = async (seconds: number) => {
      await testClient.increaseTime({ seconds });
      await testClient.mine({ blocks: 1 });
    };
    const dev = JSON.parse(readFileSync(join(dir, "dev-accounts.json"), "utf8")) as {
      address: Address;
      privateKey: Hex;
    }[];
    const alice = privateKeyToAccount(dev[0]!.privateKey);
    const wallet = createFilverseClient({ url: l2, account: alice });
    const busy = async (n: number) => {
      for (let i = 0; i < n; i++)
        await wallet.waitForTransaction((await wallet.transfer({ to: dev[1]!.address, amount: 1n })).hash);
    };

    await busy(3);
    await waitFor(async () => (await nextIndex()) >= 1, 60_000, "a first checkpoint");
    const honestWeight = await read<bigint>("totalWeight");
    expect(honestWeight).toBe(30n * FIL);

    // The outsider: 2 × the honest weight + 1 FIL is refused; the cap (a third) is let in, for later.
    const outsiderKey = fromHex(generatePrivateKey());
    const outsider = privateKeyToAccount(toHex(outsiderKey) as Hex);
    await testClient.setBalance({ address: outsider.address, value: 1_000n * FIL });
    const register = (value: bigint) =>
      walletClient.writeContract({
        account: outsider,
        address: rollup,
        abi: rollupAbi,
        functionName: "register",
        value,
        chain,
      } as never);
    expect(
      await revertName(
        publicClient.simulateContract({
          account: outsider,
          address: rollup,
          abi: rollupAbi,
          functionName: "register",
          value: 2n * honestWeight + FIL,
        } as never),
      ),
    ).toBe("JoinCapExceeded");
    const receipt = await publicClient.waitForTransactionReceipt({ hash: await register(honestWeight / 3n) });
    const [joined] = parseEventLogs({ abi: rollupAbi, logs: receipt.logs, eventName: "ValidatorRegistered" });
    const effectiveEpoch = (joined!.args as { effectiveEpoch: bigint }).effectiveEpoch;
    const effectiveAt = (await read<bigint>("genesisTime")) + effectiveEpoch * (await read<bigint>("epochLength"));

    /** The next checkpoint, linked to the last accepted one, paying whatever the outsider likes. */
    const forged = async (): Promise<Checkpoint> => {
      const index = await nextIndex();
      const previous = await read<{ lastBlock: bigint; lastBlockHash: Hex; depositCursor: bigint }>("getCheckpoint", [
        BigInt(index - 1),
      ]);
      const now = (await publicClient.getBlock()).timestamp;
      return {
        chainId: l2ChainId,
        index,
        firstBlock: Number(previous.lastBlock) + 1,
        lastBlock: Number(previous.lastBlock) + 2,
        parentHash: fromHex(previous.lastBlockHash),
        lastBlockHash: new Uint8Array(32).fill(0xee),
        stateRoot: new Uint8Array(32).fill(0xee),
        withdrawalsRoot: new Uint8Array(32).fill(0xee),
        blockHashesRoot: new Uint8Array(32).fill(0xee),
        pieceCid: "",
        payloadCid: "",
        pieceSize: 0,
        carSize: 0,
        lastBlockTimestamp: Number(now) - 1,
        depositCursor: Number(previous.depositCursor),
        validatorSetId: Number(await read<bigint>("validatorSetId")),
      };
    };
    const domain = { l1ChainId, rollup, l2ChainId };
    const signAlone = (cp: Checkpoint) => toHex(signDigest(checkpointDigest(cp, domain), outsiderKey)) as Hex;
    /** What submitting `cp` signed by the outsider alone reverts with (retried while the sequencer moves the index). */
    const submitAlone = async (sign = signAlone): Promise<string | null> => {
      for (let attempt = 0; ; attempt++) {
        const cp = await forged();
        const result = await revertName(
          publicClient.simulateContract({
            account: outsider,
            address: rollup,
            abi: rollupAbi,
            functionName: "submitCheckpoint",
            args: [checkpointToAbi(cp) as CheckpointAbi, [sign(cp)]],
          } as never),
        );
        if (result !== "WrongIndex" || attempt >= 5) return result;
      }
    };
    expect(await submitAlone()).toBe("NotValidator");
    // Just before the boundary it still counts for nothing.
    const now = (await publicClient.getBlock()).timestamp;
    await advance(Number(effectiveAt - now) - 3);
    expect(await submitAlone()).toBe("NotValidator");
    expect(await read<bigint>("validatorSetId")).toBe(0n);

    // At the boundary the set changes (id 1, 40 FIL); the outsider's quarter is no quorum alone.
    await advance(5);
    expect(await read<bigint>("validatorSetId")).toBe(1n);
    expect(await read<bigint>("totalWeight")).toBe(40n * FIL);
    expect(await submitAlone()).toBe("NoQuorum");
    // The nodes follow the new set: the sequencer and the verifiers checkpoint under set 1.
    const before = await nextIndex();
    await busy(4);
    await waitFor(async () => (await nextIndex()) > before + 1, 60_000, "checkpoints under the new set");

    // A withdrawal whose checkpoint becomes final.
    const { hash } = await wallet.withdraw({ l1Recipient: alice.address, amount: 2n * FIL, fee: 0n });
    await wallet.waitForTransaction(hash, { timeoutMs: 30_000 });
    await busy(3);
    await wallet.waitForTransaction(hash, { status: "checkpointed", timeoutMs: 30_000 });
    await advance(61);
    await wallet.waitForTransaction(hash, { status: "finalized", timeoutMs: 30_000 });
    type ProofJson = {
      checkpointIndex: string;
      withdrawal: { index: string; l2Sender: Address; l1Recipient: Address; amount: string };
      siblings: Hex[];
    };
    const proof = (
      (await rpc(l2, { jsonrpc: "2.0", id: 1, method: "filverse_getWithdrawalProof", params: [hash] })).json as {
        result: ProofJson;
      }
    ).result;

    // Non-final checkpoints exist when the evidence arrives.
    await busy(3);
    await waitFor(
      async () => !(await read<boolean>("isFinal", [BigInt((await nextIndex()) - 1)])),
      30_000,
      "a pending checkpoint",
    );
    const pendingFrom = await nextIndex();
    // The outsider signs two different checkpoints at one index; anyone proves it.
    const a = await forged();
    const b = { ...a, stateRoot: new Uint8Array(32).fill(0xdd) };
    await publicClient.waitForTransactionReceipt({
      hash: await walletClient.writeContract({
        account: outsider,
        address: rollup,
        abi: rollupAbi,
        functionName: "proveCheckpointEquivocation",
        args: [checkpointToAbi(a), signAlone(a), checkpointToAbi(b), signAlone(b)],
        chain,
      } as never),
    });
    expect(await read<boolean>("halted")).toBe(true);
    expect(await nextIndex()).toBeLessThan(pendingFrom);
    expect(await read<boolean>("isFinal", [BigInt(proof.checkpointIndex)])).toBe(true);

    // Final before the evidence: still pays. New FIL: refused.
    const w = {
      index: BigInt(proof.withdrawal.index),
      l2Sender: proof.withdrawal.l2Sender,
      l1Recipient: proof.withdrawal.l1Recipient,
      amount: BigInt(proof.withdrawal.amount),
    };
    // Dev accounts hold L1 FIL of their own (for gas): the withdrawal adds to it.
    const aliceL1 = await publicClient.getBalance({ address: alice.address });
    const paid = await publicClient.waitForTransactionReceipt({
      hash: await walletClient.writeContract({
        account: outsider, // anyone may send it: the FIL goes to the recipient in the leaf
        address: bridge,
        abi: bridgeAbi,
        functionName: "finalizeWithdrawal",
        args: [BigInt(proof.checkpointIndex), w, proof.siblings],
        chain,
      } as never),
    });
    expect(paid.status).toBe("success");
    expect((await publicClient.getBalance({ address: alice.address })) - aliceL1).toBe(2n * FIL);
    expect(
      await revertName(
        publicClient.simulateContract({
          account: outsider,
          address: bridge,
          abi: bridgeAbi,
          functionName: "deposit",
          args: [alice.address],
          value: FIL,
        } as never),
      ),
    ).toBe("RollupHalted");

    // The remaining set re-signs the invalidated range: the rollup resumes and checkpoints again.
    await waitFor(async () => !(await read<boolean>("halted")), 60_000, "the rollup resumed");
    const resumedAt = await nextIndex();
    await busy(4);
    await waitFor(async () => (await nextIndex()) > resumedAt, 60_000, "checkpoints after the resume");
    await wallet.close();
    expect(await devnet.stop()).toBe(0);
  } finally {
    await devnet.stop();
  }
}, 240_000);
