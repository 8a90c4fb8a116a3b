/**
 * After a game proves a checkpoint wrong (docs/fault-proofs.md, Outcome): slash every key that
 * signed it, and the sequencer when the block it sealed was shown wrong. The rollup does not store
 * who signed; it logs the signatures a checkpoint was accepted with (`CheckpointSignatures`, with
 * the digest they signed), so they are found whichever contract the submission came through, and
 * each one is passed to `slashFaultySigner(digest, signature)`. Anyone may do this; the challenger is paid its
 * share (`claimReward`) whoever does it.
 */

import type { Account, Address, Hex } from "viem";
import { loadArtifact } from "../artifacts.js";
import { rollupReaderAbi } from "../checkpointReader.js";
import type { L1Clients } from "../clients.js";

const SIGNATURES = rollupReaderAbi.find((x) => x.type === "event" && x.name === "CheckpointSignatures") as Extract<
  (typeof rollupReaderAbi)[number],
  { type: "event" }
>;

/**
 * The signatures of the submission of checkpoint `index` that was signed as `digest`: the rollup's
 * `CheckpointSignatures` logs of that index from `startBlock` on, until one carries that digest (an
 * index is submitted again after a halt, with another digest). Empty when none does.
 */
export async function readSubmissionSignatures(
  params: { rollup: Address; index: number; digest: Hex; startBlock: bigint; maxRange?: number },
  l1: Pick<L1Clients, "publicClient">,
): Promise<Hex[]> {
  const { publicClient } = l1;
  const maxRange = BigInt(params.maxRange ?? 2_000);
  const latest = await publicClient.getBlockNumber({ cacheTime: 0 });
  for (let from = params.startBlock; from <= latest; from += maxRange) {
    const to = from + maxRange - 1n < latest ? from + maxRange - 1n : latest;
    const logs = await publicClient.getLogs({
      address: params.rollup,
      event: SIGNATURES,
      args: { index: BigInt(params.index) },
      fromBlock: from,
      toBlock: to,
    });
    for (const log of logs) {
      const { digest, signatures } = log.args as { digest?: Hex; signatures?: readonly Hex[] };
      if (digest?.toLowerCase() === params.digest.toLowerCase() && signatures) return [...signatures];
    }
  }
  return [];
}

export type FaultSlashing = {
  /** Signatures whose key was slashed by this call. */
  slashed: Hex[];
  /** Whether the sequencer's bond was burned by this call. */
  sequencer: boolean;
};

/**
 * Slash what a proven fault lets anyone slash: each signer of checkpoint `index` signed as `digest`
 * (`slashFaultySigner`), and, given the sequencer's seal of the disproven block, the sequencer
 * (`slashSequencerForFaultyBlock`). Each call is simulated first, so a key already slashed (by
 * another player), a fault the rollup did not take (a game that is not the rollup's) or a stale seal
 * costs nothing: it is skipped. Safe to repeat.
 */
export async function slashForFault(
  params: {
    rollup: Address;
    index: number;
    digest: Hex;
    startBlock: bigint;
    /** The disproven block and the sequencer's seal of it, when the fault was shown inside a sealed block. */
    block?: { number: number; hash: Hex; seal: Hex } | null;
  },
  m: L1Clients & { account: Account | Address },
): Promise<FaultSlashing> {
  const abi = loadArtifact("FilverseRollup").abi;
  const out: FaultSlashing = { slashed: [], sequencer: false };
  const send = async (functionName: string, args: readonly unknown[]): Promise<boolean> => {
    try {
      const { request } = await m.publicClient.simulateContract({
        account: m.account,
        address: params.rollup,
        abi,
        functionName,
        args,
      } as never);
      const hash = await m.walletClient.writeContract(request as never);
      return (await m.publicClient.waitForTransactionReceipt({ hash })).status === "success";
    } catch {
      return false; // NothingToSlash, NotProvenFaulty, StaleBlockEvidence: nothing to do
    }
  };
  const signatures = await readSubmissionSignatures(params, m);
  for (const signature of signatures) {
    if (await send("slashFaultySigner", [params.digest, signature])) out.slashed.push(signature);
  }
  if (params.block) {
    out.sequencer = await send("slashSequencerForFaultyBlock", [
      BigInt(params.block.number),
      params.block.hash,
      params.block.seal,
    ]);
  }
  return out;
}

/** The challenger's share of slashed collateral waiting for `account` on the rollup (`rewards`). */
export async function readRollupReward(rollup: Address, account: Address, l1: Pick<L1Clients, "publicClient">) {
  return (await l1.publicClient.readContract({
    address: rollup,
    abi: loadArtifact("FilverseRollup").abi,
    functionName: "rewards",
    args: [account],
  } as never)) as bigint;
}

/** Withdraw the challenger's share (`claimReward`); resolves with the transaction hash. */
export async function claimRollupReward(rollup: Address, m: L1Clients & { account: Account }): Promise<Hex> {
  const hash = await m.walletClient.writeContract({
    account: m.account,
    chain: m.walletClient.chain ?? null,
    address: rollup,
    abi: loadArtifact("FilverseRollup").abi,
    functionName: "claimReward",
    args: [],
  } as never);
  await m.publicClient.waitForTransactionReceipt({ hash });
  return hash;
}
