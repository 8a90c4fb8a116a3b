/** `kinds` masks of FeeAllowanceSet and SessionGrant: bit k set = transaction kind k (TxKind) covered. */
import { isUserTxKind, TxKind, txStructs, type UserTxKind } from "@filverse/types";
import { ClientError, ClientErrorCode } from "../errors.js";
import type { PrimaryType, Uint256Input } from "../types.js";

/**
 * The mask of the named kinds: `kindsMask(["AssetMint", "AttributeSet", "TradeFill"])` is
 * 2^11 | 2^32 | 2^50. Names are EIP-712 primary types; wire numbers (11) are taken too.
 */
export function kindsMask(kinds: readonly (PrimaryType | UserTxKind)[]): bigint {
  if (!Array.isArray(kinds) || kinds.length === 0) {
    throw new ClientError(ClientErrorCode.INVALID_INPUT, "kindsMask needs at least one transaction kind");
  }
  let mask = 0n;
  for (const k of kinds) {
    const byName = typeof k === "string" ? (TxKind as Record<string, unknown>)[k] : k;
    if (typeof byName !== "number" || !isUserTxKind(byName)) {
      throw new ClientError(ClientErrorCode.INVALID_INPUT, `Unknown transaction kind ${JSON.stringify(k)}`, {
        details: { kind: k },
        metaMessages: [
          `Known kinds: ${Object.values(txStructs)
            .map((s) => s.name)
            .join(", ")}`,
        ],
      });
    }
    mask |= 1n << BigInt(byName);
  }
  return mask;
}

/** The primary types of a mask's kinds, in kind order (what a wallet shows the user before signing). */
export function kindsOfMask(mask: Uint256Input): PrimaryType[] {
  const m = BigInt(mask);
  return Object.keys(txStructs)
    .map(Number)
    .filter((k) => (m >> BigInt(k)) & 1n)
    .map((k) => txStructs[k as UserTxKind].name as PrimaryType);
}

/** A `kinds` parameter: a mask, or the list of kinds it covers. */
export type KindsInput = Uint256Input | readonly (PrimaryType | UserTxKind)[];

export function kindsParam(kinds: KindsInput): Uint256Input {
  return Array.isArray(kinds) ? kindsMask(kinds as readonly (PrimaryType | UserTxKind)[]) : (kinds as Uint256Input);
}
