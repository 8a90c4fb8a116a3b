/**
 * The client carries fragments of the L1 ABIs instead of depending on @filverse/l1: each entry must
 * equal the compiled artifact's entry of the same kind and name (less `internalType`), so a changed
 * contract fails here rather than on L1.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { filverseBridgeAbi, filverseRollupAbi } from "../../src/l1/abi.js";

type AbiEntry = { type: string; name?: string };

function artifactAbi(contract: string): AbiEntry[] {
  const path = fileURLToPath(new URL(`../../../l1/artifacts/${contract}.json`, import.meta.url));
  return (JSON.parse(readFileSync(path, "utf8")) as { abi: AbiEntry[] }).abi;
}

function withoutInternalType(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutInternalType);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== "internalType")
        .map(([k, v]) => [k, withoutInternalType(v)]),
    );
  }
  return value;
}

describe.each([
  ["FilverseBridge", filverseBridgeAbi],
  ["FilverseRollup", filverseRollupAbi],
] as const)("%s fragments", (contract, fragments) => {
  const compiled = artifactAbi(contract);
  it.each(fragments.map((f) => [`${f.type} ${f.name}`, f] as const))("%s equals the artifact's", (_, fragment) => {
    const matches = compiled.filter((e) => e.type === fragment.type && e.name === fragment.name);
    expect(matches).toHaveLength(1);
    expect(fragment).toEqual(withoutInternalType(matches[0]));
  });
});

it("carries what the helpers call", () => {
  const names = (abi: readonly AbiEntry[]) => abi.map((e) => e.name);
  expect(names(filverseBridgeAbi)).toEqual(
    expect.arrayContaining(["finalizeWithdrawal", "isFinalized", "rollup", "NotFinal", "AlreadyFinalized"]),
  );
  expect(names(filverseRollupAbi).sort()).toEqual(["challengeWindow", "checkpointStatus", "getCheckpoint"]);
});
