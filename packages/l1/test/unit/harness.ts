/** Builds test-only contracts (test/contracts/<Name>.sol) next to copies of the contracts they import. */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Abi } from "viem";
import { type Artifact, CONTRACTS_DIR, compileContracts } from "../../src/compile.js";

export async function compileTestHarness(name: string, imports: string[]): Promise<Artifact & { abi: Abi }> {
  const artifacts = await compileTestContracts(name, imports);
  return artifacts[name] as Artifact & { abi: Abi };
}

/** Every contract of test/contracts/<file>.sol and of the contracts it imports, by name. */
export async function compileTestContracts(
  file: string,
  imports: string[],
): Promise<Record<string, Artifact & { abi: Abi }>> {
  const dir = mkdtempSync(join(tmpdir(), `filverse-${file.toLowerCase()}-`));
  try {
    for (const f of imports) copyFileSync(join(CONTRACTS_DIR, f), join(dir, f));
    copyFileSync(new URL(`../contracts/${file}.sol`, import.meta.url), join(dir, `${file}.sol`));
    return (await compileContracts(dir)) as Record<string, Artifact & { abi: Abi }>;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
