/**
 * kill -9 in the middle of a rewind (chain/rewind.ts), on a real sequencer process over the built
 * packages (fixtures/rewindCrash.mjs): a chain of 12 blocks of 20 transfers is rewound to block 1,
 * with the state past the history so the target state is replayed from genesis, and the process is
 * SIGKILLed at a random moment after it started. At the next start, whatever the moment, the node
 * holds either the chain as it was (killed before the decision was synced: the L1 log is read again
 * and the rewind is redone) or the rewound chain with every removed transaction back in its journal
 * (a pending record is finished at start): no transaction is lost, and the stored state is the head's.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ChainDb } from "@filverse/db";
import { afterAll, expect, it } from "vitest";
import { tempDir } from "./helpers.js";

const FIXTURE = fileURLToPath(new URL("./fixtures/rewindCrash.mjs", import.meta.url));
/** Kill delays after the rewind began (ms): most land inside it, the last after it. */
const DELAYS_MS = [0, 30, 400];
const dirs: { cleanup: () => void }[] = [];
afterAll(() => {
  for (const d of dirs) d.cleanup();
});

type Check = {
  head: number;
  status: "pending" | "done" | null;
  sequenced: string[];
  pending: string[];
  rootOk: boolean;
};

function run(dir: string, mode: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, [FIXTURE, dir, mode, ...args], { encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) throw new Error(`fixture ${mode} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** Start a rewind and SIGKILL it `delayMs` after it said it began; resolves with whether it finished first. */
function rewindAndKill(dir: string, delayMs: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FIXTURE, dir, "rewind"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      const before = out;
      out += chunk.toString();
      if (!before.includes("rewinding") && out.includes("rewinding")) {
        setTimeout(() => child.kill("SIGKILL"), delayMs);
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") resolve(out.includes("done"));
      else if (code === 0) resolve(true);
      else reject(new Error(`rewind exited ${code}: ${err}`));
    });
  });
}

it("a rewind killed at any moment is finished or redone at the next start, and loses no transaction", async () => {
  const built = tempDir("rewind-built");
  dirs.push(built);
  run(built.dir, "build", "12", "5");
  const before = JSON.parse(run(built.dir, "check")) as Check;
  expect(before.head).toBe(13);
  expect(before.sequenced).toHaveLength(240);
  const all = new Set(before.sequenced);

  const seen: string[] = [];
  for (const delay of DELAYS_MS) {
    const trial = tempDir("rewind-trial");
    dirs.push(trial);
    cpSync(built.dir, trial.dir, { recursive: true });
    const finished = await rewindAndKill(trial.dir, delay + Math.floor(Math.random() * 10));
    // What the kill left, before any start finishes it.
    const db = await ChainDb.open({ dir: join(trial.dir, "seq") });
    const left = { head: (await db.getHead())!.number, status: (await db.getRewind())?.status ?? null };
    await db.close();
    seen.push(`${finished ? "finished" : "killed"}: head ${left.head}, record ${left.status}`);

    const after = JSON.parse(run(trial.dir, "check")) as Check;
    expect(after.rootOk).toBe(true);
    if (left.status === null) {
      // Killed before the decision was durable: nothing changed (the L1 log is read again at start).
      expect(after.head).toBe(13);
      expect(after.status).toBeNull();
    } else {
      // Pending (killed half way) or done: the rewound chain, every removed transaction journaled.
      expect(after.head).toBe(1);
      expect(after.status).toBe("done");
      expect(left.head === 13 || left.status === "done").toBe(true);
    }
    const kept = new Set([...after.sequenced, ...after.pending]);
    for (const h of all) expect(kept.has(h)).toBe(true);
  }
  console.log(`rewind kill -9 trials: ${seen.join("; ")}`);
}, 600_000);
