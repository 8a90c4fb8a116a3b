/**
 * Compiles contracts/*.sol with solc-js (in-process, no download) and writes artifacts/<Name>.json.
 * Run by `npm run build` as `node lib/compile.js`; the settings are fixed so the bytecode is
 * reproducible from source alone.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { L1Error, L1ErrorCode } from "./errors.js";

export const CONTRACTS_DIR = fileURLToPath(new URL("../contracts/", import.meta.url));
export const ARTIFACTS_DIR = fileURLToPath(new URL("../artifacts/", import.meta.url));

/**
 * evmVersion "paris": no PUSH0 (shanghai) nor MCOPY/transient storage (cancun), so the same bytecode
 * runs on every Filecoin network version's FEVM and on the hardhat node.
 */
export const SOLC_SETTINGS = {
  evmVersion: "paris",
  optimizer: { enabled: true, runs: 200 },
  metadata: { bytecodeHash: "ipfs" },
  outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
} as const;

export type Artifact = {
  contractName: string;
  abi: readonly unknown[];
  bytecode: `0x${string}`;
  deployedBytecode: `0x${string}`;
  solcVersion: string;
  settings: typeof SOLC_SETTINGS;
};

type SolcOutput = {
  errors?: { severity: "error" | "warning" | "info"; formattedMessage: string }[];
  contracts?: Record<
    string,
    Record<string, { abi: unknown[]; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }>
  >;
};

/**
 * A library's runtime code starts with its call guard, PUSH20 <its own address, zero until deployed>
 * ADDRESS EQ (0x73 ‖ 20 zero bytes ‖ 0x30 0x14). Ours have internal functions only and are never
 * deployed on their own.
 */
function isLibrary(deployedBytecode: string): boolean {
  return deployedBytecode.startsWith(`73${"00".repeat(20)}3014`);
}

/** Compile every contract in `dir`; artifacts keyed by contract name (interfaces and libraries are skipped). */
export async function compileContracts(dir = CONTRACTS_DIR): Promise<Record<string, Artifact>> {
  const { default: solc } = (await import("solc")) as {
    default: { compile(input: string): string; version(): string };
  };
  const sources: Record<string, { content: string }> = {};
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".sol"))
    .sort()) {
    sources[file] = { content: readFileSync(join(dir, file), "utf8") };
  }
  const input = { language: "Solidity", sources, settings: SOLC_SETTINGS };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) {
    throw new L1Error(L1ErrorCode.COMPILE_FAILED, `solc reported ${errors.length} error(s)`, {
      metaMessages: errors.map((e) => e.formattedMessage),
    });
  }
  const artifacts: Record<string, Artifact> = {};
  for (const contracts of Object.values(output.contracts ?? {})) {
    for (const [name, c] of Object.entries(contracts)) {
      if (c.evm.bytecode.object.length === 0) continue; // an interface
      if (isLibrary(c.evm.deployedBytecode.object)) continue; // linked into the contracts that use it
      artifacts[name] = {
        contractName: name,
        abi: c.abi,
        bytecode: `0x${c.evm.bytecode.object}`,
        deployedBytecode: `0x${c.evm.deployedBytecode.object}`,
        solcVersion: solc.version(),
        settings: SOLC_SETTINGS,
      };
    }
  }
  return artifacts;
}

export async function writeArtifacts(outDir = ARTIFACTS_DIR, dir = CONTRACTS_DIR): Promise<string[]> {
  const artifacts = await compileContracts(dir);
  mkdirSync(outDir, { recursive: true });
  for (const [name, artifact] of Object.entries(artifacts)) {
    writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(artifact, null, 2)}\n`);
  }
  return Object.keys(artifacts);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const names = await writeArtifacts();
  console.log(`compiled ${names.join(", ")} → ${ARTIFACTS_DIR}`);
}
