/**
 * Deploys FilverseRollup then FilverseBridge with viem, and on request the deal contracts
 * (FilverseDealClient, with a DevnetMarket on a devnet) and the fault-proof game (the one-step
 * executor set, then FilverseDisputeGame, set in the rollup when the executor is complete); gas is
 * estimated by the node. The rollup and the bridge name each other immutably: the rollup is given
 * the bridge's address predicted from the deployer's next nonce, and the bridge's constructor
 * refuses a rollup that names another bridge.
 */

import { createGenesis } from "@filverse/state";
import { blockHash, TxKind } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
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
  /**
   * Unix seconds of the L2's genesis header (the node's `genesis.timestamp`). With the chain id and
   * the sequencer (the genesis proposer) it fixes the genesis block, whose hash the rollup keeps as
   * checkpoint 0's parent (genesisBlockHashOf).
   */
  genesisTimestamp: number;
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
  /** Present when deployFilverse was asked for the fault-proof game. */
  faultProofs?: FaultProofDeployment;
};

/** FIL in attoFIL. */
const FIL = 10n ** 18n;
/** The default challenge bond (also the bond of a header request): 5 FIL. */
export const DEFAULT_CHALLENGE_BOND = 5n * FIL;
/** The default bond of a proposal or a dispute: 1 FIL. */
export const DEFAULT_MOVE_BOND = FIL;

export type FaultProofParams = {
  /** The chain's working limits and minimum fee, which the one-step executor checks (its ChainConfig). */
  chain: { maxBlockTxs: number; maxBlockDeposits: number; minTxFee: bigint };
  /** The challenge bond, attoFIL (DEFAULT_CHALLENGE_BOND, 5 FIL, by default). */
  challengeBond?: bigint;
  /** The bond of each proposal and dispute, attoFIL (DEFAULT_MOVE_BOND, 1 FIL, by default). */
  moveBond?: bigint;
  /** Each team's chess clock on a path of the claim tree, seconds; half the challenge window by default. */
  maxClockDurationSec?: number;
  /**
   * The least time a move leaves its own team for its next answer on that path, seconds; an eighth
   * of the clock by default (at least 1). Twice it must stay below the clock.
   */
  clockExtensionSec?: number;
};

/** What the one-step executor runs: it is complete when every kind runs and forced transactions do. */
export type ExecutorCompleteness = {
  complete: boolean;
  /** The transaction kinds it does not run yet (TxKind numbers), in ascending order. */
  missingKinds: number[];
  forcedTransactions: boolean;
};

export type FaultProofDeployment = OneStepExecutorDeployment & {
  completeness: ExecutorCompleteness;
  /** The FilverseDisputeGame set in the rollup; null when the executor is not complete (nothing wired). */
  game: Address | null;
  /**
   * The game's StepProofStore (it creates its own): where a one-step proof too large for one
   * message is uploaded in chunks before `stepStored`. Null with no game.
   */
  proofStore: Address | null;
  /** The game's parameters as deployed (the defaults filled in). */
  challengeBond: bigint;
  moveBond: bigint;
  maxClockDurationSec: number;
  clockExtensionSec: number;
};

/** Where deployFilverse reports what it did not do and why (a node logger fits). */
export type DeployLog = {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
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

/**
 * The hash of the L2's genesis block (block 0): the empty-state genesis of the chain id, timestamp
 * and proposer (the sequencer), as every node computes it (`createGenesis` in @filverse/state).
 */
export function genesisBlockHashOf(params: Pick<RollupParams, "l2ChainId" | "sequencer" | "genesisTimestamp">): Hex {
  if (!Number.isSafeInteger(params.genesisTimestamp) || params.genesisTimestamp < 0) {
    throw new L1Error(L1ErrorCode.DEPLOY_FAILED, "Invalid genesis timestamp", {
      details: { genesisTimestamp: params.genesisTimestamp },
    });
  }
  const { header } = createGenesis(
    { chainId: params.l2ChainId },
    { timestamp: params.genesisTimestamp, proposer: fromHex(params.sequencer) },
  );
  return toHex(blockHash(header)) as Hex;
}

export async function deployFilverse(
  clients: Clients,
  account: Account | Address,
  params: RollupParams,
  opts: { deals?: DealContractsParams | null; faultProofs?: FaultProofParams | null; log?: DeployLog } = {},
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
      genesisBlockHashOf(params),
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
  if (opts.faultProofs) {
    deployment.faultProofs = await deployFaultProofs(clients, account, rollup, params, opts.faultProofs, opts.log);
  }
  return deployment;
}

/**
 * The fault-proof game for `rollup` (docs/fault-proofs.md): the one-step executor set, then, if the
 * executor says it is complete, FilverseDisputeGame with the bonds and clocks of `fp`, set in the
 * rollup (setDisputeGame, once and for good). An incomplete executor would let a wrong challenger
 * win a step it cannot settle, and the rollup refuses such a game: then no game is deployed and
 * `log` says which kinds are missing.
 */
export async function deployFaultProofs(
  clients: Clients,
  account: Account | Address,
  rollup: Address,
  params: Pick<RollupParams, "l2ChainId" | "challengeWindowSec">,
  fp: FaultProofParams,
  log?: DeployLog,
): Promise<FaultProofDeployment> {
  const challengeBond = fp.challengeBond ?? DEFAULT_CHALLENGE_BOND;
  const moveBond = fp.moveBond ?? DEFAULT_MOVE_BOND;
  const maxClockDurationSec = fp.maxClockDurationSec ?? Math.floor(params.challengeWindowSec / 2);
  const clockExtensionSec = fp.clockExtensionSec ?? Math.max(1, Math.floor(maxClockDurationSec / 8));
  if (challengeBond <= 0n || moveBond <= 0n || clockExtensionSec < 1 || 2 * clockExtensionSec >= maxClockDurationSec) {
    throw new L1Error(L1ErrorCode.DEPLOY_FAILED, "Invalid fault-proof game parameters", {
      details: { challengeBond, moveBond, maxClockDurationSec, clockExtensionSec },
      metaMessages: ["Bonds must be positive, the extension at least 1 s and under half the clock."],
    });
  }
  // The executor checks each L1 message against the rollup's own bridge (setDisputeGame insists).
  const bridge = (await clients.publicClient.readContract({
    address: rollup,
    abi: loadArtifact("FilverseRollup").abi,
    functionName: "bridge",
  })) as Address;
  const set = await deployOneStepExecutor(clients, account, { l2ChainId: params.l2ChainId, ...fp.chain, bridge });
  const completeness = await readExecutorCompleteness(clients, set.executor);
  const result: FaultProofDeployment = {
    ...set,
    completeness,
    game: null,
    proofStore: null,
    challengeBond,
    moveBond,
    maxClockDurationSec,
    clockExtensionSec,
  };
  if (!completeness.complete) {
    log?.warn("fault-proof game not wired: the one-step executor is not complete", {
      executor: set.executor,
      kindsNotExecuted: completeness.missingKinds.map((k) => TxKind[k] ?? k),
      forcedTransactions: completeness.forcedTransactions,
      consequence: "a quorum signing one wrong checkpoint is not caught (docs/checkpoints.md, Trust model)",
    });
    return result;
  }
  const game = await deployContract(clients, account, "FilverseDisputeGame", [
    rollup,
    set.executor,
    challengeBond,
    moveBond,
    BigInt(maxClockDurationSec),
    BigInt(clockExtensionSec),
  ]);
  const hash = await clients.walletClient.writeContract({
    address: rollup,
    abi: loadArtifact("FilverseRollup").abi,
    functionName: "setDisputeGame",
    args: [game],
    account,
    chain: clients.walletClient.chain,
  });
  const receipt = await clients.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") {
    throw new L1Error(L1ErrorCode.DEPLOY_FAILED, "setDisputeGame failed", { details: { hash, game } });
  }
  result.game = game;
  result.proofStore = (await clients.publicClient.readContract({
    address: game,
    abi: loadArtifact("FilverseDisputeGame").abi,
    functionName: "proofStore",
  })) as Address;
  log?.info("fault-proof game wired", {
    game,
    proofStore: result.proofStore,
    executor: set.executor,
    challengeBond,
    moveBond,
    maxClockDurationSec,
  });
  return result;
}

/** Every transaction kind of the protocol (TxKind without Deposit, which is an L1 message). */
export const TX_KINDS: readonly number[] = Object.values(TxKind).filter(
  (k): k is number => typeof k === "number" && k !== TxKind.Deposit,
);

/** Ask a OneStepExecutor what it runs: `complete()`, and per kind `runsKind`, and `forcedTransactions`. */
export async function readExecutorCompleteness(
  clients: Pick<Clients, "publicClient">,
  executor: Address,
): Promise<ExecutorCompleteness> {
  const { abi } = loadArtifact("OneStepExecutor");
  const read = <T>(functionName: string, args: unknown[] = []) =>
    clients.publicClient.readContract({ address: executor, abi, functionName, args } as never) as Promise<T>;
  const runs = await Promise.all(TX_KINDS.map((k) => read<boolean>("runsKind", [k])));
  return {
    complete: await read<boolean>("complete"),
    missingKinds: TX_KINDS.filter((_, i) => !runs[i]),
    forcedTransactions: await read<boolean>("forcedTransactions"),
  };
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
    grants: Address | null;
  };
  /** ViaExecutor: the Via envelope's rules (sponsors, session keys) and type hashes. */
  via: Address;
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
    grants: await deployContract(clients, account, "KindExecutorGrants", []),
  };
  const via = await deployContract(clients, account, "ViaExecutor", []);
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
      grants: kinds.grants ?? zeroAddress,
      via,
    },
    params.bridge ?? zeroAddress,
    decoder,
  ]);
  return { executor, decoder, kinds, via };
}
