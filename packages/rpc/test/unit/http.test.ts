/** HTTP transport: JSON-RPC 2.0 validation, batches, errors, body limit, CORS, routes, against a real server. */
import { MAX_JSON_DEPTH, RpcErrorCode } from "@filverse/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RpcServer } from "../../src/index.js";
import { type Json, type LogEntry, newState, post, recordingLogger, testMethods } from "./helpers.js";

const MAX_BODY_BYTES = 64 * 1024;
const logs: LogEntry[] = [];
let server: RpcServer;
let url: string;

beforeAll(async () => {
  server = new RpcServer(
    { port: 0, maxBodyBytes: MAX_BODY_BYTES, maxBatchLength: 5, rateLimit: null },
    {
      methods: testMethods(newState()),
      logger: recordingLogger(logs),
      routes: {
        "/healthz": (_req, res) => {
          res.writeHead(200, { "content-type": "text/plain" });
          res.end("ok");
        },
        "/boom": () => {
          throw new RangeError("route bug");
        },
        "/piece/*": (req, res) => {
          res.writeHead(200, { "content-type": "text/plain" });
          res.end(`piece ${req.url}`);
        },
      },
    },
  );
  ({ url } = await server.start());
});

afterAll(async () => {
  await server.close();
});

describe("single requests", () => {
  it("returns the result with the same id and JSON content type", async () => {
    const res = await post(url, { jsonrpc: "2.0", id: 7, method: "add", params: [2, "40"] });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.json).toEqual({ jsonrpc: "2.0", id: 7, result: 42 });
  });

  it("echoes string and null ids", async () => {
    expect((await post(url, { jsonrpc: "2.0", id: "a-1", method: "echo", params: [1] })).json).toEqual({
      jsonrpc: "2.0",
      id: "a-1",
      result: [1],
    });
    expect((await post(url, { jsonrpc: "2.0", id: null, method: "echo" })).json).toEqual({
      jsonrpc: "2.0",
      id: null,
      result: [],
    });
  });

  it("passes an HTTP context to the handler", async () => {
    const res = await post(url, { jsonrpc: "2.0", id: 1, method: "ctx" });
    expect(res.json.result).toEqual({ clientId: "127.0.0.1", transport: "http", ws: false });
  });

  it("awaits async handlers", async () => {
    const res = await post(url, { jsonrpc: "2.0", id: 1, method: "asyncEcho", params: ["x"] });
    expect(res.json.result).toEqual(["x"]);
  });

  it("serializes bigint as a decimal string and undefined as null", async () => {
    expect((await post(url, { jsonrpc: "2.0", id: 1, method: "bigint" })).json.result).toEqual({
      balance: "1000000000000000000000000000000",
      list: ["1", "2"],
    });
    expect((await post(url, { jsonrpc: "2.0", id: 2, method: "undef" })).json).toEqual({
      jsonrpc: "2.0",
      id: 2,
      result: null,
    });
  });

  it("a notification gets 204 and no body", async () => {
    const res = await post(url, { jsonrpc: "2.0", method: "echo", params: [1] });
    expect(res.status).toBe(204);
    expect(res.json).toBeUndefined();
  });
});

describe("errors", () => {
  it("malformed JSON is a parse error with id null", async () => {
    const res = await post(url, '{"jsonrpc":"2.0","method":"echo",');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      jsonrpc: "2.0",
      id: null,
      error: { code: RpcErrorCode.PARSE_ERROR, message: "Parse error: the body is not valid JSON" },
    });
  });

  it.each([
    ["a number", 1, null],
    ["a string", '"hello"', null],
    ["null", "null", null],
    ["missing jsonrpc", { id: 3, method: "echo" }, 3],
    ["wrong jsonrpc version", { jsonrpc: "1.0", id: 3, method: "echo" }, 3],
    ["method not a string", { jsonrpc: "2.0", id: "x", method: 1 }, "x"],
    ["missing method", { jsonrpc: "2.0", id: 4 }, 4],
    ["object id", { jsonrpc: "2.0", id: { a: 1 }, method: "echo" }, null],
    ["boolean id", { jsonrpc: "2.0", id: true, method: "echo" }, null],
    // JSON.parse makes these ±Infinity, which must never be echoed: it is not JSON.
    ["an id too large for a double", '{"jsonrpc":"2.0","id":1e400,"method":"echo"}', null],
    ["a negative id too large for a double", '{"jsonrpc":"2.0","id":-1e400,"method":"echo"}', null],
    ["string params", { jsonrpc: "2.0", id: 5, method: "echo", params: "bar" }, 5],
    ["invalid and no id", { jsonrpc: "2.0", method: 1, params: "bar" }, null],
  ])("%s is an invalid request", async (_name, body, id) => {
    const res = await post(url, typeof body === "object" ? body : String(body));
    expect(res.status).toBe(200);
    expect(res.json.id).toBe(id);
    expect(res.json.error.code).toBe(RpcErrorCode.INVALID_REQUEST);
    expect(typeof res.json.error.message).toBe("string");
    expect(typeof res.json.error.data.reason).toBe("string");
  });

  it("params nested deeper than MAX_JSON_DEPTH are -32602 before the handler runs", async () => {
    const deep = (n: number) => `${"[".repeat(n)}1${"]".repeat(n)}`;
    const body = (params: string) => `{"jsonrpc":"2.0","id":9,"method":"echo","params":[${params}]}`;
    const res = await post(url, body(deep(10_000)));
    expect(res.json.error).toEqual({
      code: RpcErrorCode.INVALID_PARAMS,
      message: "Invalid params",
      data: { reason: `a param nests deeper than ${MAX_JSON_DEPTH} levels`, maxDepth: MAX_JSON_DEPTH },
    });
    expect((await post(url, body(deep(MAX_JSON_DEPTH)))).json.result).toBeDefined();
    // A handler may name its own code for it.
    expect((await post(url, body(deep(10_000)).replace('"echo"', '"deepMalformed"'))).json.error.code).toBe(
      RpcErrorCode.MALFORMED_TRANSACTION,
    );
  });

  it("unknown method is -32601", async () => {
    const res = await post(url, { jsonrpc: "2.0", id: 1, method: "nope" });
    expect(res.json.error).toMatchObject({ code: RpcErrorCode.METHOD_NOT_FOUND, data: { method: "nope" } });
  });

  it("methods are looked up as own entries only (no prototype names)", async () => {
    for (const method of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      const res = await post(url, { jsonrpc: "2.0", id: 1, method });
      expect(res.json.error.code).toBe(RpcErrorCode.METHOD_NOT_FOUND);
    }
  });

  it("object params are -32602", async () => {
    const res = await post(url, { jsonrpc: "2.0", id: 1, method: "echo", params: { a: 1 } });
    expect(res.json.error.code).toBe(RpcErrorCode.INVALID_PARAMS);
  });

  it("param validators report the parameter", async () => {
    const res = await post(url, { jsonrpc: "2.0", id: 1, method: "add", params: [1, "x"] });
    expect(res.json.error).toEqual({
      code: RpcErrorCode.INVALID_PARAMS,
      message: 'Invalid params: b (param 1) must be an unsigned integer (decimal string or number), got "x"',
      data: { param: "b", index: 1, expected: "an unsigned integer (decimal string or number)" },
    });
  });

  it("an RpcError keeps its code, message and data", async () => {
    expect((await post(url, { jsonrpc: "2.0", id: 1, method: "rpcError" })).json.error).toEqual({
      code: RpcErrorCode.NONCE_TOO_LOW,
      message: "Nonce too low: this nonce was already used",
      data: { expected: "5", got: "3" },
    });
    expect((await post(url, { jsonrpc: "2.0", id: 2, method: "rejects" })).json.error).toEqual({
      code: RpcErrorCode.FEE_TOO_LOW,
      message: "Fee too low: minimum is 10",
    });
  });

  it("any other throw is a bare internal error, logged, with no stack or message leaked", async () => {
    const before = logs.length;
    const res = await post(url, { jsonrpc: "2.0", id: 1, method: "fail" });
    expect(res.json.error).toEqual({ code: RpcErrorCode.INTERNAL_ERROR, message: "Internal error" });
    expect(JSON.stringify(res.json)).not.toContain("secret");
    const logged = logs.slice(before).find((e) => e.level === "error");
    expect(logged).toMatchObject({ msg: "rpc handler failed", ctx: { method: "fail" } });
    expect((logged!.err as Error).message).toBe("secret internal detail");
  });

  it("a non-RPC FilverseError is internal, with its typed code and details as data", async () => {
    const res = await post(url, { jsonrpc: "2.0", id: 1, method: "filverseFail" });
    expect(res.json.error).toEqual({
      code: RpcErrorCode.INTERNAL_ERROR,
      message: "Internal error",
      data: { code: "STATE_MISSING", message: "state object missing", details: { key: "0xab" } },
    });
  });

  it("an unserializable result is an internal error", async () => {
    const res = await post(url, { jsonrpc: "2.0", id: 9, method: "circular" });
    expect(res.json).toEqual({
      jsonrpc: "2.0",
      id: 9,
      error: { code: RpcErrorCode.INTERNAL_ERROR, message: "Internal error" },
    });
  });

  it("errors for notifications are not sent", async () => {
    const res = await post(url, { jsonrpc: "2.0", method: "fail" });
    expect(res.status).toBe(204);
    expect((await post(url, { jsonrpc: "2.0", method: "nope" })).status).toBe(204);
  });
});

describe("batches", () => {
  it("answers in order and skips notifications", async () => {
    const res = await post(url, [
      { jsonrpc: "2.0", id: 1, method: "add", params: [1, 2] },
      { jsonrpc: "2.0", method: "echo", params: ["notification"] },
      { jsonrpc: "2.0", id: "2", method: "asyncEcho", params: ["a"] },
      { jsonrpc: "2.0", id: 3, method: "nope" },
      { foo: "boo" },
    ]);
    expect(res.status).toBe(200);
    expect(res.json).toEqual([
      { jsonrpc: "2.0", id: 1, result: 3 },
      { jsonrpc: "2.0", id: "2", result: ["a"] },
      {
        jsonrpc: "2.0",
        id: 3,
        error: { code: RpcErrorCode.METHOD_NOT_FOUND, message: "Method not found", data: { method: "nope" } },
      },
      {
        jsonrpc: "2.0",
        id: null,
        error: expect.objectContaining({ code: RpcErrorCode.INVALID_REQUEST }),
      },
    ]);
  });

  it("an invalid batch of non-objects gets one error per element", async () => {
    const res = await post(url, "[1,2,3]");
    expect(res.json).toHaveLength(3);
    for (const r of res.json) expect(r).toMatchObject({ id: null, error: { code: RpcErrorCode.INVALID_REQUEST } });
  });

  it("an infinite id in a batch spoils only its own element", async () => {
    const res = await post(
      url,
      '[{"jsonrpc":"2.0","id":1e400,"method":"echo"},{"jsonrpc":"2.0","id":2,"method":"echo","params":[1]}]',
    );
    expect(res.json).toEqual([
      {
        jsonrpc: "2.0",
        id: null,
        error: expect.objectContaining({ code: RpcErrorCode.INVALID_REQUEST, data: expect.anything() }),
      },
      { jsonrpc: "2.0", id: 2, result: [1] },
    ]);
  });

  it("an empty batch is a single invalid request", async () => {
    const res = await post(url, "[]");
    expect(res.json).toMatchObject({ jsonrpc: "2.0", id: null, error: { code: RpcErrorCode.INVALID_REQUEST } });
  });

  it("an all-notification batch gets 204", async () => {
    const res = await post(url, [
      { jsonrpc: "2.0", method: "echo" },
      { jsonrpc: "2.0", method: "asyncEcho" },
    ]);
    expect(res.status).toBe(204);
  });

  it("a batch over maxBatchLength is one TOO_LARGE error", async () => {
    const batch = Array.from({ length: 6 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: "echo" }));
    const res = await post(url, batch);
    expect(res.json).toEqual({
      jsonrpc: "2.0",
      id: null,
      error: {
        code: RpcErrorCode.TOO_LARGE,
        message: "Too large",
        data: { reason: "batch too long", length: 6, maxBatchLength: 5 },
      },
    });
  });
});

describe("body limit", () => {
  const tooLarge = { code: RpcErrorCode.TOO_LARGE, message: "Too large" };

  it("a declared oversized body gets 413 and the server keeps serving", async () => {
    const big = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "echo", params: ["x".repeat(3 * MAX_BODY_BYTES)] });
    const res = await post(url, big);
    expect(res.status).toBe(413);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.json).toMatchObject({ jsonrpc: "2.0", id: null, error: tooLarge });
    expect(res.json.error.data.maxBodyBytes).toBe(MAX_BODY_BYTES);
    expect((await post(url, { jsonrpc: "2.0", id: 2, method: "add", params: [1, 1] })).json.result).toBe(2);
  });

  it("a streamed (chunked) body is cut off at the limit", async () => {
    const chunk = new TextEncoder().encode(`["${"y".repeat(16 * 1024)}`);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Far more than the limit; the server must answer without reading it all.
        if (sent++ < 64) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: tooLarge });
    expect((await post(url, { jsonrpc: "2.0", id: 2, method: "add", params: [2, 2] })).json.result).toBe(4);
  });

  it("a body just under the limit is served", async () => {
    const pad = "z".repeat(MAX_BODY_BYTES - 200);
    const res = await post(url, { jsonrpc: "2.0", id: 1, method: "echo", params: [pad] });
    expect(res.status).toBe(200);
    expect(res.json.result[0]).toHaveLength(pad.length);
  });
});

describe("HTTP surface", () => {
  it("CORS headers on every response, and preflight is 204", async () => {
    const pre = await fetch(url, {
      method: "OPTIONS",
      headers: { origin: "https://game.example", "access-control-request-method": "POST" },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe("*");
    expect(pre.headers.get("access-control-allow-methods")).toBe("POST, GET, OPTIONS");
    expect(pre.headers.get("access-control-allow-headers")).toBe("content-type");
    const res = await post(url, { jsonrpc: "2.0", id: 1, method: "echo" });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-methods")).toBe("POST, GET, OPTIONS");
    expect(res.headers.get("access-control-allow-headers")).toBe("content-type");
    const notif = await post(url, { jsonrpc: "2.0", method: "echo" });
    expect(notif.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("GET / is 405 with a JSON hint", async () => {
    const res = await fetch(`${url}/`);
    expect(res.status).toBe(405);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(((await res.json()) as Json).message).toContain("POST");
  });

  it("other methods are 405, unknown GET paths 404", async () => {
    expect((await fetch(url, { method: "PUT", body: "{}" })).status).toBe(405);
    const res = await fetch(`${url}/nothing-here`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: "Not found" });
  });

  it("serves extra GET routes on the same port, with CORS", async () => {
    const res = await fetch(`${url}/healthz?verbose=1`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("a prefix route serves every path under it, and only those", async () => {
    const res = await fetch(`${url}/piece/bafkzcibabc?x=1`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("piece /piece/bafkzcibabc?x=1");
    expect((await fetch(`${url}/piece`)).status).toBe(404);
    expect((await fetch(`${url}/pieces/x`)).status).toBe(404);
  });

  it("a throwing route is a 500 and is logged", async () => {
    const res = await fetch(`${url}/boom`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: "Internal error" });
    expect(logs.some((e) => e.msg === "rpc route failed")).toBe(true);
  });
});
