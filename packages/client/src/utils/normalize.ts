/**
 * Friendly input → the JSON form @filverse/types parses, then the struct's own `fromJson`, so every
 * bound check of the protocol codec runs before anything is signed.
 */
import { ATTRIBUTE_KEY_PATTERN, HANDLE_PATTERN, MAX_UINT64_SAFE } from "@filverse/params";
import { CodecError, type FieldType, type StructType } from "@filverse/types";
import { type Hex, isHex, toHex } from "@filverse/utils";
import { ClientError, ClientErrorCode } from "../errors.js";

// biome-ignore lint/suspicious/noExplicitAny: structs and fields of any value type
type AnyStruct = StructType<any>;
// biome-ignore lint/suspicious/noExplicitAny: structs and fields of any value type
type AnyField = FieldType<any>;

function normalizeValue(field: AnyField, value: unknown): unknown {
  const enc = field.encoding;
  switch (enc.kind) {
    case "address":
    case "bytes32":
    case "bytes":
      return value instanceof Uint8Array ? toHex(value) : value;
    case "uint8":
    case "uint16":
    case "uint64":
    case "uint256":
      // Decimal strings go through the codec's own checks; a negative bigint becomes "-1" and is rejected there.
      return typeof value === "bigint" ? value.toString() : value;
    case "array":
      // Lists of bytes32 / address / uint256 items (a SessionGrant's tokens, caps, collections).
      return Array.isArray(value)
        ? value.map((item) =>
            item instanceof Uint8Array ? toHex(item) : typeof item === "bigint" ? item.toString() : item,
          )
        : value;
    case "struct":
      return typeof value === "object" && value !== null && !Array.isArray(value)
        ? normalizeObject(enc.struct, value as Record<string, unknown>)
        : value;
    default:
      return value;
  }
}

/**
 * The JSON form of a friendly object: known fields converted, `undefined` dropped, unknown keys kept
 * so that the codec rejects them (a misspelt field fails loudly instead of being ignored).
 */
export function normalizeObject(struct: AnyStruct, input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    const field = Object.hasOwn(struct.fields, k) ? struct.fields[k] : undefined;
    out[k] = field ? normalizeValue(field, v) : v;
  }
  return out;
}

/** Parse a JSON-form message with the struct's codec; codec failures become ClientError INVALID_INPUT. */
export function parseMessage<V>(struct: StructType<V>, json: Record<string, unknown>): V {
  let message: V;
  try {
    message = struct.fromJson(json, struct.name);
  } catch (cause) {
    if (cause instanceof CodecError) {
      throw new ClientError(ClientErrorCode.INVALID_INPUT, cause.shortMessage, { cause, details: cause.details });
    }
    throw cause;
  }
  checkSyntax(struct.name, message as Record<string, unknown>);
  return message;
}

/**
 * The two syntax rules a user most often gets wrong, checked here for a quick clear error; the node
 * applies every protocol rule (validateTxFields) anyway.
 */
function checkSyntax(name: string, m: Record<string, unknown>): void {
  if (name === "IdentityCreate" && !HANDLE_PATTERN.test(m.handle as string)) {
    throw new ClientError(ClientErrorCode.INVALID_INPUT, `Invalid field "${name}.handle": must match [a-z0-9_]{3,32}`, {
      details: { path: `${name}.handle`, got: m.handle },
    });
  }
  if ((name === "AttributeSet" || name === "AttributeRemove") && !ATTRIBUTE_KEY_PATTERN.test(m.key as string)) {
    throw new ClientError(ClientErrorCode.INVALID_INPUT, `Invalid field "${name}.key": must match [a-z0-9_.:-]{1,64}`, {
      details: { path: `${name}.key`, got: m.key },
    });
  }
}

/** A 0x-hex read parameter of `length` bytes, lower-cased; anything else is ClientError INVALID_INPUT. */
export function hexParam(value: unknown, length: number | undefined, name: string): Hex {
  if (!isHex(value, length)) {
    const expected = length === undefined ? "0x-prefixed hex" : `0x-prefixed hex of ${length} bytes`;
    throw new ClientError(ClientErrorCode.INVALID_INPUT, `Invalid parameter "${name}": expected ${expected}`, {
      details: { name, got: typeof value === "string" ? value : String(value) },
    });
  }
  return value.toLowerCase() as Hex;
}

/** A uint64 read parameter (token id, block number) as a decimal string. */
export function uintParam(value: unknown, name: string): string {
  if (typeof value === "bigint" && value >= 0n && value <= BigInt(MAX_UINT64_SAFE)) return value.toString();
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === "string" && /^(0|[1-9][0-9]{0,15})$/.test(value) && Number(value) <= MAX_UINT64_SAFE) {
    return value;
  }
  throw new ClientError(
    ClientErrorCode.INVALID_INPUT,
    `Invalid parameter "${name}": expected an integer in [0, 2^53-1]`,
    {
      details: { name, got: typeof value === "bigint" ? value.toString() : value },
    },
  );
}

/** The largest page the node serves for the paged lookups (filverse_getAssetsByOwner and the like). */
export const MAX_PAGE_LIMIT = 500;

/**
 * The `page` of a paged lookup ({cursor?, limit?}) as the node takes it: `limit` an integer from 1 to
 * `max`, `cursor` a previous page's `nextCursor` (0x hex, lower-cased; null or undefined for the first
 * page). Anything else is ClientError INVALID_INPUT naming the field; undefined when both are absent.
 */
export function pageParam(
  params: { cursor?: string | null; limit?: number },
  max = MAX_PAGE_LIMIT,
): { cursor?: string; limit?: number } | undefined {
  const page: { cursor?: string; limit?: number } = {};
  if (params.limit !== undefined) {
    if (typeof params.limit !== "number" || !Number.isInteger(params.limit) || params.limit < 1 || params.limit > max) {
      throw new ClientError(
        ClientErrorCode.INVALID_INPUT,
        `Invalid parameter "limit": expected an integer from 1 to ${max}`,
        {
          details: { name: "limit", got: String(params.limit) },
        },
      );
    }
    page.limit = params.limit;
  }
  if (params.cursor !== undefined && params.cursor !== null) {
    page.cursor = hexParam(params.cursor, undefined, "cursor");
  }
  return Object.keys(page).length > 0 ? page : undefined;
}

/** A block number or tag as JSON-RPC takes it: "latest", or a decimal string. */
export function blockTagParam(value: unknown, name = "blockNumber"): string {
  if (value === "latest") return value;
  return uintParam(value, name);
}

/** `defaults` overridden by the fields of `params` that are not undefined. */
export function withDefaults<T extends object>(defaults: Partial<T>, params: T): T {
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(params)) if (v !== undefined) out[k] = v;
  return out as T;
}
