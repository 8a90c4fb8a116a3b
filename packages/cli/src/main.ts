/**
 * The `filverse` command line: commander program, every command with --help, --json and clear errors.
 * Only the module of the command being run is loaded (and each loads its heavy dependencies inside
 * its actions): `filverse wallet balance` never loads libp2p, hardhat or LevelDB. `filverse --help`
 * and an unknown command load them all, to list every command.
 */
import { Command, CommanderError } from "commander";
import { ExitWith, reportError } from "./output.js";

type Register = (program: Command) => void;

/** Each command module: the top-level commands it registers, and how to load it. */
const MODULES: { names: string[]; load: () => Promise<Register> }[] = [
  { names: ["init", "sequencer", "dev"], load: async () => (await import("./commands/node.js")).registerNodeCommands },
  { names: ["verifier"], load: async () => (await import("./commands/verifier.js")).registerVerifierCommand },
  { names: ["devnet"], load: async () => (await import("./commands/devnet.js")).registerDevnetCommand },
  { names: ["bridge"], load: async () => (await import("./commands/bridge.js")).registerBridgeCommands },
  { names: ["validator"], load: async () => (await import("./commands/validator.js")).registerValidatorCommands },
  { names: ["dispute"], load: async () => (await import("./commands/dispute.js")).registerDisputeCommands },
  {
    names: ["wallet", "asset", "token", "identity", "data", "tx", "send", "demo", "block"],
    load: async () => (await import("./commands/wallet.js")).registerWalletCommands,
  },
  { names: ["order"], load: async () => (await import("./commands/order.js")).registerOrderCommands },
  {
    names: ["allowance", "session"],
    load: async () => (await import("./commands/grants.js")).registerGrantCommands,
  },
  { names: ["completion"], load: async () => (await import("./commands/completion.js")).registerCompletionCommand },
  { names: ["piece"], load: async () => (await import("./commands/piece.js")).registerPieceCommands },
  { names: ["sp-sim"], load: async () => (await import("./commands/storage.js")).registerStorageCommands },
];

/** The commander program; with `argv`, only the module of the command it names (all when it names none). */
export async function buildProgram(argv?: string[]): Promise<Command> {
  const program = new Command("filverse")
    .description("Filverse: a Layer-2 on Filecoin for Metaverse assets and digital identities")
    .version("0.1.0")
    .showHelpAfterError()
    .exitOverride();
  const first = argv?.slice(2).find((a) => !a.startsWith("-"));
  const only = MODULES.find((m) => first !== undefined && m.names.includes(first));
  for (const m of only ? [only] : MODULES) (await m.load())(program);
  return program;
}

/**
 * Run the CLI; resolves with the exit code (output.ts EXIT: 0 ok, 1 user error, 2 bug, 3 a sent
 * transaction's wait timed out, 4 a transaction failed).
 */
export async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1;
    if (err instanceof ExitWith) return err.code;
    return reportError(err, argv.includes("--json"));
  }
}
