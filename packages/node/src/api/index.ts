/**
 * The JSON-RPC methods of a node (docs/rpc.md), one file per namespace, over the `RpcNode` both node
 * kinds implement. Reads accept a block tag where the contract says so; recent states are kept.
 */
import { chainApi } from "./chain.js";
import { checkpointsApi } from "./checkpoints.js";
import { disputesApi } from "./disputes.js";
import { ethApi } from "./eth.js";
import { evidenceApi } from "./evidence.js";
import { grantsApi } from "./grants.js";
import { identityApi } from "./identity.js";
import { networkApi } from "./network.js";
import { proofsApi } from "./proofs.js";
import { stateApi } from "./state.js";
import { subscriptionsApi } from "./subscriptions.js";
import { transactionsApi } from "./transactions.js";
import type { CheckpointReader, DisputeReader, NetworkView, RpcHandlers, RpcNode, SettlementView } from "./types.js";

export { didDocument } from "./identity.js";
export type {
  ApiModules,
  CheckpointReader,
  DisputeReader,
  Handler,
  NetworkView,
  RpcHandlers,
  RpcNode,
  SettlementView,
} from "./types.js";

/** Every method, checked by the compiler against `RpcMethods`: a method missing or extra does not build. */
export function createRpcHandlers(
  node: RpcNode,
  settlement: SettlementView | null = null,
  network: (() => NetworkView | null) | null = null,
  disputes: DisputeReader | null = null,
  checkpoints: CheckpointReader | null = null,
): RpcHandlers {
  const modules = { node, settlement, network, disputes, checkpoints };
  return {
    ...chainApi(modules),
    ...transactionsApi(modules),
    ...stateApi(modules),
    ...proofsApi(modules),
    ...identityApi(modules),
    ...grantsApi(modules),
    ...evidenceApi(modules),
    ...disputesApi(modules),
    ...checkpointsApi(modules),
    ...networkApi(modules),
    ...subscriptionsApi(modules),
    ...ethApi(modules),
  };
}
