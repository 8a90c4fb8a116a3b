/** How reads print for a person (formatHuman, a block, a collection) and which block refs are taken. */
import { describe, expect, it } from "vitest";
import { blockRef, describeCollection } from "../../src/commands/reads.js";
import { formatHuman } from "../../src/output.js";

describe("formatHuman", () => {
  it("aligns fields, indents nested objects, lists arrays, and says when nothing was found", () => {
    expect(formatHuman(null)).toBe("not found");
    expect(formatHuman({ name: "Gold", cap: "1000", approved: null })).toBe(
      "name      Gold\ncap       1000\napproved  -",
    );
    expect(formatHuman({ id: "0x01", owner: { a: 1 }, attributes: [{ key: "k", value: "v" }, "x"], empty: [] })).toBe(
      [
        "id  0x01",
        "owner",
        "  a  1",
        "attributes (2)",
        "  - key    k",
        "    value  v",
        "  - x",
        "empty (0)",
        "  (none)",
      ].join("\n"),
    );
  });
});

describe("reads", () => {
  it("blockRef: latest, a number or a hash; anything else is a usage error", () => {
    expect(blockRef(undefined)).toEqual({ method: "filverse_getBlockByNumber", params: ["latest"] });
    expect(blockRef("12")).toEqual({ method: "filverse_getBlockByNumber", params: ["12"] });
    const h = `0x${"AB".repeat(32)}`;
    expect(blockRef(h)).toEqual({ method: "filverse_getBlockByHash", params: [h.toLowerCase()] });
    for (const bad of ["-1", "0x12", "1.5", "yesterday", ""]) expect(() => blockRef(bad)).toThrow(/A block is/);
  });

  it("describeCollection: royalty in percent, supply, mutability", () => {
    const text = describeCollection({
      id: "0x01",
      creator: "0x02",
      name: "Art",
      symbol: "ART",
      royaltyBps: 1000,
      maxSupply: "5",
      minted: "3",
      burned: "1",
      metadataMutable: false,
    });
    expect(text).toContain("royalty     10% (1000 bps)");
    expect(text).toContain("supply      3 minted of 5, 1 burned");
    expect(text).toContain("metadata    immutable");
  });
});
