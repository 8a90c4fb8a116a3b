/**
 * RpcError: a FilverseError whose code is a JSON-RPC error code (types/src/rpc.ts), and the
 * mapping from anything a handler throws to the {code, message, data} object sent on the wire.
 */
import { RPC_ERROR_MESSAGES, RpcErrorCode } from "@filverse/types";
import { clipForEcho, FilverseError } from "@filverse/utils";

export type RpcErrorOptions = { message?: string; data?: unknown; cause?: unknown };

export class RpcError extends FilverseError<RpcErrorCode> {
  override name = "RpcError";
  /** Sent to the client as `error.data` (clipped like details, by clipForEcho); omitted when undefined. */
  readonly data: unknown;

  constructor(code: RpcErrorCode, opts: RpcErrorOptions = {}) {
    const data = opts.data;
    const plain = isPlainObject(data);
    super(code, opts.message ?? RPC_ERROR_MESSAGES[code] ?? "Unknown error", {
      cause: opts.cause,
      // Plain-object data also becomes the error's details, so logs show it.
      details: plain ? data : undefined,
    });
    this.data = plain ? this.details : clipForEcho(data);
  }
}

/** The JSON-RPC error object: `data` is present only when defined. */
export type RpcErrorObject = { code: number; message: string; data?: unknown };

/**
 * What the client sees for a thrown value. RpcError keeps its code, message and data. Any other
 * FilverseError is an internal error whose data names its typed code and details (they are meant
 * to be shown); anything else is a bare "Internal error" so stacks and internals never leak.
 */
export function toRpcErrorObject(err: unknown): RpcErrorObject {
  if (err instanceof RpcError) {
    // A message may quote the input ("Unknown namespace …"): cut like any echoed string.
    const message = clipForEcho(err.shortMessage) as string;
    return err.data === undefined ? { code: err.code, message } : { code: err.code, message, data: err.data };
  }
  if (err instanceof FilverseError) {
    return {
      code: RpcErrorCode.INTERNAL_ERROR,
      message: RPC_ERROR_MESSAGES[RpcErrorCode.INTERNAL_ERROR],
      data: { code: err.code, message: clipForEcho(err.shortMessage), details: err.details },
    };
  }
  return { code: RpcErrorCode.INTERNAL_ERROR, message: RPC_ERROR_MESSAGES[RpcErrorCode.INTERNAL_ERROR] };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
