/**
 * The dispute player of either node kind, built the same way from the config's `dispute` section:
 * off unless it names a game and the node has an L1 key.
 */
import { join, resolve } from "node:path";
import { privateKeyToAddress } from "@filverse/crypto";
import { createL1Clients, type L1Clients } from "@filverse/l1";
import type { State } from "@filverse/state";
import { decodeSignedBlock, type SignedBlock } from "@filverse/types";
import { fromHex, type Logger, toHex } from "@filverse/utils";
import type { Account, Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { Chain } from "../chain/chain.js";
import { replayState } from "../chain/rewind.js";
import { chainConfigOf, loadConfig, type NodeConfigFile, readKeyFile } from "../config.js";
import { ConfigError, ConfigErrorCode } from "../errors.js";
import type { NodeMetrics } from "../metrics.js";
import { type DisputeChainView, DisputePlayer, defaultDisputePlayerOpts } from "./player.js";

export { type DisputeChainView, DisputePlayer, defaultDisputePlayerOpts, type PlayedGame } from "./player.js";
export { type GamePlan, type PlannedMove, planGame, planResolves } from "./policy.js";

/**
 * The chain as the player reads it: blocks and recent states of `core`, refused blocks from
 * `refused`; a verifier also gives its refused blocks by height and its block source's headers and blocks
 * (`more`), with which it challenges a checkpoint that names a block it refused.
 */
export function disputeChainView(
  core: Chain,
  refused: (hash: Hex) => Hex | null = () => null,
  more: Pick<DisputeChainView, "refusedAt" | "remoteHeader" | "remoteBlock"> = {},
): DisputeChainView {
  return {
    ...more,
    genesisHeader: () => core.db.getGenesisHeader(),
    chain: core.chain,
    sequencer: core.opts.proposer,
    headNumber: () => core.headIfOpen?.number ?? -1,
    block: (n) => core.db.getBlockByNumber(n),
    stateAt: async (n) => core.stateAt(n) ?? (await replayOld(core, n)),
    refusedBlock: async (hash): Promise<SignedBlock | null> => {
      const ssz = refused(hash);
      return ssz ? decodeSignedBlock(fromHex(ssz)) : null;
    },
  };
}

/**
 * The player for `config.dispute`, or null when the section is absent or `enabled` is false. Throws
 * ConfigError when it is enabled without an L1 (`config.l1`) or an L1 key.
 */
export function createDisputePlayer(
  config: NodeConfigFile,
  modules: {
    l1: L1Clients | null;
    account: Account | null;
    chain: DisputeChainView;
    metrics: NodeMetrics | null;
    logger: Logger;
    signal: AbortSignal;
  },
): DisputePlayer | null {
  const d = config.dispute;
  if (!d || d.enabled === false) return null;
  if (!modules.l1 || !modules.account) {
    throw new ConfigError(ConfigErrorCode.INVALID, "`dispute` needs `l1` and an L1 key to post bonds", {
      metaMessages: [
        "Set `verifier.l1KeyFile` (a verifier) or `l1` (the sequencer pays with its key), or disable `dispute`.",
      ],
    });
  }
  return new DisputePlayer(
    {
      game: d.game,
      challenge: d.challenge ?? defaultDisputePlayerOpts.challenge,
      pollIntervalMs: d.pollIntervalMs ?? defaultDisputePlayerOpts.pollIntervalMs,
      startBlock: BigInt(d.startBlock ?? 0),
      maxBond: d.maxBond === undefined ? null : BigInt(d.maxBond),
      rollupStartBlock: BigInt(config.l1?.startBlock ?? 0),
    },
    {
      l1: modules.l1,
      account: modules.account,
      chain: modules.chain,
      metrics: modules.metrics,
      logger: modules.logger.child({ module: "dispute" }),
      signal: modules.signal,
    },
  );
}

/** The state after block `n` when the state history no longer holds it: replayed from genesis (chain/rewind.ts). */
async function replayOld(core: Chain, n: number): Promise<State | undefined> {
  if (n < 0 || n > (core.headIfOpen?.number ?? -1)) return undefined;
  return replayState(core.db, core.opts, n);
}

/**
 * A player over a stopped node's data dir, for `filverse dispute challenge|defend`: its chain opened
 * read as the node left it, its config's `dispute` section, and the L1 key given (or the node's:
 * `verifier.l1KeyFile`, the sequencer's own key). Close it to release the database.
 */
export async function openDisputePlayer(
  dataDir: string,
  opts: { l1KeyFile?: string | null; logger: Logger },
): Promise<{ player: DisputePlayer; close: () => Promise<void> }> {
  const dir = resolve(dataDir);
  const config = loadConfig(dir);
  if (!config.dispute || !config.l1) {
    throw new ConfigError(ConfigErrorCode.INVALID, `${dir} has no \`dispute\` and \`l1\` sections`, {
      metaMessages: ["Add a `dispute` section naming the game (see docs/operations.md, Fault-proof games)."],
    });
  }
  const nodeKey = readKeyFile(join(dir, config.keyFile));
  const v = config.verifier;
  const keyFile = opts.l1KeyFile ?? (v?.l1KeyFile ? resolve(dir, v.l1KeyFile) : null);
  const l1Key = keyFile ? readKeyFile(keyFile) : v ? null : nodeKey;
  const core = new Chain({
    chain: chainConfigOf(config),
    genesis: config.genesis,
    proposer: v ? fromHex(v.sequencer, 20) : privateKeyToAddress(nodeKey),
    dataDir: join(dir, "chaindb"),
    stateHistory: 1,
  });
  await core.open();
  const controller = new AbortController();
  try {
    const player = createDisputePlayer(
      { ...config, dispute: { ...config.dispute, enabled: true } },
      {
        l1: createL1Clients({ url: config.l1.rpcUrl, chainId: config.l1.chainId }),
        account: l1Key ? privateKeyToAccount(toHex(l1Key) as Hex) : null,
        chain: disputeChainView(core),
        metrics: null,
        logger: opts.logger,
        signal: controller.signal,
      },
    )!;
    return {
      player,
      close: async () => {
        controller.abort();
        await core.close();
      },
    };
  } catch (err) {
    await core.close();
    throw err;
  }
}
