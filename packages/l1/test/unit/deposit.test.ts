/** FilverseBridge deposits: nonces from 1, the event the sequencer credits, refusals. */
import { type Address, parseEventLogs, zeroAddress } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

  it("refuses plain transfers (no receive function)", async () => {
    await expect(
      env.walletClient.sendTransaction({ account: env.deployer, to: env.bridge, value: FIL, chain: null }),
    ).rejects.toThrow();
  });
});
