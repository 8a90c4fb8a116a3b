/**
 * The page's only link to the node: JSON-RPC 2.0 over fetch (single calls and batches) and one
 * WebSocket for the newHeads subscription, both on the origin that served the page. Whether the node
 * answers is tracked in `connection`, which the layout shows as a banner.
 */

export type Hex = `0x${string}`;

/** A JSON-RPC error the node answered with (code and data as docs/rpc.md lists them). */
export class RpcCallError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data: unknown,
  ) {
    super(message);
  }
}

/** The node did not answer (network down, node stopped, or a non-JSON answer). */
export class NodeUnreachableError extends Error {}

export const METHOD_NOT_FOUND = -32601;

type Listener = () => void;

/** Whether the node answered the last request, shared by every component. */
export const connection = {
  reachable: true,
  lastError: "",
  listeners: new Set<Listener>(),
  set(reachable: boolean, error = ""): void {
    if (this.reachable === reachable && this.lastError === error) return;
    this.reachable = reachable;
    this.lastError = error;
    for (const l of this.listeners) l();
  },
};

const endpoint = (): string => `${location.origin}/`;
let nextId = 1;

async function post(body: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(endpoint(), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  } catch (e) {
    connection.set(false, e instanceof Error ? e.message : String(e));
    throw new NodeUnreachableError(`Cannot reach the node at ${location.origin}`);
  }
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    connection.set(false, `HTTP ${res.status}`);
    throw new NodeUnreachableError(`The node at ${location.origin} answered HTTP ${res.status} without JSON`);
  }
  connection.set(true);
  return json;
}

type Reply = { id?: number; result?: unknown; error?: { code: number; message: string; data?: unknown } };

function unwrap<T>(reply: Reply): T {
  if (reply.error) throw new RpcCallError(reply.error.code, reply.error.message, reply.error.data);
  return reply.result as T;
}

export async function call<T>(method: string, params: unknown[] = []): Promise<T> {
  const reply = (await post({ jsonrpc: "2.0", id: nextId++, method, params })) as Reply;
  return unwrap<T>(reply);
}

/** The node takes at most 100 calls in one batch (docs/rpc.md, Limits). */
const MAX_BATCH = 100;

/** Several calls in one HTTP request each (chunks of MAX_BATCH); each result or error in order. */
export async function batch<T>(calls: [string, unknown[]][]): Promise<(T | RpcCallError)[]> {
  const out: (T | RpcCallError)[] = [];
  for (let i = 0; i < calls.length; i += MAX_BATCH) {
    const chunk = calls.slice(i, i + MAX_BATCH);
    const first = nextId;
    nextId += chunk.length;
    const replies = (await post(
      chunk.map(([method, params], j) => ({ jsonrpc: "2.0", id: first + j, method, params })),
    )) as Reply[] | Reply;
    // A batch refused as a whole is one error object.
    if (!Array.isArray(replies)) throw unwrap(replies) as never;
    const byId = new Map(replies.map((r) => [r.id, r]));
    for (let j = 0; j < chunk.length; j++) {
      const r = byId.get(first + j);
      if (!r) out.push(new RpcCallError(-32603, "no answer in the batch", null));
      else if (r.error) out.push(new RpcCallError(r.error.code, r.error.message, r.error.data));
      else out.push(r.result as T);
    }
  }
  return out;
}

export type HeadJson = {
  hash: Hex;
  header: { number: string; timestamp: string; proposer: Hex; stateRoot: Hex };
  transactions: Hex[];
  deposits: unknown[];
};

/**
 * A WebSocket subscribed to newHeads, reconnecting with backoff (1 s doubling to 15 s) while the
 * node is away. `onHead` gets each new block; `onState` whether the socket is live.
 */
export function subscribeHeads(onHead: (h: HeadJson) => void, onState: (live: boolean) => void): () => void {
  let ws: WebSocket | null = null;
  let closed = false;
  let delay = 1000;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const open = (): void => {
    const url = `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/`;
    const sock = new WebSocket(url);
    ws = sock;
    let subId: string | null = null;
    sock.onopen = () => {
      delay = 1000;
      sock.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "filverse_subscribe", params: ["newHeads"] }));
    };
    sock.onmessage = (ev) => {
      let msg: { id?: number; result?: unknown; method?: string; params?: { subscription: string; result: unknown } };
      try {
        msg = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      if (msg.id === 1 && typeof msg.result === "string") {
        subId = msg.result;
        onState(true);
        connection.set(true);
      } else if (msg.method === "filverse_subscription" && msg.params?.subscription === subId) {
        onHead(msg.params.result as HeadJson);
      }
    };
    sock.onclose = () => {
      onState(false);
      if (closed) return;
      timer = setTimeout(open, delay);
      delay = Math.min(delay * 2, 15_000);
    };
    sock.onerror = () => connection.set(false, "WebSocket error");
  };
  open();
  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
    ws?.close();
  };
}
