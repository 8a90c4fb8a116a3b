/** The chain's own methods: its id, head, blocks, genesis and parameters, sync status and fees. */
import { expectParamCount, paramBlockTag, paramBool, paramHex, RpcError } from "@filverse/rpc";
import { BlockHeader, blockHash, RpcErrorCode } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import { getBlockJson } from "./reads.js";
import type { ApiModules, RpcHandlers } from "./types.js";

export type ChainApi = Pick<
  RpcHandlers,
  | "filverse_chainId"
  | "filverse_blockNumber"
  | "filverse_getBlockByNumber"
  | "filverse_getBlockByHash"
  | "filverse_estimateFee"
  | "filverse_syncStatus"
  | "filverse_getGenesis"
>;

export function chainApi({ node }: ApiModules): ChainApi {
  const db = () => node.db;
  const getBlock = (n: number, full: boolean) => getBlockJson(node, n, full);
  return {
    filverse_chainId: (p) => {
      expectParamCount(p, 0, 0);
      return String(node.chainId);
    },
    filverse_blockNumber: (p) => {
      expectParamCount(p, 0, 0);
      return String(node.head.number);
    },
    filverse_getBlockByNumber: (p) => {
      expectParamCount(p, 1, 2);
      const tag = paramBlockTag(p, 0);
      return getBlock(tag === "latest" ? node.head.number : tag, p.length > 1 ? paramBool(p, 1, "full") : false);
    },
    filverse_getBlockByHash: async (p) => {
      expectParamCount(p, 1, 2);
      const n = await db().getBlockNumberByHash(fromHex(paramHex(p, 0, "hash", 32)));
      return n === null ? null : getBlock(n, p.length > 1 ? paramBool(p, 1, "full") : false);
    },
    filverse_estimateFee: (p) => {
      expectParamCount(p, 0, 1);
      const { minFee, suggestedFee } = node.feeEstimate();
      return { minFee: minFee.toString(), suggestedFee: suggestedFee.toString() };
    },
    filverse_syncStatus: (p) => {
      expectParamCount(p, 0, 0);
      return {
        head: String(node.head.number),
        headHash: toHex(node.head.hash),
        stateRoot: toHex(node.head.header.stateRoot),
        pending: node.pendingCount(),
        syncing: node.syncing(),
      };
    },
    filverse_getGenesis: async (p) => {
      expectParamCount(p, 0, 0);
      const header = await db().getGenesisHeader();
      if (!header) throw new RpcError(RpcErrorCode.UNAVAILABLE, { message: "The node has no genesis yet" });
      const c = node.chain;
      return {
        hash: toHex(blockHash(header)),
        header: BlockHeader.toJson(header),
        chain: {
          preset: c.preset,
          chainId: c.chainId,
          l1ChainId: c.l1ChainId,
          blockTimeMs: c.blockTimeMs,
          maxBlockTxs: c.maxBlockTxs,
          maxBlockDeposits: c.maxBlockDeposits,
          checkpointInterval: c.checkpointInterval,
          minTxFee: c.minTxFee.toString(),
        },
      };
    },
  };
}
