/**
 * FilverseBridge deposits: nonces from 1, the event the sequencer credits, refusals, and the record
 * of each L1 message (deposit or forced transaction) that the one-step executor checks.
 */
import { fromHex } from "@filverse/utils";
import { type Address, encodeFunctionData, type Hex, keccak256, parseEventLogs, zeroAddress } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { l1MessageRecord } from "../../src/depositWatcher.js";
import { bridgeAbi, type Env, expectRevert, FIL, makeKey, setupEnv } from "./fixture.js";

let env: Env;
beforeAll(async () => {
  env = await setupEnv();
}, 60_000);
afterAll(async () => {
  await env?.l1.stop();
});

const alice = makeKey(11);
const bob = makeKey(12);

describe("FilverseBridge.deposit", () => {
  it("numbers deposits from 1 and emits Deposited(nonce, from, l2Recipient, amount)", async () => {
    expect(await env.read<bigint>(env.bridge, bridgeAbi, "depositCount")).toBe(0n);
    const amounts = [3n * FIL, 1n, 7n * FIL];
    const recipients: Address[] = [alice.address, bob.address, alice.address];
    for (let i = 0; i < amounts.length; i++) {
      const receipt = await env.send(env.deployer, env.bridge, bridgeAbi, "deposit", [recipients[i]], amounts[i]);
      const logs = parseEventLogs({ abi: bridgeAbi, logs: receipt.logs, eventName: "Deposited" });
      expect(logs).toHaveLength(1);
      expect(logs[0]!.args).toEqual({
        nonce: BigInt(i + 1),
        from: env.deployer,
        l2Recipient: recipients[i],
        amount: amounts[i],
      });
      expect(await env.read<bigint>(env.bridge, bridgeAbi, "depositCount")).toBe(BigInt(i + 1));
    }
    expect(await env.publicClient.getBalance({ address: env.bridge })).toBe(10n * FIL + 1n);
  });

  it("refuses a zero amount and a zero recipient", async () => {
    await expectRevert(env.send(env.deployer, env.bridge, bridgeAbi, "deposit", [alice.address], 0n), "ZeroAmount");
    await expectRevert(env.send(env.deployer, env.bridge, bridgeAbi, "deposit", [zeroAddress], FIL), "ZeroRecipient");
    expect(await env.read<bigint>(env.bridge, bridgeAbi, "depositCount")).toBe(3n);
  });

  it("records each L1 message as l1MessageRecord(nonce, from, to, amount, forcedTx), the same as the TypeScript", async () => {
    const before = await env.read<bigint>(env.bridge, bridgeAbi, "depositCount");
    const zero32 = `0x${"00".repeat(32)}` as Hex;
    expect(await env.read<Hex>(env.bridge, bridgeAbi, "messageRecord", [before + 1n])).toBe(zero32);
    const deposit = await env.send(env.deployer, env.bridge, bridgeAbi, "deposit", [bob.address], 2n * FIL + 5n);
    const forcedTx: Hex = `0x${"c3".repeat(1_000)}`;
    await env.send(env.deployer, env.bridge, bridgeAbi, "forceTransaction", [forcedTx]);
    const message = (nonce: bigint, to: Address, amount: bigint, tx: Hex) => ({
      l1Nonce: Number(nonce),
      l1BlockNumber: 0,
      l1TxHash: new Uint8Array(32),
      from: fromHex(env.deployer),
      to: fromHex(to),
      amount,
      forcedTx: fromHex(tx),
    });
    const records = [
      l1MessageRecord(message(before + 1n, bob.address, 2n * FIL + 5n, "0x")),
      l1MessageRecord(message(before + 2n, zeroAddress, 0n, forcedTx)),
    ];
    expect(await env.read<Hex>(env.bridge, bridgeAbi, "messageRecord", [before + 1n])).toBe(records[0]);
    expect(await env.read<Hex>(env.bridge, bridgeAbi, "messageRecord", [before + 2n])).toBe(records[1]);
    expect(
      await env.read<Hex>(env.bridge, bridgeAbi, "l1MessageRecord", [
        before + 2n,
        env.deployer,
        zeroAddress,
        0n,
        keccak256(forcedTx),
      ]),
    ).toBe(records[1]);
    // Another nonce, sender, recipient, amount or forced byte is another record.
    expect(l1MessageRecord(message(before + 1n, bob.address, 2n * FIL + 4n, "0x"))).not.toBe(records[0]);
    expect(l1MessageRecord(message(before + 1n, alice.address, 2n * FIL + 5n, "0x"))).not.toBe(records[0]);
    expect(l1MessageRecord(message(before + 2n, zeroAddress, 0n, `0x${"c3".repeat(999)}c4`))).not.toBe(records[1]);
    // What the record costs a deposit: one more storage slot written (docs/bridge.md).
    console.log("deposit gas with its record (receipt gasUsed):", deposit.gasUsed);
    const estimate = await env.publicClient.estimateGas({
      account: env.deployer,
      to: env.bridge,
      value: FIL,
      data: encodeFunctionData({ abi: bridgeAbi, functionName: "deposit", args: [alice.address] }),
    });
    console.log("deposit gas (eth_estimateGas):", estimate);
    expect(deposit.gasUsed).toBeLessThan(100_000n);
  });

  it("refuses plain transfers (no receive function)", async () => {
    await expect(
      env.walletClient.sendTransaction({ account: env.deployer, to: env.bridge, value: FIL, chain: null }),
    ).rejects.toThrow();
  });
});
