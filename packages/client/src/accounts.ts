/**
 * Signers: a viem local Account (signTypedData) or an EIP-1193 provider (eth_signTypedData_v4), both
 * fed exactly the typed data of `typedData()` from @filverse/crypto.
 */

import { type Hex, isHex, safeStringify } from "@filverse/utils";
import type { Account, LocalAccount } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { ClientError, ClientErrorCode } from "./errors.js";

/** What `typedData(chainId, struct, message)` returns: the JSON form every wallet takes. */
export type FilverseTypedData = {
  domain: { name: string; version: string; chainId: number };
  types: Record<string, { name: string; type: string }[]>;
  primaryType: string;
  message: Record<string, unknown>;
};

/** An EIP-1193 provider (MetaMask's window.ethereum, WalletConnect, a viem custom transport). */
export type Eip1193Provider = {
  request(args: { method: string; params?: unknown[] | Record<string, unknown> }): Promise<unknown>;
};

/**
 * The two fields of the Via envelope (docs/protocol.md "The Via envelope"), lower-case hex, zero for
 * none: `sponsor` pays the fee from its fee allowance; `account` is the account a session key acts for.
 */
export type ViaFields = { sponsor: Hex; account: Hex };

/** The signer the SDK uses whichever account kind it was given. */
export type Signer = {
  /** The address that signs (a session key's own address for a session account). */
  readonly address: Hex;
  readonly source: "local" | "eip1193";
  signTypedData(typedData: FilverseTypedData): Promise<Hex>;
  /** Set for sessionAccount / sponsored: every transaction is signed as `Via<Name>` with these fields. */
  readonly via?: ViaFields;
};

export const ZERO_ADDRESS: Hex = `0x${"00".repeat(20)}`;

/**
 * An account that signs every transaction as `Via<Name>`: what sessionAccount and sponsored return,
 * taken by createFilverseClient's `account` option like any other account.
 */
export type ViaAccount = {
  readonly type: "filverseVia";
  /** The signing address (the session key, or the sponsored account itself). */
  readonly address: Hex;
  /** The account that signs: a viem local account, or an EIP-1193 provider with `address`. */
  readonly signer: Account | Eip1193Provider;
  readonly via: ViaFields;
};

function isViaAccount(value: unknown): value is ViaAccount {
  return (value as { type?: unknown } | null)?.type === "filverseVia";
}

function addressParam(value: unknown, name: string): Hex {
  if (!isHex(value, 20)) {
    throw new ClientError(ClientErrorCode.INVALID_INPUT, `Invalid parameter "${name}": expected a 20-byte 0x address`, {
      details: { name, got: typeof value === "string" ? value : String(value) },
    });
  }
  return value.toLowerCase() as Hex;
}

/** A 0x private key becomes a viem local account; an account is kept as it is. */
function localAccount(key: Hex | LocalAccount, name: string): LocalAccount {
  if (typeof key !== "string") return key;
  if (!isHex(key, 32)) {
    throw new ClientError(
      ClientErrorCode.INVALID_INPUT,
      `Invalid parameter "${name}": expected a 32-byte 0x private key`,
    );
  }
  return privateKeyToAccount(key);
}

/**
 * A session key's account: every transaction it signs is `Via<Name>` with `account` (the account
 * that granted the session, whose assets and FIL it acts on within the grant) and `sponsor` (whose
 * fee allowance pays the fee; none: the fee is the account's and counts against the grant's FIL cap).
 * Nonces are the session key's own. Give it to createFilverseClient as `account`.
 */
export function sessionAccount(key: Hex | LocalAccount, grant: { account: Hex; sponsor?: Hex }): ViaAccount {
  const signer = localAccount(key, "key");
  const account = addressParam(grant.account, "account");
  const sponsor = grant.sponsor === undefined ? ZERO_ADDRESS : addressParam(grant.sponsor, "sponsor");
  if (account === ZERO_ADDRESS) {
    throw new ClientError(ClientErrorCode.INVALID_INPUT, "A session account acts for a non-zero `account`");
  }
  return { type: "filverseVia", address: signer.address.toLowerCase() as Hex, signer, via: { sponsor, account } };
}

/**
 * An account whose own transactions name `sponsor`: signed as `Via<Name>` with account zero, the fee
 * charged to the sponsor's fee allowance (a new player with 0 FIL can create an identity at once).
 * A provider needs the `address` it signs with.
 */
export function sponsored(account: Hex | LocalAccount | Eip1193Provider, sponsor: Hex, address?: Hex): ViaAccount {
  const via = { sponsor: addressParam(sponsor, "sponsor"), account: ZERO_ADDRESS };
  if (via.sponsor === ZERO_ADDRESS) {
    throw new ClientError(ClientErrorCode.INVALID_INPUT, "A sponsored account names a non-zero `sponsor`");
  }
  if (isProvider(account) && typeof (account as { signTypedData?: unknown }).signTypedData !== "function") {
    return { type: "filverseVia", address: addressParam(address, "address"), signer: account, via };
  }
  const local = localAccount(account as Hex | LocalAccount, "account");
  return { type: "filverseVia", address: local.address.toLowerCase() as Hex, signer: local, via };
}

/** The EIP712Domain type of the Filverse domain (name, version, chainId). */
const EIP712_DOMAIN_TYPE = [
  { name: "name", type: "string" },
  { name: "version", type: "string" },
  { name: "chainId", type: "uint256" },
];

function isProvider(value: unknown): value is Eip1193Provider {
  return typeof (value as { request?: unknown } | null)?.request === "function";
}

/** Normalize the client's `account` option (plus `address` for a provider) into a Signer. */
export function toSigner(account: Account | Eip1193Provider | ViaAccount, address?: Hex): Signer {
  if (isViaAccount(account)) {
    const inner = toSigner(account.signer, address ?? account.address);
    return { ...inner, via: account.via };
  }
  const signTypedData = (account as { signTypedData?: unknown }).signTypedData;
  if (typeof signTypedData === "function") {
    const local = account as Account & { signTypedData: (td: never) => Promise<Hex> };
    return {
      address: local.address.toLowerCase() as Hex,
      source: "local",
      signTypedData: (td) => local.signTypedData(td as never),
    };
  }
  if (isProvider(account)) {
    if (!isHex(address, 20)) {
      throw new ClientError(ClientErrorCode.NO_ACCOUNT, "An EIP-1193 provider needs the `address` option", {
        metaMessages: ["createFilverseClient({ url, account: provider, address: '0x…' })"],
      });
    }
    const from = address.toLowerCase() as Hex;
    return {
      address: from,
      source: "eip1193",
      async signTypedData(td) {
        // Wallets following eth-sig-util hash the domain with types.EIP712Domain and treat a missing
        // entry as an empty domain type, so it is added, as viem's own signTypedData does.
        const payload = { ...td, types: { EIP712Domain: EIP712_DOMAIN_TYPE, ...td.types } };
        const sig = await account.request({ method: "eth_signTypedData_v4", params: [from, safeStringify(payload)] });
        return sig as Hex;
      },
    };
  }
  throw new ClientError(
    ClientErrorCode.NO_ACCOUNT,
    "The account cannot sign typed data: pass a viem local account or an EIP-1193 provider",
    {
      details: { type: (account as { type?: string } | null)?.type },
    },
  );
}

/**
 * The 65-byte r ‖ s ‖ v signature the protocol takes. Some hardware wallets return v ∈ {0, 1}; it is
 * moved to {27, 28}. Anything else malformed is ClientError INVALID_SIGNATURE.
 */
export function normalizeSignature(signature: unknown): Hex {
  if (!isHex(signature, 65)) {
    throw new ClientError(ClientErrorCode.INVALID_SIGNATURE, "The wallet returned a malformed signature", {
      details: { signature: typeof signature === "string" ? signature.slice(0, 140) : String(signature) },
    });
  }
  const v = Number.parseInt(signature.slice(130), 16);
  const lower = signature.toLowerCase() as Hex;
  if (v === 0 || v === 1) return `${lower.slice(0, 130)}${(v + 27).toString(16)}` as Hex;
  return lower;
}
