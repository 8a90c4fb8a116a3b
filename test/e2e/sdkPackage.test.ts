/**
 * The SDK as a stranger gets it: `npm pack` every publishable package (those not `private`), install
 * the tarballs into an empty project outside the repo (registry packages from the npm cache), type-check
 * a file against the installed declarations, then run packages/client/README.md's quick-start snippet,
 * exactly as written, against a real sequencer. A file missing from a tarball, an undeclared
 * dependency or a wrong `exports` map fails one of these steps.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect, it } from "vitest";
import { initDevnet, type RunningNode, rpc, startSequencer, tempDir, waitFor } from "./helpers.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const tmp = tempDir("sdk");
let node: RunningNode | null = null;

afterAll(async () => {
  await node?.stop();
  tmp.cleanup(); // a node_modules of a few thousand files
}, 60_000);

type PackageJson = {
  name: string;
  version: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};

function packageJson(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(ROOT, "packages", dir, "package.json"), "utf8")) as PackageJson;
}

/** npm with the environment of a shell outside the repo: no workspace or package settings of `npm test`. */
function npm(args: string[], cwd: string): string {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.toLowerCase().startsWith("npm_") || /^npm_config_(cache|registry|userconfig)$/i.test(k)) env[k] = v;
  }
  const r = spawnSync("npm", args, { cwd, env, encoding: "utf8", timeout: 150_000 });
  if (r.status !== 0) throw new Error(`npm ${args.join(" ")} exited ${r.status}:\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

/** The first ```js block of the client README's "Quick start" section. */
function quickStartSnippet(): string {
  const readme = readFileSync(join(ROOT, "packages/client/README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Quick start"));
  const m = /```js\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error("packages/client/README.md has no js block under ## Quick start");
  return m[1]!;
}

it("installs from packed tarballs into an empty project and runs the README snippet against a node", async () => {
  const dirs = readdirSync(join(ROOT, "packages")).filter((d) => !packageJson(d).private);
  const published = new Map(dirs.map((d) => [packageJson(d).name, d]));
  expect([...published.keys()].sort()).toEqual(
    expect.arrayContaining(["@filverse/client", "@filverse/crypto", "@filverse/params", "@filverse/types"]),
  );
  // A publishable package may depend at run time only on publishable ones.
  for (const d of published.values()) {
    for (const dep of Object.keys(packageJson(d).dependencies ?? {})) {
      if (dep.startsWith("@filverse/")) expect(published.has(dep), `${d} depends on ${dep}`).toBe(true);
    }
  }

  // 1. Pack: only lib/, README.md and package.json ship.
  const tarballs = join(tmp.dir, "tarballs");
  mkdirSync(tarballs);
  const packed = JSON.parse(
    npm(
      [
        "pack",
        "--json",
        "--ignore-scripts",
        "--pack-destination",
        tarballs,
        ...dirs.map((d) => `--workspace=packages/${d}`),
      ],
      ROOT,
    ),
  ) as { name: string; filename: string; files: { path: string }[] }[];
  expect(packed.map((p) => p.name).sort()).toEqual([...published.keys()].sort());
  for (const p of packed) {
    const files = p.files.map((f) => f.path);
    expect(
      files.filter((f) => !/^(lib\/.+\.(js|d\.ts|js\.map)|README\.md|package\.json)$/.test(f)),
      p.name,
    ).toEqual([]);
    expect(files, p.name).toContain("lib/index.js");
    expect(files, p.name).toContain("lib/index.d.ts");
  }

  // 2. An empty project outside the repo installs the tarballs and viem, as the README says.
  const app = join(tmp.dir, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "stranger", private: true, type: "module" }));
  const viem = packageJson(published.get("@filverse/client")!).dependencies!.viem!;
  npm(
    [
      "install",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      ...packed.map((p) => join(tarballs, p.filename)),
      `viem@${viem}`,
    ],
    app,
  );

  // npm hoists, so an undeclared import could still resolve here: check every shipped module's bare
  // imports against the package's own dependencies.
  for (const p of packed) {
    const installed = join(app, "node_modules", p.name);
    const declared = new Set(Object.keys(packageJson(published.get(p.name)!).dependencies ?? {}));
    for (const f of p.files.map((x) => x.path).filter((x) => x.endsWith(".js") || x.endsWith(".d.ts"))) {
      const text = readFileSync(join(installed, f), "utf8");
      for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["']([^"'.][^"']*)["']/g)) {
        const spec = m[1]!;
        if (spec.startsWith("node:") || builtinModules.includes(spec)) continue;
        const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
        if (name !== p.name) expect(declared, `${p.name}/${f} imports ${spec}`).toContain(name);
      }
    }
  }

  // 3. The declarations resolve through `exports`: a wrong `types` path would make these `any`, and
  // then the expect-error directives below would fail as unused.
  writeFileSync(
    join(app, "check.ts"),
    [
      'import { type Checkpoint, createFilverseClient, type FilverseClient, type GetTokensByHolderReturnType, getWithdrawalStatus, kindsMask, sessionAccount, SessionCapExceededError } from "@filverse/client";',
      'import { collectionIdOf } from "@filverse/crypto/wallet";',
      'import { TX_STATUS_ORDER } from "@filverse/types";',
      'const client: FilverseClient = createFilverseClient({ url: "http://127.0.0.1:1" });',
      "const id: Uint8Array = collectionIdOf(new Uint8Array(20), 0);",
      "const first: string = TX_STATUS_ORDER[0];",
      "// @ts-expect-error: a collection needs a name",
      "void client.createCollection({});",
      "// @ts-expect-error: an id is derived from bytes",
      'void collectionIdOf("0x00", 0);',
      "// @ts-expect-error: the status needs the withdrawal's hash",
      "void getWithdrawalStatus(client, {});",
      'const mask: bigint = kindsMask(["AssetMint", "TradeFill"]);',
      "const refusedWith: number = SessionCapExceededError.txCode;",
      "// @ts-expect-error: a session key acts for an account",
      'void sessionAccount("0x01", {});',
      'const holdings: Promise<GetTokensByHolderReturnType> = client.getTokensByHolder({ holder: "0x01", limit: 10 });',
      "// @ts-expect-error: the holder is an address",
      "void client.getTokensByHolder({ limit: 10 });",
      "const decimals = (p: GetTokensByHolderReturnType): (number | null)[] => p.tokens.map((t) => t.decimals);",
      "// Signers are always present (null when unknown), as strings of attoFIL.",
      "const signed = (c: Checkpoint): string[] | null => c.signers?.map((x) => x.weight) ?? null;",
      "// @ts-expect-error: the signed weight is a decimal string, not a bigint",
      "const wrong = (c: Checkpoint): bigint | null => c.signedWeight;",
      "void client.getCheckpoints({ limit: 5 }).then((p) => p.checkpoints.map((c) => [c.final, c.totalWeight]));",
      "export { decimals, first, holdings, id, mask, refusedWith, signed, wrong };",
    ].join("\n"),
  );
  writeFileSync(
    join(app, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        module: "NodeNext",
        moduleResolution: "NodeNext",
        target: "ES2022",
        lib: ["ES2023", "DOM"],
        types: [],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
      },
      files: ["check.ts"],
    }),
  );
  const tsc = spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", app], {
    encoding: "utf8",
    timeout: 120_000,
  });
  expect(tsc.stdout + tsc.stderr, "tsc in the stranger's project").toBe("");
  expect(tsc.status).toBe(0);

  // 4. The README's quick start, as written, against a real sequencer with a funded dev account.
  const dataDir = join(tmp.dir, "node");
  const { accounts } = initDevnet(dataDir);
  node = await startSequencer(dataDir);
  const key = accounts[0]!;
  await waitFor(
    async () => {
      const r = (await rpc(node!.url, { jsonrpc: "2.0", id: 1, method: "filverse_getAccount", params: [key.address] }))
        .json as { result?: { balance: string } };
      return BigInt(r.result?.balance ?? "0") > 0n;
    },
    20_000,
    "the dev account's faucet deposit",
  );
  writeFileSync(join(app, "quickstart.mjs"), quickStartSnippet());
  const run = spawnSync(process.execPath, ["quickstart.mjs"], {
    cwd: app,
    encoding: "utf8",
    timeout: 60_000,
    env: { PATH: process.env.PATH, FILVERSE_RPC: node.url, FILVERSE_KEY: key.privateKey },
  });
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  const m = /collection (0x[0-9a-f]{64}) sequenced in block (\d+)/.exec(run.stdout);
  expect(m, run.stdout).not.toBeNull();
  // The node holds what the snippet made.
  const collection = (
    (await rpc(node.url, { jsonrpc: "2.0", id: 1, method: "filverse_getCollection", params: [m![1]] })).json as {
      result: { name: string } | null;
    }
  ).result;
  expect(collection?.name).toBe("Game Items");
  expect(run.stdout).toContain("asset");
}, 180_000);
