/** The p2p host: this node's identity and its peers with their local scores. */
import { expectParamCount, RpcError } from "@filverse/rpc";
import { RpcErrorCode } from "@filverse/types";
import type { ApiModules, NetworkView, RpcHandlers } from "./types.js";

export type NetworkApi = Pick<RpcHandlers, "filverse_nodeIdentity" | "filverse_peers">;

export function networkApi({ network }: ApiModules): NetworkApi {
  return {
    filverse_nodeIdentity: (p) => {
      expectParamCount(p, 0, 0);
      const net = running(network);
      return { peerId: net.peerId, multiaddrs: net.multiaddrs };
    },
    filverse_peers: (p) => {
      expectParamCount(p, 0, 0);
      // No addresses: validators' IPs are not for the public RPC (operators read them in the logs).
      return running(network)
        .peers()
        .map((peer) => ({ peerId: peer.peerId, score: Math.round(peer.score * 100) / 100 }));
    },
  };
}

function running(network: (() => NetworkView | null) | null): NetworkView {
  const net = network?.();
  if (!net) {
    throw new RpcError(RpcErrorCode.UNAVAILABLE, {
      message: "This node runs no p2p network",
      data: { reason: "p2p disabled" },
    });
  }
  return net;
}
