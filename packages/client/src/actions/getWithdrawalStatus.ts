/**
 * `getWithdrawalStatus`: where a withdrawal stands on its way to L1, from its L2 transaction hash, in
 * the manner of viem's OP-stack `getWithdrawalStatus`. The node gives the covering checkpoint and the
 * proof (`filverse_getWithdrawalProof`); the L1 rollup and bridge, read through a viem client, give
 * the stage and the end of the challenge window.
 */
import type { Address, Chain, Client, Transport } from "viem";
import { getBlock, readContract } from "viem/actions";
import type { FilverseBaseClient } from "../baseClient.js";
import { ClientError, ClientErrorCode } from "../errors.js";
import { filverseBridgeAbi, filverseRollupAbi } from "../l1/abi.js";
import type { Hex } from "../types.js";
import { hexParam } from "../utils/normalize.js";

/**
 * - `not-checkpointed`: no checkpoint on L1 covers the withdrawal's block yet;
 * - `in-challenge-window`: the covering checkpoint is on L1, its window has not ended (or an open
 *   dispute game holds it back);
 * - `ready-to-finalize`: the checkpoint is final, `finalizeWithdrawal` pays;
 * - `finalized`: the bridge has finalized this withdrawal index (paid, queued or owed).
 */
export type WithdrawalStage = "not-checkpointed" | "in-challenge-window" | "ready-to-finalize" | "finalized";

export type WithdrawalJson = { index: string; l2Sender: Hex; l1Recipient: Hex; amount: string };

/** The result of filverse_getWithdrawalProof (docs/rpc.md). */
export type WithdrawalProofJson = {
  txHash: Hex;
  blockNumber: string;
  checkpointIndex: string;
  checkpointLastBlock: string;
  checkpointed: boolean;
  finalized: boolean;
  withdrawal: WithdrawalJson | null;
  siblings: Hex[] | null;
  withdrawalsRoot: Hex | null;
};

export type Withdrawal = { index: bigint; l2Sender: Address; l1Recipient: Address; amount: bigint };

/** A viem client on the L1 (createPublicClient or a wallet client extended with publicActions). */
export type L1Client = Client<Transport, Chain | undefined>;

export type GetWithdrawalStatusParameters = {
  /** The hash of the L2 `Withdraw` transaction. */
  hash: Hex;
  /** A viem client connected to the L1 (Filecoin) chain. */
  l1Client: L1Client;
  /** The FilverseBridge address on L1 (the rollup is read from it). */
  bridge: Address;
};

export type WithdrawalStatus = {
  stage: WithdrawalStage;
  hash: Hex;
  /** The L2 block that holds the withdrawal. */
  blockNumber: bigint;
  /** The checkpoint that covers the block, and its last block. */
  checkpointIndex: bigint;
  checkpointLastBlock: bigint;
  /** The rollup's challenge window, in seconds. */
  challengeWindowSec: bigint;
  /** L1 time (seconds) at which the window ends: the checkpoint's acceptedAt + the window; null before it is on L1. */
  finalAt: bigint | null;
  /**
   * ETA: seconds from the L1 head's timestamp to `finalAt` (0 once it has passed); null while no
   * checkpoint covers the withdrawal (then at least `challengeWindowSec` remain after it lands).
   */
  secondsToFinal: number | null;
  /** The withdrawal leaf, once the node can prove it (null until the checkpoint's last block is sealed). */
  withdrawal: Withdrawal | null;
};

const STATUS_UNKNOWN = 0;
const STATUS_PENDING = 1;

export async function getWithdrawalProof(client: FilverseBaseClient, hash: Hex): Promise<WithdrawalProofJson> {
  const txHash = hexParam(hash, 32, "hash");
  const proof = (await client.request("filverse_getWithdrawalProof", [txHash])) as WithdrawalProofJson | null;
  if (!proof) {
    throw new ClientError(
      ClientErrorCode.WITHDRAWAL_NOT_FOUND,
      "The node knows no included withdrawal with this hash",
      {
        details: { hash: txHash },
        metaMessages: ["A withdrawal still in the mempool has no block yet: waitForTransaction(hash) first."],
      },
    );
  }
  return proof;
}

export function withdrawalFromJson(w: WithdrawalJson): Withdrawal {
  return { index: BigInt(w.index), l2Sender: w.l2Sender, l1Recipient: w.l1Recipient, amount: BigInt(w.amount) };
}

export async function getWithdrawalStatus(
  client: FilverseBaseClient,
  params: GetWithdrawalStatusParameters,
): Promise<WithdrawalStatus> {
  const proof = await getWithdrawalProof(client, params.hash);
  const { l1Client, bridge } = params;
  const checkpointIndex = BigInt(proof.checkpointIndex);
  const withdrawal = proof.withdrawal ? withdrawalFromJson(proof.withdrawal) : null;
  const rollup = await readContract(l1Client, { address: bridge, abi: filverseBridgeAbi, functionName: "rollup" });
  const [challengeWindowSec, [status], head, paid] = await Promise.all([
    readContract(l1Client, { address: rollup, abi: filverseRollupAbi, functionName: "challengeWindow" }),
    readContract(l1Client, {
      address: rollup,
      abi: filverseRollupAbi,
      functionName: "checkpointStatus",
      args: [checkpointIndex],
    }),
    getBlock(l1Client, { blockTag: "latest" }),
    withdrawal
      ? readContract(l1Client, {
          address: bridge,
          abi: filverseBridgeAbi,
          functionName: "isFinalized",
          args: [withdrawal.index],
        })
      : false,
  ]);
  const common = {
    hash: proof.txHash,
    blockNumber: BigInt(proof.blockNumber),
    checkpointIndex,
    checkpointLastBlock: BigInt(proof.checkpointLastBlock),
    challengeWindowSec,
    withdrawal,
  };
  if (status === STATUS_UNKNOWN) {
    return { ...common, stage: "not-checkpointed", finalAt: null, secondsToFinal: null };
  }
  const stored = await readContract(l1Client, {
    address: rollup,
    abi: filverseRollupAbi,
    functionName: "getCheckpoint",
    args: [checkpointIndex],
  });
  const finalAt = stored.acceptedAt + challengeWindowSec;
  const secondsToFinal = finalAt > head.timestamp ? Number(finalAt - head.timestamp) : 0;
  const stage: WithdrawalStage = paid
    ? "finalized"
    : status === STATUS_PENDING
      ? "in-challenge-window"
      : "ready-to-finalize";
  return { ...common, stage, finalAt, secondsToFinal: stage === "in-challenge-window" ? secondsToFinal : 0 };
}
