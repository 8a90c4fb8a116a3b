/**
 * JSON-RPC 2.0 request processing, independent of the transport: validation, batches,
 * notifications, method dispatch, handler timeouts and error mapping (https://www.jsonrpc.org/specification).
 */
import { MAX_JSON_DEPTH, RpcErrorCode } from "@filverse/types";
import { exceedsJsonDepth, type Logger } from "@filverse/utils";
import type { RpcContext, RpcHandler } from "./context.js";
import { RpcError, toRpcErrorObject } from "./errors.js";
import { errorObjectResponse, errorResponse, isRpcId, type RpcId, resultResponse } from "./json.js";

/** A response string, null when nothing is sent (notifications), or a promise of either. */
export type DispatchResult = string | null | Promise<string | null>;

export type DispatcherOpts = { maxBatchLength: number; requestTimeoutMs: number };

/** Method names echoed in errors are cut to this length. */
const MAX_ECHOED_METHOD_CHARS = 100;

type RawRequest = { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };

class PendingCall {
  done = false;
  constructor(
    readonly deadlineMs: number,
    readonly id: RpcId,
    readonly hasId: boolean,
    readonly method: string,
    readonly resolve: (response: string | null) => void,
  ) {}
}

export class Dispatcher {
  private readonly methods: Map<string, RpcHandler>;
  /** Async calls in flight. One sweeper timer enforces every deadline, instead of a timer per call. */
  private readonly pending = new Set<PendingCall>();
  private sweeper: NodeJS.Timeout | null = null;
  private readonly sweepEveryMs: number;
  private closed = false;

  constructor(
    methods: Record<string, RpcHandler>,
    private readonly opts: DispatcherOpts,
    private readonly log: Logger,
  ) {
    // A Map of own entries: a Record lookup would find "constructor" or "__proto__" on Object.prototype.
    this.methods = new Map(Object.entries(methods));
    // Deadlines are enforced to within a quarter of the timeout (at most 1 s late).
    this.sweepEveryMs = Math.min(1000, Math.max(5, Math.floor(opts.requestTimeoutMs / 4)));
  }

  get pendingCalls(): number {
    return this.pending.size;
  }

  /** How many rate-limit tokens a parsed message costs: one per batch element (batches over the limit cost the limit). */
  cost(msg: unknown): number {
    if (!Array.isArray(msg)) return 1;
    const n = msg.length;
    return n === 0 ? 1 : Math.min(n, this.opts.maxBatchLength);
  }

  /** Handle one parsed message: a request object or a batch. */
  handle(msg: unknown, ctx: RpcContext): DispatchResult {
    return Array.isArray(msg) ? this.handleBatch(msg, ctx) : this.handleRequest(msg, ctx);
  }

  /** Settle every call in flight with UNAVAILABLE and stop the sweeper. Idempotent. */
  close(): void {
    this.closed = true;
    this.stopSweeper();
    for (const call of this.pending) {
      call.done = true;
      call.resolve(call.hasId ? errorResponse(call.id, RpcErrorCode.UNAVAILABLE, { reason: "server closing" }) : null);
    }
    this.pending.clear();
  }

  private handleBatch(batch: unknown[], ctx: RpcContext): DispatchResult {
    if (batch.length === 0) return errorResponse(null, RpcErrorCode.INVALID_REQUEST, { reason: "empty batch" });
    if (batch.length > this.opts.maxBatchLength) {
      return errorResponse(null, RpcErrorCode.TOO_LARGE, {
        reason: "batch too long",
        length: batch.length,
        maxBatchLength: this.opts.maxBatchLength,
      });
    }
    const out = new Array<string | null | Promise<string | null>>(batch.length);
    let anyAsync = false;
    for (let i = 0; i < batch.length; i++) {
      const r = this.handleRequest(batch[i], ctx);
      if (r !== null && typeof r === "object") anyAsync = true;
      out[i] = r;
    }
    return anyAsync ? Promise.all(out).then(joinBatch) : joinBatch(out as (string | null)[]);
  }

  private handleRequest(msg: unknown, ctx: RpcContext): DispatchResult {
    if (msg === null || typeof msg !== "object" || Array.isArray(msg)) {
      return invalidRequest(null, "a request must be an object");
    }
    const req = msg as RawRequest;
    const id = req.id;
    // JSON has no undefined, so an undefined id means the member is absent: a notification.
    const hasId = id !== undefined;
    if (hasId && !isRpcId(id)) return invalidRequest(null, "id must be a string, a finite number or null");
    const rid = hasId ? (id as RpcId) : null;
    if (req.jsonrpc !== "2.0") return invalidRequest(rid, 'jsonrpc must be "2.0"');
    const method = req.method;
    if (typeof method !== "string") return invalidRequest(rid, "method must be a string");
    let params = req.params;
    if (params === undefined) {
      params = [];
    } else if (!Array.isArray(params)) {
      if (params === null || typeof params !== "object") return invalidRequest(rid, "params must be an array");
      return hasId
        ? errorResponse(rid, RpcErrorCode.INVALID_PARAMS, { reason: "params must be an array (positional)" })
        : null;
    }
    const handler = this.methods.get(method);
    if (handler === undefined) {
      return hasId ? errorResponse(rid, RpcErrorCode.METHOD_NOT_FOUND, { method: clip(method) }) : null;
    }
    if (this.closed) return hasId ? errorResponse(rid, RpcErrorCode.UNAVAILABLE, { reason: "server closing" }) : null;
    // Before anything recurses into the params (a codec, String(), an error's echo): V8 overflows
    // its stack at a few thousand levels, and that must be the sender's error, not INTERNAL_ERROR.
    if (exceedsJsonDepth(params, MAX_JSON_DEPTH + 1)) {
      return hasId
        ? errorResponse(rid, handler.tooDeepCode ?? RpcErrorCode.INVALID_PARAMS, {
            reason: `a param nests deeper than ${MAX_JSON_DEPTH} levels`,
            maxDepth: MAX_JSON_DEPTH,
          })
        : null;
    }
    let out: unknown;
    try {
      out = handler(params as unknown[], ctx);
    } catch (e) {
      return this.errorFor(rid, hasId, e, method);
    }
    if (out !== null && typeof out === "object" && typeof (out as PromiseLike<unknown>).then === "function") {
      return this.awaitCall(out as PromiseLike<unknown>, rid, hasId, method);
    }
    return hasId ? this.resultFor(rid, out, method) : null;
  }

  private awaitCall(p: PromiseLike<unknown>, id: RpcId, hasId: boolean, method: string): Promise<string | null> {
    return new Promise<string | null>((resolve) => {
      const call = new PendingCall(Date.now() + this.opts.requestTimeoutMs, id, hasId, method, resolve);
      this.pending.add(call);
      if (this.sweeper === null) this.startSweeper();
      // Promise.resolve adopts foreign thenables safely (a throwing `then` becomes a rejection).
      Promise.resolve(p).then(
        (result) => this.settle(call, result, false),
        (err) => this.settle(call, err, true),
      );
    });
  }

  private settle(call: PendingCall, value: unknown, failed: boolean): void {
    if (call.done) return; // timed out or closed already; the late outcome is dropped
    call.done = true;
    this.pending.delete(call);
    call.resolve(
      failed
        ? this.errorFor(call.id, call.hasId, value, call.method)
        : call.hasId
          ? this.resultFor(call.id, value, call.method)
          : null,
    );
  }

  private resultFor(id: RpcId, result: unknown, method: string): string {
    try {
      return resultResponse(id, result);
    } catch (e) {
      this.log.error("rpc result not serializable", { method }, e);
      return errorResponse(id, RpcErrorCode.INTERNAL_ERROR);
    }
  }

  private errorFor(id: RpcId, hasId: boolean, err: unknown, method: string): string | null {
    if (!(err instanceof RpcError)) {
      this.log.error("rpc handler failed", { method }, err);
    } else if (err.code === RpcErrorCode.INTERNAL_ERROR) {
      this.log.warn("rpc handler internal error", { method }, err);
    }
    return hasId ? errorObjectResponse(id, toRpcErrorObject(err)) : null;
  }

  private startSweeper(): void {
    this.sweeper = setInterval(() => this.sweep(), this.sweepEveryMs);
    this.sweeper.unref();
  }

  private stopSweeper(): void {
    if (this.sweeper !== null) {
      clearInterval(this.sweeper);
      this.sweeper = null;
    }
  }

  private sweep(): void {
    const now = Date.now();
    const timeoutMs = this.opts.requestTimeoutMs;
    for (const call of this.pending) {
      if (call.deadlineMs > now) continue;
      call.done = true;
      this.pending.delete(call);
      this.log.warn("rpc handler timed out", { method: call.method, timeoutMs });
      call.resolve(
        call.hasId
          ? errorResponse(
              call.id,
              RpcErrorCode.INTERNAL_ERROR,
              { reason: "timeout", method: clip(call.method), timeoutMs },
              `Internal error: ${clip(call.method)} timed out after ${timeoutMs} ms`,
            )
          : null,
      );
    }
    if (this.pending.size === 0) this.stopSweeper();
  }
}

function invalidRequest(id: RpcId, reason: string): string {
  return errorResponse(id, RpcErrorCode.INVALID_REQUEST, { reason });
}

function joinBatch(responses: (string | null)[]): string | null {
  let out: string | null = null;
  for (const r of responses) {
    if (r === null) continue;
    out = out === null ? `[${r}` : `${out},${r}`;
  }
  return out === null ? null : `${out}]`;
}

function clip(s: string): string {
  return s.length > MAX_ECHOED_METHOD_CHARS ? `${s.slice(0, MAX_ECHOED_METHOD_CHARS)}…` : s;
}
