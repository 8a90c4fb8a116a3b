/**
 * FIL amounts on the command line. One rule everywhere the CLI takes an amount of FIL:
 *   - a number with a decimal point, or any number ending in `fil`, is FIL: `1.5`, `1.5fil`, `2fil`, `.25`;
 *   - a whole number, or one ending in `atto`, is attoFIL: `1500000000000000000`, `1500000000000000000atto`.
 * FIL has 18 decimals; more digits after the point are refused rather than rounded. Human output
 * prints FIL with its decimals (`1.5 FIL`); --json prints the exact attoFIL as a decimal string.
 */
import { UsageError } from "./output.js";

export const FIL_DECIMALS = 18;
const ATTO_PER_FIL = 10n ** BigInt(FIL_DECIMALS);

/** The attoFIL in `text` by the rule above, or a UsageError naming the option. */
export function parseFilAmount(text: string, name = "amount", opts: { allowZero?: boolean } = {}): bigint {
  const v = text.trim().toLowerCase().replace(/_/g, "");
  const bad = (why: string) =>
    new UsageError(`--${name} ${why}, got "${text}"`, [
      "Amounts: 1.5 or 1.5fil is FIL (up to 18 decimals); a whole number or 1500000000000000000atto is attoFIL.",
    ]);
  let atto: bigint;
  const atSuffix = /^(\d+)(atto|attofil)$/.exec(v);
  const filSuffix = /^(\d*)(?:\.(\d*))?fil$/.exec(v);
  const decimal = /^(\d*)\.(\d*)$/.exec(v);
  if (/^\d+$/.test(v)) atto = BigInt(v);
  else if (atSuffix) atto = BigInt(atSuffix[1]!);
  else if (filSuffix || decimal) {
    const m = (filSuffix ?? decimal)!;
    const whole = m[1] ?? "";
    const frac = m[2] ?? "";
    if (whole === "" && frac === "") throw bad("is not an amount");
    if (frac.length > FIL_DECIMALS)
      throw bad(`has more than ${FIL_DECIMALS} decimals (1 attoFIL is 0.000000000000000001 FIL)`);
    atto = BigInt(whole || "0") * ATTO_PER_FIL + BigInt((frac || "0").padEnd(FIL_DECIMALS, "0"));
  } else throw bad("is not an amount of FIL");
  if (atto === 0n && !opts.allowZero) throw bad("must be more than zero");
  return atto;
}

/** A commander option parser: the attoFIL as a decimal string. */
export const filAmountArg =
  (name = "amount", opts: { allowZero?: boolean } = {}) =>
  (v: string): string =>
    parseFilAmount(v, name, opts).toString();

/** attoFIL (bigint or decimal string) as FIL with its decimals, trailing zeros trimmed: "1.5 FIL". */
export function formatFil(atto: bigint | string | number): string {
  let a: bigint;
  try {
    a = BigInt(atto);
  } catch {
    return `${String(atto)} attoFIL`;
  }
  const neg = a < 0n;
  if (neg) a = -a;
  const whole = a / ATTO_PER_FIL;
  const frac = (a % ATTO_PER_FIL).toString().padStart(FIL_DECIMALS, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${whole}${frac ? `.${frac}` : ""} FIL`;
}

/** Base units of a token with `decimals` as a decimal number, trailing zeros trimmed: formatUnits("150", 2) is "1.5". */
export function formatUnits(units: bigint | string, decimals: number): string {
  let a: bigint;
  try {
    a = BigInt(units);
  } catch {
    return String(units);
  }
  if (!Number.isInteger(decimals) || decimals <= 0) return a.toString();
  const neg = a < 0n;
  if (neg) a = -a;
  const scale = 10n ** BigInt(decimals);
  const frac = (a % scale).toString().padStart(decimals, "0").replace(/0+$/, "");
  return `${neg ? "-" : ""}${a / scale}${frac ? `.${frac}` : ""}`;
}

/** `part` as a percentage of `total`, rounded to two decimals, trailing zeros trimmed: "60%", "66.67%"; "-" when total is 0. */
export function formatShare(part: bigint | string, total: bigint | string): string {
  const p = BigInt(part);
  const t = BigInt(total);
  if (t <= 0n) return "-";
  const hundredths = (p * 10_000n * 2n + t) / (2n * t);
  const frac = (hundredths % 100n).toString().padStart(2, "0").replace(/0+$/, "");
  return `${hundredths / 100n}${frac ? `.${frac}` : ""}%`;
}

/** The --help text of an amount option. */
export const AMOUNT_HELP = "1.5 or 1.5fil = FIL; a whole number or 1500000000000000000atto = attoFIL";
