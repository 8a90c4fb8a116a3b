// Latency of one synced ChainDb batch on this machine's disk: journalPutMany of 1 and of 50 entries,
// 200 of each one after another, in a fresh directory under the OS temp dir (where the bench's data
// dirs live). A preconfirmation waits for at least one of these.
//   node bench/fsync.mjs
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChainDb } from "@filverse/db";

const dir = mkdtempSync(join(tmpdir(), "filverse-fsync-"));
const db = await ChainDb.open({ dir });
const at = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
try {
  for (const n of [1, 50]) {
    const ms = [];
    for (let i = 0; i < 200; i++) {
      const entries = Array.from({ length: n }, (_, j) => {
        const hash = new Uint8Array(32);
        new DataView(hash.buffer).setUint32(0, i * 1000 + j);
        return { hash, txBytes: new Uint8Array(200) };
      });
      const t = performance.now();
      await db.journalPutMany(entries);
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    console.log(`synced batch of ${n}: p50 ${at(ms, 0.5).toFixed(2)} ms, p99 ${at(ms, 0.99).toFixed(2)} ms`);
  }
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
