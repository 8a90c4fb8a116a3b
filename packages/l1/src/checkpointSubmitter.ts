/**
 * The checkpoint submitter: every `interval` L2 blocks, builds the checkpoint of those blocks, has it
 * signed and submits it to FilverseRollup.
 *
 * Index → block range: checkpoint `i` covers L2 blocks `[i·interval + 1, (i+1)·interval]` (index 0
 * covers blocks 1..interval; genesis, block 0, is never checkpointed). It is due once the committed
 * head is at least its last block.
 *
 * The next index to submit is always read from the rollup (`nextCheckpointIndex`), never kept
 * locally: a restart, a crash after sending, or a second instance never submits an index the contract
 * already has (the contract itself refuses it with `WrongIndex`, so there is one checkpoint per index).
 *
 * Fields come from the last header of the range (parentHash from the first's): its SSZ block hash, stateRoot, withdrawalsRoot and
 * l1DepositNonce (the deposit cursor) and timestamp; validatorSetId is the rollup's current one. The
 * batch fields (pieceCid, payloadCid, pieceSize, carSize) come from the `batch` module, which packs
 * the range into its CAR and computes the Piece CID (the node's batch store); without one they are
 * "" and 0.
 *
 * Gas comes from eth_estimateGas and the nonce from the account's pending nonce (viem's defaults). A
 * failing L1 (RPC down, revert) is logged and retried with exponential backoff, capped at maxBackoffMs.
 * A transaction sent but not yet mined when its receipt wait times out is waited for again on the
 * next tick instead of a second one being sent (unless the node has dropped it).
 */
import type { BlockHeader, Checkpoint } from "@filverse/types";
import { blockHash, blockHashesRoot } from "@filverse/types";
import { type Logger, nullLogger, toHex } from "@filverse/utils";
import {
  type Account,
  type Address,
  type Hex,
  hexToBytes,
  type PublicClient,
  parseAbi,
  TransactionNotFoundError,
  type WalletClient,
} from "viem";
import { type CheckpointDomain, checkpointDigest, checkpointToAbi, orderCheckpointSignatures } from "./checkpoint.js";
import { L1Error, L1ErrorCode } from "./errors.js";

/** What the submitter reads of the L2 chain (the node implements it over its ChainDb). */
export interface CheckpointChain {
  /** The committed head number. */
  headNumber(): number;
  /** A committed header by number (null if absent). */
  header(n: number): Promise<BlockHeader | null>;
}

/** A checkpoint's batch data: the CAR of its blocks and that CAR's Piece CID. */
export type CheckpointBatch = { pieceCid: string; payloadCid: string; pieceSize: number; carSize: number };

/** Packs blocks [firstBlock, lastBlock] of checkpoint `index` (deterministically) and stores the piece. */
export type CheckpointBatchSource = (index: number, firstBlock: number, lastBlock: number) => Promise<CheckpointBatch>;

/** Produces validator signatures for a digest (the sequencer signing alone). */
export type CheckpointSigner = (digest: `0x${string}`) => Promise<`0x${string}`[]>;

/**
 * Gathers validator signatures for a checkpoint, given the checkpoint itself so that each validator
 * can check it against its own execution before signing (`createQuorumCollector` asks a list of
 * signers until 2/3 of the weight has signed). The submitter orders them by signer.
 */
export type CheckpointSignatureCollector = (cp: Checkpoint, digest: `0x${string}`) => Promise<`0x${string}`[]>;

export type CheckpointSubmitterOpts = {
  rollup: Address;
  l2ChainId: number;
  /** A checkpoint covers this many blocks. */
  interval: number;
  /** How often the submitter looks for a due checkpoint. */
  pollIntervalMs: number;
  /** The longest wait between attempts after consecutive failures. */
  maxBackoffMs: number;
  /** How long one attempt waits for a sent transaction's receipt before giving up until the next tick. */
  receiptTimeoutMs: number;
};

export const defaultCheckpointSubmitterOpts: Pick<
  CheckpointSubmitterOpts,
  "pollIntervalMs" | "maxBackoffMs" | "receiptTimeoutMs"
> = {
  pollIntervalMs: 2_000,
  maxBackoffMs: 60_000,
  // Filecoin's epochs are 30 s; a few of them.
  receiptTimeoutMs: 180_000,
};

export type CheckpointSubmitterModules = {
  publicClient: PublicClient;
  walletClient: WalletClient;
  /** The account that pays for submissions (any funded account; the signatures carry the authority). */
  account: Account;
  chain: CheckpointChain;
  /** The digest signer (the sequencer alone). Used when `collect` is absent. */
  sign?: CheckpointSigner | null;
  /** Collects co-signatures for the whole checkpoint; takes precedence over `sign`. */
  collect?: CheckpointSignatureCollector | null;
  batch?: CheckpointBatchSource | null;
  logger?: Logger | null;
  /** The node's signal: aborting it stops the polling as close() does (a tick in flight still finishes). */
  signal?: AbortSignal | null;
};

/** The rollup functions the submitter uses (the test suite runs them against the compiled contract). */
export const checkpointSubmitterAbi = parseAbi([
  "struct Checkpoint { uint64 index; uint64 firstBlock; uint64 lastBlock; bytes32 parentHash; bytes32 lastBlockHash; bytes32 stateRoot; bytes32 withdrawalsRoot; bytes32 blockHashesRoot; string pieceCid; string payloadCid; uint64 pieceSize; uint64 carSize; uint64 lastBlockTimestamp; uint64 depositCursor; uint64 validatorSetId; }",
  "function submitCheckpoint(Checkpoint cp, bytes[] signatures)",
  "function nextCheckpointIndex() view returns (uint64)",
  "function validatorSetId() view returns (uint64)",
  "function isFinal(uint64 index) view returns (bool)",
  "function setStatus() view returns (uint64 epoch, uint64 setId, uint256 weight, uint256 joining, uint256 leaving)",
]);

/** The rollup's validator set as last read: the epoch, the set in force, weight pending at later boundaries (attoFIL). */
export type ValidatorSetStatus = { epoch: number; setId: number; weight: bigint; joining: bigint; leaving: bigint };

/** The L2 block range of checkpoint `index`: [index·interval + 1, (index+1)·interval]. */
export function checkpointRange(index: number, interval: number): { firstBlock: number; lastBlock: number } {
  return { firstBlock: index * interval + 1, lastBlock: (index + 1) * interval };
}

export type CheckpointSubmitterStats = {
  submittedIndex: number | null;
  finalizedIndex: number | null;
  signatures: number | null;
  failures: number;
};

export class CheckpointSubmitter {
  private readonly opts: CheckpointSubmitterOpts;
  private readonly m: CheckpointSubmitterModules;
  private readonly logger: Logger;
  private readonly collect: CheckpointSignatureCollector;
  private domain: CheckpointDomain | null = null;
  /** The rollup's nextCheckpointIndex as last read (checkpoints below it are accepted). */
  private nextIndex = 0;
  /** Checkpoints below this index are final (finality never reverts except by freezing). */
  private finalCount = 0;
  /** A submission sent but whose receipt was not seen: waited for again rather than sent twice. */
  private inflight: { index: number; hash: Hex } | null = null;
  private failures = 0;
  /** Failed ticks since start, and the signatures the last submitted checkpoint carried (metrics). */
  private failuresTotal = 0;
  private lastSignatures: number | null = null;
  private set: ValidatorSetStatus | null = null;
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private closed = false;

  constructor(
    opts: Partial<CheckpointSubmitterOpts> & Pick<CheckpointSubmitterOpts, "rollup" | "l2ChainId" | "interval">,
    modules: CheckpointSubmitterModules,
  ) {
    if (!Number.isSafeInteger(opts.interval) || opts.interval < 1) {
      throw new RangeError(`Checkpoint interval must be a positive integer, got ${opts.interval}`);
    }
    if (!modules.sign && !modules.collect) {
      throw new TypeError("CheckpointSubmitter needs a `sign` or a `collect` module");
    }
    this.opts = { ...defaultCheckpointSubmitterOpts, ...opts };
    this.m = modules;
    const sign = modules.sign;
    this.collect = modules.collect ?? ((_cp, digest) => sign!(digest));
    this.logger = (modules.logger ?? nullLogger).child({ module: "checkpointSubmitter" });
    modules.signal?.addEventListener("abort", () => this.stop(), { once: true });
    if (modules.signal?.aborted) this.stop();
  }

  /** L2 blocks per checkpoint. */
  get interval(): number {
    return this.opts.interval;
  }

  /** The last L2 block covered by an accepted checkpoint (as of the last read of the rollup). */
  checkpointedBlock(): number {
    return this.nextIndex * this.opts.interval;
  }

  /** The last L2 block covered by a final checkpoint (as of the last tick). */
  finalizedBlock(): number {
    return this.finalCount * this.opts.interval;
  }

  /** The validator set as of the last successful tick (null before one). */
  get validatorSet(): ValidatorSetStatus | null {
    return this.set;
  }

  /**
   * For the node's metrics: the last accepted and the last final checkpoint's index (null before
   * one), the signatures the last checkpoint this node submitted carried, failed ticks since start.
   */
  get stats(): CheckpointSubmitterStats {
    return {
      submittedIndex: this.nextIndex > 0 ? this.nextIndex - 1 : null,
      finalizedIndex: this.finalCount > 0 ? this.finalCount - 1 : null,
      signatures: this.lastSignatures,
      failures: this.failuresTotal,
    };
  }

  /** Consecutive failed ticks (0 after a success). */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** The wait before the next scheduled tick: the poll interval, doubled per consecutive failure, capped. */
  get nextDelayMs(): number {
    if (this.failures === 0) return this.opts.pollIntervalMs;
    return Math.min(this.opts.pollIntervalMs * 2 ** Math.min(this.failures, 30), this.opts.maxBackoffMs);
  }

  /** Tick once, then keep ticking. Never throws; idempotent. */
  async start(): Promise<void> {
    if (this.started || this.closed) return;
    this.started = true;
    await this.tick();
    this.schedule();
  }

  /** Stop ticking; an in-flight submission finishes first. Idempotent. */
  close(): Promise<void> {
    this.stop();
    return this.running ?? Promise.resolve();
  }

  private stop(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** One step: submit every checkpoint that is due, in index order. Never throws (failures are logged). */
  tick(): Promise<void> {
    this.running ??= this.step()
      .then(() => {
        this.failures = 0;
      })
      .catch((err: unknown) => {
        this.failures++;
        this.failuresTotal++;
        this.logger.warn(
          "Checkpoint submission failed; retrying",
          { failures: this.failures, retryInMs: this.nextDelayMs, nextIndex: this.nextIndex },
          err,
        );
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => {
      void this.tick().finally(() => this.schedule());
    }, this.nextDelayMs);
  }

  private async readNextIndex(): Promise<number> {
    const next = await this.m.publicClient.readContract({
      address: this.opts.rollup,
      abi: checkpointSubmitterAbi,
      functionName: "nextCheckpointIndex",
    });
    this.nextIndex = Number(next);
    return this.nextIndex;
  }

  private async getDomain(): Promise<CheckpointDomain> {
    this.domain ??= {
      l1ChainId: await this.m.publicClient.getChainId(),
      rollup: this.opts.rollup,
      l2ChainId: this.opts.l2ChainId,
    };
    return this.domain;
  }

  private async step(): Promise<void> {
    const domain = await this.getDomain();
    for (;;) {
      const index = await this.readNextIndex();
      const { firstBlock, lastBlock } = checkpointRange(index, this.opts.interval);
      if (this.inflight && this.inflight.index < index) this.inflight = null;
      if (this.closed || this.m.chain.headNumber() < lastBlock) break;
      try {
        if (this.inflight && (await this.awaitInflight())) continue;
        await this.submit(index, firstBlock, lastBlock, domain);
      } catch (err) {
        // Another instance (or our own earlier, crashed attempt) may have landed this index.
        if ((await this.readNextIndex()) > index) {
          this.logger.info("Checkpoint already on the rollup", { index });
          continue;
        }
        throw err;
      }
    }
    await this.updateFinal();
    const [epoch, setId, weight, joining, leaving] = await this.m.publicClient.readContract({
      address: this.opts.rollup,
      abi: checkpointSubmitterAbi,
      functionName: "setStatus",
    });
    this.set = { epoch: Number(epoch), setId: Number(setId), weight, joining, leaving };
  }

  private async submit(index: number, firstBlock: number, lastBlock: number, domain: CheckpointDomain): Promise<void> {
    const headers: BlockHeader[] = [];
    for (let n = firstBlock; n <= lastBlock; n++) {
      const h = await this.m.chain.header(n);
      if (!h) {
        throw new L1Error(
          L1ErrorCode.MISSING_L2_BLOCK,
          `L2 block ${n} is not in the chain though the head is past it`,
          {
            details: { index, firstBlock, lastBlock },
          },
        );
      }
      headers.push(h);
    }
    const first = headers[0]!;
    const header = headers[headers.length - 1]!;
    const validatorSetId = await this.m.publicClient.readContract({
      address: this.opts.rollup,
      abi: checkpointSubmitterAbi,
      functionName: "validatorSetId",
    });
    const batch = this.m.batch
      ? await this.m.batch(index, firstBlock, lastBlock)
      : { pieceCid: "", payloadCid: "", pieceSize: 0, carSize: 0 };
    const cp: Checkpoint = {
      chainId: this.opts.l2ChainId,
      index,
      firstBlock,
      lastBlock,
      parentHash: first.parentHash,
      lastBlockHash: blockHash(header),
      stateRoot: header.stateRoot,
      withdrawalsRoot: header.withdrawalsRoot,
      blockHashesRoot: blockHashesRoot(headers),
      pieceCid: batch.pieceCid,
      payloadCid: batch.payloadCid,
      pieceSize: batch.pieceSize,
      carSize: batch.carSize,
      lastBlockTimestamp: header.timestamp,
      depositCursor: header.l1DepositNonce,
      validatorSetId: Number(validatorSetId),
    };
    const digest = toHex(checkpointDigest(cp, domain)) as Hex;
    const signatures = orderCheckpointSignatures(
      cp,
      domain,
      (await this.collect(cp, digest)).map((s) => hexToBytes(s)),
    ).map((s) => toHex(s) as Hex);
    const hash = await this.m.walletClient.writeContract({
      account: this.m.account,
      chain: this.m.walletClient.chain ?? null,
      address: this.opts.rollup,
      abi: checkpointSubmitterAbi,
      functionName: "submitCheckpoint",
      args: [checkpointToAbi(cp), signatures],
    });
    this.inflight = { index, hash };
    await this.awaitReceipt(index, hash);
    this.lastSignatures = signatures.length;
    this.logger.info("Checkpoint submitted", { index, firstBlock, lastBlock, tx: hash });
  }

  /**
   * The transaction of an earlier attempt at this index: true once it is mined and accepted; false
   * if the node no longer knows it (dropped), so the checkpoint is built and sent again.
   */
  private async awaitInflight(): Promise<boolean> {
    const { index, hash } = this.inflight!;
    try {
      await this.m.publicClient.getTransaction({ hash });
    } catch (err) {
      if (!(err instanceof TransactionNotFoundError)) throw err;
      this.logger.warn("Checkpoint transaction dropped; sending again", { index, tx: hash });
      this.inflight = null;
      return false;
    }
    await this.awaitReceipt(index, hash);
    return true;
  }

  private async awaitReceipt(index: number, hash: Hex): Promise<void> {
    const receipt = await this.m.publicClient.waitForTransactionReceipt({
      hash,
      timeout: this.opts.receiptTimeoutMs,
    });
    this.inflight = null;
    if (receipt.status !== "success") {
      throw new L1Error(L1ErrorCode.TRANSACTION_FAILED, `Checkpoint ${index} transaction ${hash} reverted`, {
        details: { index, tx: hash },
      });
    }
    this.nextIndex = index + 1;
  }

  private async updateFinal(): Promise<void> {
    while (this.finalCount < this.nextIndex) {
      const final = await this.m.publicClient.readContract({
        address: this.opts.rollup,
        abi: checkpointSubmitterAbi,
        functionName: "isFinal",
        args: [BigInt(this.finalCount)],
      });
      if (!final) break;
      this.finalCount++;
    }
  }
}
