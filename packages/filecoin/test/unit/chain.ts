/**
 * A real chain for the batch tests: genesis, deposits, then blocks of signed transfers, each executed
 * by applyBlock and sealed by the sequencer, encoded as ChainDb stores them. And the CommP oracle.
 */
import { privateKeyToAddress, signBlockHeader, signTransaction } from "@filverse/crypto";
import { getChainConfig } from "@filverse/params";
import { applyBlock, createGenesis } from "@filverse/state";
import {
  type Block,
  type BlockHeader,
  blockHash,
  encodeSignedBlock,
  type SignedBlock,
  type SignedTransaction,
  TxKind,
} from "@filverse/types";
import { Piece } from "@web3-storage/data-segment";
import type { PieceCommitter } from "../../src/index.js";

const chainConfig = getChainConfig("devnet");
export const CHAIN_ID = chainConfig.chainId;
const GENESIS_TIME = 1_700_000_000;

function key(byte: number) {
  const priv = new Uint8Array(32).fill(byte);
  return { priv, address: privateKeyToAddress(priv) };
}
const sequencer = key(0x55);
const users = [key(0x11), key(0x22), key(0x33)];

export type TestChain = { genesis: BlockHeader; blocks: SignedBlock[]; bytes: Uint8Array[] };

/**
 * Blocks 1..count: block 1 credits deposits to three users; block n > 1 holds (n mod 3) transfers, so
 * block sizes differ. Deterministic (fixed keys, RFC 6979 signatures, fixed timestamps).
 */
export function buildTestChain(count: number): TestChain {
  const genesis = createGenesis(chainConfig, { timestamp: GENESIS_TIME, proposer: sequencer.address });
  const nonces = users.map(() => 0);
  let state = genesis.state;
  let parent = genesis.header;
  const blocks: SignedBlock[] = [];
  for (let n = 1; n <= count; n++) {
    const deposits =
      n === 1
        ? users.map((u, i) => ({
            l1Nonce: i + 1,
            l1BlockNumber: 100 + i,
            l1TxHash: new Uint8Array(32).fill(0xa0 + i),
            from: u.address,
            to: u.address,
            amount: 10n ** 21n,
            forcedTx: new Uint8Array(0),
          }))
        : [];
    const transactions: SignedTransaction[] = [];
    for (let t = 0; n > 1 && t < n % 3; t++) {
      const from = (n + t) % users.length;
      const to = users[(from + 1) % users.length]!;
      transactions.push(
        signTransaction(
          CHAIN_ID,
          {
            kind: TxKind.Transfer,
            message: { to: to.address, amount: BigInt(n * 1000 + t), nonce: nonces[from]!++, fee: 0n },
          },
          users[from]!.priv,
        ),
      );
    }
    const draft: BlockHeader = {
      ...parent,
      number: n,
      parentHash: blockHash(parent),
      timestamp: GENESIS_TIME + n,
      proposer: sequencer.address,
    };
    const block: Block = { header: draft, deposits, transactions };
    const r = applyBlock(state, block, { chainId: CHAIN_ID });
    const header: BlockHeader = {
      ...draft,
      txRoot: r.roots.txRoot,
      receiptsRoot: r.roots.receiptsRoot,
      stateRoot: r.roots.stateRoot,
      withdrawalsRoot: r.roots.withdrawalsRoot,
      l1DepositNonce: r.l1DepositNonce,
    };
    blocks.push({ ...block, header, signature: signBlockHeader(header, sequencer.priv) });
    state = r.state;
    parent = header;
  }
  return { genesis: genesis.header, blocks, bytes: blocks.map((b) => encodeSignedBlock(b)) };
}

/** The CommP oracle: @web3-storage/data-segment, the reference implementation (slow, tests only). */
export const dataSegmentCommitter: PieceCommitter = {
  async commP(bytes) {
    const piece = Piece.fromPayload(bytes);
    return { pieceCid: piece.link.toString(), paddedSize: Number(piece.size) };
  },
};

/** A v1 Piece CID string from data-segment, for comparison with ours. */
export function dataSegmentV1(bytes: Uint8Array): string {
  return Piece.fromPayload(bytes).toInfo().link.toString();
}
