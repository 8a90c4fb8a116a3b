/** Picks the transport from the URL scheme: http(s):// → fetch, ws(s):// → WebSocket. */
import { TransportError, TransportErrorCode } from "../errors.js";
import { createHttpTransport } from "./http.js";
import type { Transport, TransportOptions } from "./types.js";
import { createWebSocketTransport } from "./webSocket.js";

export function createTransport(url: string, opts: TransportOptions = {}): Transport {
  const scheme = /^([a-z]+):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === "http" || scheme === "https") return createHttpTransport(url, opts);
  if (scheme === "ws" || scheme === "wss") return createWebSocketTransport(url, opts);
  throw new TransportError(TransportErrorCode.UNSUPPORTED_URL, `Unsupported node URL ${JSON.stringify(url)}`, {
    metaMessages: ["Use http(s)://host:port or ws(s)://host:port."],
  });
}
