/**
 * One bounded HTTP download: a total timeout, an idle (stall) timeout, the caller's AbortSignal, and a
 * byte limit enforced on Content-Length before the body and on every chunk after. Shared by piece
 * retrieval and the HTTP ByteSource.
 */
import { FilecoinError, FilecoinErrorCode } from "../errors.js";

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export type DownloadOpts = {
  method?: "GET" | "HEAD";
  headers?: Record<string, string>;
  /** The one status whose body is read (default: any 2xx); other answers come back with no body. */
  acceptStatus?: number;
  /** The most body bytes accepted; more is PIECE_TOO_LARGE. */
  maxBytes: number;
  /** The whole request, headers and body. */
  timeoutMs: number;
  /** The longest wait for the next chunk of the body. */
  idleTimeoutMs: number;
  signal?: AbortSignal | null;
  fetch?: FetchLike | null;
};

export type DownloadResult = { status: number; headers: Headers; body: Uint8Array };

/** The Content-Length header as a number, or null when absent or not a plain decimal. */
export function contentLength(headers: Headers): number | null {
  const v = headers.get("content-length");
  return v !== null && /^\d+$/.test(v) ? Number(v) : null;
}

/**
 * Fetches `url` and reads the body of a 2xx answer, or of `acceptStatus` (other statuses come back
 * with an empty body).
 * Throws RETRIEVAL_TIMEOUT, PIECE_TOO_LARGE, or RETRIEVAL_FAILED (network error, caller abort).
 */
export async function download(url: string, opts: DownloadOpts): Promise<DownloadResult> {
  const ctl = new AbortController();
  let timedOut: "total" | "idle" | null = null;
  const onTimeout = (kind: "total" | "idle") => () => {
    timedOut = kind;
    ctl.abort();
  };
  const total = setTimeout(onTimeout("total"), opts.timeoutMs);
  let idle: NodeJS.Timeout | null = null;
  const armIdle = () => {
    if (idle) clearTimeout(idle);
    idle = setTimeout(onTimeout("idle"), opts.idleTimeoutMs);
  };
  const onAbort = () => ctl.abort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  if (opts.signal?.aborted) ctl.abort();
  const fail = (cause: unknown): FilecoinError => {
    if (cause instanceof FilecoinError) return cause;
    if (timedOut) {
      return new FilecoinError(FilecoinErrorCode.RETRIEVAL_TIMEOUT, `The download timed out (${timedOut})`, {
        details: { url, timeoutMs: timedOut === "total" ? opts.timeoutMs : opts.idleTimeoutMs },
        cause,
      });
    }
    const aborted = opts.signal?.aborted === true;
    return new FilecoinError(
      FilecoinErrorCode.RETRIEVAL_FAILED,
      aborted ? "The download was aborted" : "The download failed",
      { details: { url }, cause },
    );
  };
  try {
    armIdle();
    const res = await (opts.fetch ?? fetch)(url, {
      method: opts.method ?? "GET",
      headers: opts.headers ?? {},
      signal: ctl.signal,
    });
    const wanted =
      opts.acceptStatus === undefined ? res.status >= 200 && res.status <= 299 : res.status === opts.acceptStatus;
    if (!wanted || opts.method === "HEAD") {
      await res.body?.cancel().catch(() => {});
      return { status: res.status, headers: res.headers, body: new Uint8Array(0) };
    }
    const declared = contentLength(res.headers);
    if (declared !== null && declared > opts.maxBytes) {
      await res.body?.cancel().catch(() => {});
      throw new FilecoinError(FilecoinErrorCode.PIECE_TOO_LARGE, "The response is larger than the piece can be", {
        details: { url, contentLength: declared, maxBytes: opts.maxBytes },
      });
    }
    const chunks: Uint8Array[] = [];
    let received = 0;
    if (res.body) {
      const reader = res.body.getReader();
      for (;;) {
        armIdle();
        const { done, value } = await reader.read();
        if (done) break;
        received += value.length;
        if (received > opts.maxBytes) {
          await reader.cancel().catch(() => {});
          throw new FilecoinError(FilecoinErrorCode.PIECE_TOO_LARGE, "The response is larger than the piece can be", {
            details: { url, received, maxBytes: opts.maxBytes },
          });
        }
        chunks.push(value);
      }
    }
    const body = chunks.length === 1 ? chunks[0]! : new Uint8Array(received);
    if (chunks.length !== 1) {
      let at = 0;
      for (const c of chunks) {
        body.set(c, at);
        at += c.length;
      }
    }
    return { status: res.status, headers: res.headers, body };
  } catch (cause) {
    throw fail(cause);
  } finally {
    clearTimeout(total);
    if (idle) clearTimeout(idle);
    opts.signal?.removeEventListener("abort", onAbort);
  }
}
