/**
 * The explorer with a real L1 (hardhat, the rollup and the bridge deployed): a withdrawal's page in
 * headless Chromium goes through its stages, sequenced → checkpointed (in the challenge window, with
 * the checkpoint that carries it and its signer) → claimable (ready to finalize on L1) → finalized
 * (paid by the L1 bridge, once finalizeWithdrawal is sent), refreshing by itself; the bridge page lists
 * the withdrawal, paid; and the checkpoints page lists the checkpoint with its L1 transaction and signers. Screenshots go to
 * test/e2e/artifacts/explorer/ (not committed).
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createFilverseClient } from "@filverse/client";
import { type LocalL1, loadArtifact } from "@filverse/l1";
import { type Browser, chromium } from "playwright-core";
import { createWalletClient, http } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, expect, it } from "vitest";
import { type RunningNode, setupL1Chain, startSequencer, tempDir, waitFor } from "./helpers.js";

const CHROMIUM = process.env.FILVERSE_CHROMIUM ?? "/usr/bin/chromium";
const ARTIFACTS = fileURLToPath(new URL("./artifacts/explorer/", import.meta.url));
const FIL = 10n ** 18n;
const WINDOW = 600;
const tmp = tempDir("explorerl1");
let l1: LocalL1 | null = null;
let node: RunningNode | null = null;
let browser: Browser | null = null;

afterAll(async () => {
  await browser?.close();
  await node?.stop();
  await l1?.stop();
  tmp.cleanup();
});

// Skipped only off CI when the browser is missing; under CI (which installs it) a missing browser fails.
it.skipIf(!existsSync(CHROMIUM) && process.env.CI === undefined)(
  "a withdrawal's page goes through its stages up to finalized",
  async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const net = await setupL1Chain(tmp.dir, {
      challengeWindowSec: WINDOW,
      exitDelaySec: WINDOW,
      forceInclusionDelaySec: 3_600,
    });
    l1 = net.l1;
    const { clients, testClient, deployer, bridge } = net;
    const chain = clients.walletClient.chain;
    node = await startSequencer(tmp.dir);
    const alice = privateKeyToAccount(generatePrivateKey());
    const deposit = await clients.walletClient.writeContract({
      account: deployer,
      address: bridge,
      abi: loadArtifact("FilverseBridge").abi,
      functionName: "deposit",
      args: [alice.address],
      value: 10n * FIL,
      chain,
    });
    await clients.publicClient.waitForTransactionReceipt({ hash: deposit });
    const l2 = createFilverseClient({ url: node.url, account: alice });
    await waitFor(
      async () => BigInt((await l2.getAccount({ address: alice.address })).balance) === 10n * FIL,
      30_000,
      "the deposit on L2",
    );
    const { hash } = await l2.withdraw({ l1Recipient: alice.address, amount: 4n * FIL, fee: 0n });
    await l2.waitForTransaction(hash, { timeoutMs: 30_000 });

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${node.url}/#/tx/${hash}`);
    await page.waitForSelector("#withdrawal-stage", { timeout: 10_000 });

    // More blocks close the checkpoint that covers the withdrawal (interval 2); the page follows.
    for (let i = 0; i < 3; i++)
      await l2.waitForTransaction((await l2.transfer({ to: deployer, amount: 1n, fee: 0n })).hash);
    await l2.waitForTransaction(hash, { status: "checkpointed", timeoutMs: 30_000 });
    await page.waitForSelector('#tx-stage[data-stage="checkpointed"]', { timeout: 15_000 });
    await page.waitForSelector('#withdrawal-stage:has-text("challenge window")', { timeout: 15_000 });
    expect(await page.textContent("main")).toMatch(/L1 transaction\s*0x[0-9a-f]{64}/);
    await page.screenshot({ path: join(ARTIFACTS, "withdrawal-checkpointed.png"), fullPage: true });

    await testClient.increaseTime({ seconds: WINDOW + 1 });
    await testClient.mine({ blocks: 1 });
    await l2.waitForTransaction(hash, { status: "finalized", timeoutMs: 30_000 });
    await page.waitForSelector('#tx-stage[data-stage="finalized"]', { timeout: 15_000 });
    await page.waitForSelector('#withdrawal-stage:has-text("ready to finalize")', { timeout: 15_000 });
    // The checkpoint that carries it is read again when the stage moves: now final, with its signer.
    await page.waitForSelector('main:has-text("Final on L1yes")', { timeout: 15_000 });
    expect(await page.textContent("main")).toMatch(/Signed by\s*1 signer, 100\.0% of the weight/);
    await page.screenshot({ path: join(ARTIFACTS, "withdrawal-claimable.png"), fullPage: true });

    // Alice finalizes it on the L1 bridge: the page reads the bridge and says it is paid.
    await testClient.setBalance({ address: alice.address, value: FIL });
    const walletClient = createWalletClient({ account: alice, chain, transport: http(net.l1.url) });
    const fin = await l2.finalizeWithdrawal({ hash, walletClient, bridge });
    expect((await clients.publicClient.waitForTransactionReceipt({ hash: fin.hash })).status).toBe("success");
    await page.waitForSelector('#withdrawal-stage:has-text("paid on L1")', { timeout: 15_000 });
    expect(await page.getAttribute("#withdrawal-stages", "data-stage")).toBe("finalized");
    await page.screenshot({ path: join(ARTIFACTS, "withdrawal-finalized.png"), fullPage: true });

    // The bridge page lists alice's withdrawal, paid.
    await page.goto(`${node.url}/#/bridge/${alice.address.toLowerCase()}`);
    await page.waitForSelector(`#bridge-withdrawals [title="${hash}"]`, { timeout: 10_000 });
    expect(await page.textContent("#bridge-withdrawals")).toContain("paid on L1");
    await page.screenshot({ path: join(ARTIFACTS, "bridge-withdrawals.png"), fullPage: true });
    // On a phone the withdrawals and the checkpoints (with their signers) fit the screen's width.
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    for (const [route, selector, name] of [
      [`bridge/${alice.address.toLowerCase()}`, "#bridge-withdrawals", "bridge-withdrawals-phone"],
      ["checkpoints", "#checkpoints", "checkpoints-phone"],
    ] as const) {
      await phone.goto(`${node.url}/#/${route}`);
      await phone.waitForSelector(selector, { timeout: 10_000 });
      expect(
        await phone.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth"),
      ).toBeLessThanOrEqual(0);
      await phone.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    }
    await phone.close();

    await page.goto(`${node.url}/#/checkpoints`);
    await page.waitForSelector("#checkpoints .badge.ok", { timeout: 10_000 });
    expect(await page.textContent("#checkpoints")).toContain("final");
    expect(await page.textContent("#checkpoints")).toContain("1 signer · 100.0%");
    await page.screenshot({ path: join(ARTIFACTS, "checkpoints-l1.png"), fullPage: true });
    await l2.close();
  },
  120_000,
);
