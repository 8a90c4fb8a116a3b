/**
 * Where a verifier fetches blocks it has not seen: the `BlockSource` seam. Today one implementation
 * reads the sequencer's JSON-RPC (`filverse_getBlockByNumber` with full transactions, batched);
 * p2p range sync implements the same interface. Also the small JSON-RPC client the verifier uses to
 * forward transactions to the sequencer.
 */
import { RpcErrorCode, type SignedBlock, signedBlockFromJson } from "@filverse/types";
import { fromHex } from "@filverse/utils";
import { sleep } from "../abort.js";
import { RemoteRpcError, RemoteRpcErrorCode } from "../errors.js";

/** Blocks by height from somewhere else: the sequencer's RPC, or peers (range sync). */
export interface BlockSource {
  /**
   * Up to `count` consecutive blocks from `start`, in order. Fewer (or none) when the source's head
   * is lower. The blocks are unverified: the verifier checks everything.
   */
  blocksByRange(start: number, count: number): Promise<SignedBlock[]>;
  /** The source's head as it claims it. */
  head(): Promise<{ number: number; hash: Uint8Array }>;
}

export type JsonRpcClientOpts = {
  url: string;
  /** Per request. */
  timeoutMs: number;
  /** Longer answers are refused (BAD_RESPONSE) without being buffered whole. */
  maxResponseBytes: number;
};

export const defaultJsonRpcClientOpts: Omit<JsonRpcClientOpts, "url"> = {
  timeoutMs: 15_000,
  maxResponseBytes: 256 * 1024 * 1024,
};

type RpcResponse = { id?: unknown; result?: unknown; error?: { code: number; message: string; data?: unknown } };

export type JsonRpcClientModules = {
  /** The node's signal: aborting it cancels the requests in flight (UNREACHABLE) and every later one. */
  signal?: AbortSignal | null;
};

/** A minimal JSON-RPC 2.0 client over HTTP POST (fetch), bounded in time and size. */
export class JsonRpcClient {
  readonly opts: JsonRpcClientOpts;
  /** The node's signal, or null (then only the per-request timeout ends a request). */
  readonly signal: AbortSignal | null;
  private nextId = 1;

  constructor(opts: Partial<JsonRpcClientOpts> & Pick<JsonRpcClientOpts, "url">, modules: JsonRpcClientModules = {}) {
    this.opts = { ...defaultJsonRpcClientOpts, ...opts };
    this.signal = modules.signal ?? null;
  }

  /** One call; a JSON-RPC error becomes RemoteRpcError RPC_ERROR carrying its code. */
  async call<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const [r] = await this.send([{ method, params }]);
    return unwrap<T>(r!, method);
  }

  /** Several calls in one batch; answers in the order asked (each still to unwrap). */
  async batch(calls: { method: string; params: unknown[] }[]): Promise<RpcResponse[]> {
    return this.send(calls);
  }

  /**
   * One request's signal: aborted after timeoutMs or when the node's signal is (a listener removed by
   * done(), so a long-lived node signal does not collect one per request).
   */
  private requestSignal(): { signal: AbortSignal; done: () => void } {
    const parent = this.signal;
    if (!parent) return { signal: AbortSignal.timeout(this.opts.timeoutMs), done: () => {} };
    const controller = new AbortController();
    const onAbort = () => controller.abort(parent.reason);
    const timer = setTimeout(
      () => controller.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError")),
      this.opts.timeoutMs,
    );
    if (parent.aborted) onAbort();
    else parent.addEventListener("abort", onAbort, { once: true });
    return {
      signal: controller.signal,
      done: () => {
        clearTimeout(timer);
        parent.removeEventListener("abort", onAbort);
      },
    };
  }

  private async send(calls: { method: string; params: unknown[] }[]): Promise<RpcResponse[]> {
    const ids = calls.map(() => this.nextId++);
    const body = calls.map((c, i) => ({ jsonrpc: "2.0", id: ids[i], method: c.method, params: c.params }));
    let text: string;
    const request = this.requestSignal();
    try {
      const res = await fetch(this.opts.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(calls.length === 1 ? body[0] : body),
        signal: request.signal,
      });
      if (res.status !== 200 && res.status !== 429) {
        await res.body?.cancel();
        throw new RemoteRpcError(RemoteRpcErrorCode.UNREACHABLE, `${this.opts.url} answered HTTP ${res.status}`, {
          details: { url: this.opts.url, status: res.status },
        });
      }
      text = await readBounded(res, this.opts.maxResponseBytes, this.opts.url);
    } catch (cause) {
      if (cause instanceof RemoteRpcError) throw cause;
      throw new RemoteRpcError(RemoteRpcErrorCode.UNREACHABLE, `${this.opts.url} is unreachable`, {
        cause,
        details: { url: this.opts.url, reason: (cause as Error).message },
      });
    } finally {
      request.done();
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw new RemoteRpcError(RemoteRpcErrorCode.BAD_RESPONSE, "The answer is not JSON", { cause });
    }
    // A batch refused whole (rate limit, too long) answers with one error object.
    const list = Array.isArray(json) ? (json as RpcResponse[]) : [json as RpcResponse];
    if (list.length === 1 && calls.length > 1 && list[0]?.error) return calls.map(() => list[0]!);
    const byId = new Map(list.map((r) => [r?.id, r]));
    return ids.map((id) => {
      const r = byId.get(id);
      if (!r || typeof r !== "object") {
        throw new RemoteRpcError(RemoteRpcErrorCode.BAD_RESPONSE, "An answer is missing from the batch", {
          details: { id },
        });
      }
      return r;
    });
  }
}

async function readBounded(res: Response, max: number, url: string): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel();
      throw new RemoteRpcError(RemoteRpcErrorCode.BAD_RESPONSE, "The answer is larger than allowed", {
        details: { url, maxResponseBytes: max },
      });
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function unwrap<T>(r: RpcResponse, method: string): T {
  if (r.error) {
    throw new RemoteRpcError(RemoteRpcErrorCode.RPC_ERROR, `${method}: ${r.error.message}`, {
      details: { method, rpcCode: r.error.code, message: r.error.message, data: r.error.data },
    });
  }
  if (!("result" in r)) throw new RemoteRpcError(RemoteRpcErrorCode.BAD_RESPONSE, `${method}: no result`);
  return r.result as T;
}

export type RpcBlockSourceOpts = {
  /** Blocks asked per JSON-RPC batch (the server's batch limit is 100; big blocks make big answers). */
  maxBlocksPerRequest: number;
};

export const defaultRpcBlockSourceOpts: RpcBlockSourceOpts = { maxBlocksPerRequest: 32 };

/** Wait this long when the server rate-limits without saying for how long. */
const RATE_LIMIT_DEFAULT_WAIT_MS = 1_000;

/**
 * A BlockSource over a node's JSON-RPC: `filverse_syncStatus` for the head, a batch of
 * `filverse_getBlockByNumber(n, true)` for a range. Blocks arrive as JSON and are decoded with the
 * strict codecs of @filverse/types (the `hash` field the server adds is dropped: the verifier hashes
 * the header itself).
 */
export class RpcBlockSource implements BlockSource {
  private readonly opts: RpcBlockSourceOpts;

  constructor(
    private readonly client: JsonRpcClient,
    opts: Partial<RpcBlockSourceOpts> = {},
  ) {
    this.opts = { ...defaultRpcBlockSourceOpts, ...opts };
  }

  async head(): Promise<{ number: number; hash: Uint8Array }> {
    const s = await this.client.call<{ head: string; headHash: string }>("filverse_syncStatus");
    const number = Number(s?.head);
    if (!Number.isSafeInteger(number) || number < 0 || typeof s.headHash !== "string") {
      throw new RemoteRpcError(RemoteRpcErrorCode.BAD_RESPONSE, "filverse_syncStatus: no head in the answer");
    }
    return { number, hash: fromHex(s.headHash, 32) };
  }

  async blocksByRange(start: number, count: number): Promise<SignedBlock[]> {
    if (!Number.isSafeInteger(start) || start < 1)
      throw new RangeError(`start must be a block number ≥ 1, got ${start}`);
    const n = Math.max(0, Math.min(count, this.opts.maxBlocksPerRequest));
    if (n === 0) return [];
    const calls = Array.from({ length: n }, (_, i) => ({
      method: "filverse_getBlockByNumber",
      params: [String(start + i), true],
    }));
    let answers = await this.client.batch(calls);
    const limited = answers.find((a) => a.error?.code === RpcErrorCode.RATE_LIMITED);
    if (limited) {
      const wait = Number((limited.error?.data as { retryAfterMs?: number } | undefined)?.retryAfterMs);
      const ms = Number.isFinite(wait) && wait > 0 ? wait : RATE_LIMIT_DEFAULT_WAIT_MS;
      // The client's signal (the node's) ends the wait: a close does not sit out a rate limit.
      if (this.client.signal) await sleep(ms, this.client.signal);
      else await new Promise((r) => setTimeout(r, ms));
      answers = await this.client.batch(calls);
    }
    const out: SignedBlock[] = [];
    for (let i = 0; i < n; i++) {
      const json = unwrap<Record<string, unknown> | null>(answers[i]!, "filverse_getBlockByNumber");
      if (json === null) break; // past the source's head
      const { hash: _hash, ...rest } = json;
      let block: SignedBlock;
      try {
        block = signedBlockFromJson(rest);
      } catch (cause) {
        throw new RemoteRpcError(RemoteRpcErrorCode.BAD_RESPONSE, `Block ${start + i} does not decode`, {
          cause,
          details: { number: start + i },
        });
      }
      if (block.header.number !== start + i) {
        throw new RemoteRpcError(
          RemoteRpcErrorCode.BAD_RESPONSE,
          `Asked for block ${start + i}, got ${block.header.number}`,
        );
      }
      out.push(block);
    }
    return out;
  }
}
