/** The genesis block: a state holding only the zeroed Globals (FIL enters only through the bridge), number 0. */
import type { ChainConfig } from "@filverse/params";
import { type BlockHeader, HashListSsz, ReceiptListSsz } from "@filverse/types";
import { State } from "./state.js";

export type GenesisOptions = {
  /** Unix seconds of the genesis header. */
  timestamp: number;
  /** The sequencer's address. */
  proposer: Uint8Array;
};

export function createGenesis(
  chain: Pick<ChainConfig, "chainId">,
  opts: GenesisOptions,
): { state: State; header: BlockHeader } {
  const state = State.genesis();
  const roots = state.roots();
  return {
    state,
    header: {
      chainId: chain.chainId,
      number: 0,
      parentHash: new Uint8Array(32),
      timestamp: opts.timestamp,
      proposer: opts.proposer,
      txRoot: HashListSsz.hashTreeRoot([]),
      receiptsRoot: ReceiptListSsz.hashTreeRoot([]),
      stateRoot: roots.stateRoot,
      withdrawalsRoot: roots.withdrawalsRoot,
      l1DepositNonce: 0,
    },
  };
}
