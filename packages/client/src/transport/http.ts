/** The HTTP transport: one POST per JSON-RPC request with fetch, a per-request timeout and typed errors. */
import type { RpcMethod, RpcMethods } from "@filverse/types";
import { TransportError, TransportErrorCode } from "../errors.js";
import { buildRequest, isJsonRpcResponse, parseResponse, stringifyRequest, truncate } from "./jsonRpc.js";
import { DEFAULT_REQUEST_TIMEOUT_MS, type RequestOptions, type Transport, type TransportOptions } from "./types.js";

export function createHttpTransport(url: string, opts: TransportOptions = {}): Transport {
  const defaultTimeoutMs = opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;

  async function request<M extends RpcMethod>(
    method: M,
    params: RpcMethods[M][0],
    reqOpts: RequestOptions = {},
  ): Promise<RpcMethods[M][1]> {
    const timeoutMs = reqOpts.timeoutMs ?? defaultTimeoutMs;
    const body = buildRequest(method, params);
    let response: Response;
    let text: string;
    for (let attempt = 1; ; attempt++) {
      try {
        response = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...opts.headers },
          body: stringifyRequest(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
        text = await response.text();
        break;
      } catch (cause) {
        // A kept-alive connection the node closed as the request went out (its idle timeout) fails
        // with "other side closed" and no answer: a read is asked once more, on a new connection.
        // A send is not: the node may have taken it, and the caller's nonce cursor decides.
        if (attempt === 1 && socketClosed(cause) && !NOT_RETRIED.has(method)) continue;
        throw fetchFailure(cause, url, method, timeoutMs);
      }
    }

    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    // A node may answer a JSON-RPC error with a 4xx/5xx status (429 for RATE_LIMITED): the typed
    // error in the body says more than the status does.
    if (isJsonRpcResponse(json)) return parseResponse(json, body.id) as RpcMethods[M][1];
    if (!response.ok) {
      throw new TransportError(
        TransportErrorCode.HTTP_STATUS,
        `HTTP request failed with status ${response.status} ${response.statusText}`.trim(),
        { details: { url, method, status: response.status, body: truncate(text) } },
      );
    }
    throw new TransportError(TransportErrorCode.INVALID_RESPONSE, "The node's answer is not a JSON-RPC response", {
      details: { url, method, status: response.status, body: truncate(text) },
    });
  }

  return { type: "http", url, request, close: async () => {} };
}

/** The methods that change something: never sent twice by the transport. */
const NOT_RETRIED: ReadonlySet<string> = new Set([
  "filverse_sendTransaction",
  "filverse_sendRawTransaction",
  "filverse_sendTransactionSync",
  "filverse_submitPreconfirmation",
]);

/** undici's error for a connection the other side closed before answering. */
function socketClosed(cause: unknown): boolean {
  return (cause as { cause?: { code?: string } } | null)?.cause?.code === "UND_ERR_SOCKET";
}

function fetchFailure(cause: unknown, url: string, method: string, timeoutMs: number): TransportError {
  const name = (cause as { name?: string } | null)?.name;
  if (name === "TimeoutError" || name === "AbortError") {
    return new TransportError(TransportErrorCode.TIMEOUT, `The request timed out after ${timeoutMs} ms`, {
      cause,
      details: { url, method, timeoutMs },
    });
  }
  // undici reports "fetch failed" and puts the socket error (ECONNREFUSED, ENOTFOUND) in `cause`.
  const inner = (cause as { cause?: { code?: string; message?: string } } | null)?.cause;
  const reason = inner?.code ?? inner?.message ?? (cause as Error | null)?.message ?? String(cause);
  return new TransportError(TransportErrorCode.CONNECTION, `Could not reach the node at ${url} (${reason})`, {
    cause,
    details: { url, method },
  });
}
