/** docs/ must describe the code as it is: every type string, error code and namespace is listed. */
import { readFileSync } from "node:fs";
import { encodeType } from "@filverse/crypto";
import { createRpcHandlers } from "@filverse/node";
import { ExecutionErrorCode, TxValidationErrorCode } from "@filverse/state";
import { Namespace, RpcErrorCode, stateObjectStructs, txStructs, USER_TX_KINDS } from "@filverse/types";
import { describe, expect, it } from "vitest";

const read = (name: string) => readFileSync(new URL(`../docs/${name}`, import.meta.url), "utf8");

/** The text from the line `heading` to the next heading of the same or a higher level (outside code blocks). */
function section(doc: string, heading: string): string {
  const lines = doc.split("\n");
  const start = lines.indexOf(heading);
  expect(start, heading).toBeGreaterThanOrEqual(0);
  const level = heading.match(/^#+/)![0].length;
  let fenced = false;
  let end = start + 1;
  for (; end < lines.length; end++) {
    const line = lines[end]!;
    if (line.startsWith("```")) fenced = !fenced;
    const m = fenced ? null : /^(#+) /.exec(line);
    if (m && m[1]!.length <= level) break;
  }
  return lines.slice(start, end).join("\n");
}

/** The body rows (cells trimmed) of the first markdown table in `text`. */
function firstTable(text: string): string[][] {
  const lines = text.split("\n");
  const first = lines.findIndex((l) => l.startsWith("|"));
  expect(first, "a table").toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(
      line
        .slice(1, -1)
        .split("|")
        .map((c) => c.trim()),
    );
  }
  return rows;
}

describe("docs match the code", () => {
  const protocol = read("protocol.md");
  const state = read("state.md");

  it("protocol.md lists every kind with its number and exact encodeType", () => {
    for (const kind of USER_TX_KINDS) {
      const struct = txStructs[kind];
      expect(protocol).toContain(encodeType(struct as never));
      expect(protocol).toMatch(new RegExp(`\\| ${kind} \\| \`${struct.name}\` \\|`));
    }
  });

  it("protocol.md lists every error code with its number", () => {
    for (const codes of [ExecutionErrorCode, TxValidationErrorCode]) {
      for (const [name, value] of Object.entries(codes)) {
        if (typeof value !== "number") continue;
        expect(protocol).toMatch(new RegExp(`\\| ${value} \\| \`${name}\` \\|`));
      }
    }
  });

  it("rpc.md documents every method the node serves and every RPC error code", () => {
    const rpcDoc = read("rpc.md");
    const methods = Object.keys(createRpcHandlers({} as never));
    expect(methods.length).toBeGreaterThan(20);
    for (const m of methods) expect(rpcDoc, m).toMatch(new RegExp(`^### ${m}$`, "m"));
    for (const [name, value] of Object.entries(RpcErrorCode)) {
      if (typeof value === "number")
        expect(rpcDoc, name).toMatch(new RegExp(`${value}[^\\n]*${name}|${name}[^\\n]*${value}`));
    }
  });

  it("state.md lists every namespace with its object", () => {
    for (const [name, value] of Object.entries(Namespace)) {
      if (typeof value !== "number") continue;
      const struct = stateObjectStructs[value as Namespace];
      const hex = `0x${value.toString(16).padStart(2, "0")}`;
      expect(state, name).toMatch(new RegExp(`\\| ${hex} \\| \`${struct.name}\` \\|`));
    }
  });

  it("rpc.md's §3 method table lists exactly the methods the node registers", () => {
    const methods = Object.keys(createRpcHandlers({} as never));
    const listed = firstTable(section(read("rpc.md"), "## 3. Methods")).map((row) => {
      const m = /^\[`(\w+)`\]\(#(\w+)\)$/.exec(row[0]!);
      expect(m, row[0]).not.toBeNull();
      expect(m![2], "anchor").toBe(m![1]!.toLowerCase());
      return m![1]!;
    });
    expect(new Set(listed).size, "listed twice").toBe(listed.length);
    expect([...listed].sort()).toEqual([...methods].sort());
  });
});
