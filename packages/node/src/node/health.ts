/**
 * GET /healthz of both node kinds: 200 while the node makes progress, 503 before it has a head
 * (`starting`) and once it cannot make progress any more (`failed`, with the reason).
 */
import type { ServerResponse } from "node:http";
import type { FilverseError } from "@filverse/utils";

/**
 * What the process running a node adds to its health (the devnet: its other processes). `starting`
 * holds /healthz at 503 until the rest is up; `failed` turns it 503 for good.
 */
export type HealthGate = () => { status: "starting" | "failed"; reason: string } | null;

/**
 * `failure`: why the node stopped, or null. `report`: the fields of a healthy answer; it throws while
 * the node has no head yet. `gate`: what the process around the node adds (see HealthGate).
 */
export function serveHealth(
  res: ServerResponse,
  failure: FilverseError | null,
  report: () => Record<string, unknown>,
  gate: HealthGate | null = null,
): void {
  let status = 200;
  let body: Record<string, unknown>;
  const held = failure ? null : (gate?.() ?? null);
  if (held) {
    res.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify(held));
    return;
  }
  try {
    const fields = report();
    body = failure
      ? { status: "failed", reason: failure.shortMessage, head: fields.head }
      : { status: "ok", ...fields };
    if (failure) status = 503;
  } catch {
    status = 503;
    body = failure ? { status: "failed", reason: failure.shortMessage } : { status: "starting" };
  }
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
