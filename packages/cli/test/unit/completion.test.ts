/** `filverse completion bash|zsh`: the script is made from the command tree and completes in a real bash. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/main.js";

let dir: string;
let out: string;
let err: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "filverse-completion-"));
  out = "";
  err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((s) => {
    err += String(s);
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const run = (...args: string[]) => main(["node", "filverse", ...args]);

/** What bash offers after `words` (the last one is the word being completed). */
function complete(script: string, words: string[]): string[] {
  const file = join(dir, "filverse.bash");
  writeFileSync(file, script);
  const quoted = words.map((w) => `'${w}'`).join(" ");
  const r = spawnSync(
    "bash",
    [
      "-c",
      `source '${file}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _filverse; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { encoding: "utf8" },
  );
  expect(r.stderr).toBe("");
  return r.stdout.split("\n").filter(Boolean).sort();
}

describe("filverse completion", () => {
  it("bash: commands, subcommands and options at each position", async () => {
    expect(await run("completion", "bash")).toBe(0);
    const script = out;
    expect(script).toContain("complete -o default -F _filverse filverse");
    expect(complete(script, ["filverse", "or"])).toEqual(["order"]);
    expect(complete(script, ["filverse", "wallet", "i"])).toEqual(["import"]);
    expect(complete(script, ["filverse", "order", "s"])).toEqual(["show", "sign"]);
    expect(complete(script, ["filverse", "asset", "set-"])).toEqual(["set-metadata", "set-operator"]);
    // Options of the command, with option values skipped over.
    const opts = complete(script, ["filverse", "wallet", "transfer", "--to", "0xabc", "--"]);
    expect(opts).toEqual(expect.arrayContaining(["--amount", "--key-file", "--rpc", "--wait", "--timeout", "--json"]));
    expect(opts).not.toContain("--collection");
    expect(complete(script, ["filverse", "bridge", "exit", "--l1"])).toEqual([
      "--l1-chain-id",
      "--l1-key-file",
      "--l1-rpc",
    ]);
    expect(complete(script, ["filverse", "nosuch", ""])).toEqual(
      expect.arrayContaining(["wallet", "bridge", "order", "completion", "--help"]),
    );
  });

  it("zsh: the same through bashcompinit; another shell is a usage error", async () => {
    expect(await run("completion", "zsh")).toBe(0);
    expect(out.startsWith("#compdef filverse\n")).toBe(true);
    expect(out).toContain("bashcompinit");
    expect(out).toContain("complete -o default -F _filverse filverse");
    expect(await run("completion", "fish")).toBe(1);
    expect(err).toContain('completion supports bash and zsh, got "fish"');
  });
});
