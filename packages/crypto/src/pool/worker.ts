/**
 * The piscina worker of CryptoPool. It loads the built `../signature.js` and `../hasher.js`, so a worker
 * runs exactly the code (native fast path with its fallback) the main thread runs. Only ArrayBuffers
 * cross the thread boundary, and both directions transfer them instead of copying.
 */
import { move } from "piscina";
import { runCommPJob, runHashJob, runRecoverJobs } from "./codec.js";

export type WorkerJob =
  | { kind: "recover"; jobs: ArrayBuffer }
  | { kind: "hash"; input: ArrayBuffer }
  /** The subtree root of height `height` over the first `length` bytes of `payload`, zero-extended. */
  | { kind: "commp"; payload: ArrayBuffer; length: number; height: number };

export default function handle(job: WorkerJob): unknown {
  switch (job.kind) {
    case "recover":
      return move(runRecoverJobs(job.jobs));
    case "hash":
      return move(runHashJob(job.input));
    case "commp":
      return move(runCommPJob(job.payload, job.length, job.height));
  }
}
