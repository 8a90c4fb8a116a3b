/**
 * Timing helpers for the benchmark suite: warm-up, best-of-k sampling and ratios, made for a noisy
 * 2-core machine where a run can only get slower from interference, never faster.
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * A full garbage collection, or a no-op where none can be had. Without --expose-gc the flag is set at
 * run time and `gc` is taken from a fresh context (the flag only affects contexts created after it).
 */
export const gc = (() => {
  if (typeof globalThis.gc === "function") return globalThis.gc;
  try {
    setFlagsFromString("--expose-gc");
    const fn = runInNewContext("gc");
    if (typeof fn === "function") return fn;
  } catch {
    // fall through: timings are then only a little noisier
  }
  return () => {};
})();

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >>> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Time `fn` (sync or async) `runs` times after `warmup` untimed calls, with a gc before each call so
 * one run's garbage is not collected on the next one's clock. `setup(i)` runs untimed before call i
 * and its result is passed to `fn`. Returns milliseconds: best, median and every sample.
 */
export async function timeRuns(fn, { runs = 5, warmup = 1, setup = null } = {}) {
  for (let i = 0; i < warmup; i++) await fn(setup === null ? undefined : await setup(-1 - i));
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const arg = setup === null ? undefined : await setup(i);
    gc();
    const t0 = performance.now();
    await fn(arg);
    samples.push(performance.now() - t0);
  }
  return { bestMs: round3(Math.min(...samples)), medianMs: round3(median(samples)), samplesMs: samples.map(round3) };
}

/**
 * Throughput of each function in `fns` (name → fn), where a fn does some work and returns how many
 * units it did. One warm-up call each, then `rounds` rounds in which every fn in turn runs for about
 * durationMs/rounds, calling it until its time is up. Interleaving the fns spreads a burst of load
 * from a neighbour over all of them instead of one. Per fn: units per second of the best round (the
 * least disturbed), the median round and every round.
 */
export async function measureRates(fns, { durationMs, rounds = 3, warmup = 1 } = {}) {
  const names = Object.keys(fns);
  for (const name of names) for (let i = 0; i < warmup; i++) await fns[name]();
  const roundMs = durationMs / rounds;
  const rates = Object.fromEntries(names.map((n) => [n, []]));
  const units = Object.fromEntries(names.map((n) => [n, 0]));
  for (let r = 0; r < rounds; r++) {
    for (const name of names) {
      gc();
      let done = 0;
      const t0 = performance.now();
      let elapsed = 0;
      do {
        done += await fns[name]();
        elapsed = performance.now() - t0;
      } while (elapsed < roundMs);
      units[name] += done;
      rates[name].push((done * 1000) / elapsed);
    }
  }
  return Object.fromEntries(
    names.map((n) => [
      n,
      {
        best: round3(Math.max(...rates[n])),
        median: round3(median(rates[n])),
        rounds: rates[n].map(round3),
        units: units[n],
      },
    ]),
  );
}

/** measureRates for a single function. */
export async function measureRate(fn, opts) {
  return (await measureRates({ fn }, opts)).fn;
}

/** Units whose smaller values are better; their ratio is inverted so that a bigger ratio is always better. */
export function lowerIsBetter(unit) {
  return unit === "ms" || unit === "us" || unit === "MB";
}

/** value/baseline for rates, baseline/value for times: always "how many times better than the baseline". */
export function ratio(value, baselineValue, unit) {
  if (value === null || baselineValue === null || value === 0 || baselineValue === 0) return null;
  return lowerIsBetter(unit) ? baselineValue / value : value / baselineValue;
}

/** Build a results.json entry; ratio is derived, never passed in. */
export function makeEntry({ name, value, unit, baseline = null, baselineValue = null, quick, details }) {
  const entry = {
    name,
    value: value === null ? null : round3(value),
    unit,
    baseline,
    baselineValue: baselineValue === null ? null : round3(baselineValue),
    ratio: baseline === null ? null : round3(ratio(value, baselineValue, unit)),
    quick: Boolean(quick),
  };
  if (details !== undefined) entry.details = details;
  return entry;
}

/** Three significant decimals at most; keeps results.json readable without losing anything useful. */
export function round3(x) {
  if (x === null || !Number.isFinite(x)) return x;
  return Math.round(x * 1000) / 1000;
}

/** 1234567.8 → "1.23M", for the human table only. */
export function human(x) {
  if (x === null || x === undefined) return "-";
  const a = Math.abs(x);
  if (a >= 1e9) return `${(x / 1e9).toFixed(2)}G`;
  if (a >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(x / 1e3).toFixed(1)}k`;
  if (a >= 100) return x.toFixed(0);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

/** A fixed-width text table; `columns` are [header, (row) => string]. */
export function formatTable(rows, columns) {
  const cells = rows.map((row) => columns.map(([, get]) => String(get(row))));
  const widths = columns.map(([header], i) => Math.max(header.length, ...cells.map((c) => c[i].length)));
  const line = (parts) => parts.map((p, i) => (i === 0 ? p.padEnd(widths[i]) : p.padStart(widths[i]))).join("  ");
  return [line(columns.map(([h]) => h)), line(widths.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}
