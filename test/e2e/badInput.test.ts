/**
 * Bad input against a real sequencer: each gets its exact JSON-RPC error, and the server keeps
 * serving afterwards (malformed JSON, unknown methods, wrong params, oversized bodies, wrong chain,
 * replays, bad signatures, and a flood from one client).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { signTransaction } from "@filverse/crypto";
import { RpcErrorCode, signedTxToJson, TxKind } from "@filverse/types";
import { fromHex } from "@filverse/utils";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type DevAccount, initDevnet, type RunningNode, rpc, startSequencer, tempDir, waitFor } from "./helpers.js";

let tmp: ReturnType<typeof tempDir>;
let node: RunningNode;
let accounts: DevAccount[];
let chainId: number;
let id = 1;
const CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

const call = (method: string, params: unknown[] = []) => rpc(node.url, { jsonrpc: "2.0", id: id++, method, params });
const errorOf = (json: unknown) => (json as { error?: { code: number; message: string } }).error;

function transfer(nonce: number, opts: { chainId?: number; amount?: bigint } = {}) {
  const tx = signTransaction(
    opts.chainId ?? chainId,
    {
      kind: TxKind.Transfer,
      message: { to: fromHex(accounts[1]!.address), amount: opts.amount ?? 1n, nonce, fee: 0n },
    },
    fromHex(accounts[0]!.privateKey),
  );
  return signedTxToJson(tx);
}

beforeAll(async () => {
  tmp = tempDir("bad");
  ({ accounts, chainId } = initDevnet(tmp.dir));
  // A rate limit the flood below exceeds however slowly a loaded CI machine serves it (with the
  // default 500/s a server that answers under 500 requests a second never runs out of tokens).
  const configPath = join(tmp.dir, "filverse.json");
  const config = JSON.parse(readFileSync(configPath, "utf8"));
  config.rpc.rateLimit = { requestsPerSecond: 50, burst: 400 };
  writeFileSync(configPath, JSON.stringify(config));
  node = await startSequencer(tmp.dir);
  await waitFor(async () => {
    const r = await call("filverse_getAccount", [accounts[0]!.address]);
    return BigInt((r.json as { result: { balance: string } }).result.balance) > 0n;
  });
}, 60_000);

afterEach(async () => {
  // Whatever came before, the node still serves.
  const r = await call("filverse_syncStatus");
  expect(r.status).toBe(200);
  expect((r.json as { result: { syncing: boolean } }).result.syncing).toBe(false);
});

afterAll(async () => {
  expect(await node?.stop()).toBe(0);
  tmp?.cleanup();
});

describe("bad input", () => {
  it("malformed JSON → -32700", async () => {
    const r = await rpc(node.url, '{"jsonrpc":"2.0","id":1,"method":');
    expect(errorOf(r.json)?.code).toBe(RpcErrorCode.PARSE_ERROR);
  });

  it("not a request, unknown method, wrong parameter types → -32600, -32601, -32602", async () => {
    expect(errorOf((await rpc(node.url, { id: 1, method: 5 })).json)?.code).toBe(RpcErrorCode.INVALID_REQUEST);
    expect(errorOf((await call("filverse_mintMoney")).json)?.code).toBe(RpcErrorCode.METHOD_NOT_FOUND);
    expect(errorOf((await call("filverse_getAccount", ["0x12"])).json)?.code).toBe(RpcErrorCode.INVALID_PARAMS);
    expect(errorOf((await call("filverse_getAsset", [`0x${"00".repeat(32)}`, "one"])).json)?.code).toBe(
      RpcErrorCode.INVALID_PARAMS,
    );
    expect(errorOf((await call("filverse_sendTransaction", ["not an object"])).json)?.code).toBe(
      RpcErrorCode.INVALID_PARAMS,
    );
    expect(errorOf((await call("filverse_getBlockByNumber", [10 ** 9])).json)).toBeUndefined(); // unknown block: null
  });

  it("an oversized body → HTTP 413 with TOO_LARGE", async () => {
    const r = await rpc(node.url, {
      jsonrpc: "2.0",
      id: 1,
      method: "filverse_chainId",
      params: ["x".repeat(3 * 1024 * 1024)],
    });
    expect(r.status).toBe(413);
    expect(errorOf(r.json)?.code).toBe(RpcErrorCode.TOO_LARGE);
  });

  it("malformed transactions: unknown kind, bad field, wrong chain, bad signature", async () => {
    const good = transfer(0);
    expect(errorOf((await call("filverse_sendTransaction", [{ ...good, primaryType: "Mint" }])).json)?.code).toBe(
      RpcErrorCode.MALFORMED_TRANSACTION,
    );
    expect(
      errorOf((await call("filverse_sendTransaction", [{ ...good, message: { ...good.message, to: "0x00" } }])).json)
        ?.code,
    ).toBe(RpcErrorCode.MALFORMED_TRANSACTION);
    expect(errorOf((await call("filverse_sendTransaction", [transfer(0, { chainId: chainId + 1 })])).json)?.code).toBe(
      RpcErrorCode.WRONG_CHAIN,
    );
    const badV = { ...good, signature: `${good.signature.slice(0, -2)}01` };
    expect(errorOf((await call("filverse_sendTransaction", [badV])).json)?.code).toBe(RpcErrorCode.BAD_SIGNATURE);
    // The malleated twin of a valid signature (s → n − s): only low-s is valid.
    const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const sig = good.signature.slice(2);
    const highS = (N - BigInt(`0x${sig.slice(64, 128)}`)).toString(16).padStart(64, "0");
    const v = sig.slice(128) === "1b" ? "1c" : "1b";
    expect(
      errorOf(
        (await call("filverse_sendTransaction", [{ ...good, signature: `0x${sig.slice(0, 64)}${highS}${v}` }])).json,
      )?.code,
    ).toBe(RpcErrorCode.BAD_SIGNATURE);
    const zeroTo = transfer(0);
    (zeroTo.message as Record<string, string>).to = `0x${"00".repeat(20)}`;
    expect(errorOf((await call("filverse_sendTransaction", [zeroTo])).json)?.code).toBe(RpcErrorCode.INVALID_FIELD);
    // A tampered message recovers some other, unfunded sender: it cannot pay its fee.
    const tampered = transfer(0);
    (tampered.message as Record<string, string>).amount = "999";
    (tampered.message as Record<string, string>).fee = "1";
    expect(errorOf((await call("filverse_sendTransaction", [tampered])).json)?.code).toBe(
      RpcErrorCode.INSUFFICIENT_FUNDS,
    );
  });

  it("an infinite id, deep nesting, an over-long field and a short signature get their documented codes", async () => {
    // 1e400 parses as Infinity: the reply (a whole batch) must still be JSON, with id null.
    const batch = await rpc(
      node.url,
      '[{"jsonrpc":"2.0","id":1e400,"method":"filverse_chainId"},{"jsonrpc":"2.0","id":2,"method":"filverse_chainId"}]',
    );
    expect(batch.json).toMatchObject([
      { id: null, error: { code: RpcErrorCode.INVALID_REQUEST } },
      { id: 2, result: String(chainId) },
    ]);
    // 5,000 levels: the sender's error, never -32603.
    const deep = `${"[".repeat(5_000)}1${"]".repeat(5_000)}`;
    const good = transfer(0);
    const deepTx = JSON.stringify({
      jsonrpc: "2.0",
      id: 3,
      method: "filverse_sendTransaction",
      params: [good],
    }).replace(`"to":"${(good.message as { to: string }).to}"`, `"to":${deep}`);
    expect(errorOf((await rpc(node.url, deepTx)).json)?.code).toBe(RpcErrorCode.MALFORMED_TRANSACTION);
    const deepPage = `{"jsonrpc":"2.0","id":4,"method":"filverse_getAssetsByOwner","params":["${accounts[0]!.address}",{"limit":${deep}}]}`;
    expect(errorOf((await rpc(node.url, deepPage)).json)?.code).toBe(RpcErrorCode.INVALID_PARAMS);
    // A field over its bound is INVALID_FIELD naming it; a signature of 64 bytes is BAD_SIGNATURE.
    const handle = signedTxToJson(
      signTransaction(
        chainId,
        { kind: TxKind.IdentityCreate, message: { handle: "fine", profileCid: CID, nonce: 0, fee: 0n } },
        fromHex(accounts[0]!.privateKey),
      ),
    );
    const long = (
      await call("filverse_sendTransaction", [{ ...handle, message: { ...handle.message, handle: "a".repeat(33) } }])
    ).json as { error?: { code: number; data?: { field?: string } } };
    expect(long.error).toMatchObject({ code: RpcErrorCode.INVALID_FIELD, data: { field: "handle" } });
    const short = { ...good, signature: good.signature.slice(0, -2) };
    expect(errorOf((await call("filverse_sendTransaction", [short])).json)?.code).toBe(RpcErrorCode.BAD_SIGNATURE);
    // page.limit takes a number only.
    for (const limit of [true, "5", [[5]]]) {
      expect(errorOf((await call("filverse_getAssetsByOwner", [accounts[0]!.address, { limit }])).json)?.code).toBe(
        RpcErrorCode.INVALID_PARAMS,
      );
    }
  });

  it("replays: the same transaction is idempotent, an old nonce is NONCE_TOO_LOW", async () => {
    const tx = transfer(0, { amount: 7n });
    const first = await call("filverse_sendTransaction", [tx]);
    const hash = (first.json as { result: string }).result;
    expect(hash).toMatch(/^0x[0-9a-f]{64}$/);
    await waitFor(
      async () =>
        ((await call("filverse_getTransactionStatus", [hash])).json as { result: { status: string } }).result.status ===
        "sequenced",
    );
    // The same signed transaction again: the same hash, not a second execution.
    expect((await call("filverse_sendTransaction", [tx])).json).toMatchObject({ result: hash });
    const account = (await call("filverse_getAccount", [accounts[0]!.address])).json as { result: { nonce: string } };
    expect(account.result.nonce).toBe("1");
    // A different transaction reusing the spent nonce.
    expect(errorOf((await call("filverse_sendTransaction", [transfer(0, { amount: 8n })])).json)?.code).toBe(
      RpcErrorCode.NONCE_TOO_LOW,
    );
    expect(errorOf((await call("filverse_sendTransaction", [transfer(500)])).json)?.code).toBe(RpcErrorCode.NONCE_GAP);
  });

  it("subscriptions need a WebSocket", async () => {
    expect(errorOf((await call("filverse_subscribe", ["newHeads"])).json)?.code).toBe(RpcErrorCode.WEBSOCKET_REQUIRED);
  });

  it("a flood from one client is rate limited (429, Retry-After), then served again", async () => {
    const responses = await Promise.all(Array.from({ length: 800 }, () => call("filverse_blockNumber")));
    const limited = responses.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(errorOf(limited[0]!.json)?.code).toBe(RpcErrorCode.RATE_LIMITED);
    expect(Number(limited[0]!.headers.get("retry-after"))).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 8500)); // refill the burst for afterEach and later tests
  }, 30_000);
});
