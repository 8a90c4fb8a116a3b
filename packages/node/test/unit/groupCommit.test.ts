/**
 * GroupCommit: what queues during a write goes out in the next one, in push order, one write at a
 * time; a failed write fails its batch ("batch") or everything queued with it ("all").
 */
import { describe, expect, it } from "vitest";
import { GroupCommit } from "../../src/sequencer/groupCommit.js";

/** A writer whose writes stay in flight until released (or failed) by the test. */
function heldWriter() {
  const writes: { items: number[]; release: () => void; fail: (e: unknown) => void }[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const write = (items: number[]) =>
    new Promise<void>((resolve, reject) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const done = () => inFlight--;
      writes.push({
        items: [...items],
        release: () => {
          done();
          resolve();
        },
        fail: (e) => {
          done();
          reject(e);
        },
      });
    });
  return { writes, write, maxInFlight: () => maxInFlight };
}

const tick = () => new Promise((r) => setImmediate(r));

/** Settled state of each promise, read without waiting for the pending ones. */
function track(ps: Promise<void>[]): ("pending" | "ok" | unknown)[] {
  const states: ("pending" | "ok" | unknown)[] = ps.map(() => "pending");
  ps.forEach((p, i) => {
    p.then(
      () => {
        states[i] = "ok";
      },
      (e) => {
        states[i] = e;
      },
    );
  });
  return states;
}

describe("GroupCommit", () => {
  it("groups what queues during a write into the next one, in order, one write at a time", async () => {
    const w = heldWriter();
    const g = new GroupCommit<number>({ write: w.write, failure: "batch" });
    const ps = [g.push(1)];
    await tick();
    ps.push(g.push(2), g.push(3), g.push(4));
    const states = track(ps);
    await tick();
    expect(w.writes.map((x) => x.items)).toEqual([[1]]);
    expect(g.queued).toBe(3);
    w.writes[0]!.release();
    await tick();
    expect(states).toEqual(["ok", "pending", "pending", "pending"]);
    expect(w.writes.map((x) => x.items)).toEqual([[1], [2, 3, 4]]);
    ps.push(g.push(5));
    await tick();
    w.writes[1]!.release();
    await tick();
    w.writes[2]!.release();
    await Promise.all(ps);
    expect(w.writes.map((x) => x.items)).toEqual([[1], [2, 3, 4], [5]]);
    expect(w.maxInFlight()).toBe(1);
    await g.idle();
  });

  it('"batch": a failed write fails only its items; what queued meanwhile is written next', async () => {
    const w = heldWriter();
    const errors: [unknown, readonly number[]][] = [];
    const g = new GroupCommit<number>({
      write: w.write,
      failure: "batch",
      onError: (e, items) => errors.push([e, items]),
    });
    const ps = [g.push(1)];
    await tick();
    ps.push(g.push(2), g.push(3));
    const states = track(ps);
    const boom = new Error("disk full");
    w.writes[0]!.fail(boom);
    await tick();
    expect(states).toEqual([boom, "pending", "pending"]);
    expect(errors).toEqual([[boom, [1]]]);
    expect(w.writes.map((x) => x.items)).toEqual([[1], [2, 3]]);
    w.writes[1]!.release();
    await tick();
    expect(states[1]).toBe("ok");
    expect(states[2]).toBe("ok");
  });

  it('"all": a failed write fails what queued meanwhile too, and nothing of it is written', async () => {
    const w = heldWriter();
    let told = 0;
    const g = new GroupCommit<number>({ write: w.write, failure: "all", onError: () => told++ });
    const ps = [g.push(1)];
    await tick();
    ps.push(g.push(2), g.push(3));
    const states = track(ps);
    const boom = new Error("disk full");
    w.writes[0]!.fail(boom);
    await tick();
    expect(states).toEqual([boom, boom, boom]);
    expect(told).toBe(1);
    expect(w.writes).toHaveLength(1);
    expect(g.queued).toBe(0);
    // Later pushes start a new write.
    const later = g.push(4);
    await tick();
    expect(w.writes.map((x) => x.items)).toEqual([[1], [4]]);
    w.writes[1]!.release();
    await later;
  });

  it("idle() waits for the writes in flight and queued, and never rejects", async () => {
    const w = heldWriter();
    const g = new GroupCommit<number>({ write: w.write, failure: "batch" });
    await g.idle(); // nothing queued
    const p1 = g.push(1).catch(() => {});
    await tick();
    const p2 = g.push(2);
    let idle = false;
    const done = g.idle().then(() => {
      idle = true;
    });
    w.writes[0]!.fail(new Error("x"));
    await tick();
    expect(idle).toBe(false);
    w.writes[1]!.release();
    await Promise.all([p1, p2, done]);
    expect(idle).toBe(true);
  });

  it("gather: callbacks queued with setImmediate before the write starts push into the same batch", async () => {
    const w = heldWriter();
    const g = new GroupCommit<number>({ write: w.write, failure: "all", gather: true });
    let second: Promise<void> | null = null;
    setImmediate(() => {
      second = g.push(2);
    });
    const first = g.push(1);
    await tick();
    await tick();
    expect(w.writes.map((x) => x.items)).toEqual([[1, 2]]);
    expect(g.barrier()).toBe(second);
    w.writes[0]!.release();
    await Promise.all([first, second]);
    // Without gather, a push with nothing in flight is written alone.
    const h = heldWriter();
    const plain = new GroupCommit<number>({ write: h.write, failure: "all" });
    setImmediate(() => void plain.push(2));
    void plain.push(1);
    await tick();
    expect(h.writes[0]!.items).toEqual([1]);
    h.writes[0]!.release();
    await tick();
    h.writes[1]?.release();
    await plain.idle();
  });

  it("a write that throws synchronously fails its batch like a rejected one", async () => {
    const g = new GroupCommit<number>({
      write: () => {
        throw new Error("closed");
      },
      failure: "batch",
    });
    await expect(g.push(1)).rejects.toThrow("closed");
    await g.idle();
  });
});
