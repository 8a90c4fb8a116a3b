/**
 * `filverse bridge` against `filverse devnet`: deposit on L1, withdraw on L2, status, a refused early
 * finalize, the window, a checkpoint read with its L1 transaction and deal, a finalize mined but
 * reverted (exit 4, its reason decoded) while another pays exactly the amount, and a refused second
 * finalize.
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createFilverseClient } from "@filverse/client";
import { loadArtifact } from "@filverse/l1";
import { type Address, createPublicClient, createTestClient, createWalletClient, http } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, expect, it } from "vitest";
import { CLI, cli, jsonLine, tempDir, waitFor } from "./helpers.js";

const FIL = 10n ** 18n;
// Hardhat's well-known development account #1 (public test key, funded on the local L1 only).
const HARDHAT_KEY_1 = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const HARDHAT_KEY_2 = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
const tmp = tempDir("bridgecli");
afterAll(() => tmp.cleanup());

/** The CLI without blocking the test: it may wait on an L1 the test drives meanwhile. */
function cliAsync(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  proc.stdout!.on("data", (d) => {
    stdout += String(d);
  });
  proc.stderr!.on("data", (d) => {
    stderr += String(d);
  });
  const timer = setTimeout(() => proc.kill("SIGKILL"), 60_000);
  return new Promise((resolve) =>
    proc.once("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    }),
  );
}

const json = (r: { status: number | null; stdout: string; stderr: string }) => {
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
};

it("deposits, withdraws and finalizes through the filverse bridge commands", async () => {
  const dir = join(tmp.dir, "net");
  const proc = spawn(
    process.execPath,
    [CLI, "devnet", "--data-dir", dir, "--rpc-port", "0", "--l1-port", "0", "--checkpoint-interval", "2"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  let ready: { l1: string; l2: string } | null = null;
  let out = "";
  proc.stdout!.on("data", (d) => {
    out += String(d);
    for (const line of out.split("\n"))
      if (line.includes('"devnet ready"')) ready = jsonLine<NonNullable<typeof ready>>(line) ?? ready;
  });
  try {
    await waitFor(async () => ready, 60_000, "devnet ready");
    const { l1, l2 } = ready!;
    const l1Key = join(tmp.dir, "l1.key");
    writeFileSync(l1Key, `${HARDHAT_KEY_1}\n`, { mode: 0o600 });
    const dev = JSON.parse(readFileSync(join(dir, "dev-accounts.json"), "utf8")) as {
      address: Address;
      privateKey: `0x${string}`;
    }[];
    const devKey = join(tmp.dir, "dev.key");
    writeFileSync(devKey, `${dev[0]!.privateKey}\n`, { mode: 0o600 });
    const common = ["--data-dir", dir, "--rpc", l2, "--json"];

    // Deposit on L1 → credited on L2.
    const freshKey = generatePrivateKey();
    const fresh = privateKeyToAccount(freshKey).address;
    const dep = json(
      cli(["bridge", "deposit", ...common, "--to", fresh, "--amount", String(5n * FIL), "--l1-key-file", l1Key]),
    );
    expect(dep).toMatchObject({ status: "success", depositNonce: String(dev.length + 1) });
    const reader = createFilverseClient({ url: l2 });
    await waitFor(
      async () => BigInt((await reader.getAccount({ address: fresh })).balance) === 5n * FIL,
      30_000,
      "the deposit on L2",
    );

    // Forced inclusion: the fresh account signs a transfer and queues it on L1 itself; the sequencer
    // includes it under the L2 hash the CLI printed.
    const freshKeyFile = join(tmp.dir, "fresh.key");
    writeFileSync(freshKeyFile, `${freshKey}\n`, { mode: 0o600 });
    const forced = json(
      cli([
        "bridge",
        "force",
        "Transfer",
        ...common,
        "--message",
        JSON.stringify({ to: dev[2]!.address, amount: "1000" }),
        "--key-file",
        freshKeyFile,
        "--l1-key-file",
        l1Key,
      ]),
    );
    expect(forced).toMatchObject({ status: "success", l1Nonce: String(dev.length + 2) });
    const included = await reader.waitForTransaction(forced.hash as `0x${string}`, { timeoutMs: 30_000 });
    expect(included).toMatchObject({ status: "sequenced", result: "success" });
    expect(BigInt((await reader.getAccount({ address: fresh })).nonce)).toBe(1n);

    // Withdraw on L2 to a fresh L1 recipient.
    const recipient = privateKeyToAccount(generatePrivateKey()).address;
    const wd = json(
      cli(["bridge", "withdraw", ...common, "--to", recipient, "--amount", String(2n * FIL), "--key-file", devKey]),
    );
    const hash = wd.hash as string;
    // More blocks close the checkpoint that covers it (interval 2).
    const other = createFilverseClient({ url: l2, account: privateKeyToAccount(dev[1]!.privateKey) });
    for (let i = 0; i < 2; i++) await other.waitForTransaction((await other.transfer({ to: fresh, amount: 1n })).hash);
    await other.close();
    await waitFor(
      async () => json(cli(["bridge", "status", hash, ...common])).checkpointed === true,
      30_000,
      "checkpointed",
    );

    // Too early: a clear user error, exit code 1.
    const early = cli(["bridge", "finalize", hash, ...common, "--l1-key-file", l1Key]);
    expect(early.status).toBe(1);
    expect(early.stderr).toContain("challenge window");

    // The devnet's challenge window is 60 s: move the L1 clock past it.
    const testClient = createTestClient({ mode: "hardhat", transport: http(l1) });
    await testClient.increaseTime({ seconds: 61 });
    await testClient.mine({ blocks: 1 });
    await waitFor(async () => json(cli(["bridge", "status", hash, ...common])).finalized === true, 30_000, "finalized");
    // The checkpoint that covers it, as the node knows it: final, with its roots, the L1 transaction
    // that submitted it (a real one, on the rollup) and its batch piece's deal on the devnet's provider.
    const covering = json(cli(["bridge", "status", hash, ...common])).checkpointIndex as string;
    const cp = await waitFor(
      async () => {
        const c = json(cli(["bridge", "checkpoint", covering, "--rpc", l2, "--json"]));
        const storage = c.storage as { deals: { state: string }[] } | null;
        return storage?.deals.some((d) => d.state === "active") ? c : null;
      },
      30_000,
      "an active deal for the checkpoint's piece",
    );
    expect(cp).toMatchObject({
      index: covering,
      status: "final",
      secondsLeft: 0,
      openDisputes: 0,
      stateRoot: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      l1TxHash: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      storage: {
        stored: true,
        batch: { pieceCid: cp.pieceCid },
        deals: [expect.objectContaining({ state: "active", dealId: expect.stringMatching(/^\d+$/) })],
      },
    });
    // The SDK reads the same method, with the signers typed: the weights sum to signedWeight, at
    // least 2/3 of the total.
    const read = await reader.getCheckpoint({ index: covering });
    expect(read).toMatchObject({
      index: covering,
      status: "final",
      l1TxHash: cp.l1TxHash,
      storage: { stored: true },
    });
    expect(read?.signers?.length).toBeGreaterThan(0);
    const signedSum = read!.signers!.reduce((a, x) => a + BigInt(x.weight), 0n);
    expect(String(signedSum)).toBe(read!.signedWeight);
    expect(signedSum * 3n).toBeGreaterThanOrEqual(BigInt(read!.totalWeight!) * 2n);
    const listed = await reader.getCheckpoints({ limit: 50 });
    expect(listed.checkpoints.find((c) => c.index === covering)).toMatchObject({
      final: true,
      stored: true,
      signedWeight: read!.signedWeight,
    });
    const l1Reader = createPublicClient({ transport: http(l1) });
    const submitted = await l1Reader.getTransactionReceipt({ hash: cp.l1TxHash as `0x${string}` });
    expect(submitted.status).toBe("success");
    expect(String(submitted.blockNumber)).toBe(cp.l1BlockNumber);
    const latest = cli(["bridge", "checkpoint", "--rpc", l2]);
    expect(latest.status, latest.stderr).toBe(0);
    expect(latest.stdout).toMatch(/^checkpoint {3}\d+ of \d+ on L1$/m);
    expect(latest.stdout).toMatch(/^status {7}(final|in its challenge window: \d+ s left .*)$/m);
    expect(latest.stdout).toMatch(/^L1 tx {8}0x[0-9a-f]{64} in L1 block \d+$/m);
    const humanCheckpoint = cli(["bridge", "checkpoint", covering, "--rpc", l2]);
    expect(humanCheckpoint.stdout).toMatch(/^deals {8}active \(deal \d+, /m);
    expect(humanCheckpoint.stdout).toMatch(
      /^signed {7}[\d.]+ FIL of [\d.]+ FIL \([\d.]+%; quorum 2\/3\) by \d+ validators?$/m,
    );
    expect(humanCheckpoint.stdout).toMatch(/^signers {6}0x[0-9a-f]{40} [\d.]+ FIL \([\d.]+%\)$/m);
    const checkpoints = cli(["bridge", "checkpoints", "--limit", "50", "--rpc", l2]);
    expect(checkpoints.status, checkpoints.stderr).toBe(0);
    expect(checkpoints.stdout).toMatch(
      new RegExp(`^#${covering}  blocks \\d+–\\d+  final  signed [\\d.]+% by \\d+  stored  L1 tx ${cp.l1TxHash}$`, "m"),
    );
    const beyond = cli(["bridge", "checkpoint", "999999", "--rpc", l2]);
    expect(beyond.status).toBe(1);
    expect(beyond.stderr).toContain("Checkpoint 999999 does not exist");

    // A finalize mined but reverted: with the L1's mining paused, the CLI's finalize (its gas
    // estimate passes) waits in the mempool; another account's finalize of the same withdrawal, with
    // a higher tip, goes first in the block. The CLI waits for its receipt, replays the call for the
    // reason and exits 4 (the withdrawal is paid once, by the other).
    const l1Client = createPublicClient({ transport: http(l1) });
    const cliAccount = privateKeyToAccount(HARDHAT_KEY_1).address;
    await testClient.setIntervalMining({ interval: 0 });
    await testClient.setAutomine(false);
    let raced: { status: number | null; stdout: string; stderr: string };
    try {
      const sentBefore = await l1Client.getTransactionCount({ address: cliAccount, blockTag: "pending" });
      const finalizing = cliAsync(["bridge", "finalize", hash, ...common, "--l1-key-file", l1Key]);
      await waitFor(
        async () => (await l1Client.getTransactionCount({ address: cliAccount, blockTag: "pending" })) > sentBefore,
        30_000,
        "the CLI's finalize in the L1 mempool",
      );
      const proof = json(cli(["bridge", "prove", hash, "--rpc", l2, "--json"])) as {
        checkpointIndex: string;
        withdrawal: { index: string; l2Sender: Address; l1Recipient: Address; amount: string };
        siblings: `0x${string}`[];
      };
      const bridgeAddress = (
        JSON.parse(readFileSync(join(dir, "filverse.json"), "utf8")) as { l1: { bridge: Address } }
      ).l1.bridge;
      const other = createWalletClient({ account: privateKeyToAccount(HARDHAT_KEY_2), transport: http(l1) });
      const w = proof.withdrawal;
      await other.writeContract({
        address: bridgeAddress,
        abi: loadArtifact("FilverseBridge").abi,
        functionName: "finalizeWithdrawal",
        args: [
          BigInt(proof.checkpointIndex),
          { index: BigInt(w.index), l2Sender: w.l2Sender, l1Recipient: w.l1Recipient, amount: BigInt(w.amount) },
          proof.siblings,
        ],
        gas: 1_000_000n,
        maxPriorityFeePerGas: 100n * 10n ** 9n,
        maxFeePerGas: 1_000n * 10n ** 9n,
        chain: null,
      } as never);
      await testClient.mine({ blocks: 1 });
      raced = await finalizing;
    } finally {
      await testClient.setAutomine(true);
      await testClient.setIntervalMining({ interval: 1_000 });
    }
    expect(raced.status, raced.stderr).toBe(4);
    const reverted = (
      JSON.parse(raced.stderr) as { error: { code: string; message: string; details: Record<string, unknown> } }
    ).error;
    expect(reverted.code).toBe("L1_TX_REVERTED");
    expect(reverted.message).toMatch(
      /^L1: finalizeWithdrawal was mined in L1 block \d+ but reverted \(AlreadyFinalized: index 0\); its gas was paid$/,
    );
    const revertedReceipt = await l1Client.getTransactionReceipt({ hash: reverted.details.l1TxHash as `0x${string}` });
    expect(revertedReceipt.status).toBe("reverted");
    expect(await l1Client.getBalance({ address: recipient })).toBe(2n * FIL);
    expect(json(cli(["bridge", "status", hash, ...common])).paid).toBe(true);
    const again = cli(["bridge", "finalize", hash, ...common, "--l1-key-file", l1Key]);
    expect(again.status, again.stderr).toBe(1);
    const error = (JSON.parse(again.stderr) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe("CLI_USAGE");
    expect(error.message).toMatch(/^L1: .*reverted.* \(AlreadyFinalized: index 0\)$/);
    await reader.close();

    // The validator set: the devnet registered the sequencer and its two verifiers; another joins and leaves.
    const l1Only = ["--data-dir", dir, "--json"];
    const sequencer = privateKeyToAccount(
      readFileSync(join(dir, "sequencer.key"), "utf8").trim() as `0x${string}`,
    ).address;
    expect(json(cli(["validator", "status", sequencer, ...l1Only]))).toMatchObject({
      active: true,
      collateral: String(10n * FIL),
      validatorCount: "3",
      validatorSetId: "0",
    });
    const v2Key = join(tmp.dir, "v2.key");
    writeFileSync(v2Key, `${HARDHAT_KEY_2}\n`, { mode: 0o600 });
    const v2 = privateKeyToAccount(HARDHAT_KEY_2).address;
    expect(
      json(cli(["validator", "register", ...l1Only, "--collateral", String(10n * FIL), "--l1-key-file", v2Key])),
    ).toMatchObject({ status: "success", validator: v2 });
    // A join waits for the first epoch boundary at least a challenge window (60 s) away.
    const joining = json(cli(["validator", "status", v2, ...l1Only]));
    expect(joining).toMatchObject({
      active: false,
      validatorCount: "3",
      totalWeight: String(30n * FIL),
      pending: "join",
    });
    expect((joining.pendingJoins as { address: string }[]).map((j) => j.address)).toEqual([v2]);
    await testClient.increaseTime({ seconds: 121 });
    await testClient.mine({ blocks: 1 });
    expect(json(cli(["validator", "status", v2, ...l1Only]))).toMatchObject({
      active: true,
      validatorCount: "4",
      totalWeight: String(40n * FIL),
      validatorSetId: "1",
    });
    const list = json(cli(["validator", "list", ...l1Only])) as { validators: { address: string; weight: string }[] };
    expect(list.validators).toHaveLength(4);
    // Human output prints the weight and collateral in FIL with decimals.
    const human = cli(["validator", "list", "--data-dir", dir]);
    expect(human.status).toBe(0);
    expect(human.stdout).toContain(`${v2} weight 10 FIL collateral 10 FIL`);
    expect(json(cli(["validator", "exit", ...l1Only, "--l1-key-file", v2Key]))).toMatchObject({ status: "success" });
    const leaving = json(cli(["validator", "status", v2, ...l1Only]));
    expect(leaving).toMatchObject({ active: true, pending: "exit", totalWeight: String(40n * FIL) });
    // The exit delay is 120 s from the request; the devnet L1's clock runs on (a block a second)
    // while the CLI starts, so a few of them may have passed already.
    expect(Number(leaving.lockedForSec)).toBeGreaterThanOrEqual(90);
    expect(Number(leaving.lockedForSec)).toBeLessThanOrEqual(240);
    const tooSoon = cli(["validator", "withdraw", ...l1Only, "--l1-key-file", v2Key]);
    expect(tooSoon.status).toBe(1);
    expect((JSON.parse(tooSoon.stderr) as { error: { message: string } }).error.message).toMatch(/ExitDelayNotPassed/);

    proc.kill("SIGTERM");
    expect(await exited).toBe(0);
  } finally {
    // SIGTERM first: a SIGKILLed devnet could not stop its L1 child process.
    if (proc.exitCode === null) {
      proc.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (proc.exitCode === null) proc.kill("SIGKILL");
    }
  }
}, 180_000);
