/** A real L2 for the bridge tests: @filverse/state's applyBlock with deposits and signed Withdraw transactions. */
import { signTransaction } from "@filverse/crypto";
import { applyBlock, proveWithdrawal, State } from "@filverse/state";
import { type Deposit, TxKind, type Withdrawal } from "@filverse/types";
import { fromHex, toHex } from "@filverse/utils";
import type { Address, Hex } from "viem";
import { type Key, L2_CHAIN_ID } from "./fixture.js";

export class L2Chain {
  state = State.genesis();
  number = 0;
  timestamp = 1_700_000_000;
  private readonly nonces = new Map<string, number>();

  constructor(private readonly proposer: Key) {}

  /** One block with these L1 deposits and Withdraw transactions. */
  block(deposits: Deposit[], withdrawals: { from: Key; l1Recipient: Address; amount: bigint }[] = []): void {
    const transactions = withdrawals.map((w) => {
      const nonce = this.nonces.get(w.from.address) ?? 0;
      this.nonces.set(w.from.address, nonce + 1);
      const message = { l1Recipient: fromHex(w.l1Recipient), amount: w.amount, nonce, fee: 0n };
      return signTransaction(L2_CHAIN_ID, { kind: TxKind.Withdraw, message } as never, w.from.priv);
    });
    const zero = new Uint8Array(32);
    const block = {
      header: {
        chainId: L2_CHAIN_ID,
        number: this.number + 1,
        parentHash: zero,
        timestamp: this.timestamp + 1,
        proposer: fromHex(this.proposer.address),
        txRoot: zero,
        receiptsRoot: zero,
        stateRoot: zero,
        withdrawalsRoot: zero,
        l1DepositNonce: 0,
      },
      deposits,
      transactions,
    };
    const result = applyBlock(this.state, block, { chainId: L2_CHAIN_ID });
    for (const r of result.receipts) {
      if (r.status !== 1) throw new Error(`L2 transaction failed with code ${r.code}`);
    }
    this.state = result.state;
    this.number++;
    this.timestamp++;
  }

  /** The withdrawal at `index` and its 32 siblings, as FilverseBridge.finalizeWithdrawal takes them. */
  proof(index: number): { withdrawal: Withdrawal; abi: WithdrawalAbi; siblings: Hex[] } {
    const p = proveWithdrawal(this.state, index);
    if (!p) throw new RangeError(`No withdrawal at ${index}`);
    return { withdrawal: p.withdrawal, abi: withdrawalToAbi(p.withdrawal), siblings: p.siblings.map((s) => toHex(s)) };
  }
}

export type WithdrawalAbi = { index: bigint; l2Sender: Address; l1Recipient: Address; amount: bigint };

export function withdrawalToAbi(w: Withdrawal): WithdrawalAbi {
  return { index: BigInt(w.index), l2Sender: toHex(w.l2Sender), l1Recipient: toHex(w.l1Recipient), amount: w.amount };
}
