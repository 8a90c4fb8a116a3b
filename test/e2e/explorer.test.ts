/**
 * The web explorer in a real browser: Debian's Chromium (headless, driven by playwright-core) against
 * a real sequencer process on 127.0.0.1 that real signed transactions go to. The home page shows the
 * head and a new transfer without a reload, search finds a transaction and a handle, the block page
 * lists the transaction, an asset page shows its owner after a transfer, an account page its tokens,
 * and a stopped node gives a clear message. Screenshots of each page go to test/e2e/artifacts/explorer/ (not committed).
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createFilverseClient, type FilverseClient, sponsored } from "@filverse/client";
import { type Browser, chromium, type Page } from "playwright-core";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevAccount, initDevnet, type RunningNode, startSequencer, tempDir, waitFor } from "./helpers.js";

/** Debian's package (`apt-get install chromium`, which .ci/run does), or FILVERSE_CHROMIUM. */
const CHROMIUM = process.env.FILVERSE_CHROMIUM ?? "/usr/bin/chromium";
const ARTIFACTS = fileURLToPath(new URL("./artifacts/explorer/", import.meta.url));
const CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

let tmp: ReturnType<typeof tempDir>;
let node: RunningNode;
let accounts: DevAccount[];
let browser: Browser;
let page: Page;
let alice: FilverseClient;

const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

// Skipped only off CI when the browser is missing; under CI (which installs it) a missing browser fails.
describe.skipIf(!existsSync(CHROMIUM) && process.env.CI === undefined)("explorer in headless Chromium", () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    tmp = tempDir("explorer");
    ({ accounts } = initDevnet(tmp.dir));
    node = await startSequencer(tmp.dir);
    alice = createFilverseClient({ url: node.url, account: privateKeyToAccount(accounts[0]!.privateKey) });
    await waitFor(
      async () => BigInt((await alice.getAccount({ address: accounts[0]!.address })).balance) > 0n,
      20_000,
      "dev funds",
    );
    // Root in a container has no user namespace for Chromium's sandbox; the page is our own.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await alice?.close();
    const code = await node?.stop();
    tmp?.cleanup();
    if (node) expect(code).toBe(0);
  });

  it("the home page shows the head, and a transfer appears within 2 s without a reload", async () => {
    await page.goto(`${node.url}/`);
    await page.waitForSelector("#stat-head a", { timeout: 10_000 });
    const head = Number(await alice.getBlockNumber());
    const shown = Number((await page.textContent("#stat-head a"))!.replace("#", ""));
    expect(shown).toBeGreaterThanOrEqual(head);
    await page.waitForSelector("#stat-live .badge.ok", { timeout: 10_000 });

    const { hash } = await alice.transfer({ to: accounts[1]!.address, amount: 12345n });
    await alice.waitForTransaction(hash);
    await page.waitForSelector(`#latest-txs [title="${hash}"]`, { timeout: 2_000 });
    await shot("home");
  }, 30_000);

  it("search finds a transaction, and its block page lists it", async () => {
    const { hash } = await alice.transfer({ to: accounts[2]!.address, amount: 1n });
    const done = await alice.waitForTransaction(hash);
    await page.fill("#search", hash);
    await page.press("#search", "Enter");
    await page.waitForSelector("#tx-status", { timeout: 5_000 });
    expect(await page.textContent("#tx-status")).toBe("sequenced");
    expect(await page.getAttribute("#tx-stage", "data-stage")).toBe("sequenced");
    await shot("transaction");
    await page.click(`a[href="#/block/${done.blockNumber}"]`);
    await page.waitForSelector(`#block-txs [title="${hash}"]`, { timeout: 5_000 });
    expect(await page.textContent("#block-txs")).toContain("Transfer");
    await shot("block");
  }, 30_000);

  it("searching a handle opens the identity with its DID document", async () => {
    const handle = `alice_${Date.now().toString(36)}`;
    const made = await alice.createIdentity({ handle, profileCid: CID });
    // A delegate and an attribute: the page and the DID document list them (the node's database indexes).
    const del = await alice.addDelegate({
      identityId: made.identityId,
      delegate: accounts[3]!.address,
      scope: 3,
      expiresAt: Math.floor(Date.now() / 1000) + 3600,
    });
    const attr = await alice.setAttribute({
      identityId: made.identityId,
      key: "site",
      value: "https://x.example",
      expiresAt: 0,
    });
    for (const h of [made.hash, del.hash, attr.hash])
      expect((await alice.waitForTransaction(h)).result).toBe("success");
    await page.fill("#search", `@${handle}`);
    await page.press("#search", "Enter");
    await page.waitForSelector("#did-document", { timeout: 5_000 });
    expect(await page.textContent("#identity-handle")).toBe(`@${handle}`);
    const chainId = await alice.getChainId();
    expect(await page.textContent("#did-document")).toContain(`did:filverse:${chainId}:${handle}`);
    expect(await page.textContent("#did-document")).toContain(
      `eip155:${chainId}:${accounts[3]!.address.toLowerCase()}`,
    );
    expect(await page.textContent("#did-document")).toContain("https://x.example");
    expect(await page.textContent("main")).toContain("site");
    await shot("identity");
  }, 30_000);

  it("an asset page shows its owner after a transfer and a trade; the account pages list it all", async () => {
    const made = await alice.createCollection({
      name: "Explorer Test",
      symbol: "EXT",
      royaltyBps: 250,
      maxSupply: 10,
      metadataMutable: false,
    });
    const mint = await alice.mintAsset({
      collectionId: made.collectionId,
      tokenId: 1,
      to: alice.address!,
      contentCid: CID,
    });
    const moved = await alice.transferAsset({ collectionId: made.collectionId, tokenId: 1, to: accounts[1]!.address });
    // A social token for bob's account page (filverse_getTokensByHolder): 12.5 EXC.
    const token = await alice.createToken({ name: "Explorer Coin", symbol: "EXC", decimals: 2, cap: 10n ** 9n });
    const minted = await alice.mintToken({ tokenId: token.tokenId, to: accounts[1]!.address, amount: 1250n });
    for (const h of [made.hash, mint.hash, moved.hash, token.hash, minted.hash]) await alice.waitForTransaction(h);
    await page.goto(`${node.url}/#/asset/${made.collectionId}/1`);
    await page.waitForSelector("#asset-owner", { timeout: 5_000 });
    expect(await page.getAttribute("#asset-owner [title]", "title")).toBe(accounts[1]!.address.toLowerCase());

    // Bob sells it to carol for 1 FIL: a signed order, filled by her (a TradeFill, royalty to alice).
    const bob = createFilverseClient({ url: node.url, account: privateKeyToAccount(accounts[1]!.privateKey) });
    const carol = createFilverseClient({ url: node.url, account: privateKeyToAccount(accounts[2]!.privateKey) });
    try {
      const signed = await bob.signOrder({ side: 0, collectionId: made.collectionId, tokenId: 1, price: 10n ** 18n });
      const trade = await carol.fillOrder(signed);
      expect((await carol.waitForTransaction(trade.hash)).result).toBe("success");
      // The asset page refreshes by itself: carol owns it now.
      await page.waitForSelector(`#asset-owner [title="${accounts[2]!.address.toLowerCase()}"]`, { timeout: 10_000 });
      await shot("asset");
      await page.goto(`${node.url}/#/collection/${made.collectionId}`);
      await page.waitForSelector("#collection-assets", { timeout: 5_000 });
      await shot("collection");
      // Bob's page: the transfer that made him the owner and the trade he made as the order's maker.
      await page.goto(`${node.url}/#/address/${accounts[1]!.address.toLowerCase()}`);
      await page.waitForSelector("#account-balance", { timeout: 5_000 });
      await page.waitForSelector(`#account-txs [title="${trade.hash}"]`, { timeout: 5_000 });
      await page.waitForSelector(`#account-txs [title="${moved.hash}"]`, { timeout: 5_000 });
      expect(await page.textContent("#account-txs")).toContain("TradeFill");
      await page.waitForSelector(`#account-tokens a[href="#/token/${token.tokenId}"]`, { timeout: 5_000 });
      expect(await page.textContent("#account-tokens")).toMatch(/Explorer Coin.*12\.5 EXC/);
      await shot("account");
      // The trade's page decodes the order, its maker linked.
      await page.goto(`${node.url}/#/tx/${trade.hash}`);
      await page.waitForSelector("#tx-status", { timeout: 5_000 });
      await page.waitForSelector(`main a[href="#/address/${accounts[1]!.address.toLowerCase()}"]`, { timeout: 5_000 });
      await page.waitForSelector(`main a[href="#/asset/${made.collectionId}/1"]`, { timeout: 5_000 });
      await shot("trade");
    } finally {
      await bob.close();
      await carol.close();
    }
    // The creator's page lists the collection (filverse_getCollectionsByCreator).
    await page.goto(`${node.url}/#/address/${accounts[0]!.address.toLowerCase()}`);
    await page.waitForSelector(`a[href="#/collection/${made.collectionId}"]`, { timeout: 5_000 });
  }, 40_000);

  it("a sponsored transaction's page names its sponsor, and the allowance's page its kinds in words", async () => {
    const key = generatePrivateKey();
    const newcomer = privateKeyToAccount(key).address.toLowerCase() as `0x${string}`;
    const allowance = await alice.sponsorFees({ grantee: newcomer, totalBudget: 10n ** 15n, kinds: ["Transfer"] });
    await alice.waitForTransaction({ hash: allowance.hash, status: "sequenced" });
    const guest = createFilverseClient({ url: node.url, account: sponsored(key, accounts[0]!.address) });
    try {
      const sent = await guest.transfer({ to: accounts[1]!.address, amount: 0n });
      await guest.waitForTransaction({ hash: sent.hash, status: "sequenced" });
      await page.goto(`${node.url}/#/tx/${sent.hash}`);
      await page.waitForSelector("#tx-status", { timeout: 5_000 });
      await page.locator("main", { hasText: "Fee paid by" }).waitFor({ timeout: 5_000 });
      const text = (await page.textContent("main")) ?? "";
      expect(text).toContain("ViaTransfer");
      expect(text).toContain("sponsor, from its fee allowance");
      expect(text).toContain("Message (Transfer)");
      await page.waitForSelector(`main a[href="#/address/${accounts[0]!.address.toLowerCase()}"]`, { timeout: 5_000 });
      await shot("sponsored");
      await page.goto(`${node.url}/#/tx/${allowance.hash}`);
      await page.locator("main", { hasText: "FeeAllowanceSet" }).waitFor({ timeout: 5_000 });
      expect(await page.textContent("main")).toMatch(/kinds\s*Transfer/);
    } finally {
      await guest.close();
    }
  }, 40_000);

  it("a collection page lists token ids beyond 100 in numeric order, a page at a time", async () => {
    const made = await alice.createCollection({
      name: "Wide Ids",
      symbol: "WID",
      royaltyBps: 0,
      maxSupply: 10_000,
      metadataMutable: false,
    });
    await alice.waitForTransaction(made.hash);
    // 52 assets, minted out of order: the first page (50) ends at #148; "more" brings #149 and #1000.
    const tokenIds = [1000, 7, ...Array.from({ length: 50 }, (_, i) => 100 + i)];
    const hashes: string[] = [];
    for (const tokenId of tokenIds) {
      hashes.push(
        (await alice.mintAsset({ collectionId: made.collectionId, tokenId, to: alice.address!, contentCid: CID })).hash,
      );
    }
    for (const h of hashes) expect((await alice.waitForTransaction(h as `0x${string}`)).result).toBe("success");
    const listed = await alice.getAssetsByCollection({ collectionId: made.collectionId, limit: 50 });
    expect(listed!.assets.map((a) => a.tokenId)).toEqual([
      "7",
      ...Array.from({ length: 49 }, (_, i) => String(100 + i)),
    ]);

    await page.goto(`${node.url}/#/collection/${made.collectionId}`);
    await page.waitForSelector("#collection-assets-more", { timeout: 5_000 });
    const link = (t: number) => `#collection-assets a[href="#/asset/${made.collectionId}/${t}"]`;
    expect(await page.$(link(148))).not.toBeNull();
    expect(await page.$(link(1000))).toBeNull();
    await page.click("#collection-assets-more");
    await page.waitForSelector(link(1000), { timeout: 5_000 });
    expect(await page.$("#collection-assets-more")).toBeNull();
    const shown = await page.$$eval("#collection-assets tbody td:first-child a", (as) => as.map((a) => a.textContent));
    expect(shown).toEqual(["#7", ...Array.from({ length: 50 }, (_, i) => `#${100 + i}`), "#1000"]);
    await shot("collection-paged");
  }, 60_000);

  it("the bridge page lists the deposits that funded the dev accounts; checkpoints say why there are none", async () => {
    await page.goto(`${node.url}/#/bridge`);
    await page.waitForSelector("#bridge-deposits", { timeout: 5_000 });
    expect(await page.textContent("#bridge-deposits")).toContain(accounts[0]!.address.toLowerCase().slice(0, 8));
    // It says which blocks it read: all of them on this young chain, so there is nothing earlier to read.
    expect(await page.textContent("main")).toMatch(/Deposits credited in blocks #1 to #\d+/);
    expect(await page.$("#bridge-earlier")).toBeNull();
    await shot("bridge");
    // The README's picture: the home page after the transactions above, small.
    const small = await browser.newPage({ viewport: { width: 1000, height: 640 } });
    try {
      await small.goto(`${node.url}/`);
      await small.waitForSelector("#latest-txs", { timeout: 5_000 });
      await small.screenshot({ path: join(ARTIFACTS, "home-readme.png") });
    } finally {
      await small.close();
    }
    await page.goto(`${node.url}/#/checkpoints`);
    await page.waitForSelector("main .empty", { timeout: 5_000 });
    expect(await page.textContent("main")).toContain("no L1 rollup");
    await shot("checkpoints");
  }, 30_000);

  it("reads well on a phone", async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    try {
      await phone.goto(`${node.url}/`);
      await phone.waitForSelector("#stat-head a", { timeout: 10_000 });
      // Nothing is wider than the screen: no sideways scrolling of the whole page.
      const overflow = await phone.evaluate<number>("document.documentElement.scrollWidth - window.innerWidth");
      expect(overflow).toBeLessThanOrEqual(0);
      await phone.screenshot({ path: join(ARTIFACTS, "home-phone.png"), fullPage: true });
    } finally {
      await phone.close();
    }
  }, 30_000);

  it("says clearly that the node is unreachable once it stops", async () => {
    await page.goto(`${node.url}/`);
    await page.waitForSelector("#stat-head a", { timeout: 10_000 });
    expect(await node.stop()).toBe(0);
    await page.fill("#search", "1");
    await page.press("#search", "Enter");
    await page.waitForSelector("#node-unreachable", { timeout: 10_000 });
    expect(await page.textContent("#node-unreachable")).toContain("not answering");
    await shot("unreachable");
  }, 30_000);
});
