import { describe, expect, it } from "vitest";
import { chainConfigs, getChainConfig, ParamsError } from "../../src/chains.js";
import { HANDLE_PATTERN, MAX_BATCH_BLOCKS } from "../../src/limits.js";

describe("params", () => {
  it("presets settle on the right Filecoin chains, with distinct L2 chain ids", () => {
    const l1 = [chainConfigs.mainnet.l1ChainId, chainConfigs.calibration.l1ChainId, chainConfigs.devnet.l1ChainId];
    expect(l1).toEqual([314, 314159, 31415926]);
    const ids = Object.values(chainConfigs).map((c) => c.chainId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(Number.isSafeInteger(id)).toBe(true);
  });

  it("overrides apply and unknown presets get a typed error", () => {
    expect(getChainConfig("devnet", { blockTimeMs: 100 }).blockTimeMs).toBe(100);
    expect(() => getChainConfig("moonnet")).toThrow(ParamsError);
  });

  it("every preset's checkpoint batch fits one batch CAR", () => {
    for (const c of Object.values(chainConfigs)) expect(c.checkpointInterval).toBeLessThanOrEqual(MAX_BATCH_BLOCKS);
  });

  it("handles are [a-z0-9_]{3,32}", () => {
    expect(["abc", "a_1", "x".repeat(32)].every((h) => HANDLE_PATTERN.test(h))).toBe(true);
    expect(["ab", "ABC", "a-b", "x".repeat(33), "é_ab"].some((h) => HANDLE_PATTERN.test(h))).toBe(false);
  });
});
