/** The `filverse` command line: commander program, every command with --help, --json and clear errors. */
import { Command, CommanderError } from "commander";
import { registerBridgeCommands } from "./commands/bridge.js";
import { registerDevnetCommand } from "./commands/devnet.js";
import { registerDisputeCommands } from "./commands/dispute.js";
import { registerNodeCommands } from "./commands/node.js";
import { registerPieceCommands } from "./commands/piece.js";
import { registerStorageCommands } from "./commands/storage.js";
import { registerValidatorCommands } from "./commands/validator.js";
import { registerVerifierCommand } from "./commands/verifier.js";
import { registerWalletCommands } from "./commands/wallet.js";
import { reportError } from "./output.js";

export function buildProgram(): Command {
  const program = new Command("filverse")
    .description("Filverse: a Layer-2 on Filecoin for Metaverse assets and digital identities")
    .version("0.1.0")
    .showHelpAfterError()
    .exitOverride();
  registerNodeCommands(program);
  registerVerifierCommand(program);
  registerDevnetCommand(program);
  registerBridgeCommands(program);
  registerValidatorCommands(program);
  registerDisputeCommands(program);
  registerWalletCommands(program);
  registerPieceCommands(program);
  registerStorageCommands(program);
  return program;
}

/** Run the CLI; resolves with the exit code (0 ok, 1 user error, 2 bug). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1;
    return reportError(err, argv.includes("--json"));
  }
}
