/**
 * Deploys FilverseRollup then FilverseBridge with viem, and on request the deal contracts
 * (FilverseDealClient, with a DevnetMarket on a devnet); gas is estimated by the node. The rollup and
 * the bridge name each other immutably: the rollup is given the bridge's address predicted from the
 * deployer's next nonce, and the bridge's constructor refuses a rollup that names another bridge.
 */
import {
  type Account,
  type Address,
  getContractAddress,
  type Hex,
  type PublicClient,
  type WalletClient,
  zeroAddress,
} from "viem";
import { type ContractName, loadArtifact } from "./artifacts.js";
import { FILECOIN_MARKET_ACTOR_ADDRESS } from "./deals.js";
import { L1Error, L1ErrorCode } from "./errors.js";

export type RollupParams = {
  l2ChainId: number;
  /** The address whose EIP-712 block seals are the L2's blocks. */
  sequencer: Address;
  /** The smallest collateral a validator registers with, in attoFIL. */
  minCollateral: bigint;
  /** Seconds after acceptance before a checkpoint's withdrawals can be claimed. */
  challengeWindowSec: number;
  /** Seconds between requestExit and withdrawCollateral; at least the challenge window. */
  exitDelaySec: number;
  /** Seconds the L2 has to consume a forced transaction after it is queued on the bridge. */
  forceInclusionDelaySec: number;
  /**
   * Seconds per validator-set epoch (set changes apply at its boundaries, at least one challenge
   * window after the request); the challenge window by default.
   */
  epochLengthSec?: number;
  /** Only owner-approved addresses may register (young networks); open admission by default. */
  allowlist?: boolean;
  /** The sequencer's bond, paid by the deployer; minCollateral by default. */
  sequencerBond?: bigint;
  /** The most the bridge pays out per epoch (over it is queued); 0 (no limit) by default. */
  withdrawalLimitPerEpoch?: bigint;
  /** The genesis set, effective at once, its collateral paid by the deployer. */
  genesisValidators?: readonly { address: Address; collateral: bigint }[];
};

export type DealContractsParams = {
  /**
   * "devnet": deploy a DevnetMarket and wire the client to it (market and activation source).
   * "filecoin": the market actor f05 calls the client; no activation source yet (see
   * IDealActivationSource.sol). Or name both addresses.
   */
  market: "devnet" | "filecoin" | { market: Address; activationSource: Address | null };
  /** May authorise proposers; the deploying account by default. */
  owner?: Address;
  /** Accounts allowed to propose besides the owner (the node's L1 key); needs owner = deployer. */
  proposers?: readonly Address[];
};

export type DealDeployment = {
  dealClient: Address;
  /** The address allowed to call handle_filecoin_method. */
  market: Address;
  activationSource: Address | null;
  /** The DevnetMarket, on a devnet; else null. */
  devnetMarket: Address | null;
};

export type Deployment = {
  rollup: Address;
  bridge: Address;
  deployer: Address;
  /** Present when deployFilverse was asked for the deal contracts. */
  deals?: DealDeployment;
};

type Clients = { publicClient: PublicClient; walletClient: WalletClient };

async function deployContract(
  { publicClient, walletClient }: Clients,
  account: Account | Address,
  name: ContractName,
  args: readonly unknown[],
  value?: bigint,
): Promise<Address> {
  const { abi, bytecode } = loadArtifact(name);
  const hash = await walletClient.deployContract({
    abi,
    bytecode: bytecode as Hex,
    args,
    value,
    account,
    chain: walletClient.chain,
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success" || !receipt.contractAddress) {
    throw new L1Error(L1ErrorCode.DEPLOY_FAILED, `Deploying ${name} failed`, { details: { hash } });
  }
  return receipt.contractAddress;
}

function addressOf(account: Account | Address): Address {
  return typeof account === "string" ? account : account.address;
}

export async function deployFilverse(
  clients: Clients,
  account: Account | Address,
  params: RollupParams,
  opts: { deals?: DealContractsParams | null } = {},
): Promise<Deployment> {
  const from = addressOf(account);
  const judge = await deployContract(clients, account, "PreconfirmationJudge", [
    BigInt(params.l2ChainId),
    params.sequencer,
  ]);
  const nonce = await clients.publicClient.getTransactionCount({ address: from, blockTag: "pending" });
  const predictedBridge = getContractAddress({ from, nonce: BigInt(nonce + 1) });
  const rollup = await deployContract(
    clients,
    account,
    "FilverseRollup",
    [
      BigInt(params.l2ChainId),
      params.sequencer,
      params.minCollateral,
      BigInt(params.challengeWindowSec),
      BigInt(params.exitDelaySec),
      BigInt(params.epochLengthSec ?? params.challengeWindowSec),
      params.allowlist ?? false,
      predictedBridge,
      judge,
    ],
    params.sequencerBond ?? params.minCollateral,
  );
  const bridge = await deployContract(clients, account, "FilverseBridge", [
    rollup,
    BigInt(params.forceInclusionDelaySec),
    params.withdrawalLimitPerEpoch ?? 0n,
  ]);
  if (bridge.toLowerCase() !== predictedBridge.toLowerCase()) {
    throw new L1Error(L1ErrorCode.DEPLOY_FAILED, "The bridge did not land at its predicted address", {
      details: { predictedBridge, bridge },
      metaMessages: ["Another transaction from the deployer account ran between the two deployments."],
    });
  }
  const { abi: rollupAbi } = loadArtifact("FilverseRollup");
  for (const v of params.genesisValidators ?? []) {
    const hash = await clients.walletClient.writeContract({
      address: rollup,
      abi: rollupAbi,
      functionName: "registerGenesis",
      args: [v.address],
      value: v.collateral,
      account,
      chain: clients.walletClient.chain,
    });
    const receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") {
      throw new L1Error(L1ErrorCode.DEPLOY_FAILED, "registerGenesis failed", {
        details: { hash, validator: v.address },
      });
    }
  }
  const deployment: Deployment = { rollup, bridge, deployer: from };
  if (opts.deals) deployment.deals = await deployDealContracts(clients, account, opts.deals);
  return deployment;
}

/** Deploy FilverseDealClient (and DevnetMarket for market "devnet"), then authorise the proposers. */
export async function deployDealContracts(
  clients: Clients,
  account: Account | Address,
  params: DealContractsParams,
): Promise<DealDeployment> {
  const deployer = addressOf(account);
  const owner = params.owner ?? deployer;
  const proposers = params.proposers ?? [];
  if (proposers.length > 0 && owner.toLowerCase() !== deployer.toLowerCase()) {
    throw new L1Error(L1ErrorCode.DEPLOY_FAILED, "Only the owner can authorise proposers", {
      details: { owner, deployer },
      metaMessages: ["Deploy from the owner's account, or let the owner call setProposer later."],
    });
  }
  let market: Address;
  let activationSource: Address | null;
  let devnetMarket: Address | null = null;
  if (params.market === "devnet") {
    devnetMarket = await deployContract(clients, account, "DevnetMarket", []);
    market = devnetMarket;
    activationSource = devnetMarket;
  } else if (params.market === "filecoin") {
    market = FILECOIN_MARKET_ACTOR_ADDRESS;
    activationSource = null;
  } else {
    ({ market, activationSource } = params.market);
  }
  const dealClient = await deployContract(clients, account, "FilverseDealClient", [
    owner,
    market,
    activationSource ?? zeroAddress,
  ]);
  const { abi } = loadArtifact("FilverseDealClient");
  for (const proposer of proposers) {
    const hash = await clients.walletClient.writeContract({
      address: dealClient,
      abi,
      functionName: "setProposer",
      args: [proposer, true],
      account,
      chain: clients.walletClient.chain,
    });
    const receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") {
      throw new L1Error(L1ErrorCode.DEPLOY_FAILED, "setProposer failed", { details: { hash, proposer } });
    }
  }
  return { dealClient, market, activationSource, devnetMarket };
}

export type OneStepExecutorParams = {
  l2ChainId: number;
  /** The chain preset's working limits and minimum fee (ChainConfig). */
  maxBlockTxs: number;
  maxBlockDeposits: number;
  minTxFee: bigint;
  /**
   * The FilverseBridge whose record of each L1 message the L1-message step checks (a deposit or a
   * forced transaction it never took makes the block invalid). Null: none, and every L1-message
   * step reverts NoBridge.
   */
  bridge: Address | null;
};

export type OneStepExecutorDeployment = {
  executor: Address;
  /** The SSZ decoder of forced transactions. */
  decoder: Address;
  /** The kind executors, one per group of kinds; null for a group not built yet (its kinds revert UnsupportedKind). */
  kinds: {
    assets: Address | null;
    tokens: Address | null;
    identity: Address | null;
    data: Address | null;
    trade: Address | null;
  };
};

/**
 * Deploy the one-step executor of the fault-proof game (docs/fault-proofs.md): each kind executor and
 * the forced-transaction decoder, then OneStepExecutor naming them and the bridge. Split so that each
 * contract stays under EIP-170's 24,576 bytes.
 */
export async function deployOneStepExecutor(
  clients: Clients,
  account: Account | Address,
  params: OneStepExecutorParams,
): Promise<OneStepExecutorDeployment> {
  const kinds: OneStepExecutorDeployment["kinds"] = {
    assets: await deployContract(clients, account, "KindExecutorAssets", []),
    tokens: await deployContract(clients, account, "KindExecutorTokens", []),
    identity: await deployContract(clients, account, "KindExecutorIdentity", []),
    data: await deployContract(clients, account, "KindExecutorData", []),
    trade: await deployContract(clients, account, "KindExecutorTrade", []),
  };
  const decoder = await deployContract(clients, account, "ForcedTxDecoder", []);
  const executor = await deployContract(clients, account, "OneStepExecutor", [
    BigInt(params.l2ChainId),
    BigInt(params.maxBlockTxs),
    BigInt(params.maxBlockDeposits),
    params.minTxFee,
    {
      assets: kinds.assets ?? zeroAddress,
      tokens: kinds.tokens ?? zeroAddress,
      identity: kinds.identity ?? zeroAddress,
      data: kinds.data ?? zeroAddress,
      trade: kinds.trade ?? zeroAddress,
    },
    params.bridge ?? zeroAddress,
    decoder,
  ]);
  return { executor, decoder, kinds };
}
