/**
 * filverse_getCheckpoint's reader, the same on a sequencer and a verifier: a checkpoint's stored
 * fields, its status (final, in its challenge window, disputed) and the time left, all read from the
 * rollup at one L1 block; the `submitCheckpoint` transaction that a `CheckpointSubmitted` log points
 * at; and, on a node that stores batches, its piece's deals from the deal tracker.
 *
 * The submission is found without a scan from the rollup's deployment: the rollup stamps a checkpoint
 * with the time of the block that accepted it (`acceptedAt`), so a binary search over block times
 * finds that block, and one bounded log query the transaction; the search gallops down from the
 * nearest block already known to be later (the L1 head, or a later checkpoint's submission), so the
 * newest checkpoints cost a few block reads. The same transaction's `CheckpointSignatures` log gives
 * the signatures: the signers are recovered from them and weighed with the rollup's `weightOf` at
 * the submission's block. Found submissions are cached by index and acceptance time (an index
 * submitted again after a halt has a new time).
 *
 * A page reads the L1 head, the checkpoint count and the rollup's settings once, and its
 * checkpoints a few at a time (PAGE_CONCURRENCY), newest first, so that each submission search can
 * start from the one found before it.
 */

import { recoverAddress } from "@filverse/crypto";
import type { DealRecord, DealTracker } from "@filverse/filecoin";
import { type L1Clients, rollupReaderAbi } from "@filverse/l1";
import type { CheckpointDealJson, CheckpointJson } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import { type Address, BaseError, type Hex, parseAbi } from "viem";
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
const bridgeAbi = parseAbi([
  "function isFinalized(uint64 index) view returns (bool)",
  "function queuedWithdrawals(uint64 index) view returns (address l1Recipient, uint64 releaseEpoch, uint256 amount)",
]);
const epochAbi = parseAbi(["function currentEpoch() view returns (uint64)"]);
const weightAbi = parseAbi([
  "function weightOf(address validator) view returns (uint256)",
  "function totalWeight() view returns (uint256)",
]);
type RollupEvent = Extract<(typeof rollupReaderAbi)[number], { type: "event" }>;
const CHECKPOINT_SUBMITTED = rollupReaderAbi.find(
  (x) => x.type === "event" && x.name === "CheckpointSubmitted",
) as RollupEvent;
const CHECKPOINT_SIGNATURES = rollupReaderAbi.find(
  (x) => x.type === "event" && x.name === "CheckpointSignatures",
) as RollupEvent;
/** Checkpoints of a page read at once: each is a handful of L1 calls, a cold one a search. */
export const PAGE_CONCURRENCY = 4;
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
  /** The L1 bridge, for a withdrawal's state there (config l1.bridge); absent: not read. */
  bridge?: Address;
  /** The L1 block the rollup was deployed at (config l1.startBlock): the search's lower bound. */
  startBlock: bigint;
};

export function createCheckpointReader(
  opts: CheckpointReaderOpts,
  modules: { l1: L1Clients; deals: () => DealTracker | null },
): CheckpointReader {
  const { publicClient } = modules.l1;
  const { rollup } = opts;
  /** A submission's signers and weights (decimal strings); null when they could not be read. */
  type Signers = { signers: { address: Hex; weight: string }[]; signedWeight: string; totalWeight: string } | null;
  type Found = { acceptedAt: bigint; txHash: Hex; blockNumber: bigint; signers: Signers };
  const found = new Map<number, Found>();

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

  /**
   * The first block in [from, to] whose time is ≥ t (null if none). Gallops down from `to` (the
   * newest checkpoints are near it), then bisects the last step.
   */
  async function firstBlockAtOrAfter(t: bigint, from: bigint, to: bigint): Promise<bigint | null> {
    if ((await timeAt(to, to)) < t) return null;
    let hi = to;
    let lo = from;
    for (let step = 1n; hi - step > from; step *= 2n) {
      if ((await timeAt(hi - step, to)) < t) {
        lo = hi - step + 1n;
        break;
      }
      hi -= step;
    }
    while (lo < hi) {
      const mid = lo + (hi - lo) / 2n;
      if ((await timeAt(mid, to)) < t) lo = mid + 1n;
      else hi = mid;
    }
    return lo;
  }

  /** Bounds from submissions already found: a block of a time before t is below it, one at or after t an upper bound. */
  function knownBounds(t: bigint, start: bigint, head: bigint): { from: bigint; to: bigint } {
    let from = start;
    let to = head;
    for (const f of found.values()) {
      if (f.acceptedAt < t && f.blockNumber + 1n > from) from = f.blockNumber + 1n;
      if (f.acceptedAt >= t && f.blockNumber < to) to = f.blockNumber;
    }
    return from > to ? { from: start, to: head } : { from, to };
  }

  async function submission(index: number, acceptedAt: bigint, head: bigint): Promise<Found | null> {
    const cached = found.get(index);
    if (cached && cached.acceptedAt === acceptedAt) {
      // Signers not read the last time (the L1 failed then): one more try, the transaction is known.
      if (cached.signers === null) cached.signers = await signersOf(index, cached.txHash, cached.blockNumber);
      return cached;
    }
    const { from, to } = knownBounds(acceptedAt, opts.startBlock > head ? head : opts.startBlock, head);
    const block = await firstBlockAtOrAfter(acceptedAt, from, to);
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
    const at: Found = {
      acceptedAt,
      txHash: log.transactionHash!,
      blockNumber: log.blockNumber!,
      signers: await signersOf(index, log.transactionHash!, log.blockNumber!),
    };
    found.set(index, at);
    return at;
  }

  /**
   * The signers of the submission in transaction `txHash`: its `CheckpointSignatures` log, each
   * signature recovered over the digest it carries, weighed at that block. null when the log is
   * missing or a signature does not recover (the rollup accepted it, so neither should happen).
   */
  async function signersOf(index: number, txHash: Hex, blockNumber: bigint): Promise<Signers> {
    const logs = await publicClient.getLogs({
      address: rollup,
      event: CHECKPOINT_SIGNATURES,
      args: { index: BigInt(index) },
      fromBlock: blockNumber,
      toBlock: blockNumber,
    });
    const log = logs.find((l) => l.transactionHash === txHash);
    const { digest, signatures } = (log?.args ?? {}) as { digest?: Hex; signatures?: readonly Hex[] };
    if (!digest || !signatures) return null;
    let addresses: Hex[];
    try {
      addresses = signatures.map((sig) => toHex(recoverAddress(fromHex(digest, 32), fromHex(sig, 65))));
    } catch {
      return null;
    }
    const read = (functionName: "weightOf" | "totalWeight", args: unknown[] = []) =>
      publicClient.readContract({
        address: rollup,
        abi: weightAbi,
        functionName,
        args,
        blockNumber,
      } as never) as Promise<bigint>;
    let weights: bigint[];
    let total: bigint;
    try {
      [weights, total] = await Promise.all([
        Promise.all(addresses.map((a) => read("weightOf", [a]))),
        read("totalWeight"),
      ]);
    } catch (err) {
      // An L1 that keeps no state that far back (a pruned Lotus) cannot weigh them: the checkpoint
      // is still shown, without signers. Anything else is a bug and goes on.
      if (err instanceof BaseError) return null;
      throw err;
    }
    const signers = addresses
      .map((address, i) => ({ address, weight: weights[i]! }))
      .sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
    return {
      signers: signers.map((s) => ({ address: s.address, weight: String(s.weight) })),
      signedWeight: String(weights.reduce((a, b) => a + b, 0n)),
      totalWeight: String(total),
    };
  }

  /** What every checkpoint of one answer is read against: the L1 head and the rollup's settings there. */
  type View = {
    head: { number: bigint; timestamp: bigint };
    count: bigint;
    window: bigint;
    game: Address;
    lowestDisputed: bigint | null;
    read: <T>(address: Address, abi: readonly unknown[], functionName: string, args?: unknown[]) => Promise<T>;
  };

  async function view(): Promise<View> {
    const block = await publicClient.getBlock({ blockTag: "latest" });
    const head = { number: block.number, timestamp: block.timestamp };
    const read = <T>(address: Address, abi: readonly unknown[], functionName: string, args: unknown[] = []) =>
      publicClient.readContract({ address, abi, functionName, args, blockNumber: head.number } as never) as Promise<T>;
    const [count, window, game] = await Promise.all([
      read<bigint>(rollup, rollupReaderAbi, "nextCheckpointIndex"),
      read<bigint>(rollup, statusAbi, "challengeWindow"),
      read<Address>(rollup, statusAbi, "disputeGame"),
    ]);
    let lowestDisputed: bigint | null = null;
    if (game.toLowerCase() !== ZERO_ADDRESS) {
      const [any, lowest] = await read<readonly [boolean, bigint]>(game, gameAbi, "lowestOpenCheckpoint");
      lowestDisputed = any ? lowest : null;
    }
    return { head, count, window, game, lowestDisputed, read };
  }

  async function checkpointAt(v: View, index: number): Promise<CheckpointJson> {
    const { head, read, count, window, lowestDisputed } = v;
    const [stored, previous, [status], open] = await Promise.all([
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
      v.game.toLowerCase() !== ZERO_ADDRESS
        ? read<bigint>(v.game, gameAbi, "openGames", [BigInt(index)])
        : Promise.resolve(0n),
    ]);
    const openDisputes = Number(open);
    const ends = stored.acceptedAt + window;
    const secondsLeft = ends > head.timestamp ? Number(ends - head.timestamp) : 0;
    const state: CheckpointJson["status"] =
      status === FINAL
        ? "final"
        : openDisputes > 0 || (secondsLeft === 0 && lowestDisputed !== null && lowestDisputed <= BigInt(index))
          ? "disputed"
          : "pending";
    const at = await submission(index, stored.acceptedAt, head.number);
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
      signers: at?.signers?.signers ?? null,
      signedWeight: at?.signers?.signedWeight ?? null,
      totalWeight: at?.signers?.totalWeight ?? null,
      status: state,
      challengeWindowEnds: String(ends),
      secondsLeft,
      l1Head: String(head.number),
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
    async withdrawal(index) {
      if (!opts.bridge) return null;
      const bridge = opts.bridge;
      const block = await publicClient.getBlock({ blockTag: "latest" });
      const read = <T>(address: Address, abi: readonly unknown[], functionName: string, args: unknown[] = []) =>
        publicClient.readContract({
          address,
          abi,
          functionName,
          args,
          blockNumber: block.number,
        } as never) as Promise<T>;
      const [finalized, [, releaseEpoch, amount], epoch] = await Promise.all([
        read<boolean>(bridge, bridgeAbi, "isFinalized", [BigInt(index)]),
        read<readonly [Address, bigint, bigint]>(bridge, bridgeAbi, "queuedWithdrawals", [BigInt(index)]),
        read<bigint>(rollup, epochAbi, "currentEpoch"),
      ]);
      return {
        finalized,
        // Queued (over the bridge's per-epoch limit) until its release epoch; paid by releaseQueued.
        queued: finalized && amount > 0n ? { releaseEpoch: String(releaseEpoch), currentEpoch: String(epoch) } : null,
        l1Head: String(block.number),
      };
    },
    async get(requested) {
      const v = await view();
      if (v.count === 0n) return null;
      const index = requested === null ? Number(v.count - 1n) : requested;
      if (BigInt(index) >= v.count) return null;
      return checkpointAt(v, index);
    },
    async page(before, limit) {
      const v = await view();
      const count = Number(v.count);
      const hi = Math.min(before ?? count, count);
      const indexes: number[] = [];
      for (let i = hi - 1; i >= Math.max(0, hi - limit); i--) indexes.push(i);
      const checkpoints = new Array<CheckpointJson>(indexes.length);
      let next = 0;
      const worker = async () => {
        while (next < indexes.length) {
          const i = next++;
          checkpoints[i] = await checkpointAt(v, indexes[i]!);
        }
      };
      await Promise.all(Array.from({ length: Math.min(PAGE_CONCURRENCY, indexes.length) }, worker));
      return { checkpoints, count };
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
