/**
 * `@filverse/crypto/wallet` is what @filverse/client ships with: its import graph, followed through
 * the source, must reach no `node:` module, no native binding and no worker pool, and its functions
 * must give what the main entry's (native where loaded) give.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as main from "../../src/index.js";
import * as wallet from "../../src/wallet.js";

const SRC = fileURLToPath(new URL("../../src/", import.meta.url));

/** Every module specifier the file at `path` imports or re-exports, recursively for relative ones. */
function importGraph(path: string, seen = new Map<string, string[]>()): Map<string, string[]> {
  if (seen.has(path)) return seen;
  const text = readFileSync(path, "utf8");
  const specs = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+"([^"]+)";/gms)].map((m) => m[1]!);
  seen.set(path, specs);
  for (const s of specs) if (s.startsWith(".")) importGraph(join(dirname(path), s.replace(/\.js$/, ".ts")), seen);
  return seen;
}

describe("the wallet entry", () => {
  it("imports no node: module, native binding or worker pool", () => {
    const graph = importGraph(join(SRC, "wallet.ts"));
    const files = [...graph.keys()].map((f) => f.slice(SRC.length)).sort();
    expect(files).toEqual(["eip712.ts", "hashes.ts", "ids.ts", "signatureCore.ts", "transaction.ts", "wallet.ts"]);
    const external = new Set([...graph.values()].flat().filter((s) => !s.startsWith(".")));
    expect([...external].sort()).toEqual([
      "@filverse/types",
      "@filverse/utils",
      "@noble/curves/secp256k1.js",
      "@noble/hashes/sha2.js",
      "@noble/hashes/sha3.js",
    ]);
  });

  it("hashes, signs and recovers exactly as the main entry", () => {
    const key = new Uint8Array(32).fill(7);
    for (let i = 0; i < 20; i++) {
      const digest = wallet.keccak256(new Uint8Array([i, 1, 2, 3]));
      expect(digest).toEqual(main.keccak256Noble(new Uint8Array([i, 1, 2, 3])));
      const sig = wallet.signDigestNoble(digest, key);
      expect(sig).toEqual(main.signDigest(digest, key));
      expect(wallet.recoverAddressNoble(digest, sig)).toEqual(main.recoverAddress(digest, sig));
      expect(wallet.collectionIdOf(main.privateKeyToAddress(key), i)).toEqual(
        main.collectionIdOf(wallet.privateKeyToAddress(key), i),
      );
    }
    // Once the main entry is loaded, the wallet entry's live bindings use its back end too.
    expect(wallet.keccak256).toBe(main.keccak256);
    expect(wallet.recoverAddress).toBe(main.recoverAddress);
  });
});
