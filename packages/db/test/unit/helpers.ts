/** Test helpers: a sealed chain built with the real state machine, and throwaway LevelDB directories. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signBlockHeader } from "@filverse/crypto";
import { applyBlock, type BlockExecutionResult, createGenesis, type State } from "@filverse/state";
import { CHAIN_ID, sequencer, TestChain } from "@filverse/test-utils";
import { type BlockHeader, blockHash, type Deposit, type SignedBlock, type SignedTransaction } from "@filverse/types";

export { CHAIN_ID };

export type Step = { block: SignedBlock; result: BlockExecutionResult; prev: State };

/** Makes real, sealed blocks: TestChain signs transactions (and tracks nonces), this class links and seals. */
export class SealedChain {
  readonly signer = new TestChain();
  readonly genesis = createGenesis({ chainId: CHAIN_ID }, { timestamp: 1_700_000_000, proposer: sequencer.address });
  state: State = this.genesis.state;
  head: BlockHeader = this.genesis.header;
  private l1Nonce = 0;
  private deposits: Deposit[] = [];

  deposit(to: Uint8Array, amount = 10n ** 21n): void {
    this.l1Nonce++;
    this.deposits.push({
      l1Nonce: this.l1Nonce,
      l1BlockNumber: 100 + this.l1Nonce,
      l1TxHash: new Uint8Array(32).fill(this.l1Nonce & 0xff),
      from: new Uint8Array(20).fill(0xee),
      to,
      amount,
      forcedTx: new Uint8Array(0),
    });
  }

  /** Execute the queued deposits and these transactions, seal the header, and advance. */
  next(transactions: SignedTransaction[] = []): Step {
    const draft: BlockHeader = {
      ...this.head,
      number: this.head.number + 1,
      parentHash: blockHash(this.head),
      timestamp: this.head.timestamp + 1,
      proposer: sequencer.address,
    };
    const body = { deposits: this.deposits, transactions };
    const prev = this.state;
    const result = applyBlock(prev, { header: draft, ...body }, { chainId: CHAIN_ID });
    const header: BlockHeader = {
      ...draft,
      txRoot: result.roots.txRoot,
      receiptsRoot: result.roots.receiptsRoot,
      stateRoot: result.roots.stateRoot,
      withdrawalsRoot: result.roots.withdrawalsRoot,
      l1DepositNonce: result.l1DepositNonce,
    };
    const block: SignedBlock = { header, ...body, signature: signBlockHeader(header, sequencer.priv) };
    this.deposits = [];
    this.state = result.state;
    this.head = header;
    return { block, result, prev };
  }
}

/** A fresh temp directory; call the returned function (afterEach) to remove it. */
export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "filverse-db-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
