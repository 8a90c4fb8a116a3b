/**
 * A ByteSource over HTTP ranges (`Range: bytes=a-b`), so a batch reader finds block N on a piece
 * server without downloading the piece. What it reads is checked against the payload CID by the
 * batch reader, not against the Piece CID (which needs every byte).
 */
import type { ByteSource } from "../car/byteSource.js";
import { FilecoinError, FilecoinErrorCode } from "../errors.js";
import { contentLength, download, type FetchLike } from "./download.js";
import { defaultRetrieveOpts } from "./retrievePiece.js";

export type HttpByteSourceOpts = {
  /** Each request, headers and body; default 60 s. */
  timeoutMs?: number;
  /** The longest silence between chunks; default defaultRetrieveOpts.idleTimeoutMs. */
  idleTimeoutMs?: number;
  signal?: AbortSignal | null;
  fetch?: FetchLike | null;
};

function failed(shortMessage: string, details: Record<string, unknown>): FilecoinError {
  return new FilecoinError(FilecoinErrorCode.RETRIEVAL_FAILED, shortMessage, { details });
}

/** HEADs `url` for its size, then serves read() with one ranged GET each (206 required). */
export async function createHttpByteSource(url: string, opts: HttpByteSourceOpts = {}): Promise<ByteSource> {
  const common = {
    timeoutMs: opts.timeoutMs ?? 60_000,
    idleTimeoutMs: opts.idleTimeoutMs ?? defaultRetrieveOpts.idleTimeoutMs,
    signal: opts.signal ?? null,
    fetch: opts.fetch ?? null,
  };
  const head = await download(url, { ...common, method: "HEAD", maxBytes: 0 });
  if (head.status === 404) {
    throw new FilecoinError(FilecoinErrorCode.PIECE_NOT_FOUND, "The server does not have the piece", {
      details: { url },
    });
  }
  const size = head.status === 200 ? contentLength(head.headers) : null;
  if (size === null) throw failed("HEAD gave no size for the piece", { url, status: head.status });
  return {
    size,
    async read(offset, length) {
      if (length <= 0 || offset >= size) return new Uint8Array(0);
      const last = Math.min(offset + length, size) - 1;
      const res = await download(url, {
        ...common,
        headers: { range: `bytes=${offset}-${last}` },
        acceptStatus: 206,
        maxBytes: last - offset + 1,
      });
      const range = res.headers.get("content-range");
      if (res.status !== 206 || range === null || !range.startsWith(`bytes ${offset}-${last}/`)) {
        throw failed("The server did not answer the range", { url, status: res.status, contentRange: range });
      }
      return res.body;
    },
  };
}
