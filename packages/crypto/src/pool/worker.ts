/**
 * The piscina worker of CryptoPool. It loads the built `../signature.js` and `../hasher.js`, so a worker
 * runs exactly the code (native fast path with its fallback) the main thread runs. Only ArrayBuffers
 * cross the thread boundary, and both directions transfer them instead of copying.
 */
import { move } from "piscina";
import { runHashJob, runRecoverJobs } from "./codec.js";

export type WorkerJob = { kind: "recover"; jobs: ArrayBuffer } | { kind: "hash"; input: ArrayBuffer };

export default function handle(job: WorkerJob): unknown {
  const result = job.kind === "recover" ? runRecoverJobs(job.jobs) : runHashJob(job.input);
  return move(result);
}
