/**
 * Real sealed L2 blocks for the tests that play the dispute game with the one-step executor as built
 * (disputeGameExecutor.test.ts here, the dispute player's tests in packages/node): keys, a deposit,
 * blocks sealed through applyBlock by one sequencer, and the two-block chain they dispute.
 */
import { depositHash, privateKeyToAddress, signBlockHeader, signTransaction, txHash } from "@filverse/crypto";
import { applyBlock, createGenesis, type State } from "@filverse/state";
import {
  type BlockHeader,
  blockHash,
  type Deposit,
  HashListSsz,
  type SignedBlock,
  type SignedTransaction,
  TxKind,
} from "@filverse/types";

export const CHAIN_ID = 3_141_592_601;
export const MAX_BLOCK_TXS = 10_000;

export const makeKey = (seed: number) => {
  const priv = new Uint8Array(32);
  priv[0] = 0x61;
  priv[31] = seed + 1;
  return { priv, address: privateKeyToAddress(priv) };
};
export const alice = makeKey(1);
export const bob = makeKey(2);
export const sequencer = makeKey(9);

/** Seal `deposits` and `txs` on top of `parent` (roots from applyBlock); `fault` alters the header before the seal. */
export function seal(
  parent: State,
  parentHeader: BlockHeader,
  deposits: Deposit[],
  txs: SignedTransaction[],
  fault: (h: BlockHeader) => BlockHeader = (h) => h,
): { block: SignedBlock; state: State } {
  const draft: BlockHeader = {
    chainId: CHAIN_ID,
    number: parentHeader.number + 1,
    parentHash: blockHash(parentHeader),
    timestamp: parentHeader.timestamp + 2,
    proposer: sequencer.address,
    txRoot: new Uint8Array(32),
    receiptsRoot: new Uint8Array(32),
    stateRoot: new Uint8Array(32),
    withdrawalsRoot: new Uint8Array(32),
    l1DepositNonce: 0,
  };
  const body = { header: draft, deposits, transactions: txs };
  const r = applyBlock(parent, body, { chainId: CHAIN_ID, maxBlockTxs: MAX_BLOCK_TXS });
  const items = [...deposits.map((d) => depositHash(d)), ...txs.map((t) => txHash(t))];
  const header = fault({
    ...draft,
    txRoot: HashListSsz.hashTreeRoot(items),
    receiptsRoot: r.roots.receiptsRoot,
    stateRoot: r.roots.stateRoot,
    withdrawalsRoot: r.roots.withdrawalsRoot,
    l1DepositNonce: r.l1DepositNonce,
  });
  return { block: { ...body, header, signature: signBlockHeader(header, sequencer.priv) }, state: r.state };
}

/** A made-up L1 deposit (its L1 fields from `nonce`). */
export const deposit = (nonce: number, to: Uint8Array, amount: bigint): Deposit => ({
  l1Nonce: nonce,
  l1BlockNumber: 10 + nonce,
  l1TxHash: new Uint8Array(32).fill(nonce),
  from: new Uint8Array(20).fill(0xee),
  to,
  amount,
  forcedTx: new Uint8Array(0),
});

/**
 * Genesis, block 1 funding alice by deposit, and block 2 with a deposit to bob and a transfer from
 * alice; `fault` alters block 2's header before the seal.
 */
export function sealTwoBlocks(fault?: (h: BlockHeader) => BlockHeader) {
  const genesis = createGenesis({ chainId: CHAIN_ID }, { timestamp: 1_700_000_000, proposer: sequencer.address });
  const one = seal(genesis.state, genesis.header, [deposit(1, alice.address, 10n ** 18n)], []);
  const transfer = signTransaction(
    CHAIN_ID,
    { kind: TxKind.Transfer, message: { to: bob.address, amount: 5n, nonce: 0, fee: 1n } },
    alice.priv,
  );
  const two = seal(one.state, one.block.header, [deposit(2, bob.address, 7n)], [transfer], fault);
  return { genesis, one, transfer, two };
}
