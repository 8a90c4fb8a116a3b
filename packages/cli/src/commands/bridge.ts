/**
 * `filverse bridge deposit|withdraw|force|prove|finalize|status`: FIL between the L1 bridge and the L2,
 * and forced inclusion of an L2 transaction through the L1 bridge.
 * L1 settings come from a node data dir (`--data-dir`, its filverse.json `l1` section, as
 * `filverse devnet` writes) or from `--l1-rpc`, `--l1-chain-id` and `--bridge`.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { NodeConfigFile } from "@filverse/node";
import type { CheckpointJson } from "@filverse/types";
import { FilverseError, isHex, toHex } from "@filverse/utils";
import type { Command } from "commander";
import type { Address, BaseError, Hex, PublicClient, TransactionReceipt, WalletClient } from "viem";
import { AMOUNT_HELP, filAmountArg, formatFil, formatShare } from "../amount.js";
import { readKeyFile } from "../keys.js";
import { EXIT, ExitWith, type OutputOpts, print, UsageError } from "../output.js";
import { rpcRead } from "../rpc.js";
import { DEFAULT_WAIT_TIMEOUT_SEC, timeoutArg, type WaitOpts, waitAndReport, waitArg } from "../tx.js";

/**
 * The SDK, the L1 package, the codecs and viem, loaded by the actions that use them (not when the
 * command is registered): `--help` stays fast.
 */
async function heavy() {
  const [client, l1, types, viem, accounts] = await Promise.all([
    import("@filverse/client"),
    import("@filverse/l1"),
    import("@filverse/types"),
    import("viem"),
    import("viem/accounts"),
  ]);
  return {
    createFilverseClient: client.createFilverseClient,
    createL1Clients: l1.createL1Clients,
    loadArtifact: l1.loadArtifact,
    encodeSignedTx: types.encodeSignedTx,
    signedTxFromJson: types.signedTxFromJson,
    parseEventLogs: viem.parseEventLogs,
    privateKeyToAccount: accounts.privateKeyToAccount,
  };
}

/** A node data dir's `l1` section, read from its filverse.json without loading the node package. */
function nodeL1Section(dataDir: string): NodeConfigFile["l1"] {
  const path = join(resolve(dataDir), "filverse.json");
  if (!existsSync(path))
    throw new UsageError(`No filverse.json in ${resolve(dataDir)}`, [
      "Run `filverse init --data-dir <dir>` first, or `filverse devnet` for a local network.",
    ]);
  try {
    return (JSON.parse(readFileSync(path, "utf8")) as NodeConfigFile).l1 ?? null;
  } catch {
    throw new UsageError(`${path} is not a valid Filverse config`);
  }
}

export type L1Opts = OutputOpts & {
  dataDir?: string;
  l1Rpc?: string;
  l1ChainId?: string;
  bridge?: string;
  rollup?: string;
  rpc: string;
};

type WithdrawalProof = {
  checkpointIndex: string;
  checkpointed: boolean;
  finalized: boolean;
  withdrawal: { index: string; l2Sender: Address; l1Recipient: Address; amount: string } | null;
  siblings: Hex[] | null;
};

/** A key file's key (keys.ts: a warning on stderr when others can read it). */
export function readKey(file: string | undefined, flag: string): Hex {
  return readKeyFile(file, flag);
}

/** The L1 endpoint and a contract address, from a node data dir or from flags. */
export function l1Target(o: L1Opts, contract: "bridge" | "rollup"): { url: string; chainId: number; address: Address } {
  if (o.dataDir) {
    const l1 = nodeL1Section(o.dataDir);
    const address = l1?.[contract];
    if (!l1 || !address) {
      throw new UsageError(`${o.dataDir} has no L1 ${contract} settings`, [
        `Start one with \`filverse devnet\`, or pass --l1-rpc, --l1-chain-id and --${contract}.`,
      ]);
    }
    return { url: o.l1Rpc ?? l1.rpcUrl, chainId: l1.chainId, address };
  }
  const address = o[contract];
  if (!o.l1Rpc || !o.l1ChainId || !address)
    throw new UsageError(`Pass --data-dir <node dir>, or all of --l1-rpc, --l1-chain-id and --${contract}`);
  if (!isHex(address, 20)) throw new UsageError(`--${contract} is not an address: ${address}`);
  return { url: o.l1Rpc, chainId: Number(o.l1ChainId), address: address as Address };
}

function l1Settings(o: L1Opts): { url: string; chainId: number; bridge: Address } {
  const t = l1Target(o, "bridge");
  return { url: t.url, chainId: t.chainId, bridge: t.address };
}

const amountArg = filAmountArg("amount");

function withL1(cmd: Command): Command {
  return cmd
    .option("--data-dir <dir>", "a node data dir whose filverse.json has the L1 settings (e.g. .filverse/devnet)")
    .option("--l1-rpc <url>", "L1 JSON-RPC URL")
    .option("--l1-chain-id <id>", "L1 chain id (314, 314159 or 31415926)")
    .option("--bridge <address>", "FilverseBridge address")
    .option("--rpc <url>", "L2 JSON-RPC URL", process.env.FILVERSE_RPC ?? "http://127.0.0.1:8645")
    .option("--json", "print JSON");
}

async function proofOf(rpc: string, hash: string): Promise<WithdrawalProof> {
  if (!isHex(hash, 32)) throw new UsageError(`Not a transaction hash: ${hash}`);
  const proof = (await rpcRead(rpc, "filverse_getWithdrawalProof", [hash])) as WithdrawalProof | null;
  if (!proof) throw new UsageError(`No withdrawal ${hash} on the L2 (not sequenced yet?)`);
  return proof;
}

/** L1 errors (reverts, a node that is down) are the user's to act on: print viem's short message. */
export async function onL1<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    // Structural, not instanceof: the L1 package may resolve its own copy of viem.
    const short = err instanceof Error && "shortMessage" in err ? (err as BaseError).shortMessage : null;
    if (short) {
      // An account without FIL for gas: the node's words differ (hardhat: "doesn't have enough
      // funds", Lotus: "insufficient funds"), and viem may wrap them as invalid parameters.
      const text = errorChainText(err);
      if (/(doesn't|does not) have enough funds|insufficient funds/i.test(text)) {
        throw new UsageError("L1: the account cannot pay for gas: its L1 balance is too low", [
          "Fund it on the L1 first (on the devnet every dev account holds 100 FIL on the L1).",
        ]);
      }
      // The L1 node cannot be reached at all.
      if (
        /HTTP request failed|fetch failed|ECONNREFUSED|ENOTFOUND|socket hang up/i.test(text) &&
        !/revert/i.test(text)
      ) {
        const url = (err as { url?: string }).url ?? /URL: (\S+)/.exec(text)?.[1];
        throw new UsageError(`L1: cannot reach the L1 node${url ? ` at ${url}` : ""}`, [
          "Check --l1-rpc (or the data dir's l1.rpcUrl) and that the L1 node is up.",
        ]);
      }
      // The contract's decoded reason (AlreadyFinalized, NotFinal: 3, a require message) says what to do.
      const reason = revertReason(err);
      throw new UsageError(`L1: ${reason ? `${short.split("\n")[0]!.replace(/:$/, "")} (${reason})` : short}`);
    }
    throw err;
  }
}

/**
 * A revert's decoded reason, from viem's ContractFunctionRevertedError along the cause chain: the
 * contract's custom error, with its arguments when it has some (`AlreadyFinalized`,
 * `NotFinal: checkpoint 3`, names from the ABI), a
 * `require` message, or a panic; null when the error is not a decoded revert.
 */
export function revertReason(err: unknown): string | null {
  for (let e: unknown = err, depth = 0; e && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    const x = e as {
      data?: { errorName?: unknown; args?: readonly unknown[]; abiItem?: { inputs?: readonly { name?: string }[] } };
      reason?: unknown;
    };
    const name = x.data?.errorName;
    if (typeof name === "string" && name !== "Error") {
      const inputs = x.data?.abiItem?.inputs ?? [];
      const args = (x.data?.args ?? []).map((a, i) => {
        const v = typeof a === "bigint" ? a.toString() : typeof a === "string" ? a : JSON.stringify(a);
        return inputs[i]?.name ? `${inputs[i]!.name} ${v}` : v;
      });
      return args.length > 0 ? `${name}: ${args.join(", ")}` : name;
    }
    if (typeof x.reason === "string" && x.reason) return x.reason;
  }
  return null;
}

/**
 * An L1 transaction that was mined but reverted: its gas is paid and nothing happened. The CLI
 * exits 4 (EXIT.TX_FAILED, as for a failed L2 transaction) with the reason the replay decoded.
 */
export class L1RevertedError extends FilverseError<"L1_TX_REVERTED"> {
  override name = "L1RevertedError";
}

type L1Request = {
  account: unknown;
  address: Address;
  abi: readonly unknown[];
  functionName: string;
  args?: readonly unknown[];
  value?: bigint;
};

/**
 * Send a contract call on L1 and wait for its receipt (errors before mining through onL1: a revert
 * found by the gas estimate, an unfunded account, a node that is down). A receipt with status
 * `reverted` throws L1RevertedError, with the reason decoded by replaying the call at the block
 * that mined it (the state it met, as far as the block's later transactions left it) and, failing
 * that, at the block before; a transaction that used all its gas ran out of it.
 */
export async function sendL1(
  clients: { publicClient: PublicClient; walletClient: WalletClient },
  request: L1Request,
): Promise<{ hash: Hex; receipt: TransactionReceipt }> {
  const hash = await onL1(() =>
    clients.walletClient.writeContract({ ...request, chain: clients.walletClient.chain } as never),
  );
  const receipt = await onL1(() => clients.publicClient.waitForTransactionReceipt({ hash }));
  if (receipt.status === "reverted") {
    const reason = await replayReason(clients.publicClient, request, receipt);
    throw new L1RevertedError(
      "L1_TX_REVERTED",
      `L1: ${request.functionName} was mined in L1 block ${receipt.blockNumber} but reverted${reason ? ` (${reason})` : ""}; its gas was paid`,
      {
        details: {
          l1TxHash: hash,
          l1BlockNumber: receipt.blockNumber.toString(),
          functionName: request.functionName,
          reason,
        },
      },
    );
  }
  return { hash, receipt };
}

async function replayReason(publicClient: PublicClient, request: L1Request, receipt: TransactionReceipt) {
  for (const blockNumber of [receipt.blockNumber, receipt.blockNumber - 1n]) {
    try {
      await publicClient.simulateContract({ ...request, blockNumber } as never);
    } catch (err) {
      const reason = revertReason(err);
      if (reason) return reason;
    }
  }
  const tx = await publicClient.getTransaction({ hash: receipt.transactionHash }).catch(() => null);
  if (tx && receipt.gasUsed >= tx.gas) return `out of gas: all ${tx.gas} gas used`;
  return null;
}

/** Every message and detail along an error's cause chain, for matching what a node said. */
function errorChainText(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    const x = e as { message?: unknown; details?: unknown; shortMessage?: unknown };
    for (const v of [x.shortMessage, x.message, x.details]) if (typeof v === "string") parts.push(v);
  }
  return parts.join("\n");
}

/** Claim a withdrawal on L1 with its proof (its checkpoint must be final); resolves once the L1 receipt is in. */
async function finalizeOnL1(
  o: L1Opts & { l1KeyFile: string },
  hash: string,
  proof: WithdrawalProof,
): Promise<{ l1TxHash: Hex; status: string; amount: string; l1Recipient: Address }> {
  if (!proof.withdrawal || !proof.siblings)
    throw new UsageError("The withdrawal's checkpoint has not closed yet; try again later");
  if (!proof.finalized) {
    throw new UsageError(
      proof.checkpointed ? "The checkpoint is still in its challenge window" : "The withdrawal is not checkpointed yet",
      [`filverse bridge status ${hash}`],
    );
  }
  const { url, chainId, bridge: address } = l1Settings(o);
  const { createL1Clients, loadArtifact, privateKeyToAccount } = await heavy();
  const clients = createL1Clients({ url, chainId, pollingIntervalMs: 500 });
  const w = proof.withdrawal;
  const account = privateKeyToAccount(readKey(o.l1KeyFile, "--l1-key-file"));
  const { hash: l1Hash, receipt } = await sendL1(clients, {
    account,
    address,
    abi: loadArtifact("FilverseBridge").abi,
    functionName: "finalizeWithdrawal",
    args: [
      BigInt(proof.checkpointIndex),
      { index: BigInt(w.index), l2Sender: w.l2Sender, l1Recipient: w.l1Recipient, amount: BigInt(w.amount) },
      proof.siblings,
    ],
  });
  return { l1TxHash: l1Hash, status: receipt.status, amount: w.amount, l1Recipient: w.l1Recipient };
}

export function registerBridgeCommands(program: Command): void {
  const bridge = program.command("bridge").description("move FIL between the L1 bridge and the L2");

  withL1(bridge.command("deposit").description("deposit FIL on L1; credited on the L2 once final"))
    .requiredOption("--to <l2Address>", "the L2 account to credit")
    .requiredOption("--amount <amount>", AMOUNT_HELP, amountArg)
    .requiredOption("--l1-key-file <file>", "the L1 account's key (0x hex)")
    .action(async (o: L1Opts & { to: string; amount: string; l1KeyFile: string }) => {
      const { createL1Clients, loadArtifact, parseEventLogs, privateKeyToAccount } = await heavy();
      if (!isHex(o.to, 20)) throw new UsageError(`--to is not an address: ${o.to}`);
      const { url, chainId, bridge: address } = l1Settings(o);
      const clients = createL1Clients({ url, chainId, pollingIntervalMs: 500 });
      const abi = loadArtifact("FilverseBridge").abi;
      const account = privateKeyToAccount(readKey(o.l1KeyFile, "--l1-key-file"));
      const { hash, receipt } = await sendL1(clients, {
        account,
        address,
        abi,
        functionName: "deposit",
        args: [o.to],
        value: BigInt(o.amount),
      });
      const [event] = parseEventLogs({ abi, logs: receipt.logs, eventName: "Deposited" }) as unknown as {
        args: { nonce: bigint };
      }[];
      const out = { l1TxHash: hash, status: receipt.status, depositNonce: event ? String(event.args.nonce) : null };
      print(o, out, () => `deposit ${out.status} in ${hash}\nL1 deposit nonce ${out.depositNonce}`);
    });

  withL1(
    bridge
      .command("force")
      .description(
        "sign an L2 transaction and queue it on the L1 bridge (forced inclusion): the L2 must consume it before its deadline",
      )
      .argument("<primaryType>", "e.g. Transfer, Withdraw, AssetTransfer"),
  )
    .requiredOption(
      "--message <json>",
      "the message fields as JSON (nonce and fee are read from the L2 node if absent)",
    )
    .requiredOption("--key-file <file>", "the L2 account's key (0x hex)")
    .requiredOption("--l1-key-file <file>", "the L1 account that pays the gas (0x hex)")
    .action(async (primaryType: string, o: L1Opts & { message: string; keyFile: string; l1KeyFile: string }) => {
      const {
        createFilverseClient,
        createL1Clients,
        encodeSignedTx,
        loadArtifact,
        parseEventLogs,
        privateKeyToAccount,
        signedTxFromJson,
      } = await heavy();
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(o.message) as Record<string, unknown>;
      } catch {
        throw new UsageError("--message is not valid JSON");
      }
      const { url, chainId, bridge: address } = l1Settings(o);
      const c = createFilverseClient({ url: o.rpc, account: privateKeyToAccount(readKey(o.keyFile, "--key-file")) });
      let signed: Awaited<ReturnType<typeof c.signTransaction>>;
      try {
        signed = await c.signTransaction({ primaryType, message } as never);
      } finally {
        await c.close();
      }
      const bytes = toHex(encodeSignedTx(signedTxFromJson(signed.transaction))) as Hex;
      const clients = createL1Clients({ url, chainId, pollingIntervalMs: 500 });
      const abi = loadArtifact("FilverseBridge").abi;
      const account = privateKeyToAccount(readKey(o.l1KeyFile, "--l1-key-file"));
      const { hash: l1TxHash, receipt } = await sendL1(clients, {
        account,
        address,
        abi,
        functionName: "forceTransaction",
        args: [bytes],
      });
      const [event] = parseEventLogs({ abi, logs: receipt.logs, eventName: "TransactionForced" }) as unknown as {
        args: { nonce: bigint; deadline: bigint };
      }[];
      const out = {
        hash: signed.hash,
        l1TxHash,
        status: receipt.status,
        l1Nonce: event ? String(event.args.nonce) : null,
        deadline: event ? String(event.args.deadline) : null,
      };
      print(
        o,
        out,
        () =>
          `forced ${out.hash} (${out.status} in ${l1TxHash})\nL1 message nonce ${out.l1Nonce}, deadline ${out.deadline ? new Date(Number(out.deadline) * 1000).toISOString() : "?"}\nthen: filverse tx status ${out.hash}`,
      );
    });

  withL1(
    bridge
      .command("withdraw")
      .description("burn L2 FIL into the withdrawals tree, claimable on L1 after its checkpoint is final"),
  )
    .requiredOption("--to <l1Address>", "the L1 recipient")
    .requiredOption("--amount <amount>", AMOUNT_HELP, amountArg)
    .requiredOption("--key-file <file>", "the L2 account's key (0x hex)")
    .option(
      "--wait <stage>",
      "wait for: none, pending, preconfirmed, sequenced, checkpointed, stored, finalized",
      waitArg,
      "sequenced",
    )
    .option(
      "--timeout <seconds>",
      "how long --wait waits; past it the command exits 3 (the withdrawal was sent)",
      timeoutArg,
      String(DEFAULT_WAIT_TIMEOUT_SEC),
    )
    .action(async (o: L1Opts & WaitOpts & { to: string; amount: string; keyFile: string }) => {
      const { createFilverseClient, privateKeyToAccount } = await heavy();
      if (!isHex(o.to, 20)) throw new UsageError(`--to is not an address: ${o.to}`);
      const c = createFilverseClient({ url: o.rpc, account: privateKeyToAccount(readKey(o.keyFile, "--key-file")) });
      try {
        const sent = await c.withdraw({ l1Recipient: o.to as Address, amount: o.amount });
        await waitAndReport(o, c, sent);
        if (!o.json)
          process.stdout.write(
            `then: filverse bridge status ${sent.hash}, and once final: filverse bridge finalize ${sent.hash}\n`,
          );
      } finally {
        await c.close();
      }
    });

  withL1(
    bridge
      .command("prove")
      .description("the proof finalizeWithdrawal needs")
      .argument("<txHash>", "the Withdraw transaction"),
  ).action(async (hash: string, o: L1Opts) => print(o, await proofOf(o.rpc, hash)));

  bridge
    .command("checkpoint")
    .description(
      "a checkpoint on L1 (default: the latest), as the node knows it: its roots and blocks, the L1 transaction that submitted it, final, in its challenge window (time left) or disputed, and its batch piece's Filecoin deals",
    )
    .argument("[index]", "the checkpoint index")
    .option(
      "--rpc <url>",
      "L2 JSON-RPC URL; default $FILVERSE_RPC",
      process.env.FILVERSE_RPC ?? "http://127.0.0.1:8645",
    )
    .option("--json", "print JSON")
    .action(async (index: string | undefined, o: OutputOpts & { rpc: string }) => {
      if (index !== undefined && !/^\d+$/.test(index))
        throw new UsageError(`A checkpoint index is a whole number, got "${index}"`);
      const cp = (await rpcRead(
        o.rpc,
        "filverse_getCheckpoint",
        index === undefined ? [] : [index],
      )) as CheckpointJson | null;
      if (!cp) {
        if (index === undefined) {
          print(o, { count: "0", checkpoint: null }, () => "no checkpoint on L1 yet");
          return;
        }
        const latest = (await rpcRead(o.rpc, "filverse_getCheckpoint", [])) as CheckpointJson | null;
        const count = BigInt(latest?.count ?? "0");
        throw new UsageError(
          `Checkpoint ${index} does not exist: the L1 has ${count}${count > 0n ? ` (0 to ${count - 1n})` : ""}`,
        );
      }
      print(o, cp, () => formatCheckpoint(cp));
    });

  bridge
    .command("checkpoints")
    .description(
      "the checkpoints on L1, newest first, one a line: blocks, status, signed weight, stored, L1 transaction",
    )
    .option("--limit <n>", "at most n (1–50, default 10)")
    .option("--before <index>", "only checkpoints below this index (the last page's `more: --before …`)")
    .option(
      "--rpc <url>",
      "L2 JSON-RPC URL; default $FILVERSE_RPC",
      process.env.FILVERSE_RPC ?? "http://127.0.0.1:8645",
    )
    .option("--json", "print JSON")
    .action(async (o: OutputOpts & { rpc: string; limit?: string; before?: string }) => {
      const params = checkpointsParams(o);
      const page = (await rpcRead(o.rpc, "filverse_getCheckpoints", params)) as CheckpointPage;
      print(o, page, () => formatCheckpointList(page));
    });

  withL1(
    bridge
      .command("status")
      .description("a withdrawal's progress: sequenced, checkpointed, finalized, paid")
      .argument("<txHash>"),
  ).action(async (hash: string, o: L1Opts) => {
    const proof = await proofOf(o.rpc, hash);
    let paid: boolean | null = null;
    if (proof.withdrawal && (o.dataDir || o.bridge)) {
      const { url, chainId, bridge: address } = l1Settings(o);
      const { createL1Clients, loadArtifact } = await heavy();
      const { publicClient } = createL1Clients({ url, chainId });
      paid = (await publicClient
        .readContract({
          address,
          abi: loadArtifact("FilverseBridge").abi,
          functionName: "isFinalized",
          args: [BigInt(proof.withdrawal.index)],
        } as never)
        .catch(() => null)) as boolean | null;
    }
    const out = {
      checkpointIndex: proof.checkpointIndex,
      checkpointed: proof.checkpointed,
      finalized: proof.finalized,
      paid,
    };
    print(
      o,
      out,
      () =>
        `checkpoint ${out.checkpointIndex}: ${out.finalized ? "final" : out.checkpointed ? "checkpointed, in its challenge window" : "not checkpointed yet"}${paid === null ? "" : paid ? ", paid" : ", not paid"}`,
    );
  });

  withL1(
    bridge
      .command("finalize")
      .description("claim a withdrawal on L1 once its checkpoint is final")
      .argument("<txHash>"),
  )
    .requiredOption(
      "--l1-key-file <file>",
      "the L1 account that sends the claim (the FIL goes to the withdrawal's recipient)",
    )
    .action(async (hash: string, o: L1Opts & { l1KeyFile: string }) => {
      const proof = await proofOf(o.rpc, hash);
      const paid = await finalizeOnL1(o, hash, proof);
      print(
        o,
        paid,
        () => `finalized ${paid.status}: ${formatFil(paid.amount)} to ${paid.l1Recipient} in ${paid.l1TxHash}`,
      );
    });
  withL1(
    bridge
      .command("exit")
      .description(
        "a withdrawal's whole life in one command: withdraw on the L2, wait for its checkpoint and the challenge window, finalize on L1; prints each stage as it is reached",
      ),
  )
    .requiredOption("--to <l1Address>", "the L1 recipient")
    .requiredOption("--amount <amount>", AMOUNT_HELP, amountArg)
    .requiredOption("--key-file <file>", "the L2 account's key (0x hex)")
    .requiredOption("--l1-key-file <file>", "the L1 account that sends the claim (the FIL goes to --to)")
    .option(
      "--timeout <seconds>",
      "give up after this long (exit 3; the withdrawal stays claimable)",
      timeoutArg,
      "600",
    )
    .action(async (o: L1Opts & { to: string; amount: string; keyFile: string; l1KeyFile: string; timeout: string }) => {
      const { createFilverseClient, privateKeyToAccount } = await heavy();
      if (!isHex(o.to, 20)) throw new UsageError(`--to is not an address: ${o.to}`);
      readKey(o.l1KeyFile, "--l1-key-file");
      l1Settings(o); // the L1 settings are checked before anything is sent
      const started = Date.now();
      const deadline = started + Number(o.timeout) * 1000;
      const stages: Record<string, unknown>[] = [];
      const stage = (name: string, fields: Record<string, unknown> = {}) => {
        const at = Math.round((Date.now() - started) / 100) / 10;
        stages.push({ stage: name, atSec: at, ...fields });
        if (!o.json) {
          const rest = Object.entries(fields)
            .map(([k, v]) => `${k} ${k === "amount" ? formatFil(String(v)) : String(v)}`)
            .join(", ");
          process.stdout.write(`${`${at.toFixed(1)} s`.padStart(8)}  ${name}${rest ? `  ${rest}` : ""}\n`);
        }
      };
      const c = createFilverseClient({ url: o.rpc, account: privateKeyToAccount(readKey(o.keyFile, "--key-file")) });
      let hash: `0x${string}`;
      try {
        ({ hash } = await c.withdraw({ l1Recipient: o.to as Address, amount: o.amount }));
        stage("sent", { hash });
        const s = await c.waitForTransaction(hash, { timeoutMs: Math.max(1, deadline - Date.now()) });
        if (s.result === "failed") {
          stage("failed", { code: s.code });
          throw new UsageError(`The withdrawal failed on the L2 (code ${s.code}); nothing to finalize`);
        }
        stage("sequenced", { block: s.blockNumber });
      } finally {
        await c.close();
      }
      let proof = await proofOf(o.rpc, hash);
      let seen = "sequenced";
      while (!proof.finalized) {
        if (proof.checkpointed && seen === "sequenced") {
          seen = "checkpointed";
          stage("checkpointed", { checkpoint: proof.checkpointIndex });
        }
        if (Date.now() > deadline) {
          if (o.json) print(o, { hash, stages, timedOut: true });
          process.stderr.write(
            `error: timed out after ${o.timeout} s: the withdrawal ${hash} is ${seen}; finish it later with filverse bridge finalize ${hash}\n`,
          );
          throw new ExitWith(EXIT.WAIT_TIMEOUT);
        }
        await new Promise((r) => setTimeout(r, 1_000));
        proof = await proofOf(o.rpc, hash);
      }
      if (seen === "sequenced") stage("checkpointed", { checkpoint: proof.checkpointIndex });
      stage("finalized", { checkpoint: proof.checkpointIndex });
      const paid = await finalizeOnL1(o, hash, proof);
      stage("paid", { amount: paid.amount, to: paid.l1Recipient, l1Tx: paid.l1TxHash });
      if (o.json) print(o, { hash, stages, ...paid });
    });
}

const iso = (t: string) => new Date(Number(t) * 1000).toISOString();

type CheckpointPage = {
  checkpoints: (CheckpointJson & { final: boolean; stored: boolean | null })[];
  count: string;
  next: string | null;
};

/** filverse_getCheckpoints' params from --limit (1–50) and --before (a checkpoint index). */
export function checkpointsParams(o: { limit?: string; before?: string }): (number | string)[] {
  let limit: number | undefined;
  if (o.limit !== undefined) {
    limit = Number(o.limit);
    if (!/^\d+$/.test(o.limit) || limit < 1 || limit > 50) throw new UsageError(`--limit is 1 to 50, got "${o.limit}"`);
  }
  if (o.before !== undefined && !/^\d+$/.test(o.before))
    throw new UsageError(`--before is a checkpoint index (a whole number), got "${o.before}"`);
  if (o.before !== undefined) return [limit ?? 10, o.before];
  return limit === undefined ? [] : [limit];
}

/** A page of checkpoints for a person: one line each, newest first, and how to ask for the older ones. */
export function formatCheckpointList(page: CheckpointPage): string {
  if (page.checkpoints.length === 0)
    return page.count === "0" ? "no checkpoint on L1 yet" : "no checkpoints below that index";
  const rows = page.checkpoints.map((cp) => {
    const status =
      cp.status === "pending" ? `pending (${cp.secondsLeft} s left)` : cp.status === "disputed" ? "disputed" : "final";
    const signed =
      cp.signedWeight != null && cp.totalWeight != null
        ? `signed ${formatShare(cp.signedWeight, cp.totalWeight)} by ${cp.signers?.length ?? 0}`
        : "signers unknown";
    const stored = cp.stored === null ? "deals untracked" : cp.stored ? "stored" : "not stored yet";
    return `#${cp.index}  blocks ${cp.firstBlock}–${cp.lastBlock}  ${status}  ${signed}  ${stored}  L1 tx ${cp.l1TxHash ?? "-"}`;
  });
  return [
    `${page.count} checkpoint${page.count === "1" ? "" : "s"} on L1`,
    ...rows,
    ...(page.next ? [`more: --before ${page.next}`] : []),
  ].join("\n");
}

/**
 * Who signed a checkpoint, for a person: the signed weight against the validator set's total (the
 * rollup needs 2/3), then one line per signer with its weight (collateral, in FIL) and its share of
 * the total. A node that could not read them (or predates them) says so.
 */
export function formatSigners(cp: Pick<CheckpointJson, "signers" | "signedWeight" | "totalWeight">): string[] {
  if (!cp.signers || cp.signedWeight == null || cp.totalWeight == null) return ["signed       not known to the node"];
  const n = cp.signers.length;
  const lines = [
    `signed       ${formatFil(cp.signedWeight)} of ${formatFil(cp.totalWeight)} (${formatShare(cp.signedWeight, cp.totalWeight)}; quorum 2/3) by ${n} validator${n === 1 ? "" : "s"}`,
  ];
  for (const [i, sg] of cp.signers.entries())
    lines.push(
      `${i === 0 ? "signers     " : "            "} ${sg.address} ${formatFil(sg.weight)} (${formatShare(sg.weight, cp.totalWeight)})`,
    );
  return lines;
}

/** A checkpoint for a person: one fact a line, the status with the time left, one line per deal. */
export function formatCheckpoint(cp: CheckpointJson): string {
  const status =
    cp.status === "final"
      ? "final"
      : cp.status === "disputed"
        ? cp.openDisputes > 0
          ? `disputed: ${cp.openDisputes} open fault-proof game${cp.openDisputes === 1 ? "" : "s"} on it${cp.secondsLeft > 0 ? ` (challenge window: ${cp.secondsLeft} s left)` : ""}`
          : `disputed: its window is over, but an open game on checkpoint ${cp.lowestDisputed} holds it back`
        : `in its challenge window: ${cp.secondsLeft} s left (ends ${iso(cp.challengeWindowEnds)})`;
  const lines = [
    `checkpoint   ${cp.index} of ${cp.count} on L1`,
    `status       ${status}`,
    `blocks       ${cp.firstBlock} to ${cp.lastBlock}, last ${cp.lastBlockHash}`,
    `stateRoot    ${cp.stateRoot}`,
    `withdrawals  ${cp.withdrawalsRoot}`,
    `deposits     up to L1 nonce ${cp.depositCursor}`,
    `accepted     ${iso(cp.acceptedAt)}`,
    `L1 tx        ${cp.l1TxHash ? `${cp.l1TxHash} in L1 block ${cp.l1BlockNumber}` : "not found by the node"}`,
    ...formatSigners(cp),
    `piece        ${cp.pieceCid || "-"}`,
  ];
  const st = cp.storage;
  if (!st) lines.push("deals        not tracked by this node (no storage backend)");
  else {
    if (st.batch)
      lines.push(
        `batch        ${st.batch.pieceCidV1}, ${st.batch.pieceSize} bytes padded, CAR ${st.batch.carSize} bytes`,
      );
    if (st.deals.length === 0) lines.push(`deals        none yet${st.batch ? "" : " (the batch is not built yet)"}`);
    for (const [i, d] of st.deals.entries()) {
      const parts = [
        d.dealId ? `deal ${d.dealId}` : null,
        `${d.backend} ${d.ref}`,
        d.provider ? `provider ${d.provider}` : null,
        d.reason,
      ];
      lines.push(`${i === 0 ? "deals       " : "            "} ${d.state} (${parts.filter(Boolean).join(", ")})`);
    }
  }
  return lines.join("\n");
}
