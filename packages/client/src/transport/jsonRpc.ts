/** JSON-RPC 2.0 framing: building requests and decoding responses into results or typed errors. */
import { safeStringify } from "@filverse/utils";
import { rpcErrorFromResponse, TransportError, TransportErrorCode } from "../errors.js";

export type JsonRpcRequest = { jsonrpc: "2.0"; id: number; method: string; params: unknown[] };

export type JsonRpcResponse =
  | { jsonrpc: "2.0"; id: number | string | null; result: unknown }
  | { jsonrpc: "2.0"; id: number | string | null; error: { code: number; message: string; data?: unknown } };

/** Request ids, unique per process so logs of several clients do not collide. */
let nextId = 1;

export function buildRequest(method: string, params: readonly unknown[]): JsonRpcRequest {
  return { jsonrpc: "2.0", id: nextId++, method, params: [...params] };
}

/** Params may hold bigints (a user's block number); JSON-RPC carries them as decimal strings. */
export function stringifyRequest(request: JsonRpcRequest): string {
  return safeStringify(request);
}

/** Whether `value` looks like a JSON-RPC response object (result or error). */
export function isJsonRpcResponse(value: unknown): value is JsonRpcResponse {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  if (!("id" in v)) return false;
  if ("error" in v) {
    const e = v.error as Record<string, unknown> | null;
    return typeof e === "object" && e !== null && typeof e.code === "number";
  }
  return "result" in v;
}

/**
 * The result of a decoded response, or the typed error it carries. `expectedId` guards against a
 * response meant for another request (null for errors the server could not attribute, e.g. a parse error).
 */
export function parseResponse(value: unknown, expectedId: number): unknown {
  if (!isJsonRpcResponse(value)) {
    throw new TransportError(TransportErrorCode.INVALID_RESPONSE, "The node's answer is not a JSON-RPC response", {
      details: { body: truncate(safeStringify(value)) },
    });
  }
  if ("error" in value) {
    if (value.id !== expectedId && value.id !== null) throw idMismatch(value.id, expectedId);
    throw rpcErrorFromResponse(value.error);
  }
  if (value.id !== expectedId) throw idMismatch(value.id, expectedId);
  return value.result;
}

function idMismatch(got: unknown, expected: number): TransportError {
  return new TransportError(TransportErrorCode.INVALID_RESPONSE, "The node answered with another request id", {
    details: { expected, got },
  });
}

export function truncate(s: string | undefined, max = 200): string {
  if (s === undefined) return "";
  return s.length > max ? `${s.slice(0, max - 3)}...` : s;
}
