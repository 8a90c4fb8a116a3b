/** docs/ must describe the code as it is: every type string, error code and namespace is listed. */
import { readFileSync } from "node:fs";
import { encodeType } from "@filverse/crypto";
import { createRpcHandlers, NodeMetrics } from "@filverse/node";
import { ExecutionErrorCode, TxValidationErrorCode } from "@filverse/state";
import {
  Namespace,
  RpcErrorCode,
  stateObjectStructs,
  TX_DROP_REASONS,
  txStructs,
  USER_TX_KINDS,
} from "@filverse/types";
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

  it("rpc.md lists every drop reason; operations.md every metric, the drop reasons among them", async () => {
    const rpcDoc = read("rpc.md");
    for (const reason of TX_DROP_REASONS) expect(rpcDoc, reason).toMatch(new RegExp(`^\\| \`${reason}\` \\|`, "m"));
    const operations = read("operations.md");
    const metrics = new NodeMetrics();
    const names = (await metrics.registry.getMetricsAsJSON()).map((m) => m.name);
    for (const name of names.filter((n) => !n.startsWith("filverse_process_")))
      expect(operations, name).toContain(name);
    const dropped = operations
      .split("\n")
      .find((l) => l.startsWith("| `filverse_sequencer_dropped_transactions_total"))!;
    for (const reason of TX_DROP_REASONS) expect(dropped, reason).toContain(`\`${reason}\``);
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
