/**
 * JSON-RPC fuzzing against a real sequencer process, over HTTP and WebSocket: random and mutated
 * requests (known methods with random params, mutated signed transactions, random JSON, deep
 * nesting, huge numbers, long values, batches, bad ids, broken text). Every reply must be JSON, no
 * error may be -32603 or a code missing from docs/rpc.md's table, every reply must come within
 * 10 s, and the process must still be serving at the end.
 *
 * `npm test` runs a short form (FUZZ_RUNS below). More: FILVERSE_FUZZ_RUNS=100000; replay a
 * failure with the FILVERSE_FUZZ_SEED (and path) fast-check prints.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { signTransaction } from "@filverse/crypto";
import { createRpcHandlers } from "@filverse/node";
import { SUBSCRIPTION_METHOD } from "@filverse/rpc";
import { RpcErrorCode, signedTxToJson, TxKind } from "@filverse/types";
import { fromHex } from "@filverse/utils";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type DevAccount, initDevnet, type RunningNode, rpc, startSequencer, tempDir, waitFor } from "./helpers.js";

const FUZZ_RUNS = Number(process.env.FILVERSE_FUZZ_RUNS ?? 300);
const FUZZ_SEED = process.env.FILVERSE_FUZZ_SEED === undefined ? undefined : Number(process.env.FILVERSE_FUZZ_SEED);
const FUZZ_PATH = process.env.FILVERSE_FUZZ_PATH;
const REPLY_TIMEOUT_MS = 10_000;
/** Far above what clipped data can reach (32 items of 256 characters, a message of 256), far below the inputs. */
const MAX_ERROR_CHARS = 16_384;

/** The error codes docs/rpc.md's table lists: the doc is the one list the node may answer with. */
function documentedCodes(): Set<number> {
  const doc = readFileSync(new URL("../../docs/rpc.md", import.meta.url), "utf8");
  const table = doc.slice(doc.indexOf("### Error codes"), doc.indexOf("### How sendTransaction checks"));
  const codes = new Set([...table.matchAll(/^\| (-\d+) \| `[A-Z_]+` \|/gm)].map((m) => Number(m[1])));
  return codes;
}

let tmp: ReturnType<typeof tempDir>;
let node: RunningNode;
let accounts: DevAccount[];
let chainId: number;
let codes: Set<number>;
/** Signed transactions of several kinds, in JSON form, to mutate. */
let txs: Record<string, unknown>[] = [];

beforeAll(async () => {
  codes = documentedCodes();
  tmp = tempDir("fuzz");
  ({ accounts, chainId } = initDevnet(tmp.dir));
  // No rate limit: the fuzzer should reach the methods, not the token bucket.
  const configPath = join(tmp.dir, "filverse.json");
  const config = JSON.parse(readFileSync(configPath, "utf8"));
  config.rpc.rateLimit = null;
  writeFileSync(configPath, JSON.stringify(config));
  node = await startSequencer(tmp.dir);
  await waitFor(async () => {
    const r = await rpc(node.url, {
      jsonrpc: "2.0",
      id: 1,
      method: "filverse_getAccount",
      params: [accounts[0]!.address],
    });
    return BigInt((r.json as { result: { balance: string } }).result.balance) > 0n;
  });
  const key = fromHex(accounts[0]!.privateKey);
  const to = fromHex(accounts[1]!.address);
  const zero32 = new Uint8Array(32);
  const cid = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
  const messages = [
    { kind: TxKind.Transfer, message: { to, amount: 1n, nonce: 0, fee: 0n } },
    { kind: TxKind.IdentityCreate, message: { handle: "fuzzer", profileCid: cid, nonce: 1, fee: 0n } },
    {
      kind: TxKind.CollectionCreate,
      message: { name: "Fuzz", symbol: "FZ", royaltyBps: 5, maxSupply: 10, metadataMutable: true, nonce: 2, fee: 0n },
    },
    {
      kind: TxKind.AssetBatchMint,
      message: {
        collectionId: zero32,
        firstTokenId: 1,
        to,
        contentCids: [cid, cid],
        onBehalfOf: zero32,
        nonce: 3,
        fee: 0n,
      },
    },
    {
      kind: TxKind.AttributeSet,
      message: { identityId: zero32, key: "game.level", value: "7", expiresAt: 0, nonce: 4, fee: 0n },
    },
    {
      kind: TxKind.TradeFill,
      message: {
        order: {
          maker: to,
          side: 0,
          collectionId: zero32,
          tokenId: 1,
          price: 5n,
          taker: new Uint8Array(20),
          expiresAt: 0,
          salt: 9n,
        },
        makerSignature: new Uint8Array(65).fill(7),
        nonce: 5,
        fee: 0n,
      },
    },
  ];
  txs = messages.map((m) => signedTxToJson(signTransaction(chainId, m as never, key)) as Record<string, unknown>);
}, 60_000);

afterAll(async () => {
  if (node) expect(await node.stop()).toBe(0);
  tmp?.cleanup();
});

// ---------------------------------------------------------------------------------------------
// Generators. Each produces JSON *text*: values JavaScript cannot hold (1e400) or would not
// serialize (10,000 levels deep) go on the wire as they are.

const rawNumber = fc.constantFrom(
  "1e400",
  "-1e400",
  "1e-400",
  "-0",
  "0.5",
  "1E308",
  "-1",
  "9007199254740993",
  "123456789012345678901234567890123456789012345678901234567890",
);

const deepText = fc
  .record({
    levels: fc.integer({ min: 20, max: 20_000 }),
    shape: fc.constantFrom("[", "{", "mixed"),
    leaf: fc.constantFrom("1", '"0x00"', "null", "{}"),
  })
  .map(({ levels, shape, leaf }) => {
    let open = "";
    let close = "";
    for (let i = 0; i < levels; i++) {
      const obj = shape === "{" || (shape === "mixed" && i % 2 === 1);
      open += obj ? '{"a":' : "[";
      close = (obj ? "}" : "]") + close;
    }
    return open + leaf + close;
  });

const hexText = fc
  .oneof(fc.constantFrom(0, 1, 20, 32, 64, 65, 66), fc.integer({ min: 0, max: 300 }))
  .chain((n) => fc.uint8Array({ minLength: n, maxLength: n }))
  .map((b) => JSON.stringify(`0x${Buffer.from(b).toString("hex")}`));

const plausibleText = fc.oneof(
  hexText,
  fc.constantFrom(
    '"latest"',
    '"pending"',
    '"newHeads"',
    '"txStatus"',
    '"Account"',
    '"Withdrawal"',
    '"did:filverse:1:alice"',
    '"0x5"',
  ),
  fc.constantFrom(
    '{"limit":5}',
    '{"limit":true}',
    '{"limit":"5"}',
    '{"limit":[[5]]}',
    '{"cursor":5}',
    '{"cursor":null,"limit":500}',
    '{"x":1}',
  ),
  fc.integer({ min: -5, max: 2 ** 40 }).map(String),
);

const longText = fc.oneof(
  fc.integer({ min: 100, max: 100_000 }).map((n) => JSON.stringify("x".repeat(n))),
  fc.integer({ min: 100, max: 50_000 }).map((n) => `[${new Array(n).fill("1").join(",")}]`),
  fc.integer({ min: 100, max: 5_000 }).map((n) => `{${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(",")}}`),
);

const jsonText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), weight: 5 },
  { arbitrary: plausibleText, weight: 4 },
  { arbitrary: rawNumber, weight: 2 },
  { arbitrary: deepText, weight: 1 },
  { arbitrary: longText, weight: 1 },
);

/** Every method the node serves (the handler table, as test/docs.test.ts reads it). */
const methods = Object.keys(createRpcHandlers({} as never));
const methodText = fc.oneof(
  { arbitrary: fc.constantFrom(...methods).map((m) => JSON.stringify(m)), weight: 8 },
  { arbitrary: fc.string({ maxLength: 40 }).map((s) => JSON.stringify(s)), weight: 1 },
  { arbitrary: jsonText, weight: 1 },
);

const idText = fc.oneof(
  { arbitrary: fc.nat().map((n) => JSON.stringify(`fz-${n}`)), weight: 6 },
  { arbitrary: fc.integer().map(String), weight: 2 },
  { arbitrary: fc.constantFrom("null", "1e400", "-1e400", "1.5", "true", "{}", "[1]", '""'), weight: 2 },
  { arbitrary: jsonText, weight: 1 },
);

const paramsText = fc.oneof(
  {
    arbitrary: fc.array(fc.oneof(plausibleText, jsonText), { maxLength: 4 }).map((a) => `[${a.join(",")}]`),
    weight: 8,
  },
  { arbitrary: jsonText, weight: 1 },
);

/** A request object: each member present, absent or wrong. */
const requestText = fc
  .record({
    jsonrpc: fc.option(fc.oneof({ arbitrary: fc.constant('"2.0"'), weight: 9 }, { arbitrary: jsonText, weight: 1 }), {
      freq: 20,
    }),
    id: fc.option(idText, { freq: 6 }),
    method: fc.option(methodText, { freq: 20 }),
    params: fc.option(paramsText, { freq: 6 }),
    extra: fc.option(jsonText, { freq: 1, nil: undefined }).map((v) => (v === undefined ? null : v)),
  })
  .map((r) => {
    const members: string[] = [];
    if (r.jsonrpc !== null) members.push(`"jsonrpc":${r.jsonrpc}`);
    if (r.id !== null) members.push(`"id":${r.id}`);
    if (r.method !== null) members.push(`"method":${r.method}`);
    if (r.params !== null) members.push(`"params":${r.params}`);
    if (r.extra !== null) members.push(`"extra":${r.extra}`);
    return `{${members.join(",")}}`;
  });

/** A signed transaction with one to three mutations, as sendTransaction's param. */
const txMutation = fc.oneof(
  fc.record({ kind: fc.constant("message" as const), field: fc.nat(), value: jsonText }),
  fc.record({
    kind: fc.constant("envelope" as const),
    field: fc.constantFrom("chainId", "primaryType", "message", "signature"),
    value: jsonText,
  }),
  fc.record({ kind: fc.constant("delete" as const), field: fc.nat(), value: fc.constant("") }),
  fc.record({ kind: fc.constant("extra" as const), field: fc.string({ maxLength: 10 }), value: jsonText }),
  fc.record({ kind: fc.constant("signature" as const), field: fc.constant("signature"), value: hexText }),
  fc.record({
    kind: fc.constant("long" as const),
    field: fc.nat(),
    value: fc.integer({ min: 0, max: 2_000 }).map((n) => JSON.stringify("é".repeat(n))),
  }),
  fc.record({
    kind: fc.constant("list" as const),
    field: fc.constant("contentCids"),
    value: fc
      .integer({ min: 0, max: 400 })
      .map((n) => JSON.stringify(new Array(n).fill("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"))),
  }),
);

const txText = fc
  .record({ base: fc.nat(), mutations: fc.array(txMutation, { minLength: 0, maxLength: 3 }) })
  .map(({ base, mutations }) => {
    const tx = structuredClone(txs[base % txs.length]!) as Record<string, unknown>;
    const message = tx.message as Record<string, unknown>;
    const raws: string[] = [];
    const raw = (text: string) => `__raw_${raws.push(text) - 1}__`;
    for (const m of mutations) {
      const keys = Object.keys(message);
      const field = typeof m.field === "number" ? (keys[m.field % Math.max(1, keys.length)] ?? "to") : m.field;
      if (m.kind === "message" || m.kind === "long" || m.kind === "list") message[field] = raw(m.value);
      else if (m.kind === "envelope" || m.kind === "signature") tx[field] = raw(m.value);
      else if (m.kind === "delete") delete message[field];
      else message[field] = raw(m.value);
    }
    let text = JSON.stringify(tx);
    raws.forEach((r, i) => {
      text = text.replace(`"__raw_${i}__"`, () => r);
    });
    return `{"jsonrpc":"2.0","id":"fz-tx-${base}","method":"filverse_sendTransaction","params":[${text}]}`;
  });

const batchText = fc.oneof(
  {
    arbitrary: fc.array(fc.oneof(requestText, txText), { minLength: 0, maxLength: 8 }).map((a) => `[${a.join(",")}]`),
    weight: 9,
  },
  {
    arbitrary: fc.constant(
      `[${new Array(101).fill('{"jsonrpc":"2.0","id":1,"method":"filverse_chainId"}').join(",")}]`,
    ),
    weight: 1,
  },
);

const brokenText = fc.oneof(
  fc.string({ maxLength: 50 }),
  fc.tuple(requestText, fc.nat()).map(([t, n]) => t.slice(0, n % (t.length + 1))),
  fc.tuple(requestText, fc.nat(), fc.constantFrom("{", "}", "[", "]", ",", ":", '"', "\\")).map(([t, n, c]) => {
    const at = n % (t.length + 1);
    return t.slice(0, at) + c + t.slice(at);
  }),
);

const messageText = fc.oneof(
  { arbitrary: requestText, weight: 5 },
  { arbitrary: txText, weight: 4 },
  { arbitrary: batchText, weight: 2 },
  { arbitrary: brokenText, weight: 1 },
  { arbitrary: jsonText, weight: 1 },
);

// ---------------------------------------------------------------------------------------------
// Checks.

/** How often each error code (and "result") came back: the run must reach past the transport. */
const seen = new Map<string, number>();

/** Every response in a reply: JSON-RPC 2.0, and an error only with a documented code other than -32603. */
function checkReply(text: string, sent: string): void {
  let reply: unknown;
  try {
    reply = JSON.parse(text);
  } catch {
    throw new Error(`reply is not JSON: ${text.slice(0, 300)} (sent ${sent.slice(0, 300)})`);
  }
  for (const r of Array.isArray(reply) ? reply : [reply]) {
    const res = r as { jsonrpc?: unknown; id?: unknown; result?: unknown; error?: { code?: unknown } };
    const where = `${JSON.stringify(r).slice(0, 300)} (sent ${sent.slice(0, 300)})`;
    if (res === null || typeof res !== "object" || res.jsonrpc !== "2.0")
      throw new Error(`not a JSON-RPC response: ${where}`);
    // The fuzzer may well subscribe (filverse_subscribe ["newHeads"]): its notifications are fine.
    if ((res as { method?: unknown }).method === SUBSCRIPTION_METHOD && !("id" in res)) continue;
    if (!("id" in res) || !(res.id === null || typeof res.id === "string" || Number.isFinite(res.id))) {
      throw new Error(`bad response id: ${where}`);
    }
    if ("error" in res) {
      const code = res.error?.code;
      seen.set(String(code), (seen.get(String(code)) ?? 0) + 1);
      if (code === RpcErrorCode.INTERNAL_ERROR) throw new Error(`-32603: ${where}`);
      if (typeof code !== "number" || !codes.has(code)) throw new Error(`code not in docs/rpc.md: ${where}`);
      // Echoed values are clipped (docs/rpc.md, "The error object"): an error is small whatever was sent.
      if (JSON.stringify(res.error).length > MAX_ERROR_CHARS) throw new Error(`error not clipped: ${where}`);
    } else if (!("result" in res)) {
      throw new Error(`neither result nor error: ${where}`);
    } else if (!String(res.id).startsWith("sentinel-")) {
      seen.set("result", (seen.get("result") ?? 0) + 1);
    }
  }
}

async function overHttp(text: string): Promise<void> {
  const res = await fetch(node.url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: text,
    signal: AbortSignal.timeout(REPLY_TIMEOUT_MS),
  });
  const body = await res.text();
  if (res.status === 204) {
    expect(body).toBe("");
    return;
  }
  if (![200, 413].includes(res.status))
    throw new Error(`HTTP ${res.status}: ${body.slice(0, 300)} (sent ${text.slice(0, 300)})`);
  checkReply(body, text);
}

/**
 * One WebSocket for the whole run. A notification gets no reply, so each message is followed by a
 * sentinel request: its reply must come within 10 s, and whatever arrives is checked.
 */
class FuzzSocket {
  private sentinel = 0;
  private waiting: { id: string; resolve: () => void } | null = null;
  private lastSent = "";
  failure: Error | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const text = data.toString();
      try {
        checkReply(text, this.lastSent);
      } catch (e) {
        this.failure ??= e as Error;
      }
      const w = this.waiting;
      if (w !== null && text.includes(`"id":"${w.id}"`)) {
        this.waiting = null;
        w.resolve();
      }
    });
  }

  static open(url: string): Promise<FuzzSocket> {
    const ws = new WebSocket(url);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new FuzzSocket(ws)));
      ws.once("error", reject);
    });
  }

  /** Send `text` as a text frame, or as a binary one (which the server refuses with -32600). */
  async send(text: string, binary = false): Promise<void> {
    if (this.ws.readyState !== WebSocket.OPEN)
      throw new Error(`WebSocket closed (last sent ${this.lastSent.slice(0, 300)})`);
    this.lastSent = text;
    this.ws.send(binary ? Buffer.from(text) : text, { binary });
    const id = `sentinel-${this.sentinel++}`;
    const answered = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no reply within ${REPLY_TIMEOUT_MS} ms (sent ${text.slice(0, 300)})`)),
        REPLY_TIMEOUT_MS,
      );
      this.waiting = {
        id,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    });
    this.ws.send(`{"jsonrpc":"2.0","id":"${id}","method":"filverse_blockNumber"}`);
    await answered;
    if (this.failure !== null) throw this.failure;
  }

  close(): void {
    this.ws.close();
  }
}

const transport = fc.oneof(
  { arbitrary: fc.constant("http" as const), weight: 10 },
  { arbitrary: fc.constant("ws" as const), weight: 10 },
  { arbitrary: fc.constant("ws-binary" as const), weight: 1 },
);

describe("JSON-RPC fuzzing", () => {
  it("docs/rpc.md's error table is readable", () => {
    expect(codes.has(RpcErrorCode.PARSE_ERROR)).toBe(true);
    expect(codes.has(RpcErrorCode.WEBSOCKET_REQUIRED)).toBe(true);
    expect(codes.size).toBe(Object.values(RpcErrorCode).filter((v) => typeof v === "number").length);
  });

  it(
    `${FUZZ_RUNS} random and mutated messages over HTTP and WebSocket: JSON replies, documented codes, no -32603, within 10 s`,
    async () => {
      const socket = await FuzzSocket.open(node.wsUrl);
      try {
        await fc.assert(
          fc.asyncProperty(messageText, transport, async (text, via) => {
            if (via === "http") await overHttp(text);
            else await socket.send(text, via === "ws-binary");
          }),
          { numRuns: FUZZ_RUNS, seed: FUZZ_SEED, path: FUZZ_PATH, endOnFailure: true },
        );
      } finally {
        socket.close();
      }
      // Still alive and serving, with nothing logged as a handler failure.
      expect(node.proc.exitCode).toBeNull();
      const r = await rpc(node.url, { jsonrpc: "2.0", id: 1, method: "filverse_syncStatus" });
      expect((r.json as { result: { syncing: boolean } }).result.syncing).toBe(false);
      // The generators reach the methods and the codecs, not only the parser.
      console.info("rpc fuzz replies by code", Object.fromEntries([...seen].sort((a, b) => b[1] - a[1])));
      for (const code of [
        RpcErrorCode.PARSE_ERROR,
        RpcErrorCode.INVALID_REQUEST,
        RpcErrorCode.METHOD_NOT_FOUND,
        RpcErrorCode.INVALID_PARAMS,
        RpcErrorCode.MALFORMED_TRANSACTION,
      ]) {
        expect(seen.get(String(code)), `code ${code}`).toBeGreaterThan(0);
      }
      expect(seen.get("result")).toBeGreaterThan(0);
      const failures = node.logs.filter(
        (l) => typeof l.msg === "string" && /rpc handler failed|not serializable/.test(l.msg),
      );
      expect(failures).toEqual([]);
    },
    Math.max(60_000, FUZZ_RUNS * 200),
  );
});
