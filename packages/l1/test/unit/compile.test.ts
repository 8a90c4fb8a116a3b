/** The artifacts are reproducible from source: two compilations give the same bytes, equal to the build's; libraries are not artifacts. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ARTIFACTS_DIR, compileContracts, SOLC_SETTINGS } from "../../src/compile.js";

describe("compileContracts", () => {
  it("gives identical bytecode twice, equal to artifacts/", async () => {
    const a = await compileContracts();
    const b = await compileContracts();
    expect(Object.keys(a).sort()).toEqual([
      "DevnetMarket",
      "FilverseBridge",
      "FilverseDealClient",
      "FilverseDisputeGame",
      "FilverseRollup",
      "ForcedTxDecoder",
      "KindExecutorAssets",
      "KindExecutorData",
      "KindExecutorGrants",
      "KindExecutorIdentity",
      "KindExecutorTokens",
      "KindExecutorTrade",
      "OneStepExecutor",
      "PreconfirmationJudge",
      "StepProofStore",
      "ViaExecutor",
    ]);
    for (const name of Object.keys(a)) {
      expect(a[name]!.bytecode).toBe(b[name]!.bytecode);
      expect(a[name]!.deployedBytecode).toBe(b[name]!.deployedBytecode);
      expect(a[name]!.bytecode.length).toBeGreaterThan(1_000);
      // EIP-170, which hardhat and FEVM enforce: a larger contract cannot be deployed.
      expect((a[name]!.deployedBytecode.length - 2) / 2, name).toBeLessThanOrEqual(24_576);
      expect(a[name]!.solcVersion).toMatch(/^0\.8\.37\+commit/);
      expect(a[name]!.settings).toEqual(SOLC_SETTINGS);
      const built = JSON.parse(readFileSync(join(ARTIFACTS_DIR, `${name}.json`), "utf8"));
      expect(built.bytecode).toBe(a[name]!.bytecode);
    }
  }, 240_000); // two full compiles: about 35 s on an idle box, several times that on a loaded one
});
