/** The few Ethereum methods wallets probe: chain id, block number, balance, net_version. */
import { expectParamCount, paramHex, RpcError } from "@filverse/rpc";
import { Namespace, RpcErrorCode } from "@filverse/types";
import { fromHex } from "@filverse/utils";
import { stateAtTag } from "./reads.js";
import type { ApiModules, RpcHandlers } from "./types.js";

export type EthApi = Pick<RpcHandlers, "eth_chainId" | "eth_blockNumber" | "eth_getBalance" | "net_version">;

export function ethApi({ node }: ApiModules): EthApi {
  const stateAt = (tag: number | "latest") => stateAtTag(node, tag);
  return {
    eth_chainId: (p) => {
      expectParamCount(p, 0, 0);
      return `0x${node.chainId.toString(16)}`;
    },
    eth_blockNumber: (p) => {
      expectParamCount(p, 0, 0);
      return `0x${node.head.number.toString(16)}`;
    },
    eth_getBalance: (p) => {
      expectParamCount(p, 1, 2);
      const address = paramHex(p, 0, "address", 20);
      const tagParam = p[1];
      const tag =
        tagParam === undefined || tagParam === "latest" || tagParam === "pending" ? "latest" : ethBlockTag(tagParam);
      const { state } = stateAt(tag);
      return `0x${(state.get(Namespace.Account, fromHex(address))?.balance ?? 0n).toString(16)}`;
    },
    net_version: (p) => {
      expectParamCount(p, 0, 0);
      return String(node.chainId);
    },
  };
}

/** eth_* block tags are hex quantities. */
function ethBlockTag(tag: unknown): number {
  if (typeof tag === "string" && /^0x[0-9a-fA-F]{1,13}$/.test(tag)) return Number.parseInt(tag.slice(2), 16);
  throw new RpcError(RpcErrorCode.INVALID_PARAMS, { message: 'Block tag must be "latest" or a hex block number' });
}
