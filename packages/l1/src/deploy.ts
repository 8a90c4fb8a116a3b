/**
 * Deploys FilverseRollup then FilverseBridge with viem; gas is estimated by the node. The two name
 * each other immutably: the rollup is given the bridge's address predicted from the deployer's next
 * nonce, and the bridge's constructor refuses a rollup that names another bridge.
 */
import { type Account, type Address, getContractAddress, type Hex, type PublicClient, type WalletClient } from "viem";
import { loadArtifact } from "./artifacts.js";
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
};

export type Deployment = { rollup: Address; bridge: Address; deployer: Address };

export async function deployFilverse(
  clients: { publicClient: PublicClient; walletClient: WalletClient },
  account: Account | Address,
  params: RollupParams,
): Promise<Deployment> {
  const { publicClient, walletClient } = clients;
  const deployOne = async (name: "FilverseRollup" | "FilverseBridge", args: readonly unknown[]): Promise<Address> => {
    const { abi, bytecode } = loadArtifact(name);
    const hash = await walletClient.deployContract({
      abi,
      bytecode: bytecode as Hex,
      args,
      account,
      chain: walletClient.chain,
    });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success" || !receipt.contractAddress) {
      throw new L1Error(L1ErrorCode.DEPLOY_FAILED, `Deploying ${name} failed`, { details: { hash } });
    }
    return receipt.contractAddress;
  };
  const from = typeof account === "string" ? account : account.address;
  const nonce = await publicClient.getTransactionCount({ address: from, blockTag: "pending" });
  const predictedBridge = getContractAddress({ from, nonce: BigInt(nonce + 1) });
  const rollup = await deployOne("FilverseRollup", [
    BigInt(params.l2ChainId),
    params.sequencer,
    params.minCollateral,
    BigInt(params.challengeWindowSec),
    BigInt(params.exitDelaySec),
    predictedBridge,
  ]);
  const bridge = await deployOne("FilverseBridge", [rollup, BigInt(params.forceInclusionDelaySec)]);
  if (bridge.toLowerCase() !== predictedBridge.toLowerCase()) {
    throw new L1Error(L1ErrorCode.DEPLOY_FAILED, "The bridge did not land at its predicted address", {
      details: { predictedBridge, bridge },
      metaMessages: ["Another transaction from the deployer account ran between the two deployments."],
    });
  }
  return { rollup, bridge, deployer: from };
}
