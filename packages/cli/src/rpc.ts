/**
 * Reads for the CLI: one JSON-RPC POST with node:http (lighter to load than fetch), no SDK, no crypto, so a
 * read command starts about as fast as `node` itself. A ws:// URL goes through @filverse/client
 * (loaded only then). Errors carry the SDK's codes: TRANSPORT_CONNECTION, TRANSPORT_TIMEOUT,
 * TRANSPORT_HTTP_STATUS, TRANSPORT_INVALID_RESPONSE, or the node's numeric JSON-RPC code.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
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
  let response: { status: number; text: string };
  try {
    response = await post(url, JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }));
  } catch (cause) {
    if ((cause as { name?: string } | null)?.name === "TimeoutError")
      throw new RpcReadError("TRANSPORT_TIMEOUT", `The request timed out after ${READ_TIMEOUT_MS} ms`, {
        details: { url, method },
      });
    const reason = (cause as { code?: string; message?: string } | null)?.code ?? (cause as Error | null)?.message;
    throw new RpcReadError("TRANSPORT_CONNECTION", `Could not reach the node at ${url} (${reason ?? String(cause)})`, {
      details: { url, method },
    });
  }
  const text = response.text;
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
  if (response.status < 200 || response.status >= 300)
    throw new RpcReadError("TRANSPORT_HTTP_STATUS", `HTTP request failed with status ${response.status}`, {
      details: { url, method, status: response.status },
    });
  throw new RpcReadError("TRANSPORT_INVALID_RESPONSE", "The node's answer is not a JSON-RPC response", {
    details: { url, method },
  });
}

/** One POST; resolves with the status and body, rejects on a socket error or after READ_TIMEOUT_MS. */
function post(url: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch (cause) {
      reject(cause);
      return;
    }
    const request = target.protocol === "https:" ? httpsRequest : httpRequest;
    const req = request(
      target,
      { method: "POST", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.setTimeout(READ_TIMEOUT_MS, () => req.destroy(Object.assign(new Error("timeout"), { name: "TimeoutError" })));
    req.on("error", reject);
    req.end(body);
  });
}
