/**
 * The withdrawal leaf, as the L1 bridge computes it:
 *   leaf = sha256(abi.encode(uint256 index, address l2Sender, address l1Recipient, uint256 amount))
 * 128 bytes, so Solidity needs one abi.encode and the sha256 precompile.
 */
import { sha256 } from "@filverse/crypto";
import type { Withdrawal } from "@filverse/types";
import { bigintToBytesBE } from "@filverse/utils";

export function withdrawalLeaf(w: Withdrawal): Uint8Array {
  const buf = new Uint8Array(128);
  buf.set(bigintToBytesBE(BigInt(w.index), 32), 0);
  buf.set(w.l2Sender, 32 + 12);
  buf.set(w.l1Recipient, 64 + 12);
  buf.set(bigintToBytesBE(w.amount, 32), 96);
  return sha256(buf);
}
