/**
 * kill -9 in the middle of a stream of synced batches (what commitBlock does): after reopening, every
 * batch is whole or absent, the head names the last whole one, and no acknowledged batch is lost.
 */
import { spawn } from "node:child_process";
import { readdirSync, statSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ClassicLevel } from "classic-level";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDir } from "./helpers.js";

const FIXTURE = fileURLToPath(new URL("./fixtures/batchWriter.mjs", import.meta.url));
/** 64 × 1 KiB: each batch's log record spans LevelDB's 32 KiB log blocks, so a kill can split it. */
const ENTRIES = 64;
const VALUE_BYTES = 1024;
/** Bytes of one batch in LevelDB's write-ahead log (entries, keys, varints, record headers), about. */
const BATCH_LOG_BYTES = ENTRIES * (VALUE_BYTES + 11) + 64;
const ROUNDS = 4;

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.remove());

/** Runs the writer until it has acknowledged `acks` batches (plus a random delay), then SIGKILLs it. */
function runAndKill(
  dir: string,
  acks: number,
): Promise<{ firstBatch: number; lastAck: number; signal: string | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE, dir, String(ENTRIES), String(VALUE_BYTES)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let firstBatch = -1;
    let lastAck = -1;
    let seen = 0;
    let killing = false;
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const lines = out.split("\n");
      out = lines.pop()!;
      for (const line of lines) {
        const [word, n] = line.split(" ");
        if (word === "ready") firstBatch = Number(n);
        if (word === "ack") {
          lastAck = Number(n);
          seen++;
        }
      }
      if (seen >= acks && !killing) {
        killing = true;
        setTimeout(() => child.kill("SIGKILL"), Math.floor(Math.random() * 10));
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", (_code, signal) => {
      if (!killing) reject(new Error(`writer exited on its own: ${err}`));
      else resolve({ firstBatch, lastAck, signal });
    });
  });
}

/** Cuts the newest write-ahead log at a random point inside its last two batches' records. */
function tearLog(dir: string): void {
  const logs = readdirSync(dir)
    .filter((f) => f.endsWith(".log"))
    .sort();
  const log = join(dir, logs[logs.length - 1]!);
  const size = statSync(log).size;
  const cut = 1 + Math.floor(Math.random() * Math.min(size - 1, 2 * BATCH_LOG_BYTES));
  truncateSync(log, size - cut);
}

/** Counts the entries of each batch and reads the head, from a fresh handle. */
async function inspect(dir: string): Promise<{ counts: Map<number, number>; head: number | null }> {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: "view", valueEncoding: "view" });
  await db.open();
  try {
    const counts = new Map<number, number>();
    let head: number | null = null;
    for await (const [key, value] of db.iterator()) {
      if (key.length === 1 && key[0] === 0x68) {
        head = new DataView(value.buffer, value.byteOffset, 4).getUint32(0);
        continue;
      }
      const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
      const batch = view.getUint32(1);
      expect(value.length).toBe(VALUE_BYTES);
      expect(value[0]).toBe((batch + view.getUint16(5)) & 0xff);
      counts.set(batch, (counts.get(batch) ?? 0) + 1);
    }
    return { counts, head };
  } finally {
    await db.close();
  }
}

describe("crash safety", () => {
  it("a SIGKILL mid-stream leaves every batch whole or absent", async () => {
    let stored = -1;
    for (let round = 0; round < ROUNDS; round++) {
      const run = await runAndKill(tmp.dir, 15);
      expect(run.signal).toBe("SIGKILL");
      // The writer resumed after the head the previous round left.
      expect(run.firstBatch).toBe(stored + 1);
      // The kill almost always lands between two write() calls: half the rounds also tear the
      // last records, as a kill inside the log write would (the file keeps a prefix of the writes).
      const torn = round % 2 === 1;
      if (torn) tearLog(tmp.dir);

      const { counts, head } = await inspect(tmp.dir);
      const batches = [...counts.keys()].sort((a, b) => a - b);
      // Whole: every batch present has all its entries.
      for (const b of batches) expect(counts.get(b)).toBe(ENTRIES);
      // In order, nothing acknowledged lost, and the head is the last whole batch.
      expect(batches).toEqual(Array.from({ length: batches.length }, (_, i) => i));
      // A torn log loses the torn batch (acknowledged or not); a plain kill loses nothing acknowledged.
      expect(batches.length - 1).toBeGreaterThanOrEqual(torn ? stored : run.lastAck);
      expect(head).toBe(batches.length - 1);
      stored = batches.length - 1;
    }
  }, 15_000);
});
