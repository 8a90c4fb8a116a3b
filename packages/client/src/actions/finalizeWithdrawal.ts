/**
 * `finalizeWithdrawal`: send FilverseBridge.finalizeWithdrawal(checkpointIndex, withdrawal, siblings)
 * on L1 with a viem wallet client, the proof coming from the node (filverse_getWithdrawalProof).
 * Anyone may send it; the FIL always goes to the withdrawal's l1Recipient. Before sending, the proof's
 * root is checked against the checkpoint's on L1; the bridge's own reverts (NotFinal,
 * AlreadyFinalized, ...) surface as viem's ContractFunctionExecutionError with the error's name.
 */
import type { Account, Address, Chain, Client, Transport } from "viem";
import { readContract, writeContract } from "viem/actions";
import type { FilverseBaseClient } from "../baseClient.js";
import { ClientError, ClientErrorCode } from "../errors.js";
import { filverseBridgeAbi, filverseRollupAbi } from "../l1/abi.js";
import type { Hex } from "../types.js";
import { getWithdrawalProof, type Withdrawal, withdrawalFromJson } from "./getWithdrawalStatus.js";

export type FinalizeWithdrawalParameters = {
  /** The hash of the L2 `Withdraw` transaction. */
  hash: Hex;
  /** A viem wallet client on the L1 (its account pays the gas, unless `account` is given). */
  walletClient: Client<Transport, Chain | undefined, Account | undefined>;
  /** The FilverseBridge address on L1. */
  bridge: Address;
  /** The sending account when the wallet client has none (or another). */
  account?: Account | Address;
};

export type FinalizeWithdrawalReturnType = {
  /** The L1 transaction hash. */
  hash: Hex;
  withdrawal: Withdrawal;
  checkpointIndex: bigint;
};

export async function finalizeWithdrawal(
  client: FilverseBaseClient,
  params: FinalizeWithdrawalParameters,
): Promise<FinalizeWithdrawalReturnType> {
  const proof = await getWithdrawalProof(client, params.hash);
  if (!proof.withdrawal || !proof.siblings || !proof.withdrawalsRoot) {
    throw new ClientError(ClientErrorCode.WITHDRAWAL_NO_PROOF, "The node has no proof for this withdrawal yet", {
      details: { hash: proof.txHash, checkpointLastBlock: proof.checkpointLastBlock },
      metaMessages: ["Wait for the covering checkpoint: waitToFinalize({ hash, l1Client, bridge })."],
    });
  }
  const { walletClient, bridge } = params;
  const checkpointIndex = BigInt(proof.checkpointIndex);
  const rollup = await readContract(walletClient, { address: bridge, abi: filverseBridgeAbi, functionName: "rollup" });
  const [, root] = await readContract(walletClient, {
    address: rollup,
    abi: filverseRollupAbi,
    functionName: "checkpointStatus",
    args: [checkpointIndex],
  });
  if (root.toLowerCase() !== proof.withdrawalsRoot.toLowerCase()) {
    throw new ClientError(
      ClientErrorCode.WITHDRAWAL_ROOT_MISMATCH,
      "The node's proof does not match the checkpoint's withdrawals root on L1",
      { details: { checkpointIndex: proof.checkpointIndex, l1Root: root, nodeRoot: proof.withdrawalsRoot } },
    );
  }
  const withdrawal = withdrawalFromJson(proof.withdrawal);
  const account = params.account ?? walletClient.account;
  if (!account) {
    throw new ClientError(ClientErrorCode.NO_ACCOUNT, "finalizeWithdrawal needs an L1 account", {
      metaMessages: ["createWalletClient({ account, chain, transport }) or pass `account`."],
    });
  }
  const hash = await writeContract(walletClient, {
    address: bridge,
    abi: filverseBridgeAbi,
    functionName: "finalizeWithdrawal",
    args: [checkpointIndex, withdrawal, proof.siblings as never],
    account,
    chain: walletClient.chain,
  });
  return { hash, withdrawal, checkpointIndex };
}
