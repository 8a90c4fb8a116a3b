/**
 * GET /healthz of both node kinds: 200 while the node makes progress, 503 before it has a head
 * (`starting`) and once it cannot make progress any more (`failed`, with the reason).
 */
import type { ServerResponse } from "node:http";
import type { FilverseError } from "@filverse/utils";

/**
 * `failure`: why the node stopped, or null. `report`: the fields of a healthy answer; it throws while
 * the node has no head yet.
 */
export function serveHealth(
  res: ServerResponse,
  failure: FilverseError | null,
  report: () => Record<string, unknown>,
): void {
  let status = 200;
  let body: Record<string, unknown>;
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
