/** How the page writes amounts: FIL, and a social token's amounts in its own units. */
import { describe, expect, it } from "vitest";
import { fil, units } from "../../web/format.js";

describe("units", () => {
  it("writes base units with the token's decimals, grouped, up to 6 fraction digits from 1 up", () => {
    expect(units("1000000000000000000000", 18, "DMC")).toBe("1,000 DMC");
    expect(units("1500000000000000000", 18, "DMC")).toBe("1.5 DMC");
    expect(units("1234567891234567891", 18, "DMC")).toBe("1.234567 DMC");
    expect(units("0", 18, "DMC")).toBe("0 DMC");
    expect(units("42", 0, "PTS")).toBe("42 PTS");
  });

  it("keeps every digit of an amount below 1, so a small one never reads as zero", () => {
    expect(units("5000", 18, "DMC")).toBe("0.000000000000005 DMC");
    expect(units("5", 2, "C")).toBe("0.05 C");
  });

  it("passes through what is not a decimal integer", () => {
    expect(units("n/a", 18, "DMC")).toBe("n/a");
  });

  it("FIL amounts are attoFIL with 18 decimals", () => {
    expect(fil("1500000000000000000")).toBe("1.5 FIL");
    expect(fil("2")).toBe("2 attoFIL");
  });
});
