import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests import @filverse/* from source, so `vitest run` needs no build step.
const packagesDir = fileURLToPath(new URL("./packages/", import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@filverse\/([a-z0-9-]+)$/, replacement: `${packagesDir}$1/src/index.ts` },
      // Subpath exports (`@filverse/crypto/wallet`) map to the source file of the same name.
      { find: /^@filverse\/([a-z0-9-]+)\/([a-zA-Z0-9-]+)$/, replacement: `${packagesDir}$1/src/$2.ts` },
    ],
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    pool: "forks",
  },
});
