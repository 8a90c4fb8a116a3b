/** Parameter validators, RpcError and the rate limiter, without a server. */
import { RpcErrorCode } from "@filverse/types";
import { FilverseError } from "@filverse/utils";
import { describe, expect, it } from "vitest";
import {
  expectParamCount,
  paramBlockTag,
  paramBool,
  paramHex,
  paramObject,
  paramString,
  paramUint,
  RateLimiter,
  RpcError,
  toRpcErrorObject,
} from "../../src/index.js";

function rpcErrorOf(fn: () => unknown): RpcError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RpcError) return e;
    throw e;
  }
  throw new RangeError("expected an RpcError");
}

describe("RpcError", () => {
  it("defaults its message to the code's table entry and is a FilverseError", () => {
    const e = new RpcError(RpcErrorCode.MEMPOOL_FULL);
    expect(e).toBeInstanceOf(FilverseError);
    expect(e.code).toBe(RpcErrorCode.MEMPOOL_FULL);
    expect(e.shortMessage).toBe("Mempool full");
    expect(e.data).toBeUndefined();
    expect(toRpcErrorObject(e)).toEqual({ code: -32008, message: "Mempool full" });
  });

  it("carries a custom message, data and cause", () => {
    const cause = new RangeError("inner");
    const e = new RpcError(RpcErrorCode.INVALID_FIELD, {
      message: "Bad royalty",
      data: { field: "royaltyBps" },
      cause,
    });
    expect(e.cause).toBe(cause);
    expect(e.details).toEqual({ field: "royaltyBps" });
    expect(toRpcErrorObject(e)).toEqual({ code: -32011, message: "Bad royalty", data: { field: "royaltyBps" } });
  });

  it("maps anything else to a bare internal error", () => {
    expect(toRpcErrorObject(new Error("x"))).toEqual({ code: -32603, message: "Internal error" });
    expect(toRpcErrorObject("thrown string")).toEqual({ code: -32603, message: "Internal error" });
  });
});

describe("param validators", () => {
  const addr = `0x${"Ab".repeat(20)}`;

  it("paramHex checks hex and byte length, and lower-cases", () => {
    expect(paramHex([addr], 0, "address", 20)).toBe(addr.toLowerCase());
    expect(paramHex(["0x"], 0, "data")).toBe("0x");
    const e = rpcErrorOf(() => paramHex([`0x${"ab".repeat(19)}`], 0, "address", 20));
    expect(e.code).toBe(RpcErrorCode.INVALID_PARAMS);
    expect(e.shortMessage).toBe(
      `Invalid params: address (param 0) must be 0x-prefixed hex of 20 bytes, got "0x${"ab".repeat(19)}"`,
    );
    expect(e.data).toEqual({ param: "address", index: 0, expected: "0x-prefixed hex of 20 bytes" });
    expect(rpcErrorOf(() => paramHex(["0xabc"], 0, "data")).shortMessage).toContain("data (param 0)");
    expect(rpcErrorOf(() => paramHex([], 0, "hash", 32)).shortMessage).toBe(
      "Invalid params: hash (param 0) must be 0x-prefixed hex of 32 bytes, missing",
    );
  });

  it("paramString", () => {
    expect(paramString(["a", "bob"], 1, "handle")).toBe("bob");
    expect(rpcErrorOf(() => paramString([1], 0, "handle")).shortMessage).toBe(
      "Invalid params: handle (param 0) must be a string, got 1",
    );
  });

  it("paramUint accepts decimal strings and safe integers only", () => {
    expect(paramUint(["12"], 0, "n")).toBe(12);
    expect(paramUint([0], 0, "n")).toBe(0);
    expect(paramUint([Number.MAX_SAFE_INTEGER], 0, "n")).toBe(Number.MAX_SAFE_INTEGER);
    expect(paramUint([], 0, "n", { optional: true })).toBeUndefined();
    for (const bad of ["-1", "01", "1.5", "0x10", "", " 1", "9007199254740993", -1, 1.5, 2 ** 53, null, true]) {
      expect(rpcErrorOf(() => paramUint([bad], 0, "n")).code).toBe(RpcErrorCode.INVALID_PARAMS);
    }
    expect(rpcErrorOf(() => paramUint([], 0, "n")).shortMessage).toContain("missing");
  });

  it("paramBlockTag", () => {
    expect(paramBlockTag([addr], 1)).toBe("latest");
    expect(paramBlockTag(["latest"], 0)).toBe("latest");
    expect(paramBlockTag(["42"], 0)).toBe(42);
    expect(paramBlockTag([7], 0)).toBe(7);
    expect(rpcErrorOf(() => paramBlockTag(["pending"], 0)).shortMessage).toBe(
      'Invalid params: block (param 0) must be "latest" or a block number, got "pending"',
    );
  });

  it("paramObject", () => {
    expect(paramObject([{ a: 1 }], 0, "tx")).toEqual({ a: 1 });
    expect(paramObject([], 0, "opts", { optional: true })).toBeUndefined();
    for (const bad of [null, [1], "x", 3]) expect(rpcErrorOf(() => paramObject([bad], 0, "tx")).code).toBe(-32602);
    expect(rpcErrorOf(() => paramObject([[]], 0, "tx")).shortMessage).toBe(
      "Invalid params: tx (param 0) must be an object, got an array",
    );
  });

  it("paramBool", () => {
    expect(paramBool([true], 0, "full")).toBe(true);
    expect(paramBool([], 0, "full", { optional: true })).toBeUndefined();
    expect(rpcErrorOf(() => paramBool(["true"], 0, "full")).shortMessage).toBe(
      'Invalid params: full (param 0) must be a boolean, got "true"',
    );
  });

  it("expectParamCount", () => {
    expectParamCount([1], 1, 2);
    expectParamCount([], 0);
    expect(rpcErrorOf(() => expectParamCount([1, 2, 3], 1, 2)).shortMessage).toBe(
      "Invalid params: expected 1 to 2 params, got 3",
    );
    expect(rpcErrorOf(() => expectParamCount([], 1)).data).toEqual({ expected: { min: 1, max: 1 }, got: 0 });
  });

  it("long values are cut in messages", () => {
    const msg = rpcErrorOf(() => paramUint(["9".repeat(1000)], 0, "n")).shortMessage;
    expect(msg.length).toBeLessThan(200);
  });
});

describe("RateLimiter", () => {
  it("allows the burst, then reports the wait until enough tokens refill", () => {
    const rl = new RateLimiter(10, 3);
    const t = 1_000_000;
    expect(rl.take("a", 1, t)).toBe(0);
    expect(rl.take("a", 2, t)).toBe(0);
    expect(rl.take("a", 1, t)).toBe(100);
    expect(rl.take("b", 3, t)).toBe(0); // other clients have their own bucket
    expect(rl.hasToken("a", t + 50)).toBe(false);
    expect(rl.hasToken("a", t + 100)).toBe(true);
    expect(rl.take("a", 2, t + 100)).toBe(100);
    expect(rl.take("a", 1, t + 100)).toBe(0);
  });

  it("a cost above the burst needs, and drains, a full bucket", () => {
    const rl = new RateLimiter(10, 3);
    expect(rl.take("a", 10, 0)).toBe(0);
    expect(rl.take("a", 10, 100)).toBe(200);
    expect(rl.take("a", 10, 300)).toBe(0);
  });

  it("sweeps idle clients and stays bounded", () => {
    const rl = new RateLimiter(10, 3, 4);
    for (let i = 0; i < 4; i++) rl.take(`c${i}`, 1, 0);
    expect(rl.size).toBe(4);
    rl.sweep(100); // each refilled to full after 100 ms
    expect(rl.size).toBe(0);
    for (let i = 0; i < 10; i++) rl.take(`d${i}`, 3, 0);
    expect(rl.size).toBe(4);
    expect(rl.take("d9", 1, 0)).toBe(100); // the newest client keeps its bucket
  });
});
