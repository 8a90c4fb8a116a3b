/**
 * The PDP storage backend (Calibration and mainnet): a batch piece is uploaded to a Filecoin Warm
 * Storage provider and added to a PDP data set through @filoz/synapse-sdk, then followed until the
 * data set proves it. See docs/storage-pdp-draft.md for the configuration, the wallet and the states.
 */
import { calibration, mainnet, SIZE_CONSTANTS, Synapse, type SynapseOptions } from "@filoz/synapse-sdk";
import { getChainConfig } from "@filverse/params";
import { type Logger, nullLogger, toHex } from "@filverse/utils";
import { http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { FilecoinError, FilecoinErrorCode } from "../errors.js";
import type { BatchPiece, DealRecord, DealState, StorageBackend } from "./types.js";

export const PDP_BACKEND_NAME = "pdp";
/**
 * The SDK's data-set namespace (`source` metadata). Data sets are only reused when it matches, so
 * Filverse never adds pieces to the wallet's data sets of another application.
 */
export const PDP_SOURCE = "filverse";
/** Pieces whose replica providers are remembered (so the next replica goes elsewhere); oldest dropped first. */
const MAX_TRACKED_PIECES = 1024;
/**
 * How long the wallet's data-set list is reused across refreshes: one Filecoin epoch (30 s), the
 * chain's own granularity. Listing costs several RPC calls per data set.
 */
const DATA_SETS_TTL_MS = 30_000;
/** SDK error text kept in our error details; its messages nest every cause and can run long. */
const MAX_CAUSE_CHARS = 600;

export type PdpNetwork = "calibration" | "mainnet";

export type PdpBackendConfig = {
  network: PdpNetwork;
  /** Filecoin JSON-RPC endpoint (http or https). Default: the SDK's public endpoint for `network`. */
  rpcUrl?: string;
  /** The storage wallet's secp256k1 key (0x + 64 hex digits, or 32 bytes). It pays; it is never logged. */
  privateKey: string | Uint8Array;
  /** Store at this provider (its id in the SP registry). Default: the SDK picks an approved one. */
  providerId?: number | bigint | string;
  /** The same as `providerId`, named by the provider's 0x address. */
  providerAddress?: string;
  /** Add pieces to this data set of the wallet (it fixes the provider). Default: the SDK reuses or creates one. */
  dataSetId?: number | bigint | string;
  /** Ask for FilBeam CDN retrieval on new data sets (costs more). Default false. */
  withCDN?: boolean;
  /**
   * Make the deposit and operator approval the SDK computes before an upload (spends USDFC from the
   * wallet). Default false: an unready wallet fails the upload with FILECOIN_WALLET_NOT_READY.
   */
  autoFund?: boolean;
};

const CONFIG_KEYS = [
  "network",
  "rpcUrl",
  "privateKey",
  "providerId",
  "providerAddress",
  "dataSetId",
  "withCDN",
  "autoFund",
] as const;

/** A Piece CID as the SDK hands it back (a multiformats CID); only its string form is read. */
export type PdpPieceCid = { toString(): string };

/**
 * The part of the SDK's `StorageContext` (one provider, one data set) this backend calls. Declared
 * structurally so tests can observe the SDK boundary; `Synapse.create` must satisfy it (checked below).
 */
export type PdpStorageContext = {
  readonly dataSetId: bigint | undefined;
  readonly provider: { id: bigint; serviceProvider: string; pdp: { serviceURL: string } };
  store(data: Uint8Array, options?: { signal?: AbortSignal }): Promise<{ pieceCid: PdpPieceCid; size: number }>;
  commit(options: {
    pieces: Array<{ pieceCid: PdpPieceCid }>;
  }): Promise<{ txHash: string; pieceIds: bigint[]; dataSetId: bigint; isNewDataSet: boolean }>;
  getScheduledRemovals(): Promise<readonly bigint[]>;
  pieceStatus(options: { pieceCid: string }): Promise<PdpPieceStatus | null>;
};

/** The SDK's `PieceStatus`, as far as it is read here. */
export type PdpPieceStatus = {
  dataSetNextProofDue: Date | null;
  dataSetLastProven: Date | null;
  pieceId?: bigint;
  isProofOverdue?: boolean;
};

export type PdpStorageManager = {
  createContext(options?: {
    providerId?: bigint;
    dataSetId?: bigint;
    excludeProviderIds?: bigint[];
    withCDN?: boolean;
  }): Promise<PdpStorageContext>;
  prepare(options: { context?: PdpStorageContext | PdpStorageContext[]; dataSize: bigint }): Promise<{
    costs: { depositNeeded: bigint; needsFwssMaxApproval: boolean; ready: boolean };
    transaction: {
      depositAmount: bigint;
      includesApproval: boolean;
      execute(): Promise<{ hash: string }>;
    } | null;
  }>;
  findDataSets(): Promise<Array<{ pdpVerifierDataSetId: bigint; isLive: boolean; pdpEndEpoch: bigint }>>;
};

/** The part of the SDK's `Synapse` this backend calls. */
export type PdpSynapse = {
  readonly client: { getChainId(): Promise<number>; readonly account: { readonly address: string } };
  readonly storage: PdpStorageManager;
  getProviderInfo(providerAddress: `0x${string}`): Promise<{ id: bigint }>;
};

export type PdpBackendDeps = {
  /**
   * The SDK entry point. Default `Synapse.create`; tests inject one to observe the exact call, since
   * no PDP provider is reachable from them.
   */
  createSynapse?: (options: SynapseOptions) => PdpSynapse;
  logger?: Logger | null;
};

const defaultCreateSynapse = (options: SynapseOptions): PdpSynapse => Synapse.create(options);

const SDK_CHAINS = { calibration, mainnet } as const;
const REF_PATTERN = /^dataSet\/(\d+)\/piece\/(\d+)$/;
const STATE_RANK: Record<DealState, number> = { proposed: 0, published: 1, active: 2, failed: 3, expired: 3 };

type ParsedConfig = {
  network: PdpNetwork;
  rpcUrl: string | undefined;
  privateKey: `0x${string}`;
  providerId: bigint | undefined;
  providerAddress: `0x${string}` | undefined;
  dataSetId: bigint | undefined;
  withCDN: boolean;
  autoFund: boolean;
};

/**
 * Create the PDP backend: check the config, create the SDK client and check that the RPC serves the
 * configured network (so a wrong or unreachable endpoint fails here, not at the first checkpoint).
 */
export async function createPdpBackend(config: PdpBackendConfig, deps: PdpBackendDeps = {}): Promise<StorageBackend> {
  const cfg = parsePdpConfig(config);
  const log = (deps.logger ?? nullLogger).child({ module: "pdp" });
  const redact = makeRedactor(cfg.privateKey, cfg.rpcUrl);
  const chain = SDK_CHAINS[cfg.network];
  const rpc = cfg.rpcUrl === undefined ? "the SDK's default endpoint" : urlOrigin(cfg.rpcUrl);

  let synapse: PdpSynapse;
  try {
    synapse = (deps.createSynapse ?? defaultCreateSynapse)({
      chain,
      transport: http(cfg.rpcUrl),
      account: privateKeyToAccount(cfg.privateKey),
      withCDN: cfg.withCDN,
      source: PDP_SOURCE,
    });
  } catch (cause) {
    throw sdkError("create the SDK client", cause, redact, { network: cfg.network });
  }

  let chainId: number;
  try {
    chainId = await synapse.client.getChainId();
  } catch (cause) {
    throw sdkError(`reach the ${cfg.network} RPC at ${rpc}`, cause, redact, { network: cfg.network, rpc });
  }
  if (chainId !== chain.id) {
    throw new FilecoinError(FilecoinErrorCode.BAD_CONFIG, `rpcUrl serves chain ${chainId}, not ${cfg.network}`, {
      details: { key: "rpcUrl", rpc, chainId, expectedChainId: chain.id },
    });
  }

  const backend = new PdpBackend(cfg, synapse, log, redact);
  log.info("pdp backend ready", { network: cfg.network, wallet: synapse.client.account.address, rpc });
  return backend;
}

class PdpBackend implements StorageBackend {
  readonly name = PDP_BACKEND_NAME;
  private synapse: PdpSynapse | null;
  private readonly abort = new AbortController();
  /** Contexts by data set id, so refresh does not resolve the data set and provider each time. */
  private readonly contexts = new Map<bigint, PdpStorageContext>();
  /** Providers already holding a replica of a piece (by Piece CID), excluded for its next replica. */
  private readonly holders = new Map<string, Set<bigint>>();
  private resolvedProviderId: bigint | undefined;
  private dataSets: { at: number; list: Awaited<ReturnType<PdpStorageManager["findDataSets"]>> } | null = null;

  constructor(
    private readonly cfg: ParsedConfig,
    synapse: PdpSynapse,
    private readonly log: Logger,
    private readonly redact: (text: string) => string,
  ) {
    this.synapse = synapse;
    this.resolvedProviderId = cfg.providerId;
  }

  async store(piece: BatchPiece, bytes: () => Promise<Uint8Array>): Promise<DealRecord> {
    const synapse = this.open();
    const data = await bytes();
    checkPieceBytes(piece, data);
    const at = { pieceCid: piece.pieceCid, checkpointIndex: piece.checkpointIndex };

    const ctx = await this.step("store", "choose a provider and data set", at, async () =>
      synapse.storage.createContext(await this.contextOptions(synapse, piece.pieceCid)),
    );
    const where = { ...at, providerId: ctx.provider.id.toString(), dataSetId: ctx.dataSetId?.toString() ?? null };
    await this.ensureFunded(synapse, ctx, data.length, where);

    const stored = await this.step("store", `upload to ${ctx.provider.pdp.serviceURL}`, where, () =>
      ctx.store(data, { signal: this.abort.signal }),
    );
    // The SDK computes CommP over the stream itself (no pieceCid is passed in), so this compares an
    // independent computation with ours before anything is committed on chain.
    const reported = stored.pieceCid.toString();
    if (reported !== piece.pieceCid || stored.size !== data.length) {
      throw new FilecoinError(FilecoinErrorCode.PIECE_MISMATCH, "The PDP upload reports another piece than the batch", {
        details: { ...where, reportedPieceCid: reported, reportedSize: stored.size, carSize: data.length },
        metaMessages: ["Nothing was committed on chain; the provider drops unreferenced uploads."],
      });
    }

    const committed = await this.step("store", "add the piece to a data set", where, () =>
      ctx.commit({ pieces: [{ pieceCid: stored.pieceCid }] }),
    );
    const pieceId = committed.pieceIds[0];
    if (pieceId === undefined) {
      throw new FilecoinError(FilecoinErrorCode.BACKEND_FAILED, "The PDP commit reported no piece id", {
        details: { ...where, txHash: committed.txHash },
      });
    }
    this.contexts.set(committed.dataSetId, ctx);
    if (committed.isNewDataSet) this.dataSets = null;
    this.rememberHolder(piece.pieceCid, ctx.provider.id);
    this.log.info("pdp piece added", {
      ...where,
      dataSetId: committed.dataSetId.toString(),
      pieceId: pieceId.toString(),
      newDataSet: committed.isNewDataSet,
      txHash: committed.txHash,
    });
    return {
      backend: PDP_BACKEND_NAME,
      pieceCid: piece.pieceCid,
      ref: `dataSet/${committed.dataSetId}/piece/${pieceId}`,
      provider: ctx.provider.pdp.serviceURL,
      // The SDK returns once the add-pieces transaction is confirmed: the piece is in the data set on
      // chain, the analogue of a published deal. It becomes active once the data set is proving.
      state: "published",
      dealId: pieceId.toString(),
      reason: null,
      updatedAt: Date.now(),
    };
  }

  async refresh(record: DealRecord): Promise<DealRecord> {
    const synapse = this.open();
    if (record.state === "failed" || record.state === "expired") return record;
    const { dataSetId, pieceId } = parseRef(record);
    const at = { pieceCid: record.pieceCid, dataSetId: dataSetId.toString(), pieceId: pieceId.toString() };

    const cached = this.dataSets !== null && Date.now() - this.dataSets.at <= DATA_SETS_TTL_MS;
    let dataSet = (cached ? this.dataSets!.list : await this.listDataSets(synapse, at)).find(
      (d) => d.pdpVerifierDataSetId === dataSetId,
    );
    // A data set missing from a cached list may be newer than the list: ask again before expiring.
    if (dataSet === undefined && cached) {
      dataSet = (await this.listDataSets(synapse, at)).find((d) => d.pdpVerifierDataSetId === dataSetId);
    }
    if (dataSet === undefined) return advance(record, "expired", `data set ${dataSetId} is no longer the wallet's`);
    if (!dataSet.isLive) return advance(record, "expired", `data set ${dataSetId} was deleted`);
    if (dataSet.pdpEndEpoch > 0n) {
      return advance(
        record,
        "expired",
        `data set ${dataSetId} terminated (proving ends at epoch ${dataSet.pdpEndEpoch})`,
      );
    }

    let ctx = this.contexts.get(dataSetId);
    if (ctx === undefined) {
      ctx = await this.step("refresh", "open the data set", at, () => synapse.storage.createContext({ dataSetId }));
      this.contexts.set(dataSetId, ctx);
    }
    const context = ctx;
    const removals = await this.step("refresh", "read scheduled removals", at, () => context.getScheduledRemovals());
    if (removals.includes(pieceId)) return advance(record, "expired", `piece ${pieceId} is scheduled for removal`);
    const status = await this.step("refresh", "read the piece status", at, () =>
      context.pieceStatus({ pieceCid: record.pieceCid }),
    );
    if (status === null) return advance(record, "expired", `piece is no longer in data set ${dataSetId}`);
    if (status.dataSetNextProofDue === null) return advance(record, "published", null);
    if (status.isProofOverdue === true) {
      // The provider missed its proving deadline; PDP faults it. Not a state change by itself.
      return advance(record, record.state, `data set ${dataSetId} is overdue on its proof`);
    }
    return advance(record, "active", null);
  }

  async close(): Promise<void> {
    if (this.synapse === null) return;
    this.abort.abort();
    this.synapse = null;
    this.contexts.clear();
    this.holders.clear();
    this.dataSets = null;
  }

  private async listDataSets(synapse: PdpSynapse, at: Record<string, unknown>) {
    const list = await this.step("refresh", "list the wallet's data sets", at, () => synapse.storage.findDataSets());
    this.dataSets = { at: Date.now(), list };
    return list;
  }

  private open(): PdpSynapse {
    if (this.synapse === null) throw new FilecoinError(FilecoinErrorCode.CLOSED, "The PDP backend is closed");
    return this.synapse;
  }

  private async contextOptions(synapse: PdpSynapse, pieceCid: string) {
    const { dataSetId, providerAddress, withCDN } = this.cfg;
    if (this.resolvedProviderId === undefined && providerAddress !== undefined) {
      const info = await synapse.getProviderInfo(providerAddress);
      if (this.cfg.providerId !== undefined && info.id !== this.cfg.providerId) {
        throw new FilecoinError(FilecoinErrorCode.BAD_CONFIG, "providerAddress and providerId name two providers", {
          details: { providerAddress, providerId: this.cfg.providerId.toString(), registryId: info.id.toString() },
        });
      }
      this.resolvedProviderId = info.id;
    }
    const providerId = this.resolvedProviderId;
    const pinned = providerId !== undefined || dataSetId !== undefined;
    const holders = this.holders.get(pieceCid);
    return {
      withCDN,
      ...(providerId === undefined ? {} : { providerId }),
      ...(dataSetId === undefined ? {} : { dataSetId }),
      ...(pinned || holders === undefined ? {} : { excludeProviderIds: [...holders] }),
    };
  }

  private async ensureFunded(
    synapse: PdpSynapse,
    ctx: PdpStorageContext,
    size: number,
    where: Record<string, unknown>,
  ) {
    const prep = await this.step("store", "compute the deposit and approval needed", where, () =>
      synapse.storage.prepare({ context: ctx, dataSize: BigInt(size) }),
    );
    const tx = prep.transaction;
    if (tx === null) return;
    const need = {
      wallet: synapse.client.account.address,
      depositNeeded: prep.costs.depositNeeded.toString(),
      needsOperatorApproval: prep.costs.needsFwssMaxApproval,
    };
    if (!this.cfg.autoFund) {
      throw new FilecoinError(
        FilecoinErrorCode.WALLET_NOT_READY,
        "The storage wallet is not ready to pay for PDP storage",
        {
          details: { ...where, ...need },
          metaMessages: [
            "Deposit USDFC into Filecoin Pay and approve the Warm Storage operator (synapse.storage.prepare()",
            "computes both), keep FIL for gas, or set `autoFund: true` to let the node do it.",
          ],
        },
      );
    }
    const { hash } = await this.step("store", "fund the wallet", where, () => tx.execute());
    this.log.info("pdp wallet funded", { ...where, ...need, depositAmount: tx.depositAmount.toString(), txHash: hash });
  }

  private rememberHolder(pieceCid: string, providerId: bigint) {
    let set = this.holders.get(pieceCid);
    if (set === undefined) {
      if (this.holders.size >= MAX_TRACKED_PIECES) this.holders.delete(this.holders.keys().next().value as string);
      set = new Set();
      this.holders.set(pieceCid, set);
    }
    set.add(providerId);
  }

  /** Run one SDK call; its failure becomes a FilecoinError naming the step and the cause. */
  private async step<T>(
    action: string,
    step: string,
    where: Record<string, unknown>,
    fn: () => Promise<T>,
  ): Promise<T> {
    try {
      return await fn();
    } catch (cause) {
      if (cause instanceof FilecoinError) throw cause;
      if (this.abort.signal.aborted) {
        throw new FilecoinError(FilecoinErrorCode.CLOSED, `PDP ${action} stopped: the backend was closed`, {
          details: { ...where, step },
        });
      }
      const err = sdkError(`${step}`, cause, this.redact, { ...where, action });
      this.log.warn(`pdp ${action} failed`, { ...where, step, cause: err.details.cause });
      throw err;
    }
  }
}

/** Move a record forward only: a terminal state sticks, and a lower rank never replaces a higher one. */
function advance(record: DealRecord, state: DealState, reason: string | null): DealRecord {
  if (STATE_RANK[state] < STATE_RANK[record.state]) return record;
  if (state === record.state) return reason === record.reason ? record : { ...record, reason };
  return { ...record, state, reason, updatedAt: Date.now() };
}

function parseRef(record: DealRecord): { dataSetId: bigint; pieceId: bigint } {
  const m = REF_PATTERN.exec(record.ref);
  if (record.backend !== PDP_BACKEND_NAME || m === null) {
    throw new FilecoinError(FilecoinErrorCode.BAD_RECORD, "Not a PDP deal record", {
      details: { backend: record.backend, ref: record.ref, expected: "dataSet/<id>/piece/<id>" },
    });
  }
  return { dataSetId: BigInt(m[1]!), pieceId: BigInt(m[2]!) };
}

function checkPieceBytes(piece: BatchPiece, data: Uint8Array) {
  if (data.length !== piece.carSize) {
    throw new FilecoinError(FilecoinErrorCode.PIECE_MISMATCH, "The CAR bytes differ in length from the batch piece", {
      details: { pieceCid: piece.pieceCid, carSize: piece.carSize, bytes: data.length },
    });
  }
  const { MIN_UPLOAD_SIZE, MAX_UPLOAD_SIZE } = SIZE_CONSTANTS;
  if (data.length < MIN_UPLOAD_SIZE || data.length > MAX_UPLOAD_SIZE) {
    throw new FilecoinError(
      FilecoinErrorCode.PIECE_SIZE,
      `A PDP upload must be ${MIN_UPLOAD_SIZE}..${MAX_UPLOAD_SIZE} bytes`,
      {
        details: { pieceCid: piece.pieceCid, bytes: data.length },
      },
    );
  }
}

/** An SDK/viem failure as a FilecoinError: the cause's message, with the key and RPC URL scrubbed. */
function sdkError(
  what: string,
  cause: unknown,
  redact: (text: string) => string,
  details: Record<string, unknown>,
): FilecoinError {
  const raw = cause instanceof Error ? cause.message : String(cause);
  const text = redact(raw);
  const short = text.length > MAX_CAUSE_CHARS ? `${text.slice(0, MAX_CAUSE_CHARS)}…` : text;
  const name = cause instanceof Error ? cause.name : "Error";
  // Keep the original error (its stack and nested causes) unless it carried something we scrubbed.
  const safeCause = text === raw ? cause : Object.assign(new Error(text), { name });
  return new FilecoinError(FilecoinErrorCode.BACKEND_FAILED, `PDP backend could not ${what}`, {
    cause: safeCause,
    details: { ...details, cause: `${name}: ${short}` },
  });
}

/**
 * Removes the private key (any case, with or without 0x) from text, and the RPC URL's credentials,
 * path and query (where providers put API tokens); the URL's origin stays, to say which endpoint failed.
 */
function makeRedactor(privateKey: `0x${string}`, rpcUrl: string | undefined): (text: string) => string {
  const secrets = [privateKey.slice(2)];
  if (rpcUrl !== undefined) {
    const url = new URL(rpcUrl);
    if (url.pathname.length > 1 || url.search !== "") secrets.push(`${url.pathname}${url.search}`);
    if (url.username !== "") secrets.push(url.username);
    if (url.password !== "") secrets.push(url.password);
  }
  const pattern = new RegExp(
    secrets
      .sort((a, b) => b.length - a.length)
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join("|"),
    "gi",
  );
  return (text) => text.replace(pattern, "[redacted]");
}

function urlOrigin(url: string): string {
  return new URL(url).origin;
}

function badConfig(key: string, shortMessage: string, details: Record<string, unknown> = {}): FilecoinError {
  return new FilecoinError(FilecoinErrorCode.BAD_CONFIG, shortMessage, { details: { key, ...details } });
}

/** Check a PDP config; every problem is a FILECOIN_BAD_CONFIG naming the key (never the key's value). */
export function parsePdpConfig(config: PdpBackendConfig): ParsedConfig {
  if (typeof config !== "object" || config === null) throw badConfig("pdp", "The PDP config must be an object");
  const unknown = Object.keys(config).filter((k) => !(CONFIG_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw badConfig(unknown[0]!, `Unknown PDP config key "${unknown[0]}"`, { known: CONFIG_KEYS.join(", ") });
  }

  const network = config.network as unknown;
  if (network !== "calibration" && network !== "mainnet") {
    throw new FilecoinError(FilecoinErrorCode.BAD_CONFIG, 'PDP network must be "calibration" or "mainnet"', {
      details: { key: "network", value: String(network) },
      metaMessages: ["A devnet stores batches through the DealClient backend."],
    });
  }
  // The SDK's chain definitions and the Filverse presets must name the same Filecoin chains.
  if (SDK_CHAINS[network].id !== getChainConfig(network).l1ChainId) {
    throw badConfig("network", `The SDK's ${network} chain is not the one the ${network} preset settles on`);
  }

  let rpcUrl: string | undefined;
  if (config.rpcUrl !== undefined) {
    let url: URL | null = null;
    try {
      url = typeof config.rpcUrl === "string" ? new URL(config.rpcUrl) : null;
    } catch {}
    if (url === null || (url.protocol !== "http:" && url.protocol !== "https:")) {
      throw badConfig("rpcUrl", "PDP rpcUrl must be an http(s) URL");
    }
    rpcUrl = config.rpcUrl;
  }

  const privateKey = parsePrivateKey(config.privateKey);
  const providerId = parseId("providerId", config.providerId);
  const dataSetId = parseId("dataSetId", config.dataSetId);
  let providerAddress: `0x${string}` | undefined;
  if (config.providerAddress !== undefined) {
    if (typeof config.providerAddress !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(config.providerAddress)) {
      throw badConfig("providerAddress", "PDP providerAddress must be a 0x address (20 bytes)", {
        value: String(config.providerAddress),
      });
    }
    providerAddress = config.providerAddress as `0x${string}`;
  }
  for (const key of ["withCDN", "autoFund"] as const) {
    if (config[key] !== undefined && typeof config[key] !== "boolean") {
      throw badConfig(key, `PDP ${key} must be true or false`, { value: String(config[key]) });
    }
  }
  return {
    network,
    rpcUrl,
    privateKey,
    providerId,
    providerAddress,
    dataSetId,
    withCDN: config.withCDN ?? false,
    autoFund: config.autoFund ?? false,
  };
}

function parsePrivateKey(value: unknown): `0x${string}` {
  const hex = value instanceof Uint8Array && value.length === 32 ? toHex(value) : value;
  if (typeof hex !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(hex)) {
    throw badConfig("privateKey", "PDP privateKey must be 32 bytes (0x + 64 hex digits)");
  }
  try {
    privateKeyToAccount(hex as `0x${string}`);
  } catch {
    // viem's message may quote the key; say only what is wrong.
    throw badConfig("privateKey", "PDP privateKey is not a valid secp256k1 private key");
  }
  return hex.toLowerCase() as `0x${string}`;
}

function parseId(key: string, value: unknown): bigint | undefined {
  if (value === undefined) return undefined;
  const ok =
    (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) ||
    (typeof value === "bigint" && value >= 0n) ||
    (typeof value === "string" && /^\d{1,78}$/.test(value));
  if (!ok) throw badConfig(key, `PDP ${key} must be a non-negative integer`, { value: String(value) });
  return BigInt(value as number | bigint | string);
}
