/**
 * The CBOR forms a storage deal takes between Filecoin's market actor, Boost and a deal-client
 * contract: the market's DealProposal, Boost's ExtraParamsV1 (ContractParamsVersion1), Filecoin
 * address bytes and big integers. Encoded with @ipld/dag-cbor, whose canonical output equals the
 * contract's (packages/l1/contracts/FilecoinDeal.sol) and go-state-types' byte for byte.
 */

import { bigintToBytesBE, bytesToBigintBE, fromHex, toHex } from "@filverse/utils";
import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import type { Address } from "viem";
import { getAddress } from "viem";
import { L1Error, L1ErrorCode } from "./errors.js";

/** Filecoin's market DealProposal (go-state-types builtin/v9+ `market.DealProposal`), as values. */
export type DealProposal = {
  /** The v1 piece CID (baga…). */
  pieceCid: CID;
  /** Padded piece size in bytes. */
  pieceSize: bigint;
  verifiedDeal: boolean;
  /** Filecoin address bytes (protocol byte ‖ payload). */
  client: Uint8Array;
  provider: Uint8Array;
  /** A text label; Boost parses it as the deal's payload (CAR root) CID. */
  label: string;
  startEpoch: bigint;
  endEpoch: bigint;
  /** attoFIL. */
  storagePricePerEpoch: bigint;
  providerCollateral: bigint;
  clientCollateral: bigint;
};

/** Boost's ContractParamsVersion1: off-chain instructions for the storage provider. */
export type ExtraParamsV1 = {
  /** Where the provider fetches the CAR over HTTP (the node's GET /piece/{pieceCid}). */
  locationRef: string;
  /** The CAR's size in bytes. */
  carSize: bigint;
  skipIpniAnnounce: boolean;
  removeUnsealedCopy: boolean;
};

export type FilecoinAddress =
  | { protocol: 0; id: bigint }
  | { protocol: 4; namespace: bigint; subaddress: Uint8Array; ethAddress: Address | null }
  | { protocol: 1 | 2 | 3; payload: Uint8Array };

/** The f410 namespace: the Ethereum Address Manager actor's id. */
export const EAM_NAMESPACE = 10n;
/** The ID address f00, which getDealProposal names as the provider ("any provider"). */
export const ANY_PROVIDER_ADDRESS: Uint8Array = Uint8Array.of(0x00, 0x00);

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
/** go-state-types refuses big integers longer than this many bytes (sign byte included). */
const BIGINT_MAX_BYTES = 128;

function decodeError(what: string, details: Record<string, unknown> = {}, cause?: unknown): L1Error {
  return new L1Error(L1ErrorCode.CBOR_DECODE_FAILED, `Malformed ${what}`, { details, cause });
}

/** dag-cbor gives a safe integer as a number and a larger one as a bigint. */
function int(value: unknown, what: string, min: bigint, max: bigint): bigint {
  const v = typeof value === "number" && Number.isInteger(value) ? BigInt(value) : value;
  if (typeof v !== "bigint" || v < min || v > max) throw decodeError(what, { value: String(value) });
  return v;
}

/** A u64 as dag-cbor encodes it (numbers when safe, so the encoding is the same either way). */
function u64(value: bigint, what: string): number | bigint {
  if (value < 0n || value > U64_MAX) throw new RangeError(`${what} out of uint64 range: ${value}`);
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function i64(value: bigint, what: string): number | bigint {
  if (value < I64_MIN || value > I64_MAX) throw new RangeError(`${what} out of int64 range: ${value}`);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function decodeCbor(bytes: Uint8Array, what: string): unknown {
  try {
    return dagCbor.decode(bytes);
  } catch (cause) {
    throw decodeError(what, { bytes: toHex(bytes) }, cause);
  }
}

// ---------------------------------------------------------------- big integers

/** Filecoin's big-integer bytes: empty for zero, else 0x00 (positive) or 0x01 (negative) ‖ magnitude. */
export function encodeFilecoinBigInt(value: bigint): Uint8Array {
  if (value === 0n) return new Uint8Array(0);
  const magnitude = value < 0n ? -value : value;
  const length = Math.ceil(magnitude.toString(16).length / 2);
  if (1 + length > BIGINT_MAX_BYTES) throw new RangeError(`big integer too large: ${value}`);
  return Uint8Array.from([value < 0n ? 1 : 0, ...bigintToBytesBE(magnitude, length)]);
}

export function decodeFilecoinBigInt(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  if (bytes.length > BIGINT_MAX_BYTES || (bytes[0] !== 0 && bytes[0] !== 1)) {
    throw decodeError("Filecoin big integer", { bytes: toHex(bytes) });
  }
  const magnitude = bytesToBigintBE(bytes.subarray(1));
  return bytes[0] === 1 ? -magnitude : magnitude;
}

// ---------------------------------------------------------------- addresses

function uvarint(value: bigint): number[] {
  const out: number[] = [];
  do {
    const low = Number(value & 0x7fn);
    value >>= 7n;
    out.push(value === 0n ? low : low | 0x80);
  } while (value !== 0n);
  return out;
}

function readUvarint(bytes: Uint8Array, offset: number): [bigint, number] {
  let value = 0n;
  for (let i = 0; i < 10 && offset + i < bytes.length; i++) {
    const b = bytes[offset + i]!;
    value |= BigInt(b & 0x7f) << BigInt(7 * i);
    if ((b & 0x80) === 0) return [value, offset + i + 1];
  }
  throw decodeError("Filecoin address varint", { bytes: toHex(bytes) });
}

/** The f410 address bytes of an Ethereum address: 0x04 ‖ 0x0a ‖ the 20 bytes. */
export function delegatedAddressBytes(ethAddress: Address): Uint8Array {
  return Uint8Array.from([4, Number(EAM_NAMESPACE), ...fromHex(ethAddress)]);
}

/** An ID address (f0…): 0x00 ‖ uvarint(id). */
export function idAddressBytes(id: bigint): Uint8Array {
  if (id < 0n || id > U64_MAX) throw new RangeError(`actor id out of range: ${id}`);
  return Uint8Array.from([0, ...uvarint(id)]);
}

/** Parse Filecoin address bytes; for an f410 address `ethAddress` is the EVM address inside. */
export function parseFilecoinAddress(bytes: Uint8Array): FilecoinAddress {
  const protocol = bytes[0];
  if (protocol === 0) {
    const [id, end] = readUvarint(bytes, 1);
    if (end !== bytes.length) throw decodeError("ID address", { bytes: toHex(bytes) });
    return { protocol: 0, id };
  }
  if (protocol === 4) {
    const [namespace, start] = readUvarint(bytes, 1);
    const subaddress = bytes.slice(start);
    const ethAddress = namespace === EAM_NAMESPACE && subaddress.length === 20 ? getAddress(toHex(subaddress)) : null;
    return { protocol: 4, namespace, subaddress, ethAddress };
  }
  if (protocol === 1 || protocol === 2 || protocol === 3) return { protocol, payload: bytes.slice(1) };
  throw decodeError("Filecoin address", { bytes: toHex(bytes) });
}

// ---------------------------------------------------------------- DealProposal

/** The CBOR DealProposal: an array of 11 items (see FilecoinDeal.sol and docs/deals-draft.md). */
export function encodeDealProposal(p: DealProposal): Uint8Array {
  return dagCbor.encode([
    p.pieceCid,
    u64(p.pieceSize, "pieceSize"),
    p.verifiedDeal,
    p.client,
    p.provider,
    p.label,
    i64(p.startEpoch, "startEpoch"),
    i64(p.endEpoch, "endEpoch"),
    encodeFilecoinBigInt(p.storagePricePerEpoch),
    encodeFilecoinBigInt(p.providerCollateral),
    encodeFilecoinBigInt(p.clientCollateral),
  ]);
}

export function decodeDealProposal(bytes: Uint8Array): DealProposal {
  const v = decodeCbor(bytes, "DealProposal");
  if (!Array.isArray(v) || v.length !== 11)
    throw decodeError("DealProposal: not an array of 11", { bytes: toHex(bytes) });
  const [pieceCid, pieceSize, verified, client, provider, label, start, end, price, pc, cc] = v as unknown[];
  const cid = CID.asCID(pieceCid);
  if (!cid) throw decodeError("DealProposal.pieceCid: not a CID link");
  for (const [name, b] of [
    ["client", client],
    ["provider", provider],
    ["storagePricePerEpoch", price],
    ["providerCollateral", pc],
    ["clientCollateral", cc],
  ] as const) {
    if (!(b instanceof Uint8Array)) throw decodeError(`DealProposal.${name}: not bytes`);
  }
  if (typeof verified !== "boolean") throw decodeError("DealProposal.verifiedDeal: not a bool");
  if (typeof label !== "string") throw decodeError("DealProposal.label: not text");
  return {
    pieceCid: cid,
    pieceSize: int(pieceSize, "DealProposal.pieceSize", 0n, U64_MAX),
    verifiedDeal: verified,
    client: client as Uint8Array,
    provider: provider as Uint8Array,
    label,
    startEpoch: int(start, "DealProposal.startEpoch", I64_MIN, I64_MAX),
    endEpoch: int(end, "DealProposal.endEpoch", I64_MIN, I64_MAX),
    storagePricePerEpoch: decodeFilecoinBigInt(price as Uint8Array),
    providerCollateral: decodeFilecoinBigInt(pc as Uint8Array),
    clientCollateral: decodeFilecoinBigInt(cc as Uint8Array),
  };
}

// ---------------------------------------------------------------- ExtraParamsV1

/** [location_ref: text, car_size: uint, skip_ipni_announce: bool, remove_unsealed_copy: bool]. */
export function encodeExtraParamsV1(x: ExtraParamsV1): Uint8Array {
  return dagCbor.encode([x.locationRef, u64(x.carSize, "carSize"), x.skipIpniAnnounce, x.removeUnsealedCopy]);
}

export function decodeExtraParamsV1(bytes: Uint8Array): ExtraParamsV1 {
  const v = decodeCbor(bytes, "ExtraParamsV1");
  if (!Array.isArray(v) || v.length !== 4) throw decodeError("ExtraParamsV1: not an array of 4");
  const [locationRef, carSize, skip, remove] = v as unknown[];
  if (typeof locationRef !== "string" || typeof skip !== "boolean" || typeof remove !== "boolean") {
    throw decodeError("ExtraParamsV1: wrong field types", { bytes: toHex(bytes) });
  }
  return {
    locationRef,
    carSize: int(carSize, "ExtraParamsV1.carSize", 0n, U64_MAX),
    skipIpniAnnounce: skip,
    removeUnsealedCopy: remove,
  };
}

// ---------------------------------------------------------------- params of the client's methods

/** AuthenticateMessageParams: [signature: bytes, message: bytes]. */
export function encodeAuthenticateMessageParams(signature: Uint8Array, message: Uint8Array): Uint8Array {
  return dagCbor.encode([signature, message]);
}

/** MarketNotifyDealParams: [proposal: bytes, deal_id: uint]. */
export function encodeMarketNotifyDealParams(proposal: Uint8Array, dealId: bigint): Uint8Array {
  return dagCbor.encode([proposal, u64(dealId, "dealId")]);
}
