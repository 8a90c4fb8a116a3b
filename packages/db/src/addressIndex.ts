/**
 * Which addresses a block's entries concern, for the address → transaction index (0x0c): the
 * receipt's sender (for a deposit, the credited account), and for a user transaction every address
 * field of its message, one level into nested structs (a trade's order: maker, taker), and a Via
 * transaction's sponsor and account. The zero
 * address is left out. A message has at most a few address fields, so a block adds at most a few
 * keys per entry.
 */
import type { Block, Receipt } from "@filverse/types";
import { toHex } from "@filverse/utils";

const ADDRESS_BYTES = 20;

export type AddressTxEntry = { address: Uint8Array; index: number; hash: Uint8Array };

function isAddressValue(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array && v.length === ADDRESS_BYTES && v.some((b) => b !== 0);
}

function addressesOf(message: Record<string, unknown>, into: Map<string, Uint8Array>): void {
  for (const v of Object.values(message)) {
    if (isAddressValue(v)) into.set(toHex(v), v);
    else if (v !== null && typeof v === "object" && !(v instanceof Uint8Array) && !Array.isArray(v)) {
      for (const w of Object.values(v as Record<string, unknown>)) if (isAddressValue(w)) into.set(toHex(w), w);
    }
  }
}

/** One entry per (address, receipt position), in position order; receipts list deposits first. */
export function addressTxEntries(block: Block, receipts: readonly Receipt[]): AddressTxEntry[] {
  const out: AddressTxEntry[] = [];
  const deposits = block.deposits.length;
  receipts.forEach((r, index) => {
    const addresses = new Map<string, Uint8Array>();
    if (isAddressValue(r.sender)) addresses.set(toHex(r.sender), r.sender);
    if (index < deposits) {
      const to = block.deposits[index]!.to;
      if (isAddressValue(to)) addresses.set(toHex(to), to);
    } else {
      const tx = block.transactions[index - deposits];
      if (tx) addressesOf(tx.message as unknown as Record<string, unknown>, addresses);
      // A Via transaction concerns its sponsor and the account a session key acted for.
      if (tx?.via) addressesOf(tx.via as unknown as Record<string, unknown>, addresses);
    }
    for (const address of addresses.values()) out.push({ address, index, hash: r.txHash });
  });
  return out;
}
