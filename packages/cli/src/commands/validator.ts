/** `filverse validator register|exit|withdraw|status`: the rollup's collateral-weighted validator set. */
import { createL1Clients, loadArtifact } from "@filverse/l1";
import { isHex } from "@filverse/utils";
import type { Command } from "commander";
import type { Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { print, UsageError } from "../output.js";
import { type L1Opts, l1Target, onL1, readKey } from "./bridge.js";

type ValidatorOpts = L1Opts & { l1KeyFile?: string; collateral?: string };

function withRollup(cmd: Command): Command {
  return cmd
    .option("--data-dir <dir>", "a node data dir whose filverse.json has the L1 settings (e.g. .filverse/devnet)")
    .option("--l1-rpc <url>", "L1 JSON-RPC URL")
    .option("--l1-chain-id <id>", "L1 chain id (314, 314159 or 31415926)")
    .option("--rollup <address>", "FilverseRollup address")
    .option("--json", "print JSON");
}

async function send(o: ValidatorOpts, functionName: "register" | "requestExit" | "withdrawCollateral", value?: bigint) {
  const { url, chainId, address } = l1Target(o, "rollup");
  const clients = createL1Clients({ url, chainId, pollingIntervalMs: 500 });
  const account = privateKeyToAccount(readKey(o.l1KeyFile, "--l1-key-file"));
  const hash = await onL1(() =>
    clients.walletClient.writeContract({
      account,
      address,
      abi: loadArtifact("FilverseRollup").abi,
      functionName,
      value,
      chain: clients.walletClient.chain,
    } as never),
  );
  const receipt = await onL1(() => clients.publicClient.waitForTransactionReceipt({ hash }));
  print(
    o,
    { validator: account.address, l1TxHash: hash, status: receipt.status },
    () => `${functionName} ${receipt.status} for ${account.address} in ${hash}`,
  );
}

export function registerValidatorCommands(program: Command): void {
  const validator = program
    .command("validator")
    .description("join, leave and inspect the rollup's validator set on L1");
  withRollup(validator.command("register").description("register with FIL collateral (weight = collateral)"))
    .requiredOption("--collateral <attoFIL>", "at least the rollup's minCollateral")
    .requiredOption("--l1-key-file <file>", "the validator's L1 key (0x hex); it also signs checkpoints")
    .action((o: ValidatorOpts) => {
      if (!/^\d+$/.test(o.collateral!))
        throw new UsageError(`--collateral must be a whole number of attoFIL, got "${o.collateral}"`);
      return send(o, "register", BigInt(o.collateral!));
    });
  withRollup(
    validator.command("exit").description("stop validating now; collateral can be withdrawn after the exit delay"),
  )
    .requiredOption("--l1-key-file <file>", "the validator's L1 key")
    .action((o: ValidatorOpts) => send(o, "requestExit"));
  withRollup(validator.command("withdraw").description("take back the collateral once the exit delay has passed"))
    .requiredOption("--l1-key-file <file>", "the validator's L1 key")
    .action((o: ValidatorOpts) => send(o, "withdrawCollateral"));
  withRollup(
    validator
      .command("status")
      .description("a validator's collateral and state, and the set's totals")
      .argument("[address]"),
  ).action(async (who: string | undefined, o: ValidatorOpts) => {
    const { url, chainId, address } = l1Target(o, "rollup");
    const { publicClient } = createL1Clients({ url, chainId });
    const abi = loadArtifact("FilverseRollup").abi;
    const read = (functionName: string, args: unknown[] = []) =>
      onL1(() => publicClient.readContract({ address, abi, functionName, args } as never));
    const out: Record<string, unknown> = {
      totalWeight: String(await read("totalWeight")),
      validatorCount: String(await read("validatorCount")),
      validatorSetId: String(await read("validatorSetId")),
      nextCheckpointIndex: String(await read("nextCheckpointIndex")),
      frozen: await read("frozen"),
    };
    if (who) {
      if (!isHex(who, 20)) throw new UsageError(`Not an address: ${who}`);
      const [collateral, exitRequestedAt, active] = (await read("validators", [who as Address])) as [
        bigint,
        bigint,
        boolean,
      ];
      Object.assign(out, {
        validator: who,
        collateral: String(collateral),
        active,
        exitRequestedAt: String(exitRequestedAt),
      });
    }
    print(o, out, () =>
      Object.entries(out)
        .map(([k, v]) => `${k} ${String(v)}`)
        .join("\n"),
    );
  });
}
