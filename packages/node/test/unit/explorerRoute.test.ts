/** The explorer on the node's RPC port: served at / when rpc.explorer (default: devnet only) says so, else GET / keeps its 405 hint. */
import { nullLogger } from "@filverse/utils";
import { describe, expect, it } from "vitest";
import type { RpcHandlers } from "../../src/api/types.js";
import { explorerEnabled, type NodeConfigFile } from "../../src/config.js";
import { createNodeRpcServer, createNodeServices, explorerUrl } from "../../src/node/services.js";

const config = (preset: NodeConfigFile["preset"], explorer?: boolean): NodeConfigFile =>
  ({
    preset,
    chain: {},
    genesis: { chainId: 1, timestamp: 0 },
    rpc: { host: "127.0.0.1", port: 0, ...(explorer === undefined ? {} : { explorer }) },
    workerPool: false,
    keyFile: "sequencer.key",
  }) as NodeConfigFile;

async function getRoot(
  cfg: NodeConfigFile,
): Promise<{ status: number; type: string | null; body: string; explorer: string | null; url: string }> {
  const abort = new AbortController();
  const services = createNodeServices(cfg, { logger: nullLogger, signal: abort.signal });
  const server = createNodeRpcServer(cfg, undefined, {
    methods: {} as RpcHandlers,
    services,
    logger: nullLogger,
    health: (res) => res.writeHead(200).end(),
  });
  const { url } = await server.start();
  try {
    const res = await fetch(`${url}/`);
    const explorer = explorerUrl(server, url);
    return { status: res.status, type: res.headers.get("content-type"), body: await res.text(), explorer, url };
  } finally {
    await server.close();
    abort.abort();
  }
}

describe("the explorer route", () => {
  it("is on by default for the devnet only; rpc.explorer overrides either way", () => {
    expect(explorerEnabled(config("devnet"))).toBe(true);
    expect(explorerEnabled(config("calibration"))).toBe(false);
    expect(explorerEnabled(config("mainnet"))).toBe(false);
    expect(explorerEnabled(config("devnet", false))).toBe(false);
    expect(explorerEnabled(config("mainnet", true))).toBe(true);
  });

  it("serves the page at / on a devnet node", async () => {
    const res = await getRoot(config("devnet"));
    expect(res.status).toBe(200);
    expect(res.type).toBe("text/html; charset=utf-8");
    expect(res.body).toContain('<script type="module" src="/explorer/app.js">');
    // What the sequencer and verifier nodes log at start ("explorer served").
    expect(res.explorer).toBe(`${res.url}/`);
  });

  it("answers 405 with the JSON-RPC hint when it is off", async () => {
    const res = await getRoot(config("devnet", false));
    expect(res.status).toBe(405);
    expect(JSON.parse(res.body).message).toContain("POST a JSON request");
    expect(res.explorer).toBeNull();
  });
});
