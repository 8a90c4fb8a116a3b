import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createExplorerRoutes, ExplorerError, ExplorerErrorCode } from "../../src/index.js";

describe("createExplorerRoutes", () => {
  const dir = mkdtempSync(join(tmpdir(), "filverse-explorer-"));
  let server: Server;
  let base: string;

  beforeAll(async () => {
    writeFileSync(join(dir, "index.html"), "<!doctype html><p>page</p>");
    writeFileSync(join(dir, "app.js"), "console.log(1)");
    writeFileSync(join(dir, "app.css"), "body{}");
    writeFileSync(join(dir, "notes.txt"), "not served");
    const routes = createExplorerRoutes({ distDir: dir });
    server = createServer((req, res) => {
      const path = (req.url ?? "/").split("?")[0]!;
      const route = path === "/" ? routes["/"] : path.startsWith("/explorer/") ? routes["/explorer/*"] : undefined;
      if (route) route(req, res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves the page at / with a CSP that allows only this origin", async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(await res.text()).toContain("<p>page</p>");
  });

  it("serves the assets with their types, and answers a matching ETag with 304", async () => {
    const js = await fetch(`${base}/explorer/app.js?v=1`);
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const etag = js.headers.get("etag")!;
    const again = await fetch(`${base}/explorer/app.js`, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect((await fetch(`${base}/explorer/app.css`)).headers.get("content-type")).toBe("text/css; charset=utf-8");
  });

  it("answers 404 for unknown names, other extensions and path tricks", async () => {
    for (const p of ["/explorer/missing.js", "/explorer/notes.txt", "/explorer/../index.html", "/explorer/%2e%2e/x"]) {
      const res = await fetch(`${base}${p}`);
      expect([404]).toContain(res.status);
    }
  });

  it("throws BUNDLE_MISSING when the bundle is not built", () => {
    const empty = mkdtempSync(join(tmpdir(), "filverse-explorer-empty-"));
    try {
      expect(() => createExplorerRoutes({ distDir: empty })).toThrow(ExplorerError);
      try {
        createExplorerRoutes({ distDir: empty });
      } catch (e) {
        expect((e as ExplorerError).code).toBe(ExplorerErrorCode.BUNDLE_MISSING);
      }
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it("the default distDir holds the built bundle (npm run build)", async () => {
    const routes = createExplorerRoutes();
    expect(Object.keys(routes).sort()).toEqual(["/", "/explorer/*"]);
  });
});
