/** viem clients for the L1: Filecoin mainnet (314), Calibration (314159) or the local devnet (31415926). */
import {
  type Chain,
  createPublicClient,
  createWalletClient,
  defineChain,
  http,
  type PublicClient,
  type WalletClient,
} from "viem";
import { filecoin, filecoinCalibration } from "viem/chains";
import { DEV_L1_CHAIN_ID } from "./devL1.js";
import { L1Error, L1ErrorCode } from "./errors.js";

export const filverseDevL1: Chain = defineChain({
  id: DEV_L1_CHAIN_ID,
  name: "Filverse local L1",
  nativeCurrency: { name: "testnet filecoin", symbol: "tFIL", decimals: 18 },
  rpcUrls: { default: { http: ["http://127.0.0.1:8545"] } },
});

export function l1Chain(chainId: number): Chain {
  switch (chainId) {
    case filecoin.id:
      return filecoin;
    case filecoinCalibration.id:
      return filecoinCalibration;
    case DEV_L1_CHAIN_ID:
      return filverseDevL1;
    default:
      throw new L1Error(L1ErrorCode.WRONG_CHAIN, `Unknown L1 chain id ${chainId}`);
  }
}

export type L1ClientOptions = {
  url: string;
  chainId: number;
  /** How often receipts and blocks are polled. Filecoin's 30 s epochs suit the default; a local node 50 ms. */
  pollingIntervalMs?: number;
  /**
   * Retries of a failed request. Hardhat answers a revert with -32603, which viem retries with backoff
   * (about 1 s per revert); a local node in tests sets 0.
   */
  retryCount?: number;
};

export type L1Clients = { publicClient: PublicClient; walletClient: WalletClient };

export function createL1Clients(opts: L1ClientOptions): L1Clients {
  const chain = l1Chain(opts.chainId);
  const transport = http(opts.url, { retryCount: opts.retryCount ?? 3 });
  const pollingInterval = opts.pollingIntervalMs ?? 4_000;
  return {
    publicClient: createPublicClient({ chain, transport, pollingInterval }),
    walletClient: createWalletClient({ chain, transport, pollingInterval }),
  };
}
