/** Builds a test-only harness contract (test/contracts/<Name>.sol) next to copies of the contracts it imports. */
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Abi } from "viem";
import { type Artifact, CONTRACTS_DIR, compileContracts } from "../../src/compile.js";

export async function compileTestHarness(name: string, imports: string[]): Promise<Artifact & { abi: Abi }> {
  const dir = mkdtempSync(join(tmpdir(), `filverse-${name.toLowerCase()}-`));
  try {
    for (const file of imports) copyFileSync(join(CONTRACTS_DIR, file), join(dir, file));
    copyFileSync(new URL(`../contracts/${name}.sol`, import.meta.url), join(dir, `${name}.sol`));
    const artifacts = await compileContracts(dir);
    return artifacts[name] as Artifact & { abi: Abi };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
