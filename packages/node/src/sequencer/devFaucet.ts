/**
 * The devnet's deposit source when no L1 runs: funds fixed dev accounts through ordinary deposit
 * system transactions (L1 nonces 1..n), so balances still enter the L2 only as deposits and FIL
 * conservation holds. Dev only; the L1 deposit watcher replaces it on real networks.
 */
import { sha256 } from "@filverse/crypto";
import type { Deposit } from "@filverse/types";
import { concatBytes, utf8ToBytes } from "@filverse/utils";
import type { DepositSource } from "../chain/interface.js";

export class DevFaucet implements DepositSource {
  private readonly deposits: Deposit[];

  constructor(grants: { address: Uint8Array; amount: bigint }[]) {
    this.deposits = grants.map((g, i) => {
      const nonce = i + 1;
      const tag = concatBytes(
        utf8ToBytes("filverse:dev-faucet:"),
        Uint8Array.of(nonce >> 24, nonce >> 16, nonce >> 8, nonce),
      );
      return {
        l1Nonce: nonce,
        l1BlockNumber: 0,
        l1TxHash: sha256(tag),
        from: new Uint8Array(20),
        to: g.address,
        amount: g.amount,
        forcedTx: new Uint8Array(0),
      };
    });
  }

  async pending(afterNonce: number, max: number): Promise<Deposit[]> {
    return this.deposits.slice(afterNonce, afterNonce + max);
  }
}
