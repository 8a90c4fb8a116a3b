/** FIL amounts: 1.5 / 1.5fil are FIL, whole numbers / …atto are attoFIL; printed as FIL with decimals. */
import { describe, expect, it } from "vitest";
import { formatFil, parseFilAmount } from "../../src/amount.js";

describe("parseFilAmount", () => {
  it("reads FIL with decimals and attoFIL by one rule", () => {
    expect(parseFilAmount("1.5")).toBe(1_500_000_000_000_000_000n);
    expect(parseFilAmount("1.5fil")).toBe(1_500_000_000_000_000_000n);
    expect(parseFilAmount("2FIL")).toBe(2_000_000_000_000_000_000n);
    expect(parseFilAmount(".25")).toBe(250_000_000_000_000_000n);
    expect(parseFilAmount("3.")).toBe(3_000_000_000_000_000_000n);
    expect(parseFilAmount("0.000000000000000001")).toBe(1n);
    expect(parseFilAmount("1500000000000000000")).toBe(1_500_000_000_000_000_000n);
    expect(parseFilAmount("1500000000000000000atto")).toBe(1_500_000_000_000_000_000n);
    expect(parseFilAmount("7attofil")).toBe(7n);
    expect(parseFilAmount("1_000fil")).toBe(1000n * 10n ** 18n);
    // Beyond 2^64 and 2^53: exact.
    expect(parseFilAmount("123456789012345678901.123456789012345678")).toBe(123456789012345678901123456789012345678n);
  });

  it("refuses what is not an amount, with the option's name and the rule", () => {
    for (const bad of ["", "x", "-1", "1e18", "1.5.2", ".", "fil", "1.5atto", "0x10", "1,5", "1 .5"])
      expect(() => parseFilAmount(bad, "amount")).toThrow(/--amount/);
    expect(() => parseFilAmount("0.0000000000000000001")).toThrow(/more than 18 decimals/);
    expect(() => parseFilAmount("0")).toThrow(/more than zero/);
    expect(() => parseFilAmount("0.0fil")).toThrow(/more than zero/);
    expect(parseFilAmount("0", "amount", { allowZero: true })).toBe(0n);
    try {
      parseFilAmount("abc", "collateral");
    } catch (e) {
      expect((e as Error).message).toContain("1.5 or 1.5fil is FIL");
      expect((e as { code?: string }).code).toBe("CLI_USAGE");
    }
  });
});

describe("formatFil", () => {
  it("prints FIL with its decimals, trailing zeros trimmed", () => {
    expect(formatFil(1_500_000_000_000_000_000n)).toBe("1.5 FIL");
    expect(formatFil("100000000000000000000")).toBe("100 FIL");
    expect(formatFil(0n)).toBe("0 FIL");
    expect(formatFil(1n)).toBe("0.000000000000000001 FIL");
    expect(formatFil(-5n * 10n ** 17n)).toBe("-0.5 FIL");
    expect(formatFil("not a number")).toBe("not a number attoFIL");
  });

  it("round-trips with parseFilAmount", () => {
    for (const a of [1n, 10n ** 18n, 123456789n * 10n ** 12n + 7n, 2n ** 80n])
      expect(parseFilAmount(formatFil(a).replace(" FIL", "fil"))).toBe(a);
  });
});
