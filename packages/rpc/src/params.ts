/**
 * Positional-parameter validators for method handlers. Each throws RpcError INVALID_PARAMS whose
 * message names the parameter and its index, and whose data carries {param, index, expected}.
 */
import { RpcErrorCode } from "@filverse/types";
import type { Hex } from "@filverse/utils";
import { RpcError } from "./errors.js";

const HEX_RE = /^0x(?:[0-9a-fA-F]{2})*$/;
const DECIMAL_RE = /^(?:0|[1-9][0-9]*)$/;
/** Echoed values are cut to this many characters so an error never carries a huge input back. */
const MAX_ECHO_CHARS = 80;

export type OptionalParam = { optional?: boolean };

/** The params list must have between `min` and `max` entries (inclusive). */
export function expectParamCount(params: unknown[], min: number, max: number = min): void {
  if (params.length < min || params.length > max) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw new RpcError(RpcErrorCode.INVALID_PARAMS, {
      message: `Invalid params: expected ${expected} params, got ${params.length}`,
      data: { expected: { min, max }, got: params.length },
    });
  }
}

/** 0x-prefixed hex with whole bytes, returned lower-case; with `bytes`, exactly that many bytes. */
export function paramHex(params: unknown[], i: number, name: string, bytes?: number): Hex {
  const v = params[i];
  if (typeof v !== "string" || !HEX_RE.test(v) || (bytes !== undefined && v.length !== 2 + 2 * bytes)) {
    throw invalid(i, name, bytes === undefined ? "0x-prefixed hex" : `0x-prefixed hex of ${bytes} bytes`, v);
  }
  return v.toLowerCase() as Hex;
}

export function paramString(params: unknown[], i: number, name: string): string {
  const v = params[i];
  if (typeof v !== "string") throw invalid(i, name, "a string", v);
  return v;
}

/** A non-negative safe integer, given as a decimal string or a JSON number. */
export function paramUint(params: unknown[], i: number, name: string): number;
export function paramUint(params: unknown[], i: number, name: string, opts: { optional: true }): number | undefined;
export function paramUint(params: unknown[], i: number, name: string, opts?: OptionalParam): number | undefined;
export function paramUint(params: unknown[], i: number, name: string, opts?: OptionalParam): number | undefined {
  const v = params[i];
  if (v === undefined && opts?.optional) return undefined;
  const n = toUint(v);
  if (n === undefined) throw invalid(i, name, "an unsigned integer (decimal string or number)", v);
  return n;
}

/** A block selector: "latest" (also when absent), or a block number as a decimal string or number. */
export function paramBlockTag(params: unknown[], i: number): number | "latest" {
  const v = params[i];
  if (v === undefined || v === "latest") return "latest";
  const n = toUint(v);
  if (n === undefined) throw invalid(i, "block", '"latest" or a block number', v);
  return n;
}

/** A JSON object (not null, not an array). */
export function paramObject(params: unknown[], i: number, name: string): Record<string, unknown>;
export function paramObject(
  params: unknown[],
  i: number,
  name: string,
  opts: { optional: true },
): Record<string, unknown> | undefined;
export function paramObject(
  params: unknown[],
  i: number,
  name: string,
  opts?: OptionalParam,
): Record<string, unknown> | undefined;
export function paramObject(
  params: unknown[],
  i: number,
  name: string,
  opts?: OptionalParam,
): Record<string, unknown> | undefined {
  const v = params[i];
  if (v === undefined && opts?.optional) return undefined;
  if (v === null || typeof v !== "object" || Array.isArray(v)) throw invalid(i, name, "an object", v);
  return v as Record<string, unknown>;
}

export function paramBool(params: unknown[], i: number, name: string): boolean;
export function paramBool(params: unknown[], i: number, name: string, opts: { optional: true }): boolean | undefined;
export function paramBool(params: unknown[], i: number, name: string, opts?: OptionalParam): boolean | undefined;
export function paramBool(params: unknown[], i: number, name: string, opts?: OptionalParam): boolean | undefined {
  const v = params[i];
  if (v === undefined && opts?.optional) return undefined;
  if (typeof v !== "boolean") throw invalid(i, name, "a boolean", v);
  return v;
}

function toUint(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  if (typeof v === "string" && v.length <= 16 && DECIMAL_RE.test(v)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

function invalid(index: number, param: string, expected: string, got: unknown): RpcError {
  const what = got === undefined ? "missing" : `got ${describe(got)}`;
  return new RpcError(RpcErrorCode.INVALID_PARAMS, {
    message: `Invalid params: ${param} (param ${index}) must be ${expected}, ${what}`,
    data: { param, index, expected },
  });
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  const s = typeof v === "string" ? JSON.stringify(v) : String(v);
  return s.length > MAX_ECHO_CHARS ? `${s.slice(0, MAX_ECHO_CHARS)}…` : s;
}
