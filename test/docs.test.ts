/** docs/ must describe the code as it is: every type string, error code and namespace is listed. */
import { readFileSync } from "node:fs";
import { encodeType } from "@filverse/crypto";
import { createRpcHandlers } from "@filverse/node";
import { ExecutionErrorCode, TxValidationErrorCode } from "@filverse/state";
import { MAX_JSON_DEPTH, Namespace, RpcErrorCode, stateObjectStructs, txStructs, USER_TX_KINDS } from "@filverse/types";
import { MAX_ECHO_DEPTH, MAX_ECHO_ITEMS, MAX_ECHO_STRING_CHARS, MAX_ECHO_TOTAL_CHARS } from "@filverse/utils";
import { describe, expect, it } from "vitest";

const read = (name: string) => readFileSync(new URL(`../docs/${name}`, import.meta.url), "utf8");

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

  it("rpc.md and protocol.md give the nesting limit and the clipping of echoed values as the code has them", () => {
    const rpcDoc = read("rpc.md");
    expect(rpcDoc).toContain(`at most **${MAX_JSON_DEPTH} levels** deep (\`MAX_JSON_DEPTH\``);
    expect(rpcDoc).toContain(`"a param nests deeper than ${MAX_JSON_DEPTH} levels", maxDepth: ${MAX_JSON_DEPTH}`);
    expect(protocol).toContain(`nesting deeper than ${MAX_JSON_DEPTH} levels (\`MAX_JSON_DEPTH\``);
    expect(rpcDoc).toContain(`a string keeps its first ${MAX_ECHO_STRING_CHARS} characters`);
    expect(rpcDoc).toContain(`an array keeps ${MAX_ECHO_ITEMS} items`);
    expect(rpcDoc).toContain(`an object keeps ${MAX_ECHO_ITEMS} keys`);
    expect(rpcDoc).toContain(`deeper than ${MAX_ECHO_DEPTH} levels become`);
    expect(rpcDoc).toContain(`The whole echo has a budget of ${MAX_ECHO_TOTAL_CHARS} characters`);
  });

  it("state.md lists every namespace with its object", () => {
    for (const [name, value] of Object.entries(Namespace)) {
      if (typeof value !== "number") continue;
      const struct = stateObjectStructs[value as Namespace];
      const hex = `0x${value.toString(16).padStart(2, "0")}`;
      expect(state, name).toMatch(new RegExp(`\\| ${hex} \\| \`${struct.name}\` \\|`));
    }
  });
});
