/**
 * filverse_getCheckpoint's reader, the same on a sequencer and a verifier: a checkpoint's stored
 * fields, its status (final, in its challenge window, disputed) and the time left, all read from the
 * rollup at one L1 block; the `submitCheckpoint` transaction that a `CheckpointSubmitted` log points
 * at; and, on a node that stores batches, its piece's deals from the deal tracker.
 *
 * The submission is found without a scan from the rollup's deployment: the rollup stamps a checkpoint
 * with the time of the block that accepted it (`acceptedAt`), so a binary search over block times
 * finds that block, and one bounded log query the transaction. Found hashes are cached by index and
 * acceptance time (an index submitted again after a halt has a new time).
 */
import type { DealRecord, DealTracker } from "@filverse/filecoin";
import { type L1Clients, rollupReaderAbi } from "@filverse/l1";
import type { CheckpointDealJson, CheckpointJson } from "@filverse/types";
import { type Address, type Hex, parseAbi } from "viem";
import type { CheckpointReader } from "../api/types.js";

const statusAbi = parseAbi([
  "function checkpointStatus(uint64 index) view returns (uint8 status, bytes32 withdrawalsRoot)",
  "function challengeWindow() view returns (uint64)",
  "function disputeGame() view returns (address)",
]);
const gameAbi = parseAbi([
  "function openGames(uint64 index) view returns (uint256)",
  "function lowestOpenCheckpoint() view returns (bool any, uint64 index)",
]);
const CHECKPOINT_SUBMITTED = rollupReaderAbi.find(
  (x) => x.type === "event" && x.name === "CheckpointSubmitted",
) as Extract<(typeof rollupReaderAbi)[number], { type: "event" }>;
const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";
/** The rollup's Status enum. */
const FINAL = 2;
/** Blocks after the first one at or past `acceptedAt` searched for the submission's log. */
const LOG_SPAN = 64n;
/** Consecutive null rounds skipped when reading a block's time (Filecoin has runs of a few). */
const MAX_NULL_ROUNDS = 100n;

/** Lotus's answer for an epoch with no block: "requested epoch was a null round (N)". */
function isNullRound(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 10; e = (e as { cause?: unknown }).cause, depth++) {
    const x = e as { message?: unknown; details?: unknown };
    for (const v of [x.message, x.details]) if (typeof v === "string" && /null round/i.test(v)) return true;
  }
  return false;
}

export type CheckpointReaderOpts = {
  rollup: Address;
  /** The L1 block the rollup was deployed at (config l1.startBlock): the search's lower bound. */
  startBlock: bigint;
};

export function createCheckpointReader(
  opts: CheckpointReaderOpts,
  modules: { l1: L1Clients; deals: () => DealTracker | null },
): CheckpointReader {
  const { publicClient } = modules.l1;
  const { rollup } = opts;
  const found = new Map<number, { acceptedAt: bigint; txHash: Hex; blockNumber: bigint }>();

  /**
   * The time of block n, or of the first block after it when n is a null round (a Filecoin epoch
   * with no block, where Lotus answers eth_getBlockByNumber with an error): a null round holds no
   * log, so the search may take it for the block that follows it.
   */
  async function timeAt(n: bigint, to: bigint): Promise<bigint> {
    for (let at = n; ; at++) {
      try {
        return (await publicClient.getBlock({ blockNumber: at })).timestamp;
      } catch (err) {
        if (at >= to || at - n >= MAX_NULL_ROUNDS || !isNullRound(err)) throw err;
      }
    }
  }

  /** The first block at or after `from` whose time is ≥ t (null if none up to `to`). */
  async function firstBlockAtOrAfter(t: bigint, from: bigint, to: bigint): Promise<bigint | null> {
    let lo = from;
    let hi = to;
    if ((await timeAt(hi, to)) < t) return null;
    while (lo < hi) {
      const mid = lo + (hi - lo) / 2n;
      if ((await timeAt(mid, to)) < t) lo = mid + 1n;
      else hi = mid;
    }
    return lo;
  }

  async function submission(index: number, acceptedAt: bigint, head: bigint) {
    const cached = found.get(index);
    if (cached && cached.acceptedAt === acceptedAt) return cached;
    const start = opts.startBlock > head ? head : opts.startBlock;
    const block = await firstBlockAtOrAfter(acceptedAt, start, head);
    if (block === null) return null;
    const logs = await publicClient.getLogs({
      address: rollup,
      event: CHECKPOINT_SUBMITTED,
      args: { index: BigInt(index) },
      fromBlock: block,
      toBlock: block + LOG_SPAN < head ? block + LOG_SPAN : head,
    });
    const log = logs.find((l) => l.transactionHash && l.blockNumber !== null);
    if (!log) return null;
    const at = { acceptedAt, txHash: log.transactionHash!, blockNumber: log.blockNumber! };
    found.set(index, at);
    return at;
  }

  async function get(requested: number | null): Promise<CheckpointJson | null> {
    const head = await publicClient.getBlock({ blockTag: "latest" });
    const blockNumber = head.number;
    const read = <T>(address: Address, abi: readonly unknown[], functionName: string, args: unknown[] = []) =>
      publicClient.readContract({ address, abi, functionName, args, blockNumber } as never) as Promise<T>;
    const count = await read<bigint>(rollup, rollupReaderAbi, "nextCheckpointIndex");
    if (count === 0n) return null;
    const index = requested === null ? Number(count - 1n) : requested;
    if (BigInt(index) >= count) return null;
    const [stored, previous, [status], window, game] = await Promise.all([
      read<{
        stateRoot: Hex;
        lastBlockHash: Hex;
        withdrawalsRoot: Hex;
        lastBlock: bigint;
        depositCursor: bigint;
        acceptedAt: bigint;
        pieceCid: string;
      }>(rollup, rollupReaderAbi, "getCheckpoint", [BigInt(index)]),
      // The rollup links a checkpoint to the one before it (firstBlock = its lastBlock + 1), but
      // takes any length: the range is read, not guessed from the interval.
      index === 0
        ? Promise.resolve(null)
        : read<{ lastBlock: bigint }>(rollup, rollupReaderAbi, "getCheckpoint", [BigInt(index - 1)]),
      read<readonly [number, Hex]>(rollup, statusAbi, "checkpointStatus", [BigInt(index)]),
      read<bigint>(rollup, statusAbi, "challengeWindow"),
      read<Address>(rollup, statusAbi, "disputeGame"),
    ]);
    let openDisputes = 0;
    let lowestDisputed: bigint | null = null;
    if (game.toLowerCase() !== ZERO_ADDRESS) {
      const [open, [any, lowest]] = await Promise.all([
        read<bigint>(game, gameAbi, "openGames", [BigInt(index)]),
        read<readonly [boolean, bigint]>(game, gameAbi, "lowestOpenCheckpoint"),
      ]);
      openDisputes = Number(open);
      lowestDisputed = any ? lowest : null;
    }
    const ends = stored.acceptedAt + window;
    const secondsLeft = ends > head.timestamp ? Number(ends - head.timestamp) : 0;
    const state: CheckpointJson["status"] =
      status === FINAL
        ? "final"
        : openDisputes > 0 || (secondsLeft === 0 && lowestDisputed !== null && lowestDisputed <= BigInt(index))
          ? "disputed"
          : "pending";
    const at = await submission(index, stored.acceptedAt, blockNumber);
    const tracker = modules.deals();
    const batch = tracker?.batch(index) ?? null;
    const deals = tracker ? tracker.deals(index).map(dealJson) : [];
    const lastBlock = Number(stored.lastBlock);
    return {
      index: String(index),
      count: String(count),
      firstBlock: String(previous ? Number(previous.lastBlock) + 1 : 1),
      lastBlock: String(lastBlock),
      lastBlockHash: stored.lastBlockHash,
      stateRoot: stored.stateRoot,
      withdrawalsRoot: stored.withdrawalsRoot,
      depositCursor: String(stored.depositCursor),
      pieceCid: stored.pieceCid,
      acceptedAt: String(stored.acceptedAt),
      l1TxHash: at?.txHash ?? null,
      l1BlockNumber: at ? String(at.blockNumber) : null,
      status: state,
      challengeWindowEnds: String(ends),
      secondsLeft,
      l1Head: String(blockNumber),
      l1Time: String(head.timestamp),
      openDisputes,
      lowestDisputed: lowestDisputed === null ? null : String(lowestDisputed),
      storage: tracker
        ? {
            batch: batch && {
              pieceCid: batch.pieceCid,
              pieceCidV1: batch.pieceCidV1,
              payloadCid: batch.payloadCid,
              pieceSize: batch.pieceSize,
              carSize: batch.carSize,
            },
            deals,
            stored: deals.some((d) => d.state === "active"),
          }
        : null,
    };
  }

  return {
    get,
    async page(before, limit) {
      const count = Number(
        await publicClient.readContract({ address: rollup, abi: rollupReaderAbi, functionName: "nextCheckpointIndex" }),
      );
      const hi = Math.min(before ?? count, count);
      const indexes: number[] = [];
      for (let i = hi - 1; i >= Math.max(0, hi - limit); i--) indexes.push(i);
      const read = await Promise.all(indexes.map((i) => get(i)));
      return { checkpoints: read.filter((c): c is CheckpointJson => c !== null), count };
    },
  };
}

function dealJson(d: DealRecord): CheckpointDealJson {
  return {
    backend: d.backend,
    ref: d.ref,
    provider: d.provider,
    state: d.state,
    dealId: d.dealId,
    reason: d.reason,
    updatedAt: String(d.updatedAt),
  };
}
