/**
 * The benchmark runner behind `npm run bench [-- --quick] [-- --only name,...]`: runs the registered
 * bench modules in order, prints a table and writes bench/results.json and bench/machine.json.
 */
import { writeFileSync } from "node:fs";
import { availableParallelism, cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { getHasher, hashtreeHasher, signatureBackend } from "@filverse/crypto";
import { formatTable, human, ratio, round3 } from "./lib.mjs";

const USAGE = `usage: node bench/run.mjs [--quick] [--only <module or entry name>,...]
  --quick   small sizes and short runs (under a minute in all)
  --only    run only these modules (micro, piece, sequencer, network, cli) or entries (e.g. sig_recover_per_s)`;

/** Bench modules in run order; each exports `run({quick, only}) → Entry[]`, optionally `names` and `targets`. */
const MODULES = ["micro", "piece", "sequencer", "network", "cli"];
/** Modules written separately that may not exist yet; a missing one is skipped with a note. */
const OPTIONAL = new Set(["sequencer"]);

async function loadModule(name) {
  const url = new URL(`./${name}.mjs`, import.meta.url);
  try {
    return await import(url.href);
  } catch (error) {
    // Only the module file itself missing is tolerated; a missing import inside it is a real failure.
    if (OPTIONAL.has(name) && error?.code === "ERR_MODULE_NOT_FOUND" && error.url === url.href) return null;
    throw error;
  }
}

function parse() {
  let values;
  try {
    ({ values } = parseArgs({
      options: { quick: { type: "boolean", default: false }, only: { type: "string" }, help: { type: "boolean" } },
    }));
  } catch (error) {
    console.error(`${error.message}\n${USAGE}`);
    process.exit(2);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const only =
    values.only === undefined
      ? null
      : values.only
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean);
  return { quick: values.quick, only };
}

function machineInfo(quick) {
  const cpuList = cpus();
  return {
    date: new Date().toISOString(),
    mode: quick ? "quick" : "full",
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: availableParallelism(),
    cpuModel: cpuList[0]?.model ?? "unknown",
    totalMemMb: Math.round(totalmem() / 2 ** 20),
    hasher: getHasher().name,
    hashtreeAvailable: hashtreeHasher !== null,
    signatureBackend,
  };
}

/**
 * Every entry in the one shape results.json promises, whichever module made it: missing baseline
 * fields become null, a missing ratio is derived (see lib.ratio), and `quick` records the mode.
 */
function normalize(entry, quick) {
  const baseline = entry.baseline ?? null;
  const baselineValue = baseline === null ? null : (entry.baselineValue ?? null);
  const value = entry.value ?? null;
  const out = {
    name: entry.name,
    value,
    unit: entry.unit,
    baseline,
    baselineValue,
    ratio: baseline === null ? null : (entry.ratio ?? round3(ratio(value, baselineValue, entry.unit))),
    quick: entry.quick ?? quick,
  };
  if (entry.details !== undefined) out.details = entry.details;
  return out;
}

/** Every bound a target sets must hold: `ratio` a minimum ratio, `min`/`max` bounds on the value. */
function checkTarget(entry, target) {
  if (target === undefined || entry.value === null) return "-";
  const bounds = [];
  if (target.ratio !== undefined) {
    if (entry.ratio === null) return "-";
    bounds.push([entry.ratio >= target.ratio, `ratio ≥ ${target.ratio}`]);
  }
  if (target.max !== undefined) bounds.push([entry.value <= target.max, `≤ ${target.max}`]);
  if (target.min !== undefined) bounds.push([entry.value >= target.min, `≥ ${target.min}`]);
  if (bounds.length === 0) return "-";
  return `${bounds.every(([met]) => met) ? "met" : "MISSED"} (${bounds.map(([, text]) => text).join(", ")})`;
}

async function main() {
  const { quick, only } = parse();
  const machine = machineInfo(quick);
  console.log(
    `filverse bench (${machine.mode}): node ${machine.node}, ${machine.cpus} cpus (${machine.cpuModel}), ` +
      `${machine.totalMemMb} MiB, hasher ${machine.hasher}, signatures ${machine.signatureBackend}`,
  );
  writeFileSync(new URL("./machine.json", import.meta.url), `${JSON.stringify(machine, null, 2)}\n`);

  const results = [];
  const targets = {};
  const started = performance.now();
  const loaded = [];
  for (const name of MODULES) {
    const mod = await loadModule(name);
    if (mod === null) console.log(`[${name}] skipped: bench/${name}.mjs does not exist yet`);
    else loaded.push([name, mod]);
  }
  // --only tokens that name neither a module nor an entry some module declares may be entries of a
  // module that does not declare its names: only then does such a module run.
  const declared = new Set(loaded.flatMap(([, mod]) => (Array.isArray(mod.names) ? mod.names : [])));
  const undeclared = only === null ? [] : only.filter((n) => !MODULES.includes(n) && !declared.has(n));
  for (const [name, mod] of loaded) {
    Object.assign(targets, mod.targets ?? {});
    const whole = only === null || only.includes(name);
    const names = Array.isArray(mod.names) ? mod.names : null;
    if (!whole && (names === null ? undeclared.length === 0 : !names.some((n) => only.includes(n)))) continue;
    const t0 = performance.now();
    let entries;
    try {
      entries = await mod.run({ quick, only: whole ? null : only });
    } catch (error) {
      process.exitCode = 1;
      console.error(`[${name}] failed:`, error);
      continue;
    }
    if (!whole) entries = entries.filter((e) => only.includes(e.name));
    console.log(`[${name}] ${entries.length} entries in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    results.push(...entries.map((e) => normalize(e, quick)));
  }

  if (only !== null) {
    const missing = only.filter((n) => !MODULES.includes(n) && !results.some((e) => e.name === n));
    if (missing.length > 0) {
      process.exitCode = 1;
      console.error(`--only: no entry named ${missing.join(", ")}`);
    }
  }

  console.log(
    `\n${formatTable(results, [
      ["name", (e) => e.name],
      ["value", (e) => human(e.value)],
      ["unit", (e) => e.unit],
      ["baseline", (e) => e.baseline ?? "-"],
      ["baselineValue", (e) => human(e.baselineValue)],
      ["ratio", (e) => (e.ratio === null ? "-" : `${e.ratio.toFixed(1)}×`)],
      ["target", (e) => checkTarget(e, targets[e.name])],
    ])}`,
  );
  console.log(
    "\nratio = value / baselineValue for rates; for times and sizes (units ms, us, MB: lower is better) ratio = baselineValue / value," +
      " so a bigger ratio is always better.",
  );
  const extrapolated = results.filter((e) => e.details?.extrapolated === true);
  for (const e of extrapolated) console.log(`${e.name}: ${e.details.note ?? "extrapolated"}`);
  if (results.some((e) => e.unit === "MB")) console.log("MB = 2^20 bytes.");

  writeFileSync(new URL("./results.json", import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
  console.log(
    `\nwrote bench/results.json (${results.length} entries) and bench/machine.json in ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

await main();
