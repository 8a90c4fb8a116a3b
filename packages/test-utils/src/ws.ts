/** A WebSocket client for tests that queues incoming messages so they can be awaited in order (rpc and node tests). */
import WebSocket from "ws";

// biome-ignore lint/suspicious/noExplicitAny: test responses are arbitrary JSON
export type Json = any;

export class TestWs {
  private readonly queue: Json[] = [];
  private readonly waiters: ((m: Json) => void)[] = [];
  readonly closed: Promise<{ code: number }>;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const m = JSON.parse(data.toString());
      const w = this.waiters.shift();
      if (w) w(m);
      else this.queue.push(m);
    });
    this.closed = new Promise((resolve) => ws.on("close", (code) => resolve({ code })));
  }

  static open(url: string, opts?: WebSocket.ClientOptions): Promise<TestWs> {
    const ws = new WebSocket(url, opts);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(new TestWs(ws)));
      ws.once("error", reject);
    });
  }

  send(msg: string | object): void {
    this.ws.send(typeof msg === "string" ? msg : JSON.stringify(msg));
  }

  next(timeoutMs = 2000): Promise<Json> {
    const queued = this.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new RangeError(`no message within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push((m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });
  }

  async request(msg: object): Promise<Json> {
    this.send(msg);
    return this.next();
  }

  get pendingMessages(): number {
    return this.queue.length;
  }

  close(): Promise<{ code: number }> {
    this.ws.close();
    return this.closed;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
