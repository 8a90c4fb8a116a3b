/**
 * A real sequencer process driven by the client SDK over HTTP and WebSocket: assets, identities with
 * a session key, tokens, data assets, a trade, a withdrawal with its proof, subscriptions, and
 * viem's public client reading L2 balances through the eth_* methods.
 */
import { createFilverseClient, type FilverseClient } from "@filverse/client";
import { verifyObjectProof, verifyWithdrawalProof } from "@filverse/state";
import { Account, Namespace, Withdrawal } from "@filverse/types";
import { fromHex } from "@filverse/utils";
import { createPublicClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DevAccount, initDevnet, type RunningNode, startSequencer, tempDir, waitFor } from "./helpers.js";

const CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
const PIECE = "baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq";

let tmp: ReturnType<typeof tempDir>;
let node: RunningNode;
let accounts: DevAccount[];
let chainId: number;
let alice: FilverseClient;
let bob: FilverseClient;

beforeAll(async () => {
  tmp = tempDir("e2e");
  ({ accounts, chainId } = initDevnet(tmp.dir));
  node = await startSequencer(tmp.dir);
  alice = createFilverseClient({ url: node.url, account: privateKeyToAccount(accounts[0]!.privateKey) });
  bob = createFilverseClient({ url: node.wsUrl, account: privateKeyToAccount(accounts[1]!.privateKey) });
  // The dev faucet's deposits land in the first block.
  await waitFor(
    async () => BigInt((await alice.getAccount({ address: accounts[0]!.address })).balance) > 0n,
    20_000,
    "dev funds",
  );
}, 60_000);

afterAll(async () => {
  await alice?.close();
  await bob?.close();
  const code = await node?.stop();
  tmp?.cleanup();
  expect(code).toBe(0);
});

describe("sequencer end to end", () => {
  it("serves chain id and balances to viem's public client (eth_*)", async () => {
    const viem = createPublicClient({ transport: http(node.url) });
    expect(await viem.getChainId()).toBe(chainId);
    expect(await viem.getBalance({ address: accounts[2]!.address })).toBeGreaterThan(0n);
    expect(await viem.getBlockNumber()).toBeGreaterThanOrEqual(1n);
  });

  it("collections, mints, transfers and paged ownership, over HTTP and WebSocket", async () => {
    const col = await alice.createCollection({
      name: "E2E",
      symbol: "E2E",
      royaltyBps: 1000,
      maxSupply: 50,
      metadataMutable: true,
    });
    const mint = await alice.batchMintAssets({
      collectionId: col.collectionId,
      firstTokenId: 1,
      to: accounts[0]!.address,
      contentCids: [CID, CID, CID],
    });
    const xfer = await alice.transferAsset({ collectionId: col.collectionId, tokenId: 3, to: accounts[1]!.address });
    // bob is on WebSocket: waitForTransaction uses the txStatus subscription.
    const status = await bob.waitForTransaction(xfer.hash, { timeoutMs: 20_000 });
    expect(status).toMatchObject({ status: "sequenced", result: "success" });
    expect((await alice.getTransactionStatus({ hash: mint.hash })).result).toBe("success");
    expect(await bob.getAsset({ collectionId: col.collectionId, tokenId: 3 })).toMatchObject({
      owner: accounts[1]!.address.toLowerCase(),
      contentCid: CID,
    });
    const page1 = await alice.getAssetsByOwner({ owner: accounts[0]!.address, limit: 1 });
    expect(page1.assets).toHaveLength(1);
    const page2 = await alice.getAssetsByOwner({ owner: accounts[0]!.address, limit: 1, cursor: page1.nextCursor! });
    expect(page2.assets[0]!.tokenId).not.toBe(page1.assets[0]!.tokenId);
    const receipt = await alice.getTransactionReceipt({ hash: xfer.hash });
    expect(receipt).toMatchObject({ status: 1, code: 0 });
    const block = await alice.getBlockByNumber({ blockNumber: BigInt(receipt!.blockNumber), full: true });
    expect(block!.hash).toBe(receipt!.blockHash);
  });

  it("an identity, a DID document, and a session key acting for its owner", async () => {
    const session = privateKeyToAccount(`0x${"5e".repeat(32)}`);
    const id = await alice.createIdentity({ handle: "e2e_alice", profileCid: CID });
    await alice.waitForTransaction((await alice.transfer({ to: session.address, amount: 10n ** 17n })).hash);
    const del = await alice.addDelegate({
      identityId: id.identityId,
      delegate: session.address,
      scope: 3,
      expiresAt: Math.floor(Date.now() / 1000) + 600,
    });
    expect((await alice.waitForTransaction(del.hash)).result).toBe("success");
    const asSession = createFilverseClient({ url: node.url, account: session });
    const attr = await asSession.setAttribute({
      identityId: id.identityId,
      key: "game.level",
      value: "9",
      expiresAt: 0,
    });
    expect((await asSession.waitForTransaction(attr.hash)).result).toBe("success");
    const identity = await bob.getIdentity({ handle: "e2e_alice" });
    expect(identity).toMatchObject({ id: id.identityId, handle: "e2e_alice" });
    expect((identity as unknown as { attributes: unknown[] }).attributes).toEqual([
      expect.objectContaining({ key: "game.level", value: "9", active: true }),
    ]);
    const doc = await bob.resolveDid({ did: `did:filverse:${chainId}:e2e_alice` });
    expect(doc).toMatchObject({ id: `did:filverse:${chainId}:e2e_alice` });
    expect((doc as unknown as { verificationMethod: unknown[] }).verificationMethod).toHaveLength(2);
    await asSession.close();
  });

  it("social tokens, data assets with grants, and a trade paying royalties", async () => {
    const token = await alice.createToken({ name: "Alice Coin", symbol: "ALC", decimals: 18, cap: 10n ** 24n });
    await alice.mintToken({ tokenId: token.tokenId, to: accounts[1]!.address, amount: 1000n });
    const t = await bob.transferToken({ tokenId: token.tokenId, to: accounts[2]!.address, amount: 400n });
    expect((await bob.waitForTransaction(t.hash)).result).toBe("success");
    expect((await alice.getTokenBalance({ tokenId: token.tokenId, holder: accounts[1]!.address })).balance).toBe("600");

    const data = await alice.registerDataAsset({ contentCid: CID, pieceCid: PIECE, size: 4096, license: "CC-BY-4.0" });
    const grant = await alice.grantAccess({
      dataAssetId: data.dataAssetId,
      grantee: accounts[1]!.address,
      expiresAt: Math.floor(Date.now() / 1000) + 600,
    });
    expect((await alice.waitForTransaction(grant.hash)).result).toBe("success");
    expect(await alice.getDataAsset({ dataAssetId: data.dataAssetId })).toMatchObject({
      pieceCid: PIECE,
      size: "4096",
    });

    const col = await alice.createCollection({
      name: "Art",
      symbol: "ART",
      royaltyBps: 1000,
      maxSupply: 5,
      metadataMutable: false,
    });
    await alice.mintAsset({ collectionId: col.collectionId, tokenId: 1, to: accounts[1]!.address, contentCid: CID });
    const order = await bob.signOrder({ side: 0, collectionId: col.collectionId, tokenId: 1, price: 10n ** 18n });
    const carol = createFilverseClient({ url: node.url, account: privateKeyToAccount(accounts[2]!.privateKey) });
    const before = BigInt((await alice.getAccount({ address: accounts[0]!.address })).balance);
    const fill = await carol.fillOrder(order);
    expect((await carol.waitForTransaction(fill.hash)).result).toBe("success");
    const after = BigInt((await alice.getAccount({ address: accounts[0]!.address })).balance);
    expect(after - before).toBe(10n ** 17n); // the creator's 10% royalty
    expect(await carol.getAsset({ collectionId: col.collectionId, tokenId: 1 })).toMatchObject({
      owner: accounts[2]!.address.toLowerCase(),
    });
    await carol.close();
  });

  it("a withdrawal and an account have proofs that verify against a sealed header", async () => {
    const w = await alice.withdraw({ l1Recipient: accounts[3]!.address, amount: 12345n });
    const status = await alice.waitForTransaction(w.hash);
    const n = BigInt(status.blockNumber!);
    const header = (await alice.getBlockByNumber({ blockNumber: n }))!.header as { stateRoot: `0x${string}` };
    const wp = (await alice.getProof({ namespace: "Withdrawal", id: "0x00", blockNumber: n })) as Record<
      string,
      unknown
    >;
    const withdrawal = Withdrawal.fromJson(wp.withdrawal);
    expect(withdrawal.amount).toBe(12345n);
    const proof = {
      withdrawal,
      siblings: (wp.siblings as string[]).map((s) => fromHex(s)),
      objectsRoot: fromHex(wp.objectsRoot as string),
    };
    expect(verifyWithdrawalProof(fromHex(header.stateRoot), proof)).toBe(true);

    const ap = (await alice.getProof({ namespace: "Account", id: accounts[0]!.address, blockNumber: n })) as Record<
      string,
      any
    >;
    const objectProof = {
      ns: Namespace.Account,
      id: fromHex(ap.id),
      value: Account.fromJson(ap.value),
      proof: {
        key: fromHex(ap.proof.key),
        siblings: ap.proof.siblings.map((s: string) => fromHex(s)),
        leaf: ap.proof.leaf && { key: fromHex(ap.proof.leaf.key), valueHash: fromHex(ap.proof.leaf.valueHash) },
      },
      withdrawalsRoot: fromHex(ap.withdrawalsRoot),
    };
    expect(verifyObjectProof(fromHex(header.stateRoot), objectProof)).toBe(true);
    expect(
      verifyObjectProof(fromHex(header.stateRoot), {
        ...objectProof,
        value: { ...objectProof.value, balance: objectProof.value.balance + 1n },
      }),
    ).toBe(false);
  });

  it("newHeads arrive over WebSocket", async () => {
    const heads: unknown[] = [];
    const unwatch = await bob.watchBlocks((b) => heads.push(b));
    await alice.transfer({ to: accounts[4]!.address, amount: 1n });
    await waitFor(async () => heads.length > 0, 10_000, "a newHeads notification");
    await unwatch();
    expect(heads[0]).toMatchObject({ hash: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
    // The head carries its transaction hashes.
    expect((heads as { transactions: string[] }[]).some((h) => h.transactions.length > 0)).toBe(true);
  });
});
