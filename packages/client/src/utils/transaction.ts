/**
 * Building, signing and hashing a transaction of any kind: friendly input → checked message →
 * EIP-712 signature (through typedData of @filverse/crypto) → the JSON filverse_sendTransaction takes.
 */
import {
  collectionIdOf,
  dataAssetIdOf,
  hashTypedData,
  identityIdOf,
  recoverAddress,
  tokenIdOf,
  txHashFromDigest,
  typedData,
} from "@filverse/crypto/wallet";
import { type StructType, TxKind, txStructs, type UserTxKind, viaStruct } from "@filverse/types";
import { fromHex, type Hex, isHex, toHex } from "@filverse/utils";
import { type FilverseTypedData, normalizeSignature, type Signer, type ViaFields, ZERO_ADDRESS } from "../accounts.js";
import { ClientError, ClientErrorCode } from "../errors.js";
import type { PrimaryType, SignedTransactionJson } from "../types.js";
import { normalizeObject, parseMessage } from "./normalize.js";

// biome-ignore lint/suspicious/noExplicitAny: the struct of any kind
type AnyStruct = StructType<any>;

const ZERO_ID: Hex = `0x${"00".repeat(32)}`;

export type ResolvedKind = { kind: UserTxKind; primaryType: PrimaryType; struct: AnyStruct };

/** The kind named by `primaryType` ("Transfer") or `kind` (1). */
export function resolveKind(params: { primaryType?: string; kind?: number }): ResolvedKind {
  const byName = params.primaryType === undefined ? undefined : (TxKind as Record<string, unknown>)[params.primaryType];
  const kind = (typeof byName === "number" ? byName : params.kind) as UserTxKind | undefined;
  if (
    kind === undefined ||
    !Object.hasOwn(txStructs, kind) ||
    (params.kind !== undefined && params.kind !== kind) ||
    (params.primaryType !== undefined && typeof byName !== "number")
  ) {
    throw new ClientError(ClientErrorCode.INVALID_INPUT, "Unknown transaction kind", {
      details: { primaryType: params.primaryType, kind: params.kind },
      metaMessages: [
        `Known primary types: ${Object.values(txStructs)
          .map((s) => s.name)
          .join(", ")}`,
      ],
    });
  }
  const struct = txStructs[kind] as AnyStruct;
  return { kind, primaryType: struct.name as PrimaryType, struct };
}

/**
 * The JSON form of a friendly message, with `onBehalfOf` defaulted to zero where the kind has it and
 * `nonce`/`fee` set from `fill` when the user gave none.
 */
export function messageJson(
  struct: AnyStruct,
  input: Record<string, unknown>,
  fill: { nonce?: number | string; fee?: bigint | string } = {},
): Record<string, unknown> {
  const json = normalizeObject(struct, input);
  if (Object.hasOwn(struct.fields, "onBehalfOf") && json.onBehalfOf === undefined) json.onBehalfOf = ZERO_ID;
  if (json.nonce === undefined && fill.nonce !== undefined) json.nonce = String(fill.nonce);
  if (json.fee === undefined && fill.fee !== undefined) json.fee = fill.fee.toString();
  return json;
}

/**
 * The checked message of a friendly input, all bounds applied. `fill` supplies nonce and fee when the
 * input has none (placeholders "0" check the rest of the input before any request is made).
 */
export function buildMessage<V>(
  struct: StructType<V>,
  input: Record<string, unknown>,
  fill: { nonce?: number | string; fee?: bigint | string } = { nonce: 0, fee: 0n },
): V {
  return parseMessage(struct, messageJson(struct as AnyStruct, input, fill));
}

export type SignedResult = {
  transaction: SignedTransactionJson;
  /** keccak256(signingDigest ‖ signature), computed locally. */
  hash: Hex;
  signature: Hex;
};

/**
 * Sign `message` with exactly typedData(chainId, struct, message), then check the signature recovers
 * to the signer: a wallet signing with another account or chain is caught before the node sees it.
 */
export async function signMessage<V>(
  signer: Signer,
  chainId: number,
  struct: StructType<V>,
  message: V,
): Promise<SignedResult> {
  // typedData returns the message in its JSON form (hex, decimal strings): wallet-ready as it is.
  const td = typedData(chainId, struct, message) as FilverseTypedData;
  const signature = normalizeSignature(await signer.signTypedData(td));
  const digest = hashTypedData(chainId, struct, message);
  const sigBytes = fromHex(signature);
  let recovered: Hex | null = null;
  try {
    recovered = toHex(recoverAddress(digest, sigBytes));
  } catch {
    recovered = null;
  }
  if (recovered !== signer.address) {
    throw new ClientError(ClientErrorCode.SIGNER_MISMATCH, "The signature does not recover to the account's address", {
      details: { expected: signer.address, recovered, chainId, primaryType: struct.name },
      metaMessages: ["Check that the wallet signs with this address and for this chain id."],
    });
  }
  return {
    transaction: {
      chainId: String(chainId),
      primaryType: struct.name as SignedTransactionJson["primaryType"],
      message: td.message,
      signature,
    },
    hash: toHex(txHashFromDigest(digest, sigBytes)),
    signature,
  };
}

/** A per-transaction override of the signer's Via fields (`grantSession(…, { sponsor })`). */
export type ViaOverride = { sponsor?: Hex; account?: Hex };

/**
 * The Via fields a transaction is signed with: the signer's (sessionAccount, sponsored) overridden
 * by the request's, or null when both are zero (a plain transaction of the kind).
 */
export function resolveVia(signer: Signer, override: ViaOverride | undefined): ViaFields | null {
  const pick = (name: "sponsor" | "account"): Hex => {
    const v = override?.[name] ?? signer.via?.[name] ?? ZERO_ADDRESS;
    if (!isHex(v, 20)) {
      throw new ClientError(
        ClientErrorCode.INVALID_INPUT,
        `Invalid parameter "${name}": expected a 20-byte 0x address`,
        {
          details: { name, got: String(v) },
        },
      );
    }
    return v.toLowerCase() as Hex;
  };
  const via = { sponsor: pick("sponsor"), account: pick("account") };
  return via.sponsor === ZERO_ADDRESS && via.account === ZERO_ADDRESS ? null : via;
}

/**
 * The address the kind's rules run as: a Via's `account` when it is set and not the signer (a session
 * key acting for it), else the signer. (Ids a transaction creates derive from the signer, whose nonce
 * it carries, so a session key's creations never collide with its account's.)
 */
export function actorOf(signer: Hex, via: ViaFields | null): Hex {
  return via && via.account !== ZERO_ADDRESS && via.account !== signer ? via.account : signer;
}

/**
 * Sign a transaction message: as its kind's own type, or, with Via fields, as `Via<Name>(address
 * sponsor,address account,<Name> tx)`, whose JSON form (primaryType "Via<Name>") the node takes.
 */
export function signTxMessage<V>(
  signer: Signer,
  chainId: number,
  kind: UserTxKind,
  struct: StructType<V>,
  message: V,
  via: ViaFields | null,
): Promise<SignedResult> {
  if (!via) return signMessage(signer, chainId, struct, message);
  const envelope = { sponsor: fromHex(via.sponsor), account: fromHex(via.account), tx: message };
  return signMessage(signer, chainId, viaStruct(kind) as unknown as StructType<typeof envelope>, envelope);
}

/** The ids a transaction of `kind` creates, from its signer and nonce (docs/protocol.md "Object ids"). */
export function createdIds(kind: UserTxKind, sender: Hex, nonce: number): Record<string, Hex> {
  const creator = fromHex(sender);
  switch (kind) {
    case TxKind.CollectionCreate:
      return { collectionId: toHex(collectionIdOf(creator, nonce)) };
    case TxKind.TokenCreate:
      return { tokenId: toHex(tokenIdOf(creator, nonce)) };
    case TxKind.IdentityCreate:
      return { identityId: toHex(identityIdOf(creator, nonce)) };
    case TxKind.DataAssetRegister:
      return { dataAssetId: toHex(dataAssetIdOf(creator, nonce)) };
    default:
      return {};
  }
}
