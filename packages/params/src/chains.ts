/**
 * Chain presets. The L2 chain id is the EIP-712 domain's chainId; the L1 chain id is Filecoin's
 * (314 mainnet, 314159 calibration, 31415926 for the local Lotus-like devnet).
 */
import { FilverseError } from "@filverse/utils";

export type ChainPreset = "devnet" | "calibration" | "mainnet";

export type ChainConfig = {
  preset: ChainPreset;
  /** The L2 chain id, in every signature's EIP-712 domain. */
  chainId: number;
  /** The Filecoin chain the L2 settles on. */
  l1ChainId: number;
  /** Target block interval of the sequencer. */
  blockTimeMs: number;
  /** A block is sealed early once it holds this many transactions. */
  maxBlockTxs: number;
  /** Deposits the sequencer includes in one block at most. */
  maxBlockDeposits: number;
  /** A checkpoint is made every this many blocks. */
  checkpointInterval: number;
  /** The smallest fee a transaction may carry, in attoFIL. */
  minTxFee: bigint;
  /** Seconds after a checkpoint is accepted on L1 before its withdrawals can be claimed. */
  challengeWindowSec: number;
  /** L1 confirmations the deposit watcher waits for where the L1 has no `finalized` tag. */
  l1Confirmations: number;
};

const GWEI = 1_000_000_000n;

export const chainConfigs: Record<ChainPreset, ChainConfig> = {
  devnet: {
    preset: "devnet",
    chainId: 3_141_592_601,
    l1ChainId: 31_415_926,
    blockTimeMs: 250,
    maxBlockTxs: 10_000,
    maxBlockDeposits: 256,
    checkpointInterval: 32,
    minTxFee: 0n,
    challengeWindowSec: 60,
    l1Confirmations: 2,
  },
  calibration: {
    preset: "calibration",
    chainId: 3_141_590_101,
    l1ChainId: 314_159,
    blockTimeMs: 250,
    maxBlockTxs: 10_000,
    maxBlockDeposits: 256,
    checkpointInterval: 1_200,
    minTxFee: GWEI,
    challengeWindowSec: 6 * 3600,
    l1Confirmations: 900,
  },
  mainnet: {
    preset: "mainnet",
    chainId: 3_140_101,
    l1ChainId: 314,
    blockTimeMs: 250,
    maxBlockTxs: 10_000,
    maxBlockDeposits: 256,
    checkpointInterval: 7_200,
    minTxFee: GWEI,
    challengeWindowSec: 7 * 24 * 3600,
    l1Confirmations: 900,
  },
};

export enum ParamsErrorCode {
  UNKNOWN_PRESET = "PARAMS_UNKNOWN_PRESET",
}

export class ParamsError extends FilverseError<ParamsErrorCode> {
  override name = "ParamsError";
}

export function getChainConfig(preset: string, overrides: Partial<Omit<ChainConfig, "preset">> = {}): ChainConfig {
  const base = (chainConfigs as Record<string, ChainConfig | undefined>)[preset];
  if (!base) {
    throw new ParamsError(ParamsErrorCode.UNKNOWN_PRESET, `Unknown chain preset "${preset}"`, {
      metaMessages: [`Known presets: ${Object.keys(chainConfigs).join(", ")}`],
    });
  }
  return { ...base, ...overrides };
}
