/** JSON-RPC 2.0 response strings, built by concatenation so a small response costs one stringify of its result. */
import { RPC_ERROR_MESSAGES, type RpcErrorCode } from "@filverse/types";
import type { RpcErrorObject } from "./errors.js";

/** A valid request id: string, finite number or null (JSON-RPC 2.0 §4). */
export type RpcId = string | number | null;

/**
 * A string, a finite number or null. JSON.parse turns 1e400 into Infinity, which has no JSON form:
 * echoed, it would make the whole response (and every batch holding it) unparseable.
 */
export function isRpcId(id: unknown): id is RpcId {
  return id === null || typeof id === "string" || (typeof id === "number" && Number.isFinite(id));
}

/** bigint → decimal string. Results should already be JSON-ready; this is the safety net. */
function replaceBigint(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString(10) : value;
}

/**
 * JSON.stringify that survives bigint. The plain call is tried first: a replacer function slows
 * every stringify, and only a result holding a bigint throws. Throws on circular values.
 */
export function toJson(value: unknown): string {
  let out: string | undefined;
  try {
    out = JSON.stringify(value);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    out = JSON.stringify(value, replaceBigint);
  }
  // undefined (and functions) have no JSON form; a result is then null.
  return out === undefined ? "null" : out;
}

function idJson(id: RpcId): string {
  return typeof id === "string" ? JSON.stringify(id) : id === null ? "null" : `${id}`;
}

/** Throws like toJson when the result cannot be serialized. */
export function resultResponse(id: RpcId, result: unknown): string {
  return `{"jsonrpc":"2.0","id":${idJson(id)},"result":${toJson(result)}}`;
}

export function errorObjectResponse(id: RpcId, error: RpcErrorObject): string {
  let errJson: string;
  try {
    errJson = toJson(error);
  } catch {
    // Unserializable data (circular): the code and message still reach the client.
    errJson = toJson({ code: error.code, message: error.message });
  }
  return `{"jsonrpc":"2.0","id":${idJson(id)},"error":${errJson}}`;
}

export function errorResponse(id: RpcId, code: RpcErrorCode, data?: unknown, message?: string): string {
  const msg = message ?? RPC_ERROR_MESSAGES[code];
  return errorObjectResponse(id, data === undefined ? { code, message: msg } : { code, message: msg, data });
}
