// Preloaded into the sequencer process by bench/sequencer.mjs (`--require`): what held its event
// loop. At exit it writes FILVERSE_LOOPMON_OUT: every stall of the event loop of more than 20 ms seen
// by a 5 ms timer ([start as ms since the epoch, length in ms]) and every GC pause ([start, ms, kind]:
// kind 1 scavenge, 2 minor mark-sweep, 4 mark-sweep-compact, 8 incremental marking, 16 weak
// callbacks). The bench keeps those inside its load window.
const { PerformanceObserver, performance } = require("node:perf_hooks");
const { writeFileSync } = require("node:fs");
const { isMainThread } = require("node:worker_threads");

// biome-ignore lint/suspicious/noUndeclaredEnvVars: set by bench/sequencer.mjs for the process it starts
const out = process.env.FILVERSE_LOOPMON_OUT;
if (out && isMainThread) {
  const stalls = [];
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    const late = now - last - 5;
    if (late > 20) stalls.push([Math.round(performance.timeOrigin + now - late), Math.round(late)]);
    last = now;
  }, 5).unref();
  const gc = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      gc.push([Math.round(performance.timeOrigin + e.startTime), Number(e.duration.toFixed(2)), e.detail?.kind]);
  }).observe({ entryTypes: ["gc"] });
  process.on("exit", () => writeFileSync(out, JSON.stringify({ stalls, gc })));
}
