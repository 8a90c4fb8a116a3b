/** FilverseError's details are clipped (clipForEcho), and exceedsJsonDepth is safe at any depth. */
import { describe, expect, it } from "vitest";
import {
  clipForEcho,
  exceedsJsonDepth,
  FilverseError,
  MAX_ECHO_DEPTH,
  MAX_ECHO_ITEMS,
  MAX_ECHO_STRING_CHARS,
  MAX_ECHO_TOTAL_CHARS,
} from "../../src/errors.js";

function nested(levels: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

describe("clipForEcho", () => {
  it("keeps small values as they are, key order included", () => {
    const v = { b: 1, a: [1, "x", null, true], c: { d: 5n }, e: new Uint8Array([1, 2]) };
    expect(clipForEcho(v)).toEqual(v);
    expect(Object.keys(clipForEcho(v) as object)).toEqual(["b", "a", "c", "e"]);
  });

  it("cuts long strings, long arrays, many keys and deep nesting", () => {
    expect(clipForEcho("x".repeat(10_000))).toBe(`${"x".repeat(MAX_ECHO_STRING_CHARS)}…`);
    const arr = clipForEcho(Array.from({ length: 2_000_000 }, (_, i) => i)) as unknown[];
    expect(arr).toHaveLength(MAX_ECHO_ITEMS + 1);
    expect(arr.at(-1)).toBe(`… ${2_000_000 - MAX_ECHO_ITEMS} more`);
    const obj = clipForEcho(Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i])));
    expect(Object.keys(obj as object)).toHaveLength(MAX_ECHO_ITEMS + 1);
    const deep = JSON.stringify(clipForEcho(nested(100_000)));
    expect(deep.length).toBeLessThan(200);
    expect(exceedsJsonDepth(JSON.parse(deep), MAX_ECHO_DEPTH + 1)).toBe(false);
  });

  it("keeps a total budget, shallow values first, so 32 items on each of 8 levels cannot add up", () => {
    let wide: unknown = "z".repeat(300);
    for (let i = 0; i < 5; i++) wide = new Array(32).fill(wide);
    const clipped = clipForEcho({ first: "kept", wide }) as { first: string };
    expect(clipped.first).toBe("kept");
    expect(JSON.stringify(clipped).length).toBeLessThan(3 * MAX_ECHO_TOTAL_CHARS);
  });

  it("FilverseError clips its details, so a huge or deep input never reaches its message", () => {
    const e = new FilverseError("X", "bad", { details: { got: nested(100_000), big: "y".repeat(1_000_000) } });
    expect(e.message.length).toBeLessThan(1_000);
    expect((e.details.big as string).length).toBe(MAX_ECHO_STRING_CHARS + 1);
  });
});

describe("exceedsJsonDepth", () => {
  it("counts containers, not scalars, and survives a million levels", () => {
    expect(exceedsJsonDepth(5, 0)).toBe(false);
    expect(exceedsJsonDepth([], 0)).toBe(true);
    expect(exceedsJsonDepth([[1], { a: {} }], 3)).toBe(false);
    expect(exceedsJsonDepth([[1], { a: {} }], 2)).toBe(true);
    expect(exceedsJsonDepth(nested(1_000_000), 32)).toBe(true);
    expect(exceedsJsonDepth(nested(32), 32)).toBe(false);
  });
});
