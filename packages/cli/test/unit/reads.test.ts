/** How reads print for a person (formatHuman, a block, a collection) and which block refs are taken. */
import { describe, expect, it } from "vitest";
import {
  addressParam,
  blockRef,
  describeCollection,
  describeCollectionAssets,
  describeCollections,
  describeHoldings,
  describeTransactions,
  idParam,
} from "../../src/commands/reads.js";
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

describe("paged lookups for a person", () => {
  const id = `0x${"ab".repeat(32)}`;
  const addr = `0x${"cd".repeat(20)}`;

  it("token holdings: the balance in the token's decimals with its symbol, then name and id; the next page", () => {
    const text = describeHoldings({
      holder: addr,
      tokens: [
        { tokenId: id, balance: "150", name: "Demo Coin", symbol: "DMC", decimals: 2 },
        { tokenId: id, balance: "7", name: null, symbol: null, decimals: null },
      ],
      nextCursor: id,
    });
    expect(text.split("\n")).toEqual([
      `1.5 DMC  Demo Coin  ${id}`,
      `7 ?  (unknown token)  ${id}`,
      `more: --cursor ${id}`,
    ]);
    expect(describeHoldings({ holder: addr, tokens: [], nextCursor: null })).toBe("no tokens");
  });

  it("collections, a collection's assets (burned ones marked), transactions with kind names and outcome", () => {
    expect(
      describeCollections({
        collections: [
          {
            id,
            creator: addr,
            name: "Art",
            symbol: "ART",
            royaltyBps: 250,
            maxSupply: "10",
            minted: "3",
            burned: "0",
            metadataMutable: true,
          },
        ],
        nextCursor: null,
      }),
    ).toBe(`${id}  Art (ART)  3 minted of 10, royalty 2.5%`);
    expect(
      describeCollectionAssets({
        collectionId: id,
        assets: [
          { tokenId: "1", owner: addr, contentCid: "bafy1", burned: false },
          { tokenId: "2", owner: `0x${"00".repeat(20)}`, contentCid: "bafy2", burned: true },
        ],
        nextCursor: "0x0000000000000002",
      }).split("\n"),
    ).toEqual([`#1  ${addr}  bafy1`, "#2  burned  bafy2", "more: --cursor 0x0000000000000002"]);
    const names = new Map([[1, "Transfer"]]);
    expect(
      describeTransactions(
        {
          transactions: [
            { hash: id, blockNumber: "12", index: 0, kind: 1, status: 1, code: 0 },
            { hash: id, blockNumber: "9", index: 3, kind: 99, status: 0, code: 1101 },
          ],
          nextCursor: null,
        },
        (k) => names.get(k) ?? `kind ${k}`,
      ).split("\n"),
    ).toEqual([`12.0  Transfer  ok  ${id}`, `9.3  kind 99  failed (code 1101)  ${id}`]);
  });

  it("an address or id argument of the wrong shape is a usage error naming it", () => {
    expect(addressParam(addr.toUpperCase().replace("0X", "0x"), "The owner")).toBe(addr);
    expect(() => addressParam("0x1234", "The owner")).toThrow(/The owner must be a 0x address/);
    expect(idParam(id, "The collection id")).toBe(id);
    expect(() => idParam(addr, "The collection id")).toThrow(/The collection id must be a 0x id/);
  });
});
