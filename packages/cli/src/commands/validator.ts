/** `filverse validator register|exit|withdraw|status|list`: the rollup's collateral-weighted validator set, changed by epoch. */
import { createL1Clients, loadArtifact } from "@filverse/l1";
import { isHex } from "@filverse/utils";
import type { Command } from "commander";
import type { Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { AMOUNT_HELP, filAmountArg, formatFil } from "../amount.js";
import { print, UsageError } from "../output.js";
import { type L1Opts, l1Target, onL1, readKey, sendL1 } from "./bridge.js";

/** Fields of `validator status` that are attoFIL: human output prints them as FIL (weight = collateral). */
const FIL_FIELDS = new Set(["totalWeight", "collateral", "weight"]);

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
  const { hash, receipt } = await sendL1(clients, {
    account,
    address,
    abi: loadArtifact("FilverseRollup").abi,
    functionName,
    ...(value === undefined ? {} : { value }),
  });
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
  withRollup(
    validator
      .command("register")
      .description(
        "register with FIL collateral (weight = collateral), in force from the first epoch boundary a challenge window away",
      ),
  )
    .requiredOption(
      "--collateral <amount>",
      `at least the rollup's minCollateral; ${AMOUNT_HELP}`,
      filAmountArg("collateral"),
    )
    .requiredOption("--l1-key-file <file>", "the validator's L1 key (0x hex); it also signs checkpoints")
    .action((o: ValidatorOpts) => {
      return send(o, "register", BigInt(o.collateral!));
    });
  withRollup(
    validator
      .command("exit")
      .description(
        "leave the set at the first epoch boundary a challenge window away; collateral stays until the exit delay has passed and every checkpoint it signed is final",
      ),
  )
    .requiredOption("--l1-key-file <file>", "the validator's L1 key")
    .action((o: ValidatorOpts) => send(o, "requestExit"));
  withRollup(
    validator
      .command("withdraw")
      .description(
        "take back the collateral once the exit is in force, the exit delay has passed and every checkpoint it signed is final",
      ),
  )
    .requiredOption("--l1-key-file <file>", "the validator's L1 key")
    .action((o: ValidatorOpts) => send(o, "withdrawCollateral"));
  withRollup(
    validator
      .command("status")
      .description(
        "the epoch, the set in force, pending joins and exits; with an address, its weight and how long its collateral stays locked",
      )
      .argument("[address]"),
  ).action(async (who: string | undefined, o: ValidatorOpts) => {
    if (who && !isHex(who, 20)) throw new UsageError(`Not an address: ${who}`);
    const view = await readValidatorSet(o);
    const out: Record<string, unknown> = {
      epoch: String(view.epoch),
      epochLengthSec: String(view.epochLength),
      nextEpochAt: String(view.genesisTime + (view.epoch + 1n) * view.epochLength),
      validatorSetId: String(view.setId),
      totalWeight: String(view.totalWeight),
      validatorCount: String(view.validators.filter((v) => v.weight > 0n).length),
      pendingJoins: view.validators.filter((v) => v.pending === "join").map(pendingJson),
      pendingExits: view.validators.filter((v) => v.pending === "exit").map(pendingJson),
      nextCheckpointIndex: String(view.nextCheckpointIndex),
      halted: view.halted,
    };
    if (who) {
      const v = view.validators.find((x) => x.address.toLowerCase() === who.toLowerCase()) ?? null;
      const now = view.now;
      Object.assign(out, {
        validator: who,
        collateral: String(v?.collateral ?? 0n),
        weight: String(v?.weight ?? 0n),
        active: (v?.weight ?? 0n) > 0n,
        pending: v?.pending ?? null,
        slashed: v?.slashed ?? false,
        exitRequestedAt: String(v?.exitRequestedAt ?? 0n),
        withdrawableAt: String(v?.withdrawableAt ?? 0n),
        lockedForSec: String(v && v.withdrawableAt > now ? v.withdrawableAt - now : 0n),
      });
    }
    print(o, out, () =>
      Object.entries(out)
        .map(
          ([k, v]) =>
            `${k} ${typeof v === "object" ? JSON.stringify(v) : FIL_FIELDS.has(k) ? formatFil(String(v)) : String(v)}`,
        )
        .join("\n"),
    );
  });
  withRollup(
    validator.command("list").description("every validator: weight in force, collateral, pending change"),
  ).action(async (o: ValidatorOpts) => {
    const view = await readValidatorSet(o);
    const rows = view.validators
      .filter((v) => v.collateral > 0n || v.slashed)
      .map((v) => ({
        address: v.address,
        weight: String(v.weight),
        collateral: String(v.collateral),
        pending: v.pending,
        effectiveEpoch: v.pending ? String(v.nextEpoch) : null,
        slashed: v.slashed,
      }));
    print(o, { validatorSetId: String(view.setId), epoch: String(view.epoch), validators: rows }, () =>
      rows
        .map(
          (r) =>
            `${r.address} weight ${formatFil(r.weight)} collateral ${formatFil(r.collateral)}${r.pending ? ` ${r.pending} at epoch ${r.effectiveEpoch}` : ""}${r.slashed ? " slashed" : ""}`,
        )
        .join("\n"),
    );
  });
}

type ValidatorRow = {
  address: Address;
  collateral: bigint;
  weight: bigint;
  nextWeight: bigint;
  nextEpoch: bigint;
  pending: "join" | "exit" | null;
  exitRequestedAt: bigint;
  withdrawableAt: bigint;
  slashed: boolean;
};

function pendingJson(v: ValidatorRow) {
  return {
    address: v.address,
    weight: String(v.pending === "join" ? v.nextWeight : v.weight),
    epoch: String(v.nextEpoch),
  };
}

/** The rollup's epoch, the set in force and every registered validator's state. */
async function readValidatorSet(o: ValidatorOpts) {
  const { url, chainId, address } = l1Target(o, "rollup");
  const { publicClient } = createL1Clients({ url, chainId });
  const abi = loadArtifact("FilverseRollup").abi;
  const read = <T>(functionName: string, args: unknown[] = []) =>
    onL1(() => publicClient.readContract({ address, abi, functionName, args } as never)) as Promise<T>;
  const [setId, totalWeight] = await read<[bigint, bigint]>("currentSet");
  const addresses = await read<Address[]>("validatorAddresses");
  const validators: ValidatorRow[] = [];
  for (const a of addresses) {
    const [collateral, weight, nextWeight, nextEpoch, exitRequestedAt, withdrawableAt, slashed] = await read<
      [bigint, bigint, bigint, bigint, bigint, bigint, boolean]
    >("validatorInfo", [a]);
    const pending = nextEpoch === 0n ? null : nextWeight > weight ? "join" : "exit";
    validators.push({
      address: a,
      collateral,
      weight,
      nextWeight,
      nextEpoch,
      pending,
      exitRequestedAt,
      withdrawableAt,
      slashed,
    });
  }
  const block = await onL1(() => publicClient.getBlock());
  return {
    setId,
    totalWeight,
    validators,
    epoch: await read<bigint>("currentEpoch"),
    epochLength: await read<bigint>("epochLength"),
    genesisTime: await read<bigint>("genesisTime"),
    nextCheckpointIndex: await read<bigint>("nextCheckpointIndex"),
    halted: await read<boolean>("halted"),
    now: block.timestamp,
  };
}
