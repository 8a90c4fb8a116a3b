/** The rebuild's progress line: redrawn in place on a TTY, plain lines at an interval elsewhere. */
import { describe, expect, it } from "vitest";
import { formatProgress, ProgressLine } from "../../src/progress.js";
import type { RebuildProgress } from "../../src/verifier/rebuild.js";

const at = (block: number, startedAt: number): RebuildProgress => ({
  checkpoint: 1,
  checkpoints: 4,
  block,
  lastBlock: 1_000,
  startBlock: 0,
  transactions: block * 10,
  startedAt,
});

describe("progress line", () => {
  it("shows blocks, checkpoints, transactions, rate and ETA", () => {
    const now = 10_000;
    expect(formatProgress("rebuild", at(250, now - 5_000), now)).toBe(
      "rebuild [#####---------------] 25%  block 250/1,000  checkpoint 1/4  2,500 txs  50 blocks/s  ETA 15s",
    );
    expect(formatProgress("rebuild", at(0, now - 1_000), now)).toContain("ETA --");
  });

  it("redraws in place on a TTY, writes throttled plain lines elsewhere, and ends with a newline", () => {
    const tty = {
      out: [] as string[],
      isTTY: true,
      write(s: string) {
        this.out.push(s);
      },
    };
    const line = new ProgressLine(tty, { ttyIntervalMs: 0 });
    line.update(at(10, performance.now()));
    line.done(at(1_000, performance.now()));
    expect(tty.out[0]!.startsWith("\r\u001b[2Krebuild [")).toBe(true);
    expect(tty.out.at(-1)).toBe("\n");

    const plain = {
      out: [] as string[],
      write(s: string) {
        this.out.push(s);
      },
    };
    const quiet = new ProgressLine(plain, { plainIntervalMs: 60_000 });
    quiet.update(at(10, performance.now()));
    quiet.update(at(20, performance.now())); // within the interval: not written
    quiet.done(at(1_000, performance.now()));
    expect(plain.out).toHaveLength(2);
    expect(plain.out.every((l) => l.endsWith("\n") && !l.includes("\r"))).toBe(true);
  });
});
