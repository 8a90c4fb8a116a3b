/**
 * The checkpoints the L1 rollup accepted, as filverse_getCheckpoints serves them: each page read from
 * the rollup at the time of the call (its stored fields and whether it is final), plus the L1
 * transaction that submitted it, from a scan of `CheckpointSubmitted` logs that resumes where the
 * last call stopped (a resubmission after a removal replaces the earlier one).
 */
import { type L1Clients, readNextCheckpointIndex, readStoredCheckpoint, rollupReaderAbi } from "@filverse/l1";
import { toHex } from "@filverse/utils";
import type { Address, Hex } from "viem";
import type { CheckpointList, CheckpointSummary } from "../api/types.js";

/** Blocks per eth_getLogs: Filecoin's nodes refuse ranges over 2,880. */
const LOG_RANGE_BLOCKS = 2_000n;

const SUBMITTED = rollupReaderAbi.find((x) => x.type === "event" && x.name === "CheckpointSubmitted") as Extract<
  (typeof rollupReaderAbi)[number],
  { type: "event" }
>;

export function createCheckpointList(rollup: Address, startBlock: number, l1: L1Clients): CheckpointList {
  const submittedBy = new Map<number, { txHash: Hex; l1Block: bigint }>();
  let scannedTo = BigInt(startBlock) - 1n;
  let scanning: Promise<void> | null = null;
  const { publicClient } = l1;

  const scan = async (): Promise<void> => {
    const latest = await publicClient.getBlockNumber({ cacheTime: 0 });
    for (let from = scannedTo + 1n; from <= latest; from += LOG_RANGE_BLOCKS) {
      const to = from + LOG_RANGE_BLOCKS - 1n < latest ? from + LOG_RANGE_BLOCKS - 1n : latest;
      const logs = await publicClient.getLogs({ address: rollup, event: SUBMITTED, fromBlock: from, toBlock: to });
      for (const log of logs) {
        const index = Number((log.args as { index?: bigint }).index);
        if (log.transactionHash && log.blockNumber !== null) {
          submittedBy.set(index, { txHash: log.transactionHash, l1Block: log.blockNumber });
        }
      }
      scannedTo = to;
    }
  };
  // Concurrent calls share one scan.
  const scanOnce = (): Promise<void> => {
    scanning ??= scan().finally(() => {
      scanning = null;
    });
    return scanning;
  };

  return {
    async page(before, limit) {
      const count = await readNextCheckpointIndex(rollup, l1);
      const hi = Math.min(before ?? count, count);
      const lo = Math.max(0, hi - limit);
      await scanOnce();
      const modules = { publicClient };
      const out: CheckpointSummary[] = [];
      let prevLast = lo > 0 ? (await readStoredCheckpoint(rollup, lo - 1, modules)).lastBlock : 0;
      for (let index = lo; index < hi; index++) {
        const [stored, final] = await Promise.all([
          readStoredCheckpoint(rollup, index, modules),
          publicClient.readContract({
            address: rollup,
            abi: rollupReaderAbi,
            functionName: "isFinal",
            args: [BigInt(index)],
          }),
        ]);
        const at = submittedBy.get(index) ?? null;
        out.push({
          index,
          firstBlock: prevLast + 1,
          lastBlock: stored.lastBlock,
          stateRoot: toHex(stored.stateRoot),
          withdrawalsRoot: toHex(stored.withdrawalsRoot),
          lastBlockHash: toHex(stored.lastBlockHash),
          pieceCid: stored.pieceCid,
          acceptedAt: stored.acceptedAt,
          final,
          l1TxHash: at?.txHash ?? null,
          l1BlockNumber: at ? Number(at.l1Block) : null,
        });
        prevLast = stored.lastBlock;
      }
      return { checkpoints: out.reverse(), count };
    },
  };
}
