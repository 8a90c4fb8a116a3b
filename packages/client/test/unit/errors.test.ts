/** JSON-RPC response decoding: results, and error codes mapped to FilverseRpcError subclasses. */
import { RPC_ERROR_MESSAGES, RpcErrorCode } from "@filverse/types";
import { FilverseError } from "@filverse/utils";
import { describe, expect, it } from "vitest";
import {
  FeeTooLowError,
  FilverseRpcError,
  NonceTooLowError,
  RateLimitedError,
  rpcErrorClasses,
  TransportError,
  TransportErrorCode,
} from "../../src/errors.js";
import { buildRequest, parseResponse } from "../../src/transport/jsonRpc.js";

const codes = Object.values(RpcErrorCode).filter((v): v is RpcErrorCode => typeof v === "number");

describe("parseResponse", () => {
  it("returns the result of a matching response", () => {
    const req = buildRequest("filverse_chainId", []);
    expect(req).toMatchObject({ jsonrpc: "2.0", method: "filverse_chainId", params: [] });
    expect(parseResponse({ jsonrpc: "2.0", id: req.id, result: "3141592601" }, req.id)).toBe("3141592601");
    expect(parseResponse({ jsonrpc: "2.0", id: req.id, result: null }, req.id)).toBeNull();
  });

  it.each(codes)("maps code %i to its class, with code, shortMessage and data", (code) => {
    const data = { field: "fee", min: "1000" };
    const error = (() => {
      try {
        parseResponse({ jsonrpc: "2.0", id: 5, error: { code, message: "node says no", data } }, 5);
      } catch (e) {
        return e;
      }
    })() as FilverseRpcError;
    expect(error).toBeInstanceOf(FilverseRpcError);
    expect(error).toBeInstanceOf(FilverseError);
    expect(error).toBeInstanceOf(rpcErrorClasses[code]);
    expect(error.code).toBe(code);
    expect(rpcErrorClasses[code].code).toBe(code);
    expect(error.shortMessage).toBe("node says no");
    expect(error.data).toEqual(data);
    expect(error.details).toMatchObject({ code, data });
  });

  it("every code has a class", () => {
    expect(Object.keys(rpcErrorClasses).map(Number).sort()).toEqual([...codes].sort());
  });

  it("falls back to the code's message when the node sends none, and to the base class for unknown codes", () => {
    const missing = new NonceTooLowError();
    expect(missing.shortMessage).toBe(RPC_ERROR_MESSAGES[RpcErrorCode.NONCE_TOO_LOW]);
    expect(missing.name).toBe("NonceTooLowError");
    const unknown = (() => {
      try {
        parseResponse({ jsonrpc: "2.0", id: 1, error: { code: -31999, message: "" } }, 1);
      } catch (e) {
        return e as FilverseRpcError;
      }
    })();
    expect(unknown?.constructor).toBe(FilverseRpcError);
    expect(unknown?.code).toBe(-31999);
    expect(unknown?.shortMessage).toBe("RPC error -31999");
  });

  it("specific classes are distinguishable with instanceof", () => {
    const fee = new FeeTooLowError("Fee too low", { data: { minFee: "1000" } });
    expect(fee).toBeInstanceOf(FeeTooLowError);
    expect(fee).not.toBeInstanceOf(RateLimitedError);
    expect(fee.message).toMatchInlineSnapshot(`
      "Fee too low
      Details: {"code":-32006,"data":{"minFee":"1000"}}"
    `);
  });

  it("accepts an error with a null id (the server could not read the request id)", () => {
    expect(() =>
      parseResponse({ jsonrpc: "2.0", id: null, error: { code: RpcErrorCode.PARSE_ERROR, message: "bad json" } }, 9),
    ).toThrow(rpcErrorClasses[RpcErrorCode.PARSE_ERROR]);
  });

  it("rejects answers that are not JSON-RPC responses or belong to another request", () => {
    for (const body of [null, "hello", [], { jsonrpc: "2.0", id: 1 }, { id: 1, error: { message: "x" } }]) {
      expect(() => parseResponse(body, 1)).toThrowError(
        expect.objectContaining({ code: TransportErrorCode.INVALID_RESPONSE }) as never,
      );
    }
    expect(() => parseResponse({ jsonrpc: "2.0", id: 2, result: 1 }, 1)).toThrow(TransportError);
  });
});
