/**
 * Signers: a viem local Account (signTypedData) or an EIP-1193 provider (eth_signTypedData_v4), both
 * fed exactly the typed data of `typedData()` from @filverse/crypto.
 */

import { type Hex, isHex, safeStringify } from "@filverse/utils";
import type { Account } from "viem";
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

/** The signer the SDK uses whichever account kind it was given. */
export type Signer = {
  readonly address: Hex;
  readonly source: "local" | "eip1193";
  signTypedData(typedData: FilverseTypedData): Promise<Hex>;
};

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
export function toSigner(account: Account | Eip1193Provider, address?: Hex): Signer {
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
