/**
 * The signed-transaction envelope. On the wire and in blocks: SSZ `{chainId, kind, body, signature}`
 * with `body` the SSZ encoding of the kind's message. Over JSON-RPC:
 * `{chainId, primaryType, message, signature}`, the same shape a wallet signs with eth_signTypedData_v4.
 */
import { ByteListType, ByteVectorType, ContainerType, UintNumberType } from "@chainsafe/ssz";
import { MAX_TX_BODY_BYTES, MAX_TX_BYTES, SIGNATURE_BYTES } from "@filverse/params";
import { exceedsJsonDepth, fromHex, isHex, toHex } from "@filverse/utils";
import { MAX_JSON_DEPTH } from "./rpc.js";
import { address, badSignatureLength, CodecError, CodecErrorCode, checkJsonKeys, uint64 } from "./schema.js";
import {
  isUserTxKind,
  type TxMessages,
  txKindByName,
  txKindByViaName,
  txStructs,
  type UserTxKind,
  VIA_KIND_FLAG,
  VIA_PREFIX_BYTES,
  type Via,
  viaStruct,
} from "./transactions.js";

export const SignedTransactionSsz = new ContainerType(
  {
    chainId: new UintNumberType(8),
    kind: new UintNumberType(1),
    body: new ByteListType(MAX_TX_BODY_BYTES),
    signature: new ByteVectorType(SIGNATURE_BYTES),
  },
  { typeName: "SignedTransaction" },
);

export type SignedTransactionOf<K extends UserTxKind> = {
  chainId: number;
  kind: K;
  message: TxMessages[K];
  /** r ‖ s ‖ v, v ∈ {27, 28}. */
  signature: Uint8Array;
  /**
   * Present for a Via transaction (EIP-712 `Via<Name>`): `kind` and `message` stay the inner kind's.
   * Wire kind byte `0x80 | kind`, body `sponsor ‖ account ‖ SSZ(message)`.
   */
  via?: Via;
};

export type SignedTransaction = { [K in UserTxKind]: SignedTransactionOf<K> }[UserTxKind];

export type SignedTransactionJson = {
  chainId: string;
  primaryType: string;
  message: Record<string, unknown>;
  signature: string;
};

type SignedTransactionSszValue = { chainId: number; kind: number; body: Uint8Array; signature: Uint8Array };

export function signedTxToSszValue(tx: SignedTransaction): SignedTransactionSszValue {
  const inner = txStructs[tx.kind].serialize(tx.message as never);
  if (tx.via === undefined) return { chainId: tx.chainId, kind: tx.kind, body: inner, signature: tx.signature };
  address.check(tx.via.sponsor, "via.sponsor");
  address.check(tx.via.account, "via.account");
  const body = new Uint8Array(VIA_PREFIX_BYTES + inner.length);
  body.set(tx.via.sponsor, 0);
  body.set(tx.via.account, 20);
  body.set(inner, VIA_PREFIX_BYTES);
  return { chainId: tx.chainId, kind: VIA_KIND_FLAG | tx.kind, body, signature: tx.signature };
}

export function encodeSignedTx(tx: SignedTransaction): Uint8Array {
  return SignedTransactionSsz.serialize(signedTxToSszValue(tx));
}

/** Check and decode an envelope already parsed by @chainsafe/ssz (e.g. inside a block). */
export function signedTxFromSszValue(env: SignedTransactionSszValue): SignedTransaction {
  uint64.check(env.chainId, "chainId");
  const isVia = (env.kind & VIA_KIND_FLAG) !== 0;
  const kind = env.kind & ~VIA_KIND_FLAG;
  if (!isUserTxKind(kind)) {
    throw new CodecError(CodecErrorCode.INVALID_FIELD, `Unknown transaction kind ${env.kind}`, {
      details: { kind: env.kind },
    });
  }
  if (!isVia) {
    const message = txStructs[kind].deserialize(env.body);
    return { chainId: env.chainId, kind, message, signature: env.signature } as SignedTransaction;
  }
  if (env.body.length < VIA_PREFIX_BYTES) {
    throw new CodecError(CodecErrorCode.INVALID_SSZ, "A Via body is shorter than its 40-byte sponsor ‖ account", {
      details: { length: env.body.length },
    });
  }
  const message = txStructs[kind].deserialize(env.body.subarray(VIA_PREFIX_BYTES));
  const via: Via = { sponsor: env.body.slice(0, 20), account: env.body.slice(20, VIA_PREFIX_BYTES) };
  return { chainId: env.chainId, kind, message, signature: env.signature, via } as SignedTransaction;
}

/** Decode and bound-check a signed transaction; throws CodecError on any malformed byte. */
export function decodeSignedTx(bytes: Uint8Array): SignedTransaction {
  if (bytes.length > MAX_TX_BYTES) {
    throw new CodecError(
      CodecErrorCode.INVALID_SSZ,
      `Transaction is ${bytes.length} bytes; the limit is ${MAX_TX_BYTES}`,
    );
  }
  let env: SignedTransactionSszValue;
  try {
    env = SignedTransactionSsz.deserialize(bytes);
  } catch (cause) {
    throw new CodecError(CodecErrorCode.INVALID_SSZ, "Bytes are not a valid SSZ SignedTransaction", { cause });
  }
  return signedTxFromSszValue(env);
}

export function signedTxToJson(tx: SignedTransaction): SignedTransactionJson {
  if (tx.via !== undefined) {
    const via = viaStruct(tx.kind);
    return {
      chainId: String(tx.chainId),
      primaryType: via.name,
      message: via.toJson({ sponsor: tx.via.sponsor, account: tx.via.account, tx: tx.message } as never),
      signature: toHex(tx.signature),
    };
  }
  const struct = txStructs[tx.kind];
  return {
    chainId: String(tx.chainId),
    primaryType: struct.name,
    message: struct.toJson(tx.message as never),
    signature: toHex(tx.signature),
  };
}

/**
 * Parse the JSON-RPC form. Throws CodecError: INVALID_FIELD when the JSON is not a transaction
 * (also when it nests deeper than MAX_JSON_DEPTH, checked before anything recurses into it),
 * OUT_OF_BOUNDS for a field past a protocol bound, BAD_SIGNATURE_LENGTH for a signature not 65 bytes.
 */
export function signedTxFromJson(json: unknown): SignedTransaction {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new CodecError(CodecErrorCode.INVALID_FIELD, "Transaction must be a JSON object");
  }
  if (exceedsJsonDepth(json, MAX_JSON_DEPTH)) {
    throw new CodecError(CodecErrorCode.INVALID_FIELD, `Transaction JSON nests deeper than ${MAX_JSON_DEPTH} levels`, {
      details: { maxDepth: MAX_JSON_DEPTH },
    });
  }
  const j = json as Record<string, unknown>;
  checkJsonKeys(j, ["chainId", "primaryType", "message", "signature"], "transaction");
  const plainKind = typeof j.primaryType === "string" ? txKindByName(j.primaryType) : undefined;
  const viaKind =
    plainKind === undefined && typeof j.primaryType === "string" ? txKindByViaName(j.primaryType) : undefined;
  const kind = plainKind ?? viaKind;
  if (kind === undefined) {
    const shown =
      typeof j.primaryType === "string"
        ? JSON.stringify(j.primaryType.length > 80 ? `${j.primaryType.slice(0, 80)}…` : j.primaryType)
        : `(${j.primaryType === null ? "null" : Array.isArray(j.primaryType) ? "an array" : typeof j.primaryType})`;
    throw new CodecError(CodecErrorCode.INVALID_FIELD, `Unknown transaction primaryType ${shown}`, {
      details: { path: "primaryType", got: j.primaryType },
      metaMessages: [
        `Known types: ${Object.values(txStructs)
          .map((s) => s.name)
          .join(", ")}, and Via<Name> of each`,
      ],
    });
  }
  if (!isHex(j.signature, SIGNATURE_BYTES)) {
    if (isHex(j.signature)) throw badSignatureLength("signature", j.signature);
    throw new CodecError(CodecErrorCode.INVALID_FIELD, "signature must be 0x-prefixed hex of 65 bytes", {
      details: { path: "signature", got: j.signature },
    });
  }
  const chainId = uint64.fromJson(j.chainId, "chainId");
  if (viaKind !== undefined) {
    const v = viaStruct(viaKind).fromJson(j.message, "message");
    return {
      chainId,
      kind: viaKind,
      message: v.tx,
      signature: fromHex(j.signature),
      via: { sponsor: v.sponsor, account: v.account },
    } as SignedTransaction;
  }
  const message = txStructs[kind].fromJson(j.message, "message");
  return { chainId, kind, message, signature: fromHex(j.signature) } as SignedTransaction;
}
