/**
 * The HTTP side of the explorer: GET / answers the page, GET /explorer/<file> its assets. The files
 * are the bundle in dist/ (built by `npm run build`, shipped in the npm package), read once into
 * memory: the whole bundle is a few tens of KiB, and a node never rebuilds it while it runs.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ExplorerError, ExplorerErrorCode } from "./errors.js";

export type ExplorerRoute = (req: IncomingMessage, res: ServerResponse) => void;

export type ExplorerRoutesOpts = {
  /** Where the built bundle is; default this package's dist/. */
  distDir: string;
};

export const defaultExplorerRoutesOpts: ExplorerRoutesOpts = {
  distDir: fileURLToPath(new URL("../dist/", import.meta.url)),
};

/** Where the assets are served: the page links them as /explorer/<file>. */
export const EXPLORER_ASSET_PREFIX = "/explorer/";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".map": "application/json",
};

/**
 * Everything the page may load comes from this origin; it talks to the node with fetch and a
 * WebSocket on the same port. No inline script, no remote font or script: it works offline.
 */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

type StaticFile = { body: Buffer; type: string; etag: string };

function load(path: string): StaticFile {
  const body = readFileSync(path);
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
  return { body, type: CONTENT_TYPES[extname(path)] ?? "application/octet-stream", etag };
}

function send(req: IncomingMessage, res: ServerResponse, file: StaticFile, cache: string): void {
  if (res.headersSent) return;
  const headers = {
    "content-type": file.type,
    "cache-control": cache,
    etag: file.etag,
    "x-content-type-options": "nosniff",
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "referrer-policy": "no-referrer",
  };
  if (req.headers["if-none-match"] === file.etag) {
    res.writeHead(304, headers).end();
    return;
  }
  res.writeHead(200, { ...headers, "content-length": file.body.length });
  res.end(req.method === "HEAD" ? undefined : file.body);
}

function notFound(res: ServerResponse): void {
  if (res.headersSent) return;
  const body = JSON.stringify({ message: "Not found" });
  res.writeHead(404, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
}

/**
 * The routes to hand the RPC server: `"/"` (the page) and `"/explorer/*"` (its assets). Throws
 * ExplorerError BUNDLE_MISSING when dist/ holds no built page.
 */
export function createExplorerRoutes(opts: Partial<ExplorerRoutesOpts> = {}): Record<string, ExplorerRoute> {
  const distDir = opts.distDir ?? defaultExplorerRoutesOpts.distDir;
  const indexPath = join(distDir, "index.html");
  if (!existsSync(indexPath)) {
    throw new ExplorerError(ExplorerErrorCode.BUNDLE_MISSING, "The explorer bundle is not built", {
      details: { distDir },
      metaMessages: ["Run `npm run build` in the repository (or reinstall the package)."],
    });
  }
  const page = load(indexPath);
  const assets = new Map<string, StaticFile>();
  for (const name of readdirSync(distDir)) {
    if (name !== "index.html" && CONTENT_TYPES[extname(name)] !== undefined)
      assets.set(name, load(join(distDir, name)));
  }
  return {
    // The page is small and changes with each release: revalidate it (its ETag makes that a 304).
    "/": (req, res) => send(req, res, page, "no-cache"),
    [`${EXPLORER_ASSET_PREFIX}*`]: (req, res) => {
      const url = req.url ?? "";
      const q = url.indexOf("?");
      const name = (q === -1 ? url : url.slice(0, q)).slice(EXPLORER_ASSET_PREFIX.length);
      // Only the names read at start are served: no path is ever joined from the request.
      const file = assets.get(name);
      if (file === undefined) notFound(res);
      else send(req, res, file, "no-cache");
    },
  };
}
