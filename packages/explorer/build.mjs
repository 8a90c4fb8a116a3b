// Bundles the explorer (web/) into dist/: index.html, app.js and app.css. esbuild is the whole
// toolchain: it compiles the TSX, bundles Preact in, and minifies; the output is deterministic, so a
// rebuild from the same sources gives the same bytes.
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, "dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });
await build({
  absWorkingDir: root,
  entryPoints: { app: "web/main.tsx" },
  outdir: "dist",
  bundle: true,
  minify: true,
  format: "esm",
  // Browsers from 2021 on (Safari 14 is left out: esbuild cannot lower destructuring for its bugs): phones a few years old still open it.
  target: ["es2020", "chrome90", "firefox90", "safari15"],
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "none",
  logLevel: "warning",
});
copyFileSync(join(root, "web/index.html"), join(dist, "index.html"));
