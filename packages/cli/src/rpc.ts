/**
 * Reads for the CLI: one JSON-RPC POST with the fetch Node already has, no SDK, no crypto, so a
 * read command starts about as fast as `node` itself. A ws:// URL goes through @filverse/client
 * (loaded only then). Errors carry the SDK's codes: TRANSPORT_CONNECTION, TRANSPORT_TIMEOUT,
 * TRANSPORT_HTTP_STATUS, TRANSPORT_INVALID_RESPONSE, or the node's numeric JSON-RPC code.
 */
import { FilverseError } from "@filverse/utils";

const READ_TIMEOUT_MS = 10_000;

export class RpcReadError extends FilverseError<string | number> {
  override name = "RpcReadError";
}

export async function rpcRead(url: string, method: string, params: unknown[]): Promise<unknown> {
  if (/^wss?:\/\//i.test(url)) {
    const { createFilverseClient } = await import("@filverse/client");
    const c = createFilverseClient({ url });
    try {
      return await c.request(method as never, params as never);
    } finally {
      await c.close();
    }
  }
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      signal: AbortSignal.timeout(READ_TIMEOUT_MS),
    });
    text = await response.text();
  } catch (cause) {
    const name = (cause as { name?: string } | null)?.name;
    if (name === "TimeoutError" || name === "AbortError")
      throw new RpcReadError("TRANSPORT_TIMEOUT", `The request timed out after ${READ_TIMEOUT_MS} ms`, {
        details: { url, method },
      });
    const inner = (cause as { cause?: { code?: string; message?: string } } | null)?.cause;
    const reason = inner?.code ?? inner?.message ?? (cause as Error | null)?.message ?? String(cause);
    throw new RpcReadError("TRANSPORT_CONNECTION", `Could not reach the node at ${url} (${reason})`, {
      details: { url, method },
    });
  }
  let body: { result?: unknown; error?: { code: number; message: string; data?: unknown } } | undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (body?.error) {
    throw new RpcReadError(body.error.code, body.error.message, {
      details: { code: body.error.code, ...(body.error.data === undefined ? {} : { data: body.error.data }) },
    });
  }
  if (body && "result" in body) return body.result;
  if (!response.ok)
    throw new RpcReadError("TRANSPORT_HTTP_STATUS", `HTTP request failed with status ${response.status}`, {
      details: { url, method, status: response.status },
    });
  throw new RpcReadError("TRANSPORT_INVALID_RESPONSE", "The node's answer is not a JSON-RPC response", {
    details: { url, method },
  });
}
