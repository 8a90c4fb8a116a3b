/**
 * `GET`/`HEAD /piece/{pieceCid}` over a PieceStore, as Boost and Curio serve pieces (the Piece Gateway
 * spec): application/octet-stream, Accept-Ranges, single byte ranges (206 / 416), 404 for an unknown
 * piece, 400 for a string that is no Piece CID. Files are streamed from disk, never buffered whole.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { pipeline } from "node:stream/promises";
import { type Logger, nullLogger } from "@filverse/utils";
import { FilecoinError, FilecoinErrorCode } from "../errors.js";
import type { PieceStore } from "./pieceStore.js";

export const PIECE_PATH_PREFIX = "/piece/";

/** Pieces are immutable: the Piece Gateway spec's caching directive for them. */
const IMMUTABLE_CACHE_CONTROL = "public, max-age=29030400, immutable";

export type PieceRequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export type PieceHandlerModules = {
  store: PieceStore;
  logger?: Logger | null;
};

/** A parsed `Range` header: serve it, serve the whole piece (no or ignored Range), or 416. */
export type ByteRange = { kind: "full" } | { kind: "range"; start: number; end: number } | { kind: "unsatisfiable" };

const RANGE_PATTERN = /^bytes=(\d*)-(\d*)$/;

/**
 * RFC 9110 §14.1.2 for one range over `size` bytes: `a-b` (b clipped to the end), `a-`, `-n` (the
 * last n bytes). Syntax errors and ranges starting at or past the end are unsatisfiable (416, as Go's
 * http.ServeContent answers, which Boost and Curio use). Several ranges are ignored (the whole piece,
 * 200), which RFC 9110 allows: a piece gateway serves single ranges only.
 */
export function parseRange(header: string | undefined, size: number): ByteRange {
  if (header === undefined) return { kind: "full" };
  const spec = header.replace(/\s+/g, "");
  if (spec.startsWith("bytes=") && spec.includes(",")) return { kind: "full" };
  const m = RANGE_PATTERN.exec(spec);
  if (!m || (m[1] === "" && m[2] === "")) return { kind: "unsatisfiable" };
  if (m[1] === "") {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "range", start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const last = m[2] === "" ? size - 1 : Number(m[2]);
  if (start >= size || last < start) return { kind: "unsatisfiable" };
  return { kind: "range", start, end: Math.min(last, size - 1) };
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", ...headers }).end(`${text}\n`);
}

/** The piece CID in `/piece/{cid}` (query ignored), or null if the path is not of that form. */
function pieceCidOf(url: string | undefined): string | null {
  const path = (url ?? "").split("?", 1)[0]!;
  if (!path.startsWith(PIECE_PATH_PREFIX)) return null;
  return path.slice(PIECE_PATH_PREFIX.length);
}

/**
 * The request handler the node mounts for paths under PIECE_PATH_PREFIX (any other path gets 404).
 * It never throws: store faults become 500, a client that goes away ends the stream.
 */
export function createPieceRequestHandler(modules: PieceHandlerModules): PieceRequestHandler {
  const logger = (modules.logger ?? nullLogger).child({ module: "pieceServer" });
  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      sendText(res, 405, "Method not allowed", { allow: "GET, HEAD" });
      return;
    }
    const cid = pieceCidOf(req.url);
    if (cid === null) {
      sendText(res, 404, "Not found");
      return;
    }
    let opened: Awaited<ReturnType<PieceStore["openPiece"]>>;
    try {
      opened = await modules.store.openPiece(cid);
    } catch (err) {
      if (err instanceof FilecoinError && err.code === FilecoinErrorCode.PIECE_CID_INVALID) {
        sendText(res, 400, "Not a Piece CID");
        return;
      }
      throw err;
    }
    if (!opened) {
      sendText(res, 404, "Piece not found");
      return;
    }
    const { handle, size, pieceCid } = opened;
    let streaming = false;
    try {
      const etag = `"${pieceCid}"`;
      const headers: Record<string, string | number> = {
        "content-type": "application/octet-stream",
        "accept-ranges": "bytes",
        etag,
        "cache-control": IMMUTABLE_CACHE_CONTROL,
        "content-disposition": `attachment; filename="${pieceCid}"`,
        "x-content-type-options": "nosniff",
      };
      // If-Range with another validator: the client's partial copy is stale, so send it all.
      const ifRange = req.headers["if-range"];
      const range: ByteRange =
        ifRange !== undefined && ifRange !== etag ? { kind: "full" } : parseRange(req.headers.range, size);
      if (range.kind === "unsatisfiable") {
        res.writeHead(416, { ...headers, "content-range": `bytes */${size}`, "content-length": 0 }).end();
        return;
      }
      const start = range.kind === "range" ? range.start : 0;
      const end = range.kind === "range" ? range.end : size - 1;
      if (range.kind === "range") headers["content-range"] = `bytes ${start}-${end}/${size}`;
      headers["content-length"] = end - start + 1;
      res.writeHead(range.kind === "range" ? 206 : 200, headers);
      if (req.method === "HEAD" || size === 0) {
        res.end();
        return;
      }
      streaming = true;
      // The stream owns the handle from here and closes it when done, failed or destroyed.
      await pipeline(handle.createReadStream({ start, end, autoClose: true }), res);
    } finally {
      if (!streaming) await handle.close();
    }
  };
  return (req, res) => {
    serve(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        // Mostly a client that closed the connection mid-piece.
        logger.debug("piece response ended early", { url: req.url, error: (err as Error)?.message });
        res.destroy();
        return;
      }
      logger.warn("piece request failed", { url: req.url }, err);
      sendText(res, 500, "Internal error");
    });
  };
}

export type PieceServerOpts = {
  host: string;
  /** 0 picks a free port. */
  port: number;
};

export const defaultPieceServerOpts: PieceServerOpts = { host: "127.0.0.1", port: 0 };

/** A standalone piece server (tests, the devnet storage provider). The node mounts the handler instead. */
export class PieceServer {
  private readonly opts: PieceServerOpts;
  private readonly handler: PieceRequestHandler;
  private readonly sockets = new Set<Socket>();
  private server: Server | null = null;
  private closing: Promise<void> | null = null;
  url: string | null = null;

  constructor(opts: Partial<PieceServerOpts>, modules: PieceHandlerModules) {
    this.opts = { ...defaultPieceServerOpts, ...opts };
    this.handler = createPieceRequestHandler(modules);
  }

  async start(): Promise<{ url: string }> {
    if (this.url) return { url: this.url };
    const server = createServer(this.handler);
    server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.server = server;
    const { address, port } = server.address() as AddressInfo;
    this.url = `http://${address.includes(":") ? `[${address}]` : address}:${port}`;
    return { url: this.url };
  }

  /** Stops listening and ends open connections. Idempotent. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      const server = this.server;
      if (!server) return resolve();
      server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
    return this.closing;
  }
}

export function createPieceServer(opts: Partial<PieceServerOpts>, modules: PieceHandlerModules): PieceServer {
  return new PieceServer(opts, modules);
}
