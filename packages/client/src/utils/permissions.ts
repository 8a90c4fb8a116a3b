/**
 * ERC-7715 (`wallet_grantPermissions`) permission requests mapped onto one Filverse SessionGrant, for a
 * wallet that receives a dapp's request in that shape (docs/sessions.md has the table). Anything the
 * grant cannot express exactly is refused (ClientError INVALID_INPUT naming it), never widened.
 */
import { publicKeyToAddress } from "@filverse/crypto/wallet";
import { MAX_SESSION_LIST } from "@filverse/params";
import { type Hex, isHex, toHex } from "@filverse/utils";
import type { GrantSessionParameters, SessionTokenCap } from "../actions/grantSession.js";
import { ClientError, ClientErrorCode } from "../errors.js";
import type { PrimaryType } from "../types.js";
import { kindsMask } from "./kinds.js";

type Typed = { type: string; data?: Record<string, unknown> };

/**
 * One permission request: the ERC's `permission` with `policies`, or the earlier draft's `permissions`
 * (each with its own `policies`), or both.
 */
export type PermissionRequest = {
  chainId: Hex | number;
  /** The account asked to grant it. */
  address?: Hex;
  /** Unix seconds. */
  expiry: number;
  signer: Typed;
  permission?: Typed;
  permissions?: (Typed & { policies?: Typed[] })[];
  policies?: Typed[];
};

export type SessionGrantFromPermissions = {
  chainId: number;
  /** The account the dapp asked (`address`), if it named one. */
  account?: Hex;
  /** What to pass to grantSession, as the account. */
  grant: GrantSessionParameters;
};

const MAX_UINT256 = (1n << 256n) - 1n;

function refuse(message: string, details: Record<string, unknown> = {}): never {
  throw new ClientError(ClientErrorCode.INVALID_INPUT, message, {
    details,
    metaMessages: ["A wallet refuses what a SessionGrant cannot hold exactly (docs/sessions.md)."],
  });
}

/** A hex ("0x1dcd6500") or decimal amount, as ERC-7715 writes them. */
function amount(value: unknown, what: string): bigint {
  if (typeof value === "string" && /^0x[0-9a-fA-F]{1,64}$/.test(value)) return BigInt(value);
  if (typeof value === "string" && /^(0|[1-9]\d{0,77})$/.test(value) && BigInt(value) <= MAX_UINT256)
    return BigInt(value);
  if (typeof value === "bigint" && value >= 0n && value <= MAX_UINT256) return value;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  return refuse(`${what} is not an amount`, { got: String(value) });
}

function seconds(value: unknown, what: string): number {
  const n = typeof value === "string" && /^0x[0-9a-fA-F]+$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n <= 0)
    refuse(`${what} is not a number of seconds`, { got: String(value) });
  return n as number;
}

function hexOf(value: unknown, bytes: number, what: string): Hex {
  if (!isHex(value, bytes)) refuse(`${what} must be ${bytes}-byte 0x hex`, { got: String(value) });
  return (value as string).toLowerCase() as Hex;
}

const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

function base58Decode(text: string): Uint8Array | null {
  let n = 0n;
  for (const ch of text) {
    const d = BASE58.indexOf(ch);
    if (d < 0) return null;
    n = n * 58n + BigInt(d);
  }
  const bytes: number[] = [];
  while (n > 0n) {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  for (const ch of text) {
    if (ch !== "1") break;
    bytes.unshift(0);
  }
  return Uint8Array.from(bytes);
}

/** The address of a `key` signer's did:key (secp256k1, multicodec 0xe7). */
function didKeyAddress(id: unknown): Hex {
  const m = typeof id === "string" ? /^did:key:z([1-9A-HJ-NP-Za-km-z]+)$/.exec(id) : null;
  const bytes = m ? base58Decode(m[1]!) : null;
  if (bytes?.length !== 35 || bytes[0] !== 0xe7 || bytes[1] !== 0x01) {
    return refuse("A key signer must be a secp256k1 did:key", { got: String(id) });
  }
  try {
    return toHex(publicKeyToAddress(bytes.subarray(2)));
  } catch {
    return refuse("The did:key holds no secp256k1 public key", { got: String(id) });
  }
}

function sessionKeyOf(signer: Typed): Hex {
  if (signer?.type === "account") return hexOf(signer.data?.address, 20, "signer.data.address");
  if (signer?.type === "key" && isHex(signer.data?.id, 20)) return (signer.data.id as string).toLowerCase() as Hex;
  if (signer?.type === "key") return didKeyAddress(signer.data?.id);
  return refuse(`A "${String(signer?.type)}" signer has no Filverse equivalent: use an account or key signer`);
}

/**
 * Map a `wallet_grantPermissions` request (one or more permission requests for the same account,
 * signer and expiry) onto the SessionGrant a wallet has the account sign. The dapp names its app with
 * the `filverse-app` policy ({app, appSignature, requestDeadline}); the kinds with `filverse-kinds`,
 * else those the permissions imply (Transfer, TokenTransfer, AssetTransfer).
 */
export function sessionGrantFromPermissions(requests: readonly PermissionRequest[]): SessionGrantFromPermissions {
  if (!Array.isArray(requests) || requests.length === 0) refuse("A permission request is a non-empty array");
  const first = requests[0]!;
  for (const r of requests) {
    if (
      String(r.chainId) !== String(first.chainId) ||
      r.address?.toLowerCase() !== first.address?.toLowerCase() ||
      r.expiry !== first.expiry ||
      JSON.stringify(r.signer) !== JSON.stringify(first.signer)
    ) {
      refuse("Every permission request of one session has the same chainId, address, expiry and signer");
    }
  }
  const chainId = typeof first.chainId === "number" ? first.chainId : Number(BigInt(first.chainId));
  if (!Number.isSafeInteger(chainId) || chainId <= 0)
    refuse("chainId is not a chain id", { got: String(first.chainId) });

  let filCap: bigint | undefined;
  let filPeriodCap = 0n;
  let period: number | undefined;
  const tokens = new Map<Hex, { cap?: bigint; periodCap: bigint }>();
  const collections: Hex[] = [];
  let kinds: string[] | undefined;
  let counterparties: Hex[] = [];
  let app: { app: Hex; appSignature: Hex; requestDeadline: number } | undefined;
  const implied = new Set<PrimaryType>();
  const setPeriod = (value: unknown, what: string) => {
    const p = seconds(value, what);
    if (period !== undefined && period !== p) refuse("A session has one period for all its per-period caps", { what });
    period = p;
  };
  const lowerFil = (cap: bigint) => {
    filCap = filCap === undefined || cap < filCap ? cap : filCap;
  };

  const permissions: Typed[] = [];
  const policies: Typed[] = [];
  for (const r of requests) {
    if (r.permission) permissions.push(r.permission);
    for (const p of r.permissions ?? []) {
      permissions.push(p);
      policies.push(...(p.policies ?? []));
    }
    policies.push(...(r.policies ?? []));
  }
  const exact = permissions.find((p) => p.type === "filverse-session");
  if (exact) {
    // The one-to-one form (docs/protocol.md): the SessionGrant's own fields, nothing else beside them.
    if (permissions.length > 1 || policies.length > 0)
      refuse("A filverse-session permission carries the whole grant: no other permission or policy beside it");
    return {
      chainId,
      ...(first.address ? { account: hexOf(first.address, 20, "address") } : {}),
      grant: exactGrant(exact.data ?? {}, sessionKeyOf(first.signer), seconds(first.expiry, "expiry")),
    };
  }
  for (const p of permissions) {
    const d = p.data ?? {};
    switch (p.type) {
      case "native-token-transfer":
        lowerFil(amount(d.allowance, "native-token-transfer allowance"));
        implied.add("Transfer");
        break;
      case "native-token-periodic":
        filPeriodCap = amount(d.periodAmount, "native-token-periodic periodAmount");
        setPeriod(d.periodDuration, "native-token-periodic periodDuration");
        implied.add("Transfer");
        break;
      case "erc20-token-transfer":
      case "erc20-token-periodic": {
        if (d.tokenId === undefined)
          refuse(`${p.type} names a Filverse token by its 32-byte \`tokenId\` (tokens are not contracts)`);
        const id = hexOf(d.tokenId, 32, `${p.type} tokenId`);
        const t = tokens.get(id) ?? { periodCap: 0n };
        if (p.type === "erc20-token-transfer") t.cap = amount(d.allowance, "erc20-token-transfer allowance");
        else {
          t.periodCap = amount(d.periodAmount, "erc20-token-periodic periodAmount");
          setPeriod(d.periodDuration, "erc20-token-periodic periodDuration");
        }
        tokens.set(id, t);
        implied.add("TokenTransfer");
        break;
      }
      case "erc721-token-transfer":
        if (d.tokenIds !== undefined) refuse("A session is limited to whole collections, not to token ids");
        collections.push(hexOf(d.collectionId, 32, "erc721-token-transfer collectionId"));
        implied.add("AssetTransfer");
        break;
      default:
        refuse(`The permission type "${p.type}" has no Filverse equivalent`);
    }
  }
  for (const p of policies) {
    const d = p.data ?? {};
    switch (p.type) {
      case "spent-limit":
        lowerFil(amount(d.allowance, "spent-limit allowance"));
        break;
      case "filverse-kinds":
        if (!Array.isArray(d.kinds)) refuse("filverse-kinds holds `kinds`, an array of kind names");
        kinds = d.kinds as string[];
        break;
      case "filverse-counterparties":
        if (!Array.isArray(d.addresses)) refuse("filverse-counterparties holds `addresses`");
        counterparties = (d.addresses as unknown[]).map((a, i) => hexOf(a, 20, `counterparty ${i}`));
        break;
      case "filverse-app":
        app = {
          app: hexOf(d.app, 32, "filverse-app app"),
          appSignature: hexOf(d.appSignature, 65, "filverse-app appSignature"),
          requestDeadline: seconds(d.requestDeadline, "filverse-app requestDeadline"),
        };
        break;
      default:
        refuse(`The policy "${p.type}" has no Filverse equivalent`);
    }
  }
  if (!app) refuse("A Filverse session names the app that asked: add the filverse-app policy");
  const kindNames = kinds ?? [...implied];
  if (kindNames.length === 0) refuse("The request allows no transaction kind: add the filverse-kinds policy");
  for (const [what, n] of [
    ["tokens", tokens.size],
    ["collections", collections.length],
    ["counterparties", counterparties.length],
  ] as const) {
    if (n > MAX_SESSION_LIST) refuse(`A session holds at most ${MAX_SESSION_LIST} ${what}`, { got: n });
  }
  const tokenCaps: SessionTokenCap[] = [...tokens].map(([tokenId, t]) => ({
    tokenId,
    cap: t.cap ?? MAX_UINT256,
    periodCap: t.periodCap,
  }));
  const grant: GrantSessionParameters = {
    sessionKey: sessionKeyOf(first.signer),
    ...app,
    kinds: kindsMask(kindNames as PrimaryType[]),
    // A per-period FIL cap alone leaves the total unbounded; nothing at all: no FIL moves.
    filCap: filCap ?? (filPeriodCap > 0n ? MAX_UINT256 : 0n),
    filPeriodCap,
    period: period ?? 0,
    tokens: tokenCaps,
    collections,
    counterparties,
    expiresAt: seconds(first.expiry, "expiry"),
  };
  return { chainId, ...(first.address ? { account: hexOf(first.address, 20, "address") } : {}), grant };
}

/** A `filverse-session` permission's data: the SessionGrant fields as they are (lists parallel). */
function exactGrant(d: Record<string, unknown>, sessionKey: Hex, expiresAt: number): GrantSessionParameters {
  const list = (k: string): unknown[] => {
    const v = d[k] ?? [];
    if (!Array.isArray(v)) refuse(`filverse-session ${k} must be an array`);
    return v as unknown[];
  };
  const tokens = list("tokens");
  const caps = list("tokenCaps");
  const periodCaps = list("tokenPeriodCaps");
  if (caps.length !== tokens.length || (periodCaps.length !== 0 && periodCaps.length !== tokens.length))
    refuse("filverse-session tokenCaps and tokenPeriodCaps go with tokens, one each");
  const kinds = d.kinds;
  return {
    sessionKey,
    app: hexOf(d.app, 32, "filverse-session app"),
    appSignature: hexOf(d.appSignature, 65, "filverse-session appSignature"),
    requestDeadline: seconds(d.requestDeadline, "filverse-session requestDeadline"),
    kinds: Array.isArray(kinds) ? kindsMask(kinds as PrimaryType[]) : amount(kinds, "filverse-session kinds"),
    filCap: d.filCap === undefined ? 0n : amount(d.filCap, "filverse-session filCap"),
    filPeriodCap: d.filPeriodCap === undefined ? 0n : amount(d.filPeriodCap, "filverse-session filPeriodCap"),
    period:
      d.period === undefined || d.period === 0 || d.period === "0" ? 0 : seconds(d.period, "filverse-session period"),
    tokens: tokens.map((t, i) => ({
      tokenId: hexOf(t, 32, `filverse-session tokens[${i}]`),
      cap: amount(caps[i], `filverse-session tokenCaps[${i}]`),
      periodCap: periodCaps.length === 0 ? 0n : amount(periodCaps[i], `filverse-session tokenPeriodCaps[${i}]`),
    })),
    collections: list("collections").map((c, i) => hexOf(c, 32, `filverse-session collections[${i}]`)),
    counterparties: list("counterparties").map((c, i) => hexOf(c, 20, `filverse-session counterparties[${i}]`)),
    expiresAt,
  };
}
