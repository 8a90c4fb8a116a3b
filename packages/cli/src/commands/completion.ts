/**
 * `filverse completion bash|zsh`: a completion script for the shell, made from the command tree
 * itself (every command, subcommand and option), so it never goes stale. Generating it loads every
 * command module once; completing a word afterwards runs no node at all.
 *   bash: `source <(filverse completion bash)`, or save it under ~/.local/share/bash-completion/completions/filverse
 *   zsh:  `source <(filverse completion zsh)` (it uses zsh's bashcompinit)
 */
import type { Command } from "commander";
import { UsageError } from "../output.js";

type Node = { path: string; words: string[] };

/** Every command path (" wallet", " wallet new" …, "" for the root) with the words that may follow it. */
export function commandTree(program: Command): Node[] {
  const nodes: Node[] = [];
  const walk = (cmd: Command, path: string) => {
    const subs = cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
    const flags = cmd.options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f)));
    nodes.push({ path, words: [...subs.flatMap((c) => [c.name(), ...c.aliases()]), ...flags, "--help"] });
    for (const c of subs) walk(c, `${path} ${c.name()}`);
  };
  walk(program, "");
  return nodes;
}

const quote = (s: string) => `"${s.replace(/["\\$`]/g, "\\$&")}"`;

export function bashScript(program: Command): string {
  const nodes = commandTree(program);
  const known = nodes.filter((n) => n.path !== "").map((n) => quote(n.path));
  return `# filverse completion for bash (filverse completion bash)
_filverse() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" i w words=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    case "$path $w" in
      ${known.join("|")}) path="$path $w" ;;
    esac
  done
  case "$path" in
${nodes.map((n) => `    ${quote(n.path)}) words=${quote(n.words.join(" "))} ;;`).join("\n")}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _filverse filverse
`;
}

export function zshScript(program: Command): string {
  return `#compdef filverse
# filverse completion for zsh (filverse completion zsh), through zsh's bash completion support
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashScript(program)}`;
}

export function registerCompletionCommand(program: Command): void {
  program
    .command("completion")
    .description("print a shell completion script: source <(filverse completion bash)")
    .argument("<shell>", "bash or zsh")
    .action(async (shell: string) => {
      if (shell !== "bash" && shell !== "zsh") throw new UsageError(`completion supports bash and zsh, got "${shell}"`);
      const { buildProgram } = await import("../main.js");
      const full = await buildProgram(); // every command, for the script
      process.stdout.write(shell === "bash" ? bashScript(full) : zshScript(full));
    });
}
