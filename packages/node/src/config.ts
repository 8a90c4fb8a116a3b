/**
 * Node configuration on disk: `filverse.json` in the data dir, the sequencer key file (mode 0600)
 * and, on a devnet, the dev accounts file (0600). `filverse init` writes them; the node reads them.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { privateKeyToAddress } from "@filverse/crypto";
import { DepositWatcher } from "@filverse/l1";
import { type ChainConfig, type ChainPreset, getChainConfig } from "@filverse/params";
import { createGenesis } from "@filverse/state";
import { BlockHeader, blockHash } from "@filverse/types";
import { fromHex, isHex, type Logger, toHex } from "@filverse/utils";
import type { PublicClient } from "viem";
import { ConfigError, ConfigErrorCode } from "./errors.js";
import { type CheckpointFillOpts, defaultCheckpointFill } from "./sequencer/checkpointFill.js";
import { JsonRpcClient } from "./sync/blockSource.js";

/**
 * The chain overrides as `filverse.json` holds them: JSON has no bigint, so `minTxFee` is a decimal
 * string on disk. `chainConfigOf` gives them their types, once, when a node loads its config.
 */
export type ChainOverridesJson = Partial<Omit<ChainConfig, "preset" | "minTxFee">> & { minTxFee?: string };

export type NodeConfigFile = {
  preset: ChainPreset;
  /** Overrides of the preset (block time, limits, fees). */
  chain: ChainOverridesJson;
  genesis: { chainId: number; timestamp: number };
  rpc: {
    host: string;
    port: number;
    /** Per-client request rate; null disables it (benchmarks only). Default 500/s, burst 1000. */
    rateLimit?: { requestsPerSecond: number; burst: number } | null;
    /**
     * Serve the web explorer (docs/explorer.md) at `/` on this port. Default: on for the devnet
     * preset, off for the others (a public endpoint opts in).
     */
    explorer?: boolean;
  };
  /**
   * When the sequencer seals empty blocks to complete a checkpoint range (docs/checkpoints.md, "When
   * a checkpoint is made"): a withdrawal waiting `withdrawalDelaySec`, or the range's first block
   * `maxAgeSec` old. A field left out takes the preset's default (devnet 0 and null, calibration 600
   * and null, mainnet 3600 and null); null turns its rule off. Only a node with `l1.rollup` checkpoints.
   */
  checkpoints?: { withdrawalDelaySec?: number | null; maxAgeSec?: number | null };
  /** Recover signatures on a worker pool (default true); false keeps everything on the main thread. */
  workerPool?: boolean;
  /**
   * Past states kept in memory for proofs and reads at recent blocks (default 256). Each holds the
   * tree nodes its block rewrote: about 1.5 KB per transaction under load, so 256 blocks of 2,500
   * transactions hold about 900 MB. Lower it on a node with little memory.
   */
  stateHistory?: number;
  /**
   * The L1 the bridge lives on. With it, deposits come from the bridge's final `Deposited` logs
   * (the deposit watcher); without it (a devnet alone), the dev faucet funds the dev accounts.
   */
  l1?: {
    rpcUrl: string;
    chainId: number;
    bridge: `0x${string}`;
    rollup?: `0x${string}`;
    /** The block the bridge was deployed at. */
    startBlock: number;
    /** Used where the L1 has no `finalized` tag. */
    confirmations?: number;
    pollIntervalMs?: number;
  } | null;
  /**
   * Batch data on Filecoin (docs/storage.md). With `l1.rollup` set, every checkpoint's blocks are
   * packed into a CAR whose Piece CID goes into the checkpoint; pieces are kept in `pieceDir` and
   * served at `GET /piece/{pieceCid}` on the RPC port. With a `backend`, each checkpointed batch is
   * also stored on Filecoin (deals through FilverseDealClient, or PDP), and transactions move to
   * `stored` once their batch has an active deal.
   */
  storage?: {
    /** Relative to the data dir. Default "pieces". */
    pieceDir?: string;
    /** The base URL providers fetch pieces from (deals' location_ref). Default: the RPC URL. */
    publicUrl?: string | null;
    backend?: "dealclient" | "pdp" | null;
    /** Live replicas per batch. Default 1. */
    replication?: number;
    pollIntervalMs?: number;
    dealClient?: {
      address: `0x${string}`;
      /** Epochs from proposal to deal start. Default 120. */
      startOffsetEpochs?: number;
      /** Deal length in epochs. Default 518,400 (180 days of 30 s epochs). */
      durationEpochs?: number;
    };
    /** PDP through @filoz/synapse-sdk (Calibration, mainnet); see docs/storage.md. */
    pdp?: {
      network: "calibration" | "mainnet";
      rpcUrl?: string;
      /** The storage wallet's key file, relative to the data dir (mode 0600). */
      keyFile: string;
      providerId?: number | string;
      providerAddress?: string;
      dataSetId?: number | string;
      withCDN?: boolean;
      autoFund?: boolean;
    };
  } | null;
  /**
   * Present on a verifier node (`filverse init --verifier`): whose blocks it follows and checks.
   * A verifier never seals; its `keyFile` is its validator key, used only to co-sign checkpoints.
   */
  verifier?: {
    /** The sequencer's address: every block's seal must recover to it, and it is the genesis proposer. */
    sequencer: `0x${string}`;
    /** The sequencer's JSON-RPC: blocks are followed from it and transactions forwarded to it. */
    sequencerRpc: string | null;
    /** How often the sequencer's head is polled. Default 500. */
    followIntervalMs?: number;
    /** A gossiped block stamped more than this before it arrived keeps this node from co-signing its checkpoint. Default 60. */
    maxGossipLagSec?: number;
    /** An L1 key file (0600) that pays for proving equivocation on the rollup; set: evidence is proven automatically. */
    l1KeyFile?: string | null;
    /** Piece servers for `--from-l1` (the sequencer's RPC URL, storage providers); `--piece-url` adds to them. */
    pieceUrls?: string[];
  } | null;
  /**
   * The p2p network (`@filverse/p2p`): a sequencer gossips its blocks and gathers checkpoint
   * signatures from its peers; a verifier imports gossiped blocks and co-signs. Absent: no p2p.
   */
  p2p?: {
    /** Multiaddrs to listen on. Default ["/ip4/127.0.0.1/tcp/0"]. */
    listen?: string[];
    /** Peers to dial at start and keep dialling (multiaddrs ending in /p2p/<PeerId>). */
    bootstrapPeers?: string[];
    /** The libp2p identity key file, relative to the data dir (mode 0600). Default "p2p.key". */
    peerKeyFile?: string;
  } | null;
  /**
   * The fault-proof game (docs/fault-proofs.md): with it, the node plays every game on its chain
   * (defends blocks it holds, counters false claims, resolves) and, `challenge` on, challenges a
   * checkpoint on L1 that re-execution disagrees with. Needs `l1` and an L1 key: a verifier's
   * `verifier.l1KeyFile`, the sequencer's own key. Absent or `enabled: false`: off.
   */
  dispute?: {
    /** The FilverseDisputeGame contract. */
    game: `0x${string}`;
    /** Default true. */
    enabled?: boolean;
    /** Challenge wrong checkpoints (default true); off, the node still defends and counters. */
    challenge?: boolean;
    /** The most this node posts as one bond, attoFIL as a decimal string; a game asking more is not played. Default: no cap. */
    maxBond?: string;
    /** The L1 block the game was deployed at (where its logs start). Default 0. */
    startBlock?: number;
    /** How often the games are read. Default 2000. */
    pollIntervalMs?: number;
  } | null;
  /** Relative to the data dir. */
  keyFile: string;
  /** Devnet only: accounts the dev faucet funds at the first blocks. */
  devAccountsFile: string | null;
  devAccountBalance: string;
};

export const CONFIG_FILE = "filverse.json";
export const DEFAULT_RPC_PORT = 8645;

export type DevAccount = { address: string; privateKey: string };

/** Write a secret file readable by its owner only. */
export function writeSecretFile(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}

export type InitOptions = {
  dataDir: string;
  preset: ChainPreset;
  rpcHost?: string;
  rpcPort?: number;
  devAccounts?: number;
  force?: boolean;
};

/** Create a data dir: a fresh sequencer key, a genesis and a config (and dev accounts on a devnet). */
export function initDataDir(opts: InitOptions): { dir: string; config: NodeConfigFile; address: string } {
  const dir = resolve(opts.dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const configPath = join(dir, CONFIG_FILE);
  if (existsSync(configPath) && !opts.force) {
    throw new ConfigError(ConfigErrorCode.EXISTS, `${configPath} already exists`, {
      metaMessages: ["Pass --force to overwrite it (the chain database is kept; a new genesis will not match it)."],
    });
  }
  const chain = getChainConfig(opts.preset);
  const key = randomBytes(32);
  writeSecretFile(join(dir, "sequencer.key"), `${toHex(key)}\n`);
  let devAccountsFile: string | null = null;
  if (opts.preset === "devnet") {
    const accounts: DevAccount[] = Array.from({ length: opts.devAccounts ?? 10 }, () => {
      const k = randomBytes(32);
      return { address: toHex(privateKeyToAddress(k)), privateKey: toHex(k) };
    });
    devAccountsFile = "dev-accounts.json";
    writeSecretFile(join(dir, devAccountsFile), `${JSON.stringify(accounts, null, 2)}\n`);
  }
  const config: NodeConfigFile = {
    preset: opts.preset,
    chain: {},
    genesis: { chainId: chain.chainId, timestamp: Math.floor(Date.now() / 1000) },
    rpc: { host: opts.rpcHost ?? "127.0.0.1", port: opts.rpcPort ?? DEFAULT_RPC_PORT },
    keyFile: "sequencer.key",
    devAccountsFile,
    devAccountBalance: (10n ** 24n).toString(),
  };
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
  return { dir, config, address: toHex(privateKeyToAddress(key)) };
}

export function loadConfig(dataDir: string): NodeConfigFile {
  const path = join(resolve(dataDir), CONFIG_FILE);
  if (!existsSync(path)) {
    throw new ConfigError(ConfigErrorCode.MISSING, `No ${CONFIG_FILE} in ${resolve(dataDir)}`, {
      metaMessages: ["Run `filverse init --data-dir <dir>` first, or `filverse dev` for a local devnet."],
    });
  }
  try {
    const c = JSON.parse(readFileSync(path, "utf8")) as NodeConfigFile;
    if (!c.genesis || typeof c.genesis.chainId !== "number" || typeof c.keyFile !== "string")
      throw new TypeError("fields missing");
    if (c.dispute && !isHex(c.dispute.game, 20)) {
      throw new TypeError(`dispute.game must be a 20-byte hex address, got ${JSON.stringify(c.dispute.game)}`);
    }
    if (c.dispute?.maxBond !== undefined && !/^[0-9]{1,78}$/.test(c.dispute.maxBond)) {
      throw new TypeError(
        `dispute.maxBond must be attoFIL as a decimal string, got ${JSON.stringify(c.dispute.maxBond)}`,
      );
    }
    if (c.stateHistory !== undefined && !(Number.isInteger(c.stateHistory) && c.stateHistory >= 1)) {
      throw new TypeError(`stateHistory must be an integer ≥ 1, got ${JSON.stringify(c.stateHistory)}`);
    }
    for (const k of ["withdrawalDelaySec", "maxAgeSec"] as const) {
      const v = c.checkpoints?.[k];
      if (v !== undefined && v !== null && !(Number.isSafeInteger(v) && v >= 0))
        throw new TypeError(`checkpoints.${k} must be a whole number of seconds or null, got ${JSON.stringify(v)}`);
    }
    return c;
  } catch (cause) {
    throw new ConfigError(ConfigErrorCode.INVALID, `${path} is not a valid Filverse config`, { cause });
  }
}

/** The checkpoint-fill rule a sequencer runs: the config's `checkpoints` over the preset's defaults. */
/** Whether the node serves the web explorer at `/`: `rpc.explorer` when set, else only on a devnet. */
export function explorerEnabled(config: Pick<NodeConfigFile, "preset" | "rpc">): boolean {
  return config.rpc.explorer ?? config.preset === "devnet";
}

export function checkpointFillOf(config: Pick<NodeConfigFile, "preset" | "checkpoints">): CheckpointFillOpts {
  const d = defaultCheckpointFill[config.preset] ?? defaultCheckpointFill.mainnet;
  const c = config.checkpoints ?? {};
  return {
    withdrawalDelaySec: c.withdrawalDelaySec === undefined ? d.withdrawalDelaySec : c.withdrawalDelaySec,
    maxAgeSec: c.maxAgeSec === undefined ? d.maxAgeSec : c.maxAgeSec,
  };
}

/** Read a key file, refusing one that others can read. */
export function readKeyFile(path: string): Uint8Array {
  const text = readFileSync(path, "utf8").trim();
  if (!isHex(text, 32)) throw new ConfigError(ConfigErrorCode.INVALID, `${path} does not hold a 32-byte hex key`);
  return fromHex(text);
}

export function readDevAccounts(dataDir: string, config: NodeConfigFile): DevAccount[] {
  if (!config.devAccountsFile) return [];
  return JSON.parse(readFileSync(join(resolve(dataDir), config.devAccountsFile), "utf8")) as DevAccount[];
}

/** What a verifier needs to follow a chain: its genesis (hence the sequencer) and consensus parameters. */
export type ChainIdentity = {
  genesis: { chainId: number; timestamp: number };
  sequencer: `0x${string}`;
  genesisHash: `0x${string}`;
  preset: ChainPreset;
  chain: ChainOverridesJson;
};

/**
 * Read a chain's identity from a node's `filverse_getGenesis` and check it: the header must be the
 * empty-state genesis of its chain id, timestamp and proposer (recomputed here), hashing to the
 * hash given. What it cannot prove is that the URL is the real chain's: block 1's parentHash, sealed
 * by the sequencer, must then equal this hash, and the rollup's `sequencer()` this address.
 */
export async function fetchChainIdentity(url: string): Promise<ChainIdentity> {
  const client = new JsonRpcClient({ url, timeoutMs: 10_000 });
  const g = await client.call<{ hash: string; header: unknown; chain: Record<string, unknown> }>("filverse_getGenesis");
  const bad = (why: string, cause?: unknown) =>
    new ConfigError(ConfigErrorCode.INVALID, `${url} does not serve a valid genesis: ${why}`, { cause });
  let header: BlockHeader;
  try {
    header = BlockHeader.fromJson(g?.header, "header");
  } catch (cause) {
    throw bad("the header does not decode", cause);
  }
  const expected = createGenesis(
    { chainId: header.chainId },
    { timestamp: header.timestamp, proposer: header.proposer },
  );
  const hash = toHex(blockHash(expected.header));
  if (toHex(blockHash(header)) !== hash || String(g.hash).toLowerCase() !== hash) {
    throw bad("it is not an empty-state genesis of its chain id, timestamp and proposer");
  }
  const c = g.chain ?? {};
  const preset = String(c.preset) as ChainPreset;
  getChainConfig(preset); // throws for an unknown preset
  const num = (k: string) => {
    const v = c[k];
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw bad(`chain.${k} is not a number`);
    return v;
  };
  if (num("chainId") !== header.chainId) throw bad("chain.chainId is not the header's");
  return {
    genesis: { chainId: header.chainId, timestamp: header.timestamp },
    sequencer: toHex(header.proposer) as `0x${string}`,
    genesisHash: hash as `0x${string}`,
    preset,
    chain: {
      blockTimeMs: num("blockTimeMs"),
      maxBlockTxs: num("maxBlockTxs"),
      maxBlockDeposits: num("maxBlockDeposits"),
      checkpointInterval: num("checkpointInterval"),
      minTxFee: String(c.minTxFee ?? "0"),
    },
  };
}

export type InitVerifierOptions = {
  dataDir: string;
  identity: ChainIdentity;
  /** Followed, and where transactions are forwarded; null for a verifier that only rebuilds from L1 or uses p2p. */
  sequencerRpc: string | null;
  rpcHost?: string;
  rpcPort?: number;
  l1?: NodeConfigFile["l1"];
  pieceUrls?: string[];
  force?: boolean;
};

/**
 * Create a verifier's data dir: a fresh validator key (0600; it co-signs checkpoints once registered
 * on the rollup), and a config with the chain's genesis, parameters and sequencer.
 */
export function initVerifierDataDir(opts: InitVerifierOptions): {
  dir: string;
  config: NodeConfigFile;
  address: string;
} {
  const dir = resolve(opts.dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const configPath = join(dir, CONFIG_FILE);
  if (existsSync(configPath) && !opts.force) {
    throw new ConfigError(ConfigErrorCode.EXISTS, `${configPath} already exists`, {
      metaMessages: ["Pass --force to overwrite it (the chain database is kept)."],
    });
  }
  const key = randomBytes(32);
  writeSecretFile(join(dir, "validator.key"), `${toHex(key)}\n`);
  const { identity } = opts;
  const config: NodeConfigFile = {
    preset: identity.preset,
    chain: identity.chain,
    genesis: identity.genesis,
    rpc: { host: opts.rpcHost ?? "127.0.0.1", port: opts.rpcPort ?? DEFAULT_RPC_PORT },
    keyFile: "validator.key",
    devAccountsFile: null,
    devAccountBalance: "0",
    l1: opts.l1 ?? null,
    verifier: {
      sequencer: identity.sequencer,
      sequencerRpc: opts.sequencerRpc,
      pieceUrls: opts.pieceUrls ?? [],
    },
  };
  writeFileSync(configPath, `${JSON.stringify(config, null, 2)}\n`);
  return { dir, config, address: toHex(privateKeyToAddress(key)) };
}

/** The bridge's deposit watcher for a config's `l1` section (the sequencer credits, a verifier checks). */
export function createDepositWatcher(
  l1: NonNullable<NodeConfigFile["l1"]>,
  modules: { publicClient: PublicClient; logger: Logger; signal?: AbortSignal | null },
): DepositWatcher {
  return new DepositWatcher(
    {
      bridge: l1.bridge,
      startBlock: BigInt(l1.startBlock),
      ...(l1.confirmations === undefined ? {} : { confirmations: l1.confirmations }),
      ...(l1.pollIntervalMs === undefined ? {} : { pollIntervalMs: l1.pollIntervalMs }),
    },
    modules,
  );
}

/**
 * The chain a node runs, typed once from its config: the preset with the file's overrides, the
 * genesis chain id, and `minTxFee` as the bigint the state machine compares (a decimal string on disk).
 */
export function chainConfigOf(config: Pick<NodeConfigFile, "preset" | "chain" | "genesis">): ChainConfig {
  const { minTxFee, ...rest } = config.chain;
  return getChainConfig(config.preset, {
    ...rest,
    chainId: config.genesis.chainId,
    ...(minTxFee === undefined ? {} : { minTxFee: BigInt(minTxFee) }),
  });
}
