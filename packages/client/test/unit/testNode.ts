/**
 * A tiny real JSON-RPC node for transport tests (node:http, and ws for subscriptions). It implements
 * a handful of methods; sendTransaction runs the real parseTransactionJson + validateTransaction.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { parseTransactionJson, validateTransaction } from "@filverse/state";
import { RpcErrorCode, type TxStatusName } from "@filverse/types";
import { toHex } from "@filverse/utils";
import { WebSocketServer } from "ws";
import { CHAIN_ID } from "./fixtures.js";

type RpcError = { code: number; message: string; data?: unknown };
type Handler = (params: unknown[]) => unknown;

export class TestNode {
  readonly calls: { method: string; params: unknown[] }[] = [];
  /** Nonces used per sender (lower-case hex address). */
  readonly used = new Map<string, Set<number>>();
  readonly accepted: { hash: string; sender: string; nonce: number; primaryType: string }[] = [];
  /** Status replies per tx hash, consumed one per getTransactionStatus call (the last one repeats). */
  readonly statusScript = new Map<string, TxStatusName[]>();
  /** Errors to answer the next sendTransaction calls with, in order. */
  readonly sendErrors: RpcError[] = [];
  /** Methods answered with a custom handler. */
  readonly overrides = new Map<string, Handler>();
  url = "";
  wsUrl = "";
  private server: Server | null = null;
  private wss: WebSocketServer | null = null;

  count(method: string): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  pendingNonce(sender: string): number {
    const used = this.used.get(sender.toLowerCase()) ?? new Set<number>();
    let n = 0;
    while (used.has(n)) n++;
    return n;
  }

  /** Answer one JSON-RPC request object; returns the response object. */
  handle(req: { id: unknown; method: string; params?: unknown[] }): Record<string, unknown> {
    const params = req.params ?? [];
    this.calls.push({ method: req.method, params });
    try {
      return { jsonrpc: "2.0", id: req.id, result: this.dispatch(req.method, params) };
    } catch (e) {
      const error = e as RpcError;
      if (typeof error.code !== "number") throw e;
      return { jsonrpc: "2.0", id: req.id, error };
    }
  }

  private dispatch(method: string, params: unknown[]): unknown {
    const override = this.overrides.get(method);
    if (override) return override(params);
    switch (method) {
      case "filverse_chainId":
        return String(CHAIN_ID);
      case "filverse_getAccount": {
        const address = String(params[0]).toLowerCase();
        const used = this.used.get(address)?.size ?? 0;
        return { address, balance: "0", nonce: String(used), pendingNonce: String(this.pendingNonce(address)) };
      }
      case "filverse_estimateFee":
        return { minFee: "0", suggestedFee: "1000" };
      case "filverse_sendTransaction": {
        const injected = this.sendErrors.shift();
        if (injected) throw injected;
        let validated: ReturnType<typeof validateTransaction>;
        try {
          validated = validateTransaction(parseTransactionJson(params[0]), CHAIN_ID);
        } catch (e) {
          throw { code: RpcErrorCode.INVALID_FIELD, message: (e as Error).message } satisfies RpcError;
        }
        const sender = toHex(validated.sender);
        const nonce = validated.tx.message.nonce;
        const used = this.used.get(sender) ?? new Set<number>();
        if (used.has(nonce)) throw { code: RpcErrorCode.NONCE_TOO_LOW, message: "Nonce too low", data: { nonce } };
        if (nonce > this.pendingNonce(sender) + 64) throw { code: RpcErrorCode.NONCE_GAP, message: "Nonce gap" };
        used.add(nonce);
        this.used.set(sender, used);
        const hash = toHex(validated.hash);
        this.accepted.push({ hash, sender, nonce, primaryType: (params[0] as { primaryType: string }).primaryType });
        return hash;
      }
      case "filverse_getTransactionStatus": {
        const hash = String(params[0]);
        const script = this.statusScript.get(hash) ?? ["unknown"];
        const status = script.length > 1 ? script.shift()! : script[0]!;
        return { hash, status };
      }
      default:
        throw { code: RpcErrorCode.METHOD_NOT_FOUND, message: `Method not found: ${method}` } satisfies RpcError;
    }
  }

  /** Start HTTP and WebSocket on one ephemeral loopback port. */
  async start(onWsMessage?: (ws: import("ws").WebSocket, req: Record<string, unknown>) => boolean): Promise<this> {
    this.server = createServer(async (req, res) => {
      const body = JSON.parse(await readBody(req));
      const answer = this.handle(body);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(answer));
    });
    this.wss = new WebSocketServer({ server: this.server });
    this.wss.on("connection", (ws) => {
      ws.on("message", (data) => {
        const req = JSON.parse(String(data)) as Record<string, unknown>;
        if (onWsMessage?.(ws, req)) return;
        ws.send(JSON.stringify(this.handle(req as never)));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.wsUrl = `ws://127.0.0.1:${port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const c of this.wss?.clients ?? []) c.terminate();
    await new Promise<void>((resolve) => this.wss?.close(() => resolve()) ?? resolve());
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** A raw HTTP server answering every request with `respond`, for transport error cases. */
export async function rawServer(
  respond: (res: import("node:http").ServerResponse) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => respond(res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
