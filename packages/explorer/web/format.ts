/** How values read: FIL amounts, short hashes, ages, the transaction kinds by name. */

const ATTO = 10n ** 18n;

/** attoFIL (decimal string) as FIL with up to 6 decimals, e.g. "1,000.5 FIL". */
export function fil(atto: string | undefined): string {
  if (atto === undefined) return "—";
  let v: bigint;
  try {
    v = BigInt(atto);
  } catch {
    return atto;
  }
  const whole = v / ATTO;
  const frac = (v % ATTO).toString().padStart(18, "0").slice(0, 6).replace(/0+$/, "");
  const w = whole.toLocaleString("en-US");
  if (frac === "" && whole === 0n && v > 0n) return `${atto} attoFIL`;
  return `${w}${frac ? `.${frac}` : ""} FIL`;
}

/**
 * A token amount in base units (decimal string) with its decimals, e.g. "1,000.5 DMC": up to 6
 * fraction digits from 1 up, every digit below 1 (0.000000000000005 DMC).
 */
export function units(base: string, decimals: number, symbol: string): string {
  let v: bigint;
  try {
    v = BigInt(base);
  } catch {
    return base;
  }
  const one = 10n ** BigInt(decimals);
  const whole = v / one;
  const digits = (v % one).toString().padStart(decimals, "0");
  // Up to 6 fraction digits; all of them for an amount that would otherwise read as zero.
  const frac = (whole === 0n ? digits : digits.slice(0, 6)).replace(/0+$/, "").slice(0, whole === 0n ? undefined : 6);
  return `${whole.toLocaleString("en-US")}${frac ? `.${frac}` : ""} ${symbol}`;
}

export function short(hex: string | undefined, keep = 6): string {
  if (!hex) return "—";
  return hex.length <= 2 + keep * 2 + 1 ? hex : `${hex.slice(0, 2 + keep)}…${hex.slice(-keep + 2)}`;
}

export function ago(unixSeconds: string | number | undefined, now = Date.now()): string {
  if (unixSeconds === undefined) return "—";
  const s = Math.max(0, Math.round(now / 1000 - Number(unixSeconds)));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export function dateTime(unixSeconds: string | number | undefined): string {
  if (unixSeconds === undefined || unixSeconds === "0") return "never";
  const d = new Date(Number(unixSeconds) * 1000);
  return Number.isNaN(d.getTime()) ? String(unixSeconds) : d.toISOString().replace("T", " ").replace(".000Z", " UTC");
}

/** The wire kind bytes (docs/protocol.md, transaction kinds). */
export const KIND_NAMES: Record<number, string> = {
  0: "Deposit",
  1: "Transfer",
  2: "Withdraw",
  10: "CollectionCreate",
  11: "AssetMint",
  12: "AssetBatchMint",
  13: "AssetTransfer",
  14: "AssetBurn",
  15: "AssetMetadataUpdate",
  16: "AssetApprove",
  17: "OperatorSet",
  20: "TokenCreate",
  21: "TokenMint",
  22: "TokenTransfer",
  23: "TokenBurn",
  30: "IdentityCreate",
  31: "IdentityUpdate",
  32: "AttributeSet",
  33: "AttributeRemove",
  34: "DelegateAdd",
  35: "DelegateRevoke",
  36: "IdentityTransfer",
  40: "DataAssetRegister",
  41: "AccessGrant",
  42: "AccessRevoke",
  50: "TradeFill",
  51: "OrderCancel",
  60: "FeeAllowanceSet",
  61: "FeeAllowanceRevoke",
  62: "SessionGrant",
  63: "SessionRevoke",
};

export const kindName = (k: number | undefined): string => (k === undefined ? "—" : (KIND_NAMES[k] ?? `kind ${k}`));

export const SCOPES: Record<number, string> = { 1: "assets", 2: "identity", 3: "all" };

export const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

export const isAddress = (s: string): boolean => /^0x[0-9a-fA-F]{40}$/.test(s);
export const isBytes32 = (s: string): boolean => /^0x[0-9a-fA-F]{64}$/.test(s);
