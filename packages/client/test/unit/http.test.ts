/** Real HTTP round trips against a tiny JSON-RPC node: every write action, the nonce cursor, errors, waiting. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { collectionIdOf, dataAssetIdOf, identityIdOf, tokenIdOf } from "@filverse/crypto";
import { encodeSignedTx, RpcErrorCode, signedTxFromJson } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFilverseClient } from "../../src/createFilverseClient.js";
import {
  ClientErrorCode,
  FeeTooLowError,
  NotPreconfirmedError,
  RateLimitedError,
  TransportError,
  TransportErrorCode,
} from "../../src/errors.js";
import { createHttpTransport } from "../../src/transport/http.js";
import { alice, BOB, bob, CHAIN_ID, COLLECTION_ID, inputs, walletProvider } from "./fixtures.js";
import { rawServer, TestNode } from "./testNode.js";

let node: TestNode;
beforeEach(async () => {
  node = await new TestNode().start();
});
afterEach(async () => {
  await node.stop();
});

describe("writes over HTTP", () => {
  it("sends every kind through its named action; the node validates each; nonces count up from pendingNonce", async () => {
    const client = createFilverseClient({ url: node.url, account: alice });
    const maker = createFilverseClient({ url: node.url, account: bob });
    const me = fromHex(alice.address);

    const results: { nonce: number; hash: string }[] = [];
    results.push(await client.transfer(inputs.Transfer));
    results.push(await client.withdraw(inputs.Withdraw));
    const collection = await client.createCollection(inputs.CollectionCreate);
    expect(collection.collectionId).toBe(toHex(collectionIdOf(me, collection.nonce)));
    results.push(collection);
    results.push(await client.mintAsset({ ...inputs.AssetMint, collectionId: collection.collectionId }));
    results.push(await client.batchMintAssets(inputs.AssetBatchMint));
    results.push(await client.transferAsset(inputs.AssetTransfer));
    results.push(await client.burnAsset(inputs.AssetBurn));
    results.push(await client.updateAssetMetadata(inputs.AssetMetadataUpdate));
    results.push(await client.approveAsset(inputs.AssetApprove));
    results.push(await client.setOperator(inputs.OperatorSet));
    const token = await client.createToken(inputs.TokenCreate);
    expect(token.tokenId).toBe(toHex(tokenIdOf(me, token.nonce)));
    results.push(token);
    results.push(await client.mintToken({ ...inputs.TokenMint, tokenId: token.tokenId }));
    results.push(await client.transferToken(inputs.TokenTransfer));
    results.push(await client.burnToken(inputs.TokenBurn));
    const identity = await client.createIdentity(inputs.IdentityCreate);
    expect(identity.identityId).toBe(toHex(identityIdOf(me, identity.nonce)));
    results.push(identity);
    results.push(await client.updateIdentity(inputs.IdentityUpdate));
    results.push(await client.setAttribute(inputs.AttributeSet));
    results.push(await client.removeAttribute(inputs.AttributeRemove));
    results.push(await client.addDelegate(inputs.DelegateAdd));
    results.push(await client.revokeDelegate(inputs.DelegateRevoke));
    results.push(await client.transferIdentity(inputs.IdentityTransfer));
    const data = await client.registerDataAsset(inputs.DataAssetRegister);
    expect(data.dataAssetId).toBe(toHex(dataAssetIdOf(me, data.nonce)));
    results.push(data);
    results.push(await client.grantAccess(inputs.AccessGrant));
    results.push(await client.revokeAccess(inputs.AccessRevoke));
    const signed = await maker.signOrder({ side: 0, collectionId: COLLECTION_ID, tokenId: 1, price: 10n ** 18n });
    results.push(await client.fillOrder(signed));
    const own = await client.signOrder({ side: 1, collectionId: COLLECTION_ID, tokenId: 2, price: "1" });
    results.push(await client.cancelOrder({ order: own.order }));

    expect(results.map((r) => r.nonce)).toEqual([...Array(26).keys()]);
    expect(node.accepted.map((a) => a.hash)).toEqual(results.map((r) => r.hash));
    expect(new Set(node.accepted.map((a) => a.primaryType)).size).toBe(26);
    expect(node.accepted.every((a) => a.sender === alice.address.toLowerCase())).toBe(true);
    // The chain id is read once per client (alice's and the maker's); pendingNonce once (the cursor
    // does the rest); the fee once per send.
    expect(node.count("filverse_chainId")).toBe(2);
    expect(node.count("filverse_getAccount")).toBe(1);
    expect(node.count("filverse_estimateFee")).toBe(26);
    expect(node.calls.find((c) => c.method === "filverse_estimateFee")?.params).toEqual([{ primaryType: "Transfer" }]);
  });

  it("back-to-back concurrent sends get distinct consecutive nonces", async () => {
    const client = createFilverseClient({ url: node.url, account: alice, chainId: CHAIN_ID });
    const sent = await Promise.all(
      Array.from({ length: 12 }, (_, i) => client.transfer({ to: BOB, amount: BigInt(i + 1), fee: 1 })),
    );
    expect(sent.map((s) => s.nonce).sort((a, b) => a - b)).toEqual([...Array(12).keys()]);
    expect(node.accepted).toHaveLength(12);
    expect(node.count("filverse_getAccount")).toBe(1);
  });

  it("with an EIP-1193 provider too", async () => {
    const provider = walletProvider(alice);
    const client = createFilverseClient({ url: node.url, account: provider, address: alice.address });
    const a = await client.createCollection(inputs.CollectionCreate);
    const b = await client.mintAsset({ ...inputs.AssetMint, collectionId: a.collectionId });
    expect([a.nonce, b.nonce]).toEqual([0, 1]);
    expect(provider.calls).toBe(2);
    expect(node.accepted.map((x) => x.hash)).toEqual([a.hash, b.hash]);
  });

  it("resyncs the cursor on NONCE_TOO_LOW and retries once with the node's pendingNonce", async () => {
    const client = createFilverseClient({ url: node.url, account: alice, chainId: CHAIN_ID });
    const other = createFilverseClient({ url: node.url, account: alice, chainId: CHAIN_ID });
    expect((await client.transfer(inputs.Transfer)).nonce).toBe(0);
    // Another wallet instance with the same key uses nonces 1 and 2 behind this client's back.
    expect((await other.transfer(inputs.Transfer)).nonce).toBe(1);
    expect((await other.transfer(inputs.Transfer)).nonce).toBe(2);
    const third = await client.transfer(inputs.Transfer);
    expect(third.nonce).toBe(3);
    expect(node.calls.filter((c) => c.method === "filverse_sendTransaction")).toHaveLength(5);
    expect(client.nonceManager.peek(alice.address)).toBe(4);
  });

  it("a rejected send surfaces the typed RPC error and makes the next send re-read the node", async () => {
    const client = createFilverseClient({ url: node.url, account: alice, chainId: CHAIN_ID });
    await client.transfer(inputs.Transfer);
    node.sendErrors.push({ code: RpcErrorCode.FEE_TOO_LOW, message: "Fee too low", data: { minFee: "2000" } });
    const error = await client.transfer(inputs.Transfer).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeeTooLowError);
    expect(error).toMatchObject({
      code: RpcErrorCode.FEE_TOO_LOW,
      shortMessage: "Fee too low",
      data: { minFee: "2000" },
    });
    expect(client.nonceManager.peek(alice.address)).toBeUndefined();
    expect((await client.transfer(inputs.Transfer)).nonce).toBe(1);
    expect(node.count("filverse_getAccount")).toBe(2);
  });

  it("an explicit nonce and fee skip the cursor and the fee estimate", async () => {
    const client = createFilverseClient({ url: node.url, account: alice, chainId: CHAIN_ID });
    const sent = await client.transfer({ ...inputs.Transfer, nonce: 5, fee: "7" });
    expect(sent.nonce).toBe(5);
    expect(node.count("filverse_getAccount")).toBe(0);
    expect(node.count("filverse_estimateFee")).toBe(0);
    expect(client.nonceManager.peek(alice.address)).toBeUndefined();
  });

  it("a node that returns another hash is HASH_MISMATCH", async () => {
    node.overrides.set("filverse_sendTransaction", () => `0x${"99".repeat(32)}`);
    const client = createFilverseClient({ url: node.url, account: alice, chainId: CHAIN_ID });
    await expect(client.transfer(inputs.Transfer)).rejects.toMatchObject({ code: ClientErrorCode.HASH_MISMATCH });
  });

  it("signTransaction + sendSignedTransaction: sign now, submit later", async () => {
    const client = createFilverseClient({ url: node.url, account: alice });
    const signed = await client.signTransaction({ primaryType: "Transfer", message: inputs.Transfer });
    expect(signed.nonce).toBe(0);
    expect(signed.transaction.message.fee).toBe("1000");
    expect(await client.sendSignedTransaction({ transaction: signed.transaction })).toBe(signed.hash);
  });
});

describe("preconfirmations over HTTP", () => {
  const preconfirmationFor = (hash: string) => ({
    hash,
    preconfirmation: {
      number: "7",
      position: 2,
      receiptRoot: `0x${"11".repeat(32)}`,
      touchedRoot: `0x${"22".repeat(32)}`,
      signature: `0x${"33".repeat(65)}`,
    },
    receipt: { status: 1 },
    touched: [],
  });

  it("sendTransactionSync sends the signed transaction and the timeout, and returns the preconfirmation with the hash", async () => {
    node.overrides.set("filverse_sendTransactionSync", (params) => {
      // Admitted as sendTransaction would be: the answer carries the real hash.
      const { result } = node.handle({ id: 0, method: "filverse_sendTransaction", params: [params[0]] });
      return preconfirmationFor(result as string);
    });
    const client = createFilverseClient({ url: node.url, account: alice, chainId: CHAIN_ID });
    const sent = await client.sendTransactionSync({
      primaryType: "Transfer",
      message: inputs.Transfer,
      timeoutMs: 900,
    });
    expect(sent.nonce).toBe(0);
    expect(sent.preconfirmation).toEqual(preconfirmationFor(sent.hash));
    expect(node.calls.find((c) => c.method === "filverse_sendTransactionSync")!.params[1]).toBe(900);
  });

  it("NOT_PRECONFIRMED is NotPreconfirmedError with the status in its data", async () => {
    node.overrides.set("filverse_sendTransactionSync", () => {
      throw {
        code: RpcErrorCode.NOT_PRECONFIRMED,
        message: "No preconfirmation within 5 ms",
        data: { status: "pending" },
      };
    });
    const client = createFilverseClient({ url: node.url, account: alice, chainId: CHAIN_ID });
    const err = await client.sendTransactionSync({ primaryType: "Transfer", message: inputs.Transfer }).catch((e) => e);
    expect(err).toBeInstanceOf(NotPreconfirmedError);
    expect(err.data).toEqual({ status: "pending" });
  });

  it("sendRawTransaction sends SSZ hex; getPreconfirmation asks by hash", async () => {
    const client = createFilverseClient({ url: node.url, account: alice, chainId: CHAIN_ID });
    const signed = await client.signTransaction({ primaryType: "Transfer", message: inputs.Transfer });
    const raw = toHex(encodeSignedTx(signedTxFromJson(signed.transaction)));
    node.overrides.set("filverse_sendRawTransaction", (params) => (params[0] === raw ? signed.hash : "0x"));
    expect(await client.sendRawTransaction({ transaction: signed.transaction })).toBe(signed.hash);
    expect(await client.sendRawTransaction({ raw: fromHex(raw) })).toBe(signed.hash);
    node.overrides.set("filverse_getPreconfirmation", (params) => preconfirmationFor(params[0] as string));
    expect(await client.getPreconfirmation({ hash: signed.hash })).toEqual(preconfirmationFor(signed.hash));
  });
});

describe("reads over HTTP", () => {
  it("send the params of the RPC contract and return the JSON result as it is", async () => {
    const client = createFilverseClient({ url: node.url });
    expect(await client.getChainId()).toBe(CHAIN_ID);
    const account = await client.getAccount({ address: alice.address });
    expect(account).toEqual({ address: alice.address.toLowerCase(), balance: "0", nonce: "0", pendingNonce: "0" });
    expect(node.calls.at(-1)).toEqual({ method: "filverse_getAccount", params: [alice.address.toLowerCase()] });

    node.overrides.set("filverse_getAsset", (params) => ({ params }));
    expect(await client.getAsset({ collectionId: COLLECTION_ID, tokenId: 7n })).toEqual({
      params: [COLLECTION_ID, "7"],
    });
    node.overrides.set("filverse_getBlockByNumber", (params) => ({ params }));
    expect(await client.getBlockByNumber()).toEqual({ params: ["latest", false] });
    expect(await client.getBlockByNumber({ blockNumber: 12, full: true })).toEqual({ params: ["12", true] });
    node.overrides.set("filverse_getIdentity", (params) => ({ params }));
    expect(await client.getIdentity({ handle: "alice_1" })).toEqual({ params: ["alice_1"] });
    node.overrides.set("filverse_getAssetsByOwner", (params) => ({ params }));
    expect(await client.getAssetsByOwner({ owner: BOB, limit: 10 })).toEqual({
      params: [BOB.toLowerCase(), { limit: 10 }],
    });
  });

  it("maps an unknown method to MethodNotFoundRpcError", async () => {
    const client = createFilverseClient({ url: node.url });
    await expect(client.getSyncStatus()).rejects.toMatchObject({
      name: "MethodNotFoundRpcError",
      code: RpcErrorCode.METHOD_NOT_FOUND,
    });
  });
});

describe("HTTP transport errors", () => {
  it("connection refused is TransportError CONNECTION", async () => {
    const closed = await rawServer(() => {});
    await closed.close();
    const client = createFilverseClient({ url: closed.url });
    const error = await client.getBlockNumber().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: TransportErrorCode.CONNECTION });
    expect((error as TransportError).shortMessage).toMatch(
      /Could not reach the node at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
    );
  });

  it("a connection closed without an answer: a read is asked once more on a new connection, a send is not", async () => {
    let seen = 0;
    // Every odd request gets its socket destroyed unanswered (as a node's idle timeout would).
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        seen++;
        if (seen % 2 === 1) {
          req.socket.destroy();
          return;
        }
        const { id } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { id: number };
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ jsonrpc: "2.0", id, result: "7" }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const flaky = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
    try {
      const transport = createHttpTransport(flaky.url);
      expect(await transport.request("filverse_blockNumber", [])).toBe("7");
      expect(seen).toBe(2);
      const error = await transport.request("filverse_sendRawTransaction", ["0x00"]).catch((e: unknown) => e);
      expect(seen).toBe(3);
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({ code: TransportErrorCode.CONNECTION });
      expect((error as TransportError).shortMessage).toContain("UND_ERR_SOCKET");
    } finally {
      await flaky.close();
    }
  });

  it("a silent node is TransportError TIMEOUT", async () => {
    const silent = await rawServer(() => {});
    try {
      const client = createFilverseClient({ url: silent.url, timeoutMs: 100 });
      await expect(client.getBlockNumber()).rejects.toMatchObject({
        code: TransportErrorCode.TIMEOUT,
        shortMessage: "The request timed out after 100 ms",
      });
    } finally {
      await silent.close();
    }
  });

  it("a non-JSON 5xx is HTTP_STATUS; a 429 with a JSON-RPC error body is the typed RPC error", async () => {
    const broken = await rawServer((res) => {
      res.writeHead(502, "Bad Gateway");
      res.end("<html>bad gateway</html>");
    });
    const limited = await rawServer((res) => {
      res.writeHead(429, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          jsonrpc: "2.0",
          id: null,
          error: { code: -32009, message: "slow down", data: { retryAfterMs: 50 } },
        }),
      );
    });
    try {
      const error = await createFilverseClient({ url: broken.url })
        .getBlockNumber()
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: TransportErrorCode.HTTP_STATUS,
        shortMessage: "HTTP request failed with status 502 Bad Gateway",
      });
      expect((error as TransportError).details).toMatchObject({ status: 502, body: "<html>bad gateway</html>" });
      const rate = await createFilverseClient({ url: limited.url })
        .getBlockNumber()
        .catch((e: unknown) => e);
      expect(rate).toBeInstanceOf(RateLimitedError);
      expect(rate).toMatchObject({ data: { retryAfterMs: 50 } });
    } finally {
      await broken.close();
      await limited.close();
    }
  });
});

describe("waitForTransaction over HTTP (polling)", () => {
  const hash = `0x${"77".repeat(32)}` as const;

  it("resolves once the status is at or past the wanted one", async () => {
    node.statusScript.set(hash, ["unknown", "pending", "pending", "checkpointed"]);
    const client = createFilverseClient({ url: node.url, pollIntervalMs: 5 });
    const status = await client.waitForTransaction(hash);
    expect(status).toEqual({ hash, status: "checkpointed" });
    expect(node.count("filverse_getTransactionStatus")).toBe(4);
  });

  it("rejects with TX_DROPPED and with WAIT_TIMEOUT", async () => {
    const client = createFilverseClient({ url: node.url, pollIntervalMs: 5 });
    node.statusScript.set(hash, ["pending", "dropped"]);
    await expect(client.waitForTransaction(hash)).rejects.toMatchObject({ code: ClientErrorCode.TX_DROPPED });
    node.statusScript.set(hash, ["sequenced"]);
    await expect(client.waitForTransaction({ hash, status: "finalized", timeoutMs: 60 })).rejects.toMatchObject({
      code: ClientErrorCode.WAIT_TIMEOUT,
      shortMessage: "The transaction did not become finalized in 60 ms",
    });
  });
});

describe("watchBlocks over HTTP (polling)", () => {
  it("reports each block after the head it started at, in order, until stopped", async () => {
    let head = 5;
    node.overrides.set("filverse_blockNumber", () => String(head));
    node.overrides.set("filverse_getBlockByNumber", (params) => ({ header: { number: params[0] } }));
    const client = createFilverseClient({ url: node.url, pollIntervalMs: 5 });
    const seen: unknown[] = [];
    const stop = client.watchBlocks((block) => seen.push(block.header.number));
    await expect.poll(() => node.count("filverse_blockNumber")).toBeGreaterThan(1);
    head = 8;
    await expect.poll(() => seen).toEqual(["6", "7", "8"]);
    stop();
    const calls = node.calls.length;
    head = 9;
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toEqual(["6", "7", "8"]);
    expect(node.calls.length).toBeLessThanOrEqual(calls + 1);
  });
});

describe("the README flow", () => {
  it("createCollection → waitForTransaction → mintAsset → waitForTransaction → getAsset", async () => {
    node.overrides.set("filverse_getTransactionStatus", (params) => ({ hash: params[0], status: "sequenced" }));
    node.overrides.set("filverse_getAsset", (params) => ({
      collectionId: params[0],
      tokenId: params[1],
      owner: alice.address,
    }));
    const client = createFilverseClient({ url: node.url, account: alice });

    const { hash, collectionId } = await client.createCollection({
      name: "Game Items",
      symbol: "GI",
      royaltyBps: 250,
      maxSupply: 10_000,
      metadataMutable: true,
    });
    expect(await client.waitForTransaction(hash)).toMatchObject({ status: "sequenced" });
    const mint = await client.mintAsset({
      collectionId,
      tokenId: 1,
      to: client.address!,
      contentCid: "bafkreigks6arfsq3xxfpvqrrwonchxcnu6do76auprhhfomao6c273sixm",
    });
    await client.waitForTransaction(mint.hash, { status: "sequenced", timeoutMs: 30_000 });
    expect(await client.getAsset({ collectionId, tokenId: 1 })).toEqual({
      collectionId,
      tokenId: "1",
      owner: alice.address,
    });
    await client.close();
  });
});
