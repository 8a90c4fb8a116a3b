/**
 * RpcServer: JSON-RPC 2.0 over HTTP (POST) and WebSocket on one port, with body and batch limits,
 * per-client rate limiting, handler timeouts, heartbeats and an idempotent close().
 */
import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { RpcErrorCode } from "@filverse/types";
import { type Logger, nullLogger } from "@filverse/utils";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import type { RpcContext, RpcHandler } from "./context.js";
import { Dispatcher, type DispatchResult } from "./dispatcher.js";
import { RpcError } from "./errors.js";
import { errorResponse, isRpcId, type RpcId } from "./json.js";
import { RateLimiter } from "./rateLimiter.js";
import { RpcWsConnection } from "./wsConnection.js";

export type RpcServerOpts = {
  host: string;
  /** 0 picks an ephemeral port; start() returns the one bound. */
  port: number;
  /** Larger HTTP bodies get 413 and TOO_LARGE; the body is never buffered past this. */
  maxBodyBytes: number;
  /** Longer batches get one TOO_LARGE error for the whole batch. */
  maxBatchLength: number;
  maxSubscriptionsPerConnection: number;
  /** The WebSocket maxPayload: a larger message closes the socket with 1009. */
  maxWsMessageBytes: number;
  /** Token bucket per client address; each batch element costs a token. null disables it. */
  rateLimit: { requestsPerSecond: number; burst: number } | null;
  /** Open WebSocket connections; upgrades past it get 503. */
  maxConnections: number;
  /** Per handler call; past it the caller gets INTERNAL_ERROR naming the timeout. */
  requestTimeoutMs: number;
  /** WebSocket ping interval; a socket that has not answered the previous ping is terminated. */
  heartbeatIntervalMs: number;
  /** Subscription notifications are dropped while a socket has more than this many bytes unsent. */
  maxWsBufferedBytes: number;
};

export const defaultRpcServerOpts: RpcServerOpts = {
  host: "127.0.0.1",
  port: 0,
  maxBodyBytes: 2 * 1024 * 1024,
  maxBatchLength: 100,
  maxSubscriptionsPerConnection: 64,
  maxWsMessageBytes: 2 * 1024 * 1024,
  rateLimit: { requestsPerSecond: 500, burst: 1000 },
  maxConnections: 1024,
  requestTimeoutMs: 30_000,
  heartbeatIntervalMs: 30_000,
  maxWsBufferedBytes: 4 * 1024 * 1024,
};

export type RpcServerModules = {
  methods: Record<string, RpcHandler>;
  logger?: Logger | null;
  /** Extra GET (and HEAD) paths served on the same port, e.g. /healthz and /metrics; "/piece/*" serves every path under /piece/. */
  routes?: Record<string, (req: IncomingMessage, res: ServerResponse) => void> | null;
};

export type RpcServerAddress = { host: string; port: number; url: string; wsUrl: string };

/** Idle limiter buckets are swept this often; a sweep costs one pass over the (bounded) client map. */
const RATE_LIMIT_SWEEP_MS = 10_000;

/**
 * How long close() lets sockets finish: the answers to calls in flight (-32017 "server closing") are
 * written at once, so this only bounds a client that does not read them or does not answer the
 * WebSocket close handshake. Sockets still open after it are reset.
 */
const CLOSE_GRACE_MS = 1_000;
/** How often close() looks for sockets that went idle once their last response was written. */
const CLOSE_POLL_MS = 5;

const CORS_ALLOW_METHODS = "POST, GET, OPTIONS";
const JSON_CONTENT_TYPE = "application/json";
const PARSE_ERROR_RESPONSE = errorResponse(null, RpcErrorCode.PARSE_ERROR);
const BINARY_FRAME_RESPONSE = errorResponse(null, RpcErrorCode.INVALID_REQUEST, {
  reason: "binary frames are not accepted; send JSON text",
});
const GET_HINT = JSON.stringify({
  message: "Filverse JSON-RPC 2.0: POST a JSON request to this URL, or open a WebSocket on this port",
  example: { jsonrpc: "2.0", id: 1, method: "filverse_chainId", params: [] },
});
const NOT_FOUND = JSON.stringify({ message: "Not found" });

/** Where request bodies are delivered; one per server, so body reading needs no per-request closures. */
interface BodySink {
  readonly maxBodyBytes: number;
  body(req: IncomingMessage, res: ServerResponse, text: string): void;
  tooLarge(req: IncomingMessage, res: ServerResponse): void;
}

const kBody = Symbol("filverse.rpc.body");

class BodyState {
  chunks: Buffer[] = [];
  size = 0;
  done = false;
  constructor(
    readonly sink: BodySink,
    readonly res: ServerResponse,
  ) {}
}

type BodyRequest = IncomingMessage & { [kBody]?: BodyState };

function onBodyData(this: BodyRequest, chunk: Buffer): void {
  const st = this[kBody]!;
  if (st.done) return;
  st.size += chunk.length;
  if (st.size > st.sink.maxBodyBytes) {
    st.done = true;
    st.chunks = [];
    st.sink.tooLarge(this, st.res);
    return;
  }
  st.chunks.push(chunk);
}

function onBodyEnd(this: BodyRequest): void {
  const st = this[kBody]!;
  if (st.done) return;
  st.done = true;
  const chunks = st.chunks;
  const text = chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks, st.size).toString("utf8");
  st.chunks = [];
  st.sink.body(this, st.res, text);
}

function sendJson(res: ServerResponse, status: number, body: string): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": CORS_ALLOW_METHODS,
    "access-control-allow-headers": "content-type",
    "content-type": JSON_CONTENT_TYPE,
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

function sendJsonWith(res: ServerResponse, status: number, body: string, extra: OutgoingHttpHeaders): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": CORS_ALLOW_METHODS,
    "access-control-allow-headers": "content-type",
    "content-type": JSON_CONTENT_TYPE,
    "content-length": Buffer.byteLength(body),
    ...extra,
  });
  res.end(body);
}

function sendNoContent(res: ServerResponse): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(204, {
    "access-control-allow-origin": "*",
    "access-control-allow-methods": CORS_ALLOW_METHODS,
    "access-control-allow-headers": "content-type",
  });
  res.end();
}

function finishHttp(res: ServerResponse, response: string | null): void {
  if (response === null) sendNoContent(res);
  else sendJson(res, 200, response);
}

/** The id of a single request, for errors about the whole message (null for batches and bad ids). */
function singleId(msg: unknown): RpcId {
  if (msg === null || typeof msg !== "object" || Array.isArray(msg)) return null;
  const id = (msg as { id?: unknown }).id;
  return isRpcId(id) ? id : null;
}

function wsText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data).toString("utf8");
}

/** What a failed listen() means to whoever started the server: one line, with the address. */
function listenError(err: NodeJS.ErrnoException, host: string, port: number): RpcError {
  const where = `${host}:${port}`;
  const message =
    err.code === "EADDRINUSE"
      ? `Port ${port} on ${host} is already in use (another node, or another program, listens there)`
      : err.code === "EACCES"
        ? `Permission denied to listen on ${where}`
        : err.code === "EADDRNOTAVAIL"
          ? `Cannot listen on ${where}: the address is not on this machine`
          : `Cannot listen on ${where}: ${err.message}`;
  return new RpcError(RpcErrorCode.UNAVAILABLE, { message, cause: err });
}

/** Spread would let an explicit `undefined` (e.g. from an unset CLI flag) erase a default. */
function withDefaults(opts: Partial<RpcServerOpts>): RpcServerOpts {
  const out: Record<string, unknown> = { ...defaultRpcServerOpts };
  for (const [key, value] of Object.entries(opts)) if (value !== undefined) out[key] = value;
  return out as RpcServerOpts;
}

export class RpcServer {
  private readonly opts: RpcServerOpts;
  private readonly log: Logger;
  private readonly dispatcher: Dispatcher;
  private readonly limiter: RateLimiter | null;
  private readonly routes: Map<string, (req: IncomingMessage, res: ServerResponse) => void>;
  private readonly abort = new AbortController();
  private readonly sockets = new Set<Duplex>();
  private readonly wsConnections = new Set<RpcWsConnection>();
  private readonly sink: BodySink;
  private readonly wss: WebSocketServer;
  private server: Server | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private limiterSweep: NodeJS.Timeout | null = null;
  private closing = false;
  private closePromise: Promise<void> | null = null;

  constructor(opts: Partial<RpcServerOpts>, modules: RpcServerModules) {
    this.opts = withDefaults(opts);
    this.log = (modules.logger ?? nullLogger).child({ module: "rpc" });
    this.dispatcher = new Dispatcher(
      modules.methods,
      { maxBatchLength: this.opts.maxBatchLength, requestTimeoutMs: this.opts.requestTimeoutMs },
      this.log,
    );
    const rl = this.opts.rateLimit;
    this.limiter = rl === null ? null : new RateLimiter(rl.requestsPerSecond, rl.burst);
    this.routes = new Map(Object.entries(modules.routes ?? {}));
    const maxBodyBytes = this.opts.maxBodyBytes;
    this.sink = {
      maxBodyBytes,
      body: (req, res, text) => this.onHttpBody(req, res, text),
      tooLarge: (req, res) => this.onHttpTooLarge(req, res),
    };
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: this.opts.maxWsMessageBytes,
    });
  }

  /** Open TCP sockets: HTTP (including keep-alive) and WebSocket. 0 after close(). */
  get connections(): number {
    return this.sockets.size;
  }

  /** Open WebSocket connections (the ones maxConnections bounds). */
  get wsConnectionCount(): number {
    return this.wsConnections.size;
  }

  async start(): Promise<RpcServerAddress> {
    if (this.closing) throw new RpcError(RpcErrorCode.UNAVAILABLE, { message: "RPC server is closed" });
    if (this.server !== null) throw new RpcError(RpcErrorCode.UNAVAILABLE, { message: "RPC server already started" });
    const server = createServer(this.onRequest);
    this.server = server;
    server.on("connection", this.onSocket);
    server.on("upgrade", this.onUpgrade);
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException): void => reject(listenError(err, this.opts.host, this.opts.port));
      server.once("error", onError);
      server.listen(this.opts.port, this.opts.host, () => {
        server.removeListener("error", onError);
        resolve();
      });
    });
    server.on("error", (err) => this.log.error("rpc server error", {}, err));
    this.heartbeat = setInterval(this.onHeartbeat, this.opts.heartbeatIntervalMs);
    this.heartbeat.unref();
    if (this.limiter !== null) {
      const limiter = this.limiter;
      this.limiterSweep = setInterval(() => limiter.sweep(), RATE_LIMIT_SWEEP_MS);
      this.limiterSweep.unref();
    }
    const addr = server.address();
    const port = addr !== null && typeof addr === "object" ? addr.port : this.opts.port;
    const host = this.opts.host;
    const hostPart = host.includes(":") ? `[${host}]` : host;
    this.log.info("rpc server listening", { host, port });
    return { host, port, url: `http://${hostPart}:${port}`, wsUrl: `ws://${hostPart}:${port}` };
  }

  /**
   * Stop listening, answer every call in flight with -32017 "server closing" (pending handlers see
   * ctx.signal aborted), let those answers out, close WebSockets with 1001, then every socket.
   * Idempotent.
   */
  close(): Promise<void> {
    if (this.closePromise === null) this.closePromise = this.shutdown();
    return this.closePromise;
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    this.abort.abort();
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    if (this.limiterSweep !== null) clearInterval(this.limiterSweep);
    this.heartbeat = this.limiterSweep = null;
    const server = this.server;
    const stopped =
      server?.listening === true ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    // Calls in flight get their -32017 answers now; promise callbacks write them, so give them a turn
    // of the event loop before touching any socket.
    this.dispatcher.close();
    await new Promise<void>((resolve) => setImmediate(resolve));
    const wsConnections = [...this.wsConnections];
    for (const conn of wsConnections) {
      conn.dispose();
      conn.ws.close(1001, "server closing");
    }
    this.wsConnections.clear();
    this.limiter?.clear();
    // HTTP keep-alive sockets close once idle (their answer written); the rest at the grace's end.
    const deadline = Date.now() + CLOSE_GRACE_MS;
    while (this.sockets.size > 0 && Date.now() < deadline) {
      server?.closeIdleConnections();
      await new Promise<void>((resolve) => setTimeout(resolve, CLOSE_POLL_MS));
    }
    for (const conn of wsConnections) conn.ws.terminate();
    server?.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await stopped;
    this.wss.close();
    this.log.info("rpc server closed");
  }

  private readonly onSocket = (socket: Socket): void => {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
  };

  private readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const method = req.method;
    if (method === "POST") {
      this.onHttpPost(req as BodyRequest, res);
      return;
    }
    if (method === "OPTIONS") {
      if (res.headersSent) return;
      res.writeHead(204, {
        "access-control-allow-origin": "*",
        "access-control-allow-methods": CORS_ALLOW_METHODS,
        "access-control-allow-headers": "content-type",
        "access-control-max-age": "86400",
      });
      res.end();
      return;
    }
    if (method === "GET" || method === "HEAD") {
      this.onHttpGet(req, res);
      return;
    }
    sendJsonWith(res, 405, GET_HINT, { allow: CORS_ALLOW_METHODS });
  };

  /** A route registered as "/prefix/*" serves every path under "/prefix/". */
  private prefixRoute(path: string): ((req: IncomingMessage, res: ServerResponse) => void) | undefined {
    const slash = path.indexOf("/", 1);
    return slash === -1 ? undefined : this.routes.get(`${path.slice(0, slash)}/*`);
  }

  private onHttpGet(req: IncomingMessage, res: ServerResponse): void {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q === -1 ? url : url.slice(0, q);
    const route = this.routes.get(path) ?? this.prefixRoute(path);
    if (route === undefined) {
      if (path === "/") sendJsonWith(res, 405, GET_HINT, { allow: CORS_ALLOW_METHODS });
      else sendJson(res, 404, NOT_FOUND);
      return;
    }
    res.setHeader("access-control-allow-origin", "*");
    res.setHeader("access-control-allow-methods", CORS_ALLOW_METHODS);
    res.setHeader("access-control-allow-headers", "content-type");
    try {
      route(req, res);
    } catch (e) {
      this.log.error("rpc route failed", { path }, e);
      if (!res.headersSent) sendJson(res, 500, JSON.stringify({ message: "Internal error" }));
      else res.destroy();
    }
  }

  private onHttpPost(req: BodyRequest, res: ServerResponse): void {
    if (this.closing) {
      sendJsonWith(res, 503, errorResponse(null, RpcErrorCode.UNAVAILABLE), { connection: "close" });
      return;
    }
    const declared = req.headers["content-length"];
    if (declared !== undefined && Number(declared) > this.opts.maxBodyBytes) {
      this.onHttpTooLarge(req, res);
      return;
    }
    const limiter = this.limiter;
    if (limiter !== null) {
      // An empty bucket answers before the body is read: a flood costs us no parsing.
      const clientId = req.socket.remoteAddress ?? "unknown";
      if (!limiter.hasToken(clientId)) {
        this.rateLimited(res, limiter.take(clientId, 1), null);
        return;
      }
    }
    req[kBody] = new BodyState(this.sink, res);
    req.on("data", onBodyData);
    req.on("end", onBodyEnd);
  }

  private onHttpTooLarge(req: IncomingMessage, res: ServerResponse): void {
    req.removeListener("data", onBodyData);
    req.removeListener("end", onBodyEnd);
    const limit = this.opts.maxBodyBytes;
    // Connection: close, so the rest of a huge upload is not read just to keep the socket alive.
    sendJsonWith(
      res,
      413,
      errorResponse(null, RpcErrorCode.TOO_LARGE, { reason: "request body too large", maxBodyBytes: limit }),
      { connection: "close" },
    );
  }

  private rateLimited(res: ServerResponse, retryAfterMs: number, id: RpcId): void {
    sendJsonWith(res, 429, errorResponse(id, RpcErrorCode.RATE_LIMITED, { retryAfterMs }), {
      "retry-after": String(Math.max(1, Math.ceil(retryAfterMs / 1000))),
    });
  }

  private onHttpBody(req: IncomingMessage, res: ServerResponse, text: string): void {
    const clientId = req.socket.remoteAddress ?? "unknown";
    let msg: unknown;
    let parsed = true;
    try {
      // V8's JSON.parse does not recurse: any depth parses without a stack overflow, in time bounded
      // by maxBodyBytes (2 MiB of "[" in ~200 ms, of flat JSON ~15 ms, measured). Depth is the
      // dispatcher's check (MAX_JSON_DEPTH), before any handler runs.
      msg = JSON.parse(text);
    } catch {
      parsed = false;
    }
    const limiter = this.limiter;
    if (limiter !== null) {
      const wait = limiter.take(clientId, parsed ? this.dispatcher.cost(msg) : 1);
      if (wait > 0) {
        this.rateLimited(res, wait, singleId(msg));
        return;
      }
    }
    if (!parsed) {
      sendJson(res, 200, PARSE_ERROR_RESPONSE);
      return;
    }
    const ctx: RpcContext = { clientId, transport: "http", connection: null, signal: this.abort.signal };
    const out: DispatchResult = this.dispatcher.handle(msg, ctx);
    if (typeof out === "string") sendJson(res, 200, out);
    else if (out === null) sendNoContent(res);
    else out.then((response) => finishHttp(res, response));
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (this.closing) {
      socket.destroy();
      return;
    }
    if (this.wsConnections.size >= this.opts.maxConnections) {
      const body = errorResponse(null, RpcErrorCode.UNAVAILABLE, {
        reason: "too many connections",
        maxConnections: this.opts.maxConnections,
      });
      socket.on("error", () => socket.destroy());
      socket.end(
        `HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: ${JSON_CONTENT_TYPE}\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onWsConnection(ws, req));
  };

  private onWsConnection(ws: WebSocket, req: IncomingMessage): void {
    if (this.closing) {
      ws.terminate();
      return;
    }
    const conn = new RpcWsConnection(
      ws,
      req.socket.remoteAddress ?? "unknown",
      this.opts.maxSubscriptionsPerConnection,
      this.opts.maxWsBufferedBytes,
      this.log,
    );
    this.wsConnections.add(conn);
    ws.on("message", (data: RawData, isBinary: boolean) => this.onWsMessage(conn, data, isBinary));
    ws.on("pong", () => {
      conn.alive = true;
    });
    ws.on("error", (err) => this.log.debug("ws error", { connection: conn.id, error: err.message }));
    ws.on("close", () => {
      this.wsConnections.delete(conn);
      conn.dispose();
    });
  }

  private onWsMessage(conn: RpcWsConnection, data: RawData, isBinary: boolean): void {
    if (isBinary) {
      conn.send(BINARY_FRAME_RESPONSE);
      return;
    }
    let msg: unknown;
    let parsed = true;
    try {
      msg = JSON.parse(wsText(data));
    } catch {
      parsed = false;
    }
    const limiter = this.limiter;
    if (limiter !== null) {
      const wait = limiter.take(conn.ctx.clientId, parsed ? this.dispatcher.cost(msg) : 1);
      if (wait > 0) {
        conn.send(errorResponse(singleId(msg), RpcErrorCode.RATE_LIMITED, { retryAfterMs: wait }));
        return;
      }
    }
    if (!parsed) {
      conn.send(PARSE_ERROR_RESPONSE);
      return;
    }
    const out = this.dispatcher.handle(msg, conn.ctx);
    if (typeof out === "string") conn.send(out);
    else if (out !== null) {
      out.then((response) => {
        if (response !== null) conn.send(response);
      });
    }
  }

  private readonly onHeartbeat = (): void => {
    for (const conn of this.wsConnections) {
      if (!conn.alive) {
        this.log.debug("ws heartbeat missed; terminating", { connection: conn.id });
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
    }
  };
}
